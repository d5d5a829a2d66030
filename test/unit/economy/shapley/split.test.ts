import { describe, expect, it } from 'vitest'
import { shapley, shapleyExact } from '../../../../src/economy/shapley/index.ts'
import type { CoalitionValue } from '../../../../src/economy/shapley/index.ts'
import { thrown } from '../../../support/rejection.ts'
import { dividendGame, names, randomGame } from './games.ts'

const sum = (values: ReadonlyMap<string, number>): number => [...values.values()].reduce((a, b) => a + b, 0)

describe('shapley (integer split)', () => {
  it('splits the glove game ×6 000 000 µ as 4 000 000, 1 000 000, 1 000 000', () => {
    const v: CoalitionValue = S => 6_000_000 * Math.min(S.has('l') ? 1 : 0, (S.has('r1') ? 1 : 0) + (S.has('r2') ? 1 : 0))
    const split = shapley(['r2', 'l', 'r1'], v)
    expect(split.method).toBe('exact')
    expect(Object.fromEntries(split.shares)).toEqual({ l: 4_000_000, r1: 1_000_000, r2: 1_000_000 })
    expect(split.total).toBe(6_000_000)
  })

  it('gives left-over micro-units by largest fractional part, ties to the smaller id', () => {
    // Majority game: 1 000 000 µ to any two of three; a third each is 333 333⅓.
    const majority: CoalitionValue = S => (S.size >= 2 ? 1_000_000 : 0)
    expect(Object.fromEntries(shapley(['c', 'b', 'a'], majority).shares)).toEqual({ a: 333_334, b: 333_333, c: 333_333 })
    // A 1 000 001 µ glove game: l's value is 666 667⅓, each r's 166 666⅚; the r's fractions are larger.
    const gloves: CoalitionValue = S => 1_000_001 * Math.min(S.has('l') ? 1 : 0, (S.has('r1') ? 1 : 0) + (S.has('r2') ? 1 : 0))
    expect(Object.fromEntries(shapley(['l', 'r1', 'r2'], gloves).shares)).toEqual({ l: 666_667, r1: 166_667, r2: 166_667 })
  })

  it('is efficient to the micro-unit and within 1 µ of the exact value on random games', () => {
    for (const seed of [1, 2, 3, 4]) {
      const { players, v } = randomGame(9, seed)
      const split = shapley(players, S => v(S) * 997)
      expect(sum(split.shares)).toBe(split.total)
      const exact = shapleyExact(players, S => v(S) * 997)
      for (const p of players) {
        expect(Number.isSafeInteger(split.shares.get(p))).toBe(true)
        expect(Math.abs((split.shares.get(p) ?? NaN) - (exact.get(p) ?? NaN))).toBeLessThan(1)
      }
    }
  })

  it('handles negative values: floors round down, the sum still holds', () => {
    // φ = −7.5, −7.5, −7: floors −8, −8, −7 leave 1 µ, which goes to a (tie with b, smaller id).
    const v: CoalitionValue = S => -7 * S.size + (S.has('a') && S.has('b') ? -1 : 0)
    const split = shapley(['a', 'b', 'c'], v)
    expect(sum(split.shares)).toBe(-22)
    expect(Object.fromEntries(split.shares)).toEqual({ a: -7, b: -8, c: -7 })
  })

  it('samples above 12 players: seeded by the string, within ε + 1 µ, efficient to the micro-unit', () => {
    const { players, v, phi, range } = dividendGame(14, 30, 9)
    const epsilon = range / 50
    const split = shapley(players, v, { seed: 'run-7f3a', range, epsilon })
    expect(split.method).toBe('sampled')
    expect(split.sampling).toMatchObject({ seed: 'run-7f3a', epsilon, range, delta: 0.001 })
    expect(sum(split.shares)).toBe(v(new Set(players)))
    for (const p of players) expect(Math.abs((split.shares.get(p) ?? NaN) - (phi.get(p) ?? NaN))).toBeLessThanOrEqual(epsilon + 1)
    const again = shapley([...players].reverse(), v, { seed: 'run-7f3a', range, epsilon })
    expect([...again.shares]).toEqual([...split.shares])
  })

  it('refuses non-integer values, v(∅) ≠ 0, and a sampled split without a seed or range', () => {
    expect(thrown(() => shapley(['a', 'b'], S => S.size / 3)).name).toBe('InvalidCoalitionValueError')
    expect(thrown(() => shapley(['a', 'b'], S => S.size + 1)).name).toBe('InvalidCoalitionValueError')
    expect(thrown(() => shapley(['a', 'b'], S => (S.size === 2 ? 2 ** 53 : 0))).name).toBe('InvalidCoalitionValueError')
    const many = names(13)
    expect(thrown(() => shapley(many, S => S.size, { range: 1 }))).toEqual({ name: 'InvalidSamplingOptionsError', field: 'seed' })
    expect(thrown(() => shapley(many, S => S.size, { seed: 'run' }))).toEqual({ name: 'InvalidSamplingOptionsError', field: 'range' })
  })
})
