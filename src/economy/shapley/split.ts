/**
 * The payment split: Shapley values in whole micro-units that add up to v(N)
 * exactly (docs/shapley-split.md). Exact for up to MAX_EXACT_PLAYERS players,
 * sampled above, with the draws seeded from a string (the run id) so that
 * anyone can recompute the split.
 */

import { mulberry32 } from '../../core/index.ts'
import { MAX_EXACT_PLAYERS, MAX_PERMUTATIONS } from './constants.ts'
import { InvalidCoalitionValueError, InvalidSamplingOptionsError } from './errors.ts'
import { coalitionTable, exactNumerators } from './exact.ts'
import { canonicalPlayers, compareIds, evaluate } from './players.ts'
import type { CoalitionValue } from './players.ts'
import { sampleMarginals, samplingPlan } from './sampled.ts'
import { seedFromString } from './seed.ts'

/** Options of {@link shapley}; only a sampled split (more than MAX_EXACT_PLAYERS players) reads them. */
export interface SplitOptions {
  /** The string the draws are seeded from, normally the run id: `mulberry32(seedFromString(seed))`. Required when sampled. */
  seed?: string
  /** Width of an interval holding every marginal contribution, in micro-units. Required when sampled; a workflow game gives its own. */
  range?: number
  /** Largest error of each share before rounding, in micro-units; default range · DEFAULT_RELATIVE_EPSILON. */
  epsilon?: number
  /** Probability that some share is off by ε or more; default DEFAULT_DELTA. */
  delta?: number
  /**
   * The number of permutations to draw instead of the one Hoeffding's bound
   * gives for (ε, δ, range): a verifier uses the m a split record reports
   * (the bound is computed with Math.log, which engines may round differently
   * in the last bit). Refused below the bound's m − 1 or above MAX_PERMUTATIONS.
   */
  permutations?: number
}

/** How a sampled split was drawn: enough to recompute it. */
export interface SplitSampling {
  seed: string
  permutations: number
  epsilon: number
  delta: number
  range: number
}

/** A split of v(N) micro-units among the players. */
export interface ShapleySplit {
  /** Each player's share in whole micro-units; the shares sum to `total` exactly. */
  shares: ReadonlyMap<string, number>
  /** v(N), the grand coalition's value. */
  total: number
  method: 'exact' | 'sampled'
  /** Present when sampled. */
  sampling?: SplitSampling
}

/**
 * Splits v(N) among the players by Shapley value, in whole micro-units.
 * v must return safe integers (micro-units) and v(∅) must be 0, so that the
 * Shapley values sum to v(N). Each share is its Shapley value (exact, or
 * sampled within ε with probability 1 − δ) rounded down; the micro-units left
 * over go one each to the players with the largest fractional parts, ties to
 * the smaller player id (UTF-16 code units). Throws InvalidCoalitionValueError
 * for a non-integer value or v(∅) ≠ 0, InvalidSamplingOptionsError when a
 * sampled split lacks a seed or range, and the errors of shapleyExact and
 * shapleySampled.
 */
export function shapley (players: readonly string[], v: CoalitionValue, options: SplitOptions = {}): ShapleySplit {
  const sorted = canonicalPlayers(players)
  const integral: CoalitionValue = coalition => {
    const value = evaluate(v, coalition)
    if (!Number.isSafeInteger(value)) throw new InvalidCoalitionValueError(`v({${[...coalition].join(', ')}}) is ${value}, not a safe integer of micro-units`)
    return value
  }
  if (integral(new Set()) !== 0) throw new InvalidCoalitionValueError('v(∅) must be 0 for the shares to add up to v(N)')
  const total = integral(new Set(sorted))

  if (sorted.length <= MAX_EXACT_PLAYERS) {
    const table = coalitionTable(sorted, integral)
    const { numerators, denominator } = exactNumerators(sorted, table)
    return { shares: allocateFractions(sorted, numerators, denominator, total), total, method: 'exact' }
  }

  const { seed } = options
  if (typeof seed !== 'string') throw new InvalidSamplingOptionsError('seed', `a split of more than ${MAX_EXACT_PLAYERS} players is sampled and needs a seed string (the run id)`)
  if (options.range === undefined) throw new InvalidSamplingOptionsError('range', `a split of more than ${MAX_EXACT_PLAYERS} players is sampled and needs a range`)
  const plan = withPermutations(samplingPlan(sorted.length, { range: options.range, epsilon: options.epsilon, delta: options.delta }), options.permutations)
  const sample = sampleMarginals(sorted, integral, plan.permutations, plan.range, mulberry32(seedFromString(seed)))
  const shares = sample.exact
    ? allocateFractions(sorted, sample.sums.map(sum => BigInt(sum)), BigInt(plan.permutations), total)
    : allocateFloats(sorted, sample.sums.map(sum => sum / plan.permutations), total)
  return { shares, total, method: 'sampled', sampling: { seed, ...plan } }
}

/** The plan with the caller's m, when given and at least the bound's m − 1 (one ulp of Math.log can move the ceiling by one). */
function withPermutations<Plan extends { permutations: number }> (plan: Plan, permutations: number | undefined): Plan {
  if (permutations === undefined) return plan
  if (!Number.isSafeInteger(permutations) || permutations < plan.permutations - 1 || permutations > MAX_PERMUTATIONS) {
    throw new InvalidSamplingOptionsError('permutations', `must be an integer from ${plan.permutations - 1} (Hoeffding's bound) to ${MAX_PERMUTATIONS}, got ${String(permutations)}`)
  }
  return { ...plan, permutations }
}

/** Shares from exact fractions numerator / denominator (denominator > 0): floor, then the remainder by largest fractional part. */
function allocateFractions (players: readonly string[], numerators: readonly bigint[], denominator: bigint, total: number): Map<string, number> {
  const floors: number[] = []
  const remainders: bigint[] = []
  for (const numerator of numerators) {
    let quotient = numerator / denominator
    if (numerator % denominator < 0n) quotient -= 1n
    floors.push(Number(quotient))
    remainders.push(numerator - quotient * denominator)
  }
  return allocate(players, floors, (a, b) => (remainders[a]! > remainders[b]! ? -1 : remainders[a]! < remainders[b]! ? 1 : 0), total)
}

/** Shares from floating-point values: floor, then the remainder by largest fractional part. */
function allocateFloats (players: readonly string[], values: readonly number[], total: number): Map<string, number> {
  const floors = values.map(value => Math.floor(value))
  const fractions = values.map((value, i) => value - floors[i]!)
  return allocate(players, floors, (a, b) => fractions[b]! - fractions[a]!, total)
}

/**
 * Adds total − Σ floors to the floors one micro-unit at a time, in the order
 * `byFraction` (largest fractional part first) then player id. With exact
 * fractions the remainder is in [0, n); the loop also handles a remainder
 * outside it, so the shares add up to `total` whatever rounding did.
 */
function allocate (players: readonly string[], floors: number[], byFraction: (a: number, b: number) => number, total: number): Map<string, number> {
  const order = players.map((_, i) => i).sort((a, b) => byFraction(a, b) || compareIds(players[a]!, players[b]!))
  const shares = [...floors]
  let remainder = total - floors.reduce((sum, floor) => sum + floor, 0)
  for (let k = 0; remainder > 0; k++, remainder--) shares[order[k % order.length]!]! += 1
  for (let k = 0; remainder < 0; k++, remainder++) shares[order[order.length - 1 - (k % order.length)]!]! -= 1
  return new Map(players.map((player, i) => [player, shares[i]!]))
}
