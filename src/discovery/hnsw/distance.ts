/**
 * Distance kernels over flat Float32Array storage. Both are unrolled by four;
 * they are the hot loop of every search. Sums are kept in float64.
 */

/** Inner product of a[aOff..aOff+dim) and b[bOff..bOff+dim). */
export function dot (a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  const end4 = dim - (dim & 3)
  for (; i < end4; i += 4) {
    s0 += a[aOff + i]! * b[bOff + i]!
    s1 += a[aOff + i + 1]! * b[bOff + i + 1]!
    s2 += a[aOff + i + 2]! * b[bOff + i + 2]!
    s3 += a[aOff + i + 3]! * b[bOff + i + 3]!
  }
  for (; i < dim; i++) s0 += a[aOff + i]! * b[bOff + i]!
  return (s0 + s1) + (s2 + s3)
}

/** Squared Euclidean distance between a[aOff..aOff+dim) and b[bOff..bOff+dim). */
export function l2Squared (a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  const end4 = dim - (dim & 3)
  for (; i < end4; i += 4) {
    const d0 = a[aOff + i]! - b[bOff + i]!
    const d1 = a[aOff + i + 1]! - b[bOff + i + 1]!
    const d2 = a[aOff + i + 2]! - b[bOff + i + 2]!
    const d3 = a[aOff + i + 3]! - b[bOff + i + 3]!
    s0 += d0 * d0
    s1 += d1 * d1
    s2 += d2 * d2
    s3 += d3 * d3
  }
  for (; i < dim; i++) {
    const d = a[aOff + i]! - b[bOff + i]!
    s0 += d * d
  }
  return (s0 + s1) + (s2 + s3)
}
