/**
 * The Shapley value estimated by permutation sampling (Castro, Gómez & Tejada
 * 2009, "Polynomial calculation of the Shapley value based on sampling",
 * Computers & Operations Research 36(5)): the Shapley value of player i is
 * the mean, over the n! orders in which players can arrive, of i's marginal
 * contribution v(P ∪ {i}) − v(P) to the players P before it. Draw m orders
 * uniformly and average.
 *
 * How many: in each order, i's marginal contribution is one draw X_k of a
 * random variable with mean φ_i, and every draw lies in an interval of width
 * `range`. Hoeffding (1963): P(|X̄ − φ_i| ≥ ε) ≤ 2·exp(−2mε² / range²). By the
 * union bound over the n players, all n estimates are within ε with
 * probability at least 1 − 2n·exp(−2mε² / range²), which is ≥ 1 − δ when
 *
 *   m ≥ range² · ln(2n / δ) / (2ε²).
 */

import { DEFAULT_DELTA, DEFAULT_RELATIVE_EPSILON, MAX_MEMO_PLAYERS, MAX_PERMUTATIONS, MAX_SAMPLED_PLAYERS } from './constants.ts'
import { InvalidSamplingOptionsError, MarginalOutOfRangeError, TooManyPermutationsError, TooManyPlayersError } from './errors.ts'
import { canonicalPlayers, evaluate } from './players.ts'
import type { CoalitionValue } from './players.ts'

/** How closely, and with which draws, to sample. */
export interface SamplingOptions {
  /**
   * Width of an interval that holds every marginal contribution of each
   * player (max − min of v(P ∪ {i}) − v(P) over all P is at most this), in
   * v's units. Required: the bound rests on it. A sample that sees a wider
   * spread is refused (MarginalOutOfRangeError).
   */
  range: number
  /** Largest error allowed in each player's estimate, in v's units; default range · DEFAULT_RELATIVE_EPSILON. */
  epsilon?: number
  /** Probability that some estimate is off by ε or more; in (0, 1), default DEFAULT_DELTA. */
  delta?: number
  /** Uniform floats in [0, 1), e.g. `mulberry32(seedFromString(runId))`. */
  random: () => number
}

/** A sampled Shapley value. */
export interface SampledShapley {
  /** Each player's estimate, within `epsilon` of its Shapley value with probability at least 1 − `delta` (all players at once). */
  values: ReadonlyMap<string, number>
  /** Permutations drawn: ⌈range² · ln(2n/δ) / (2ε²)⌉. */
  permutations: number
  epsilon: number
  delta: number
  range: number
}

/** The permutations Hoeffding's bound asks for: ⌈range² · ln(2n/δ) / (2ε²)⌉, at least 1. */
export function permutationsFor (players: number, epsilon: number, delta: number, range: number): number {
  const ratio = range / epsilon
  return Math.max(1, Math.ceil(ratio * ratio * Math.log(2 * players / delta) / 2))
}

/** The options with defaults filled in, after checking them. */
export function samplingPlan (players: number, options: Omit<SamplingOptions, 'random'>): { epsilon: number, delta: number, range: number, permutations: number } {
  const { range } = options
  if (typeof range !== 'number' || !Number.isFinite(range) || range <= 0) throw new InvalidSamplingOptionsError('range', `must be a finite number above 0, got ${String(range)}`)
  const epsilon = options.epsilon ?? range * DEFAULT_RELATIVE_EPSILON
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) throw new InvalidSamplingOptionsError('epsilon', `must be a finite number above 0, got ${String(epsilon)}`)
  const delta = options.delta ?? DEFAULT_DELTA
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) throw new InvalidSamplingOptionsError('delta', `must be in (0, 1), got ${String(delta)}`)
  if (players > MAX_SAMPLED_PLAYERS) throw new TooManyPlayersError(`a sampled split takes at most ${MAX_SAMPLED_PLAYERS} players, got ${players}`)
  const permutations = permutationsFor(players, epsilon, delta, range)
  if (!(permutations <= MAX_PERMUTATIONS)) {
    throw new TooManyPermutationsError(permutations, `ε = ${epsilon}, δ = ${delta}, range = ${range} at n = ${players} need ${permutations} permutations, above MAX_PERMUTATIONS (${MAX_PERMUTATIONS}); ask for a larger ε`)
  }
  return { epsilon, delta, range, permutations }
}

