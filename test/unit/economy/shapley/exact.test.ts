import { describe, expect, it } from 'vitest'
import { MAX_EXACT_PLAYERS, shapleyExact } from '../../../../src/economy/shapley/index.ts'
import type { CoalitionValue } from '../../../../src/economy/shapley/index.ts'
import { thrown } from '../../../support/rejection.ts'
import { dividendGame, names, randomGame } from './games.ts'

const sum = (values: ReadonlyMap<string, number>): number => [...values.values()].reduce((a, b) => a + b, 0)

describe('shapleyExact', () => {
  it('splits the glove game as 2/3, 1/6, 1/6', () => {
    // One left glove (l), two right gloves (r1, r2); a pair is worth 1.
    const v: CoalitionValue = S => Math.min(S.has('l') ? 1 : 0, (S.has('r1') ? 1 : 0) + (S.has('r2') ? 1 : 0))
    const phi = shapleyExact(['l', 'r1', 'r2'], v)
    expect(phi.get('l')).toBeCloseTo(2 / 3, 12)
    expect(phi.get('r1')).toBeCloseTo(1 / 6, 12)
    expect(phi.get('r2')).toBeCloseTo(1 / 6, 12)
  })

  it('splits the airport game as Littlechild & Owen (1973) do', () => {
    // Runway costs 6, 12, 30: v(S) = the longest runway S needs. φ = 6/3, 6/3 + 6/2, 6/3 + 6/2 + 18.
    const need: Record<string, number> = { a: 6, b: 12, c: 30 }
    const phi = shapleyExact(['c', 'a', 'b'], S => Math.max(0, ...[...S].map(p => need[p] ?? 0)))
    expect(phi.get('a')).toBeCloseTo(2, 12)
    expect(phi.get('b')).toBeCloseTo(5, 12)
    expect(phi.get('c')).toBeCloseTo(23, 12)
  })

  it('agrees with the Harsanyi dividends on random games up to 12 players', () => {
    for (const n of [1, 2, 5, 12]) {
      const { players, v, phi } = dividendGame(n, 3 * n, 100 + n)
      const exact = shapleyExact(players, v)
      for (const p of players) expect(exact.get(p)).toBeCloseTo(phi.get(p) ?? NaN, 8)
    }
  })

  it('is efficient: the values sum to v(N) − v(∅)', () => {
    const { players, v } = randomGame(8, 7)
    const shifted: CoalitionValue = S => v(S) + 250
    expect(sum(shapleyExact(players, v))).toBeCloseTo(v(new Set(players)), 8)
    expect(sum(shapleyExact(players, shifted))).toBeCloseTo(v(new Set(players)), 8)
  })

  it('is symmetric: interchangeable players get the same', () => {
    // p00 and p01 only ever count together through their number; p02 differs.
    const v: CoalitionValue = S => {
      const k = (S.has('p00') ? 1 : 0) + (S.has('p01') ? 1 : 0)
      return k * k * 7 + (S.has('p02') ? 5 + 3 * k : 0)
    }
    const phi = shapleyExact(names(3), v)
    expect(phi.get('p00')).toBeCloseTo(phi.get('p01') ?? NaN, 12)
    expect(phi.get('p00')).not.toBeCloseTo(phi.get('p02') ?? NaN, 3)
  })

  it('gives a null player nothing', () => {
    const { players, v } = randomGame(6, 11)
    const withNull: CoalitionValue = S => v(new Set([...S].filter(p => p !== 'ghost')))
    const phi = shapleyExact([...players, 'ghost'], withNull)
    expect(phi.get('ghost')).toBeCloseTo(0, 10)
    const alone = shapleyExact(players, v)
    for (const p of players) expect(phi.get(p)).toBeCloseTo(alone.get(p) ?? NaN, 8)
  })

  it('is additive: φ(v + w) = φ(v) + φ(w)', () => {
    const { players, v } = randomGame(7, 21)
    const { v: w } = randomGame(7, 22)
    const phiV = shapleyExact(players, v)
    const phiW = shapleyExact(players, w)
    const phiSum = shapleyExact(players, S => v(S) + w(S))
    for (const p of players) expect(phiSum.get(p)).toBeCloseTo((phiV.get(p) ?? NaN) + (phiW.get(p) ?? NaN), 8)
  })

  it('does not depend on the order the players are listed in', () => {
    const { players, v } = randomGame(5, 3)
    expect([...shapleyExact([...players].reverse(), v)]).toEqual([...shapleyExact(players, v)])
  })

  it('refuses more than MAX_EXACT_PLAYERS players, an empty or repeated list, and a non-finite value', () => {
    expect(thrown(() => shapleyExact(names(MAX_EXACT_PLAYERS + 1), () => 0)).name).toBe('TooManyPlayersError')
    expect(thrown(() => shapleyExact([], () => 0)).name).toBe('InvalidPlayersError')
    expect(thrown(() => shapleyExact(['a', 'b', 'a'], () => 0)).name).toBe('InvalidPlayersError')
    expect(thrown(() => shapleyExact(['a', ''], () => 0)).name).toBe('InvalidPlayersError')
    expect(thrown(() => shapleyExact(['a', 'b'], S => S.size === 2 ? Number.NaN : 0)).name).toBe('InvalidCoalitionValueError')
  })
})
