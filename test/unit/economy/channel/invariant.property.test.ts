/**
 * Property: any sequence of valid payments keeps balanceA + balanceB =
 * depositA + depositB and both balances ≥ 0. No fast-check in the project, so
 * the cases come from a seeded PRNG (mulberry32): reproducible, and the seed
 * of a failing case is in the test name.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../src/core/index.ts'
import { checkState, openChannel, proposePayment } from '../../../../src/economy/channel/index.ts'
import type { ChannelState } from '../../../../src/economy/channel/index.ts'
import { T0, parties, ref } from './fixtures.ts'

describe('sum invariant', () => {
  for (const seed of [1, 2, 3, 42, 1337, 9001, 65_535, 2 ** 31 - 1]) {
    it(`holds over 200 random payments (seed ${seed})`, async () => {
      const p = await parties()
      const random = mulberry32(seed)
      const int = (max: number): number => Math.floor(random() * (max + 1))
      const depositA = int(Number.MAX_SAFE_INTEGER / 4)
      const depositB = seed % 2 === 0 ? 0 : int(1_000_000)
      let state: ChannelState = openChannel({ channelId: `c${seed}`, a: p.a, b: p.b, depositA, depositB, at: T0 })
      for (let i = 0; i < 200; i++) {
        const from = random() < 0.5 ? p.a : p.b
        const available = from === p.a ? state.balanceA : state.balanceB
        if (available === 0) continue
        // Sometimes everything, else a random part (at least 1).
        const amount = random() < 0.1 ? available : 1 + int(available - 1)
        const next = proposePayment(state, from, amount, ref(i), T0 + i)
        expect(next.sequence).toBe(state.sequence + 1)
        expect(next.balanceA + next.balanceB).toBe(depositA + depositB)
        expect(next.balanceA).toBeGreaterThanOrEqual(0)
        expect(next.balanceB).toBeGreaterThanOrEqual(0)
        checkState(next)
        state = next
      }
    })
  }
})