/** What a run of the sampler adds up. */
export interface MarginalSums {
  /** The players in canonical (code-unit) order. */
  players: string[]
  /** sums[i]: the sum of players[i]'s marginal contributions over the permutations. */
  sums: number[]
  permutations: number
  /** True when every v value was an integer and no partial sum could pass 2^53, so `sums` are exact integers. */
  exact: boolean
}

/**
 * Draws `permutations` orders of the (canonically sorted) players with
 * Fisher–Yates on `random`, each shuffle starting from the sorted order, and
 * sums each player's marginal contributions. Throws MarginalOutOfRangeError if
 * some player's contributions spread wider than `range`.
 */
export function sampleMarginals (players: readonly string[], v: CoalitionValue, permutations: number, range: number, random: () => number): MarginalSums {
  const sorted = canonicalPlayers(players)
  const n = sorted.length
  const memo = n <= MAX_MEMO_PLAYERS ? new Float64Array(1 << n).fill(Number.NaN) : undefined
  const coalition = new Set<string>()
  const value = (mask: number): number => {
    if (memo === undefined) return evaluate(v, coalition)
    let known = memo[mask]!
    if (Number.isNaN(known)) memo[mask] = known = evaluate(v, coalition)
    return known
  }
  const empty = value(0)
  let integers = Number.isInteger(empty)
  let largest = 0
  const sums = new Float64Array(n)
  const low = new Float64Array(n).fill(Infinity)
  const high = new Float64Array(n).fill(-Infinity)
  const order = new Uint32Array(n)
  for (let k = 0; k < permutations; k++) {
    for (let i = 0; i < n; i++) order[i] = i
    for (let j = n - 1; j > 0; j--) {
      const r = Math.floor(random() * (j + 1))
      const t = order[j]!; order[j] = order[r]!; order[r] = t
    }
    coalition.clear()
    let mask = 0
    let previous = empty
    for (const i of order) {
      coalition.add(sorted[i]!)
      if (n <= MAX_MEMO_PLAYERS) mask |= 1 << i
      const current = value(mask)
      const marginal = current - previous
      sums[i]! += marginal
      if (marginal < low[i]!) low[i] = marginal
      if (marginal > high[i]!) high[i] = marginal
      if (!Number.isInteger(current)) integers = false
      if (Math.abs(marginal) > largest) largest = Math.abs(marginal)
      previous = current
    }
  }
  for (let i = 0; i < n; i++) {
    if (high[i]! - low[i]! > range) {
      throw new MarginalOutOfRangeError(`player ${sorted[i]!}'s marginal contributions span [${low[i]}, ${high[i]}], wider than range ${range}`)
    }
  }
  return { players: sorted, sums: [...sums], permutations, exact: integers && largest * permutations <= Number.MAX_SAFE_INTEGER }
}

/**
 * The Shapley value estimated from ⌈range² · ln(2n/δ) / (2ε²)⌉ uniformly drawn
 * permutations. Throws InvalidSamplingOptionsError for a bad ε, δ or range,
 * TooManyPermutationsError when that count is above MAX_PERMUTATIONS (the
 * split is refused, never capped), TooManyPlayersError above
 * MAX_SAMPLED_PLAYERS, MarginalOutOfRangeError when the stated range is
 * visibly wrong. Deterministic for a given `random`; the estimates sum to
 * v(N) − v(∅) up to rounding, since each permutation's contributions do.
 */
export function shapleySampled (players: readonly string[], v: CoalitionValue, options: SamplingOptions): SampledShapley {
  const plan = samplingPlan(canonicalPlayers(players).length, options)
  if (typeof options.random !== 'function') throw new InvalidSamplingOptionsError('random', 'must be a function returning floats in [0, 1)')
  const { players: sorted, sums } = sampleMarginals(players, v, plan.permutations, plan.range, options.random)
  const values = new Map<string, number>()
  sorted.forEach((player, i) => values.set(player, sums[i]! / plan.permutations))
  return { values, permutations: plan.permutations, epsilon: plan.epsilon, delta: plan.delta, range: plan.range }
}
