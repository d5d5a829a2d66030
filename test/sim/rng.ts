/** Seeded randomness for the simulation: every stream is reproducible from `--seed`. */

/** mulberry32: a small, fast 32-bit generator, uniform in [0, 1). */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An independent stream for `purpose`, derived from the run's seed. */
export function stream (seed: number, purpose: string): () => number {
  let h = seed ^ 0x9e3779b9
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193)
  return mulberry32(h)
}

/** Exponentially distributed with the given mean. */
export function exponential (random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean
}

/** Integer uniform in [lo, hi]. */
export function intBetween (random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1))
}
