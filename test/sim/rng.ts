/** Seeded randomness for the simulation: every stream is reproducible from `--seed`. */
import { mulberry32 } from '../../src/core/index.ts'

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
