/**
 * Signed feature hashing (Weinberger et al., "Feature Hashing for Large Scale
 * Multitask Learning", ICML 2009): each feature adds ±weight at a dimension
 * chosen by SHA-256, the sign by another bit of it, so colliding features
 * cancel in expectation. The block is then scaled to length `length`
 * (L2); an empty block stays all zeros. Used by the Agent Card's capability
 * vector and the agent search vector, each with its own prefix, so their
 * hashes never coincide with each other or any other use of SHA-256.
 */
import { sha256Hex, utf8ToBytes } from '../core/index.ts'

export interface HashedBlock {
  /** First dimension of the block in `v`. */
  start: number
  /** Dimensions of the block. */
  size: number
  /** L2 length of the block after scaling. */
  length: number
  /** Domain separation, e.g. `zerostate/agent-card/1/`. */
  prefix: string
}

/** Adds `features` (feature → weight) into `v[block.start … start + size)` and scales the block to `block.length`. */
export function addHashedFeatures (v: Float64Array, block: HashedBlock, features: ReadonlyMap<string, number> | ReadonlySet<string>): void {
  const { start, size } = block
  const weighted = features instanceof Map ? features.entries() : [...features].map(feature => [feature, 1] as const)
  for (const [feature, weight] of weighted) {
    const digest = sha256Hex(utf8ToBytes(block.prefix + feature))
    const index = Number.parseInt(digest.slice(0, 4), 16) % size
    const sign = (Number.parseInt(digest.slice(4, 6), 16) & 1) === 1 ? -1 : 1
    v[start + index] = v[start + index]! + sign * weight
  }
  let sumOfSquares = 0
  for (let i = start; i < start + size; i++) sumOfSquares += v[i]! * v[i]!
  if (sumOfSquares === 0) return
  const scale = block.length / Math.sqrt(sumOfSquares)
  for (let i = start; i < start + size; i++) v[i] = v[i]! * scale
}
