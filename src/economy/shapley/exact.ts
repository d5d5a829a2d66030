/**
 * The exact Shapley value (Shapley 1953) by the subset formula:
 *
 *   φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))
 *
 * v is evaluated once per coalition (2^n calls, memoized by bitmask), so
 * n is bounded by MAX_EXACT_PLAYERS.
 */

import { MAX_EXACT_PLAYERS } from './constants.ts'
import { TooManyPlayersError } from './errors.ts'
import { canonicalPlayers, coalitionOf, evaluate } from './players.ts'
import type { CoalitionValue } from './players.ts'

/** v on every coalition of `players`, indexed by bitmask (bit i for players[i]). */
export function coalitionTable (players: readonly string[], v: CoalitionValue): Float64Array {
  if (players.length > MAX_EXACT_PLAYERS) {
    throw new TooManyPlayersError(`an exact split takes at most ${MAX_EXACT_PLAYERS} players, got ${players.length}`)
  }
  const table = new Float64Array(1 << players.length)
  for (let mask = 0; mask < table.length; mask++) table[mask] = evaluate(v, coalitionOf(players, mask))
  return table
}

/**
 * The exact Shapley value of each player, as floating-point numbers. Throws
 * TooManyPlayersError above MAX_EXACT_PLAYERS, InvalidPlayersError for an
 * empty list or a repeated player, InvalidCoalitionValueError if v returns a
 * non-finite number. The values sum to v(N) − v(∅), up to rounding.
 */
export function shapleyExact (players: readonly string[], v: CoalitionValue): ReadonlyMap<string, number> {
  const sorted = canonicalPlayers(players)
  const table = coalitionTable(sorted, v)
  const n = sorted.length
  // weight[s] = s! (n − s − 1)! / n! = 1 / (n · C(n − 1, s))
  const weight: number[] = []
  let binomial = 1
  for (let s = 0; s < n; s++) {
    weight.push(1 / (n * binomial))
    binomial = binomial * (n - 1 - s) / (s + 1)
  }
  const values = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const bit = 1 << i
    let sum = 0
    for (let mask = 0; mask < table.length; mask++) {
      if ((mask & bit) !== 0) continue
      sum += weight[popcount(mask)]! * (table[mask | bit]! - table[mask]!)
    }
    values.set(sorted[i]!, sum)
  }
  return values
}

/**
 * The exact Shapley values as fractions numerator / n!, in integers, for a v
 * whose values are all safe integers: φ_i · n! = Σ_S |S|! (n − |S| − 1)! ·
 * (v(S ∪ {i}) − v(S)). The numerators sum to n! · (v(N) − v(∅)) exactly.
 */
export function exactNumerators (players: readonly string[], table: Float64Array): { numerators: bigint[], denominator: bigint } {
  const n = players.length
  const factorial: bigint[] = [1n]
  for (let k = 1; k <= n; k++) factorial.push(factorial[k - 1]! * BigInt(k))
  const weight = Array.from({ length: n }, (_, s) => factorial[s]! * factorial[n - 1 - s]!)
  const numerators: bigint[] = []
  for (let i = 0; i < n; i++) {
    const bit = 1 << i
    let sum = 0n
    for (let mask = 0; mask < table.length; mask++) {
      if ((mask & bit) !== 0) continue
      sum += weight[popcount(mask)]! * (BigInt(table[mask | bit]!) - BigInt(table[mask]!))
    }
    numerators.push(sum)
  }
  return { numerators, denominator: factorial[n]! }
}

function popcount (mask: number): number {
  let count = 0
  for (let m = mask; m !== 0; m &= m - 1) count++
  return count
}
