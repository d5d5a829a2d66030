import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../src/core/index.ts'
import {
  DEFAULT_DELTA, MAX_PERMUTATIONS, permutationsFor, seedFromString, shapleyExact, shapleySampled
} from '../../../../src/economy/shapley/index.ts'
import { thrown } from '../../../support/rejection.ts'
import { dividendGame, randomGame } from './games.ts'

describe('seedFromString', () => {
  it('is the first four bytes of SHA-256(UTF-8(text)), big-endian', () => {
    // SHA-256('') = e3b0c442 98fc1c14 ..., SHA-256('abc') = ba7816bf 8f01cfea ... (FIPS 180-4 examples)
    expect(seedFromString('')).toBe(0xe3b0c442)
    expect(seedFromString('abc')).toBe(0xba7816bf)
  })
})

describe('permutationsFor', () => {
  it('is ⌈range² · ln(2n/δ) / (2ε²)⌉', () => {
    expect(permutationsFor(16, 1, 0.001, 100)).toBe(Math.ceil(100 * 100 * Math.log(32_000) / 2))
    expect(permutationsFor(16, 1, 0.001, 100)).toBe(51_868)
    expect(permutationsFor(2, 1000, 0.5, 1)).toBe(1)
  })
})

describe('shapleySampled', () => {
  it('is within ε of the exact value on random games of 8 players', () => {
    for (const seed of [1, 2, 3]) {
      const { players, v } = randomGame(8, seed)
      const exact = shapleyExact(players, v)
      // Each coalition is worth 0 to 1000, so every marginal contribution lies in [−1000, 1000].
      const epsilon = 100
      const sampled = shapleySampled(players, v, { range: 2000, epsilon, random: mulberry32(seedFromString(`run-${seed}`)) })
      expect(sampled.permutations).toBe(permutationsFor(8, epsilon, DEFAULT_DELTA, 2000))
      for (const p of players) expect(Math.abs((sampled.values.get(p) ?? NaN) - (exact.get(p) ?? NaN))).toBeLessThanOrEqual(epsilon)
    }
  })

  it('is within ε of the known value on games of 14 to 16 players, for fixed seeds', () => {
    for (const n of [14, 15, 16]) {
      for (const seed of ['run-a', 'run-b']) {
        const { players, v, phi, range } = dividendGame(n, 2 * n, n)
        const epsilon = range / 50
        const sampled = shapleySampled(players, v, { range, epsilon, delta: 0.01, random: mulberry32(seedFromString(seed)) })
        for (const p of players) expect(Math.abs((sampled.values.get(p) ?? NaN) - (phi.get(p) ?? NaN))).toBeLessThanOrEqual(epsilon)
        const total = [...sampled.values.values()].reduce((a, b) => a + b, 0)
        expect(total).toBeCloseTo(v(new Set(players)), 6)
      }
    }
  })

  it('is deterministic for a seed and independent of the order players are listed in', () => {
    const { players, v, range } = dividendGame(14, 20, 5)
    const first = shapleySampled(players, v, { range, epsilon: range / 20, random: mulberry32(seedFromString('run-42')) })
    const again = shapleySampled([...players].reverse(), v, { range, epsilon: range / 20, random: mulberry32(seedFromString('run-42')) })
    const other = shapleySampled(players, v, { range, epsilon: range / 20, random: mulberry32(seedFromString('run-43')) })
    expect([...again.values]).toEqual([...first.values])
    expect([...other.values]).not.toEqual([...first.values])
  })

  it('defaults ε to range / 100 and δ to DEFAULT_DELTA', () => {
    const sampled = shapleySampled(['a', 'b'], S => S.size, { range: 1, random: mulberry32(1) })
    expect(sampled).toMatchObject({ epsilon: 0.01, delta: DEFAULT_DELTA, permutations: permutationsFor(2, 0.01, DEFAULT_DELTA, 1) })
    expect(sampled.values.get('a')).toBe(1)
  })

  it('refuses bad options, too many permutations and a range the sample contradicts', () => {
    const random = mulberry32(1)
    const v = (S: ReadonlySet<string>): number => S.size * 10
    const field = (options: Record<string, unknown>): string | undefined => {
      const err = thrown(() => shapleySampled(['a', 'b'], v, { range: 10, random, ...options }))
      expect(err.name).toBe('InvalidSamplingOptionsError')
      return err.field
    }
    expect(field({ range: 0 })).toBe('range')
    expect(field({ range: Infinity })).toBe('range')
    expect(field({ epsilon: 0 })).toBe('epsilon')
    expect(field({ epsilon: -1 })).toBe('epsilon')
    expect(field({ delta: 0 })).toBe('delta')
    expect(field({ delta: 1 })).toBe('delta')
    expect(field({ random: undefined })).toBe('random')
    const tooMany = thrown(() => shapleySampled(['a', 'b'], v, { range: 10, epsilon: 0.001, random }))
    expect(tooMany.name).toBe('TooManyPermutationsError')
    expect(permutationsFor(2, 0.001, DEFAULT_DELTA, 10)).toBeGreaterThan(MAX_PERMUTATIONS)
    // a's contributions are 10 (first) and 20 (after b): a spread of 10 > 5.
    const w = (S: ReadonlySet<string>): number => (S.has('a') ? 10 : 0) + (S.has('a') && S.has('b') ? 10 : 0)
    expect(thrown(() => shapleySampled(['a', 'b'], w, { range: 5, epsilon: 5, random })).name).toBe('MarginalOutOfRangeError')
  })
})
