import { describe, expect, it } from 'vitest'
import {
  challenge, cooperativeClose, proposeFinal, proposePayment, settle, signState, unilateralClose, verifySettlement
} from '../../../../src/economy/channel/index.ts'
import type { Settlement } from '../../../../src/economy/channel/index.ts'
import { rejection } from '../../../support/rejection.ts'
import { T0, both, opened, parties, ref, thrown } from './fixtures.ts'

const PERIOD = 60_000

async function history (): Promise<{ p: Awaited<ReturnType<typeof parties>>, s0: Awaited<ReturnType<typeof opened>>, s1: Awaited<ReturnType<typeof opened>>, s2: Awaited<ReturnType<typeof opened>> }> {
  const p = await parties()
  const s0 = await opened(p)
  const s1 = await both(proposePayment(s0.state, p.b, 400, ref(1), T0 + 1), p)
  const s2 = await both(proposePayment(s1.state, p.a, 300, ref(2), T0 + 2), p)
  return { p, s0, s1, s2 }
}

describe('cooperative close', () => {
  it('settles at once on a co-signed final state, with a verifiable record', async () => {
    const { p, s2 } = await history()
    const fin = await both(proposeFinal(s2.state, T0 + 3), p)
    const record = await cooperativeClose(fin, T0 + 3, p.bob)
    expect(record).toMatchObject({ channelId: 'chan_1', mode: 'cooperative', settledAt: T0 + 3, by: p.b })
    expect(record.finalState.state).toMatchObject({ final: true, sequence: 3, balanceA: 1_000 + 400 - 300, balanceB: 500 - 400 + 300 })
    verifySettlement(record)
  })

  it('refuses a state not marked final, a half-signed one, and an outsider as signer', async () => {
    const { p, s2 } = await history()
    expect((await rejection(cooperativeClose(s2, T0, p.alice))).name).toBe('ChannelFinalityError')
    const fin = proposeFinal(s2.state, T0)
    expect((await rejection(cooperativeClose(await signState(fin, p.alice), T0, p.alice))).name).toBe('MissingSignatureError')
    expect((await rejection(cooperativeClose(await both(fin, p), T0, p.mallory))).name).toBe('NotChannelPartyError')
  })

  it('detects a tampered settlement record', async () => {
    const { p, s2 } = await history()
    const record = await cooperativeClose(await both(proposeFinal(s2.state, T0), p), T0, p.alice)
    const moved: Settlement = { ...record, settledAt: record.settledAt + 1 }
    expect(thrown(() => verifySettlement(moved)).name).toBe('ForgedSignatureError')
    const claimed: Settlement = { ...record, by: p.b }
    expect(thrown(() => verifySettlement(claimed)).name).toBe('SignerKeyMismatchError')
  })
})

describe('unilateral close with an injected clock', () => {
  it('settles only after the challenge period', async () => {
    const { p, s2 } = await history()
    const closing = unilateralClose(s2, p.a, T0, PERIOD)
    expect(closing.challengeEndsAt).toBe(T0 + PERIOD)
    expect((await rejection(settle(closing, T0 + PERIOD - 1, p.alice))).name).toBe('ChallengePeriodOpenError')
    const record = await settle(closing, T0 + PERIOD, p.alice)
    expect(record).toMatchObject({ mode: 'unilateral', settledAt: T0 + PERIOD })
    expect(record.finalState.state.sequence).toBe(2)
    verifySettlement(record)
  })

  it('a stale state posted at close is beaten by a later co-signed state in the challenge', async () => {
    const { p, s1, s2 } = await history()
    // b posts s1, where it was richer (balanceB 900); a answers with s2 (balanceB 600).
    const closing = unilateralClose(s1, p.b, T0, PERIOD)
    const challenged = challenge(closing, s2, T0 + PERIOD - 1)
    expect(challenged.challengeEndsAt).toBe(closing.challengeEndsAt)
    const record = await settle(challenged, T0 + PERIOD, p.alice)
    expect(record.finalState.state).toMatchObject({ sequence: 2, balanceA: 1_100, balanceB: 400 })
  })

  it('rejects challenges that are late, stale, replayed, half-signed or of another channel', async () => {
    const { p, s0, s1, s2 } = await history()
    const closing = unilateralClose(s1, p.b, T0, PERIOD)
    expect(thrown(() => challenge(closing, s2, T0 + PERIOD)).name).toBe('ChallengePeriodOverError')
    expect(thrown(() => challenge(closing, s0, T0 + 1)).name).toBe('StaleStateError')
    expect(thrown(() => challenge(closing, s1, T0 + 1)).name).toBe('ReplayedStateError')
    const half = await signState(proposePayment(s2.state, p.a, 1, ref(3), T0), p.alice)
    expect(thrown(() => challenge(closing, half, T0 + 1)).name).toBe('MissingSignatureError')
    const foreign = await both({ ...s2.state, depositA: 2_000, balanceA: 2_100 }, p)
    expect(thrown(() => challenge(closing, foreign, T0 + 1)).name).toBe('ChannelMismatchError')
  })

  it('accepts a challenge that skips sequences (strictly greater is enough when closing)', async () => {
    const { p, s0, s2 } = await history()
    const closing = unilateralClose(s0, p.b, T0, PERIOD)
    expect(challenge(closing, s2, T0 + 10).state.state.sequence).toBe(2)
  })

  it('refuses bad periods, times and closers', async () => {
    const { p, s2 } = await history()
    expect(thrown(() => unilateralClose(s2, p.a, T0, 0)).name).toBe('InvalidAmountError')
    expect(thrown(() => unilateralClose(s2, p.a, -1, PERIOD)).name).toBe('InvalidAmountError')
    expect(thrown(() => unilateralClose(s2, p.mallory.peerId.toString(), T0, PERIOD)).name).toBe('NotChannelPartyError')
  })

  it('cooperative close is immediate where unilateral waits', async () => {
    const { p, s2 } = await history()
    const fin = await both(proposeFinal(s2.state, T0), p)
    expect((await cooperativeClose(fin, T0, p.alice)).settledAt).toBe(T0)
    const closing = unilateralClose(fin, p.a, T0, PERIOD)
    expect((await rejection(settle(closing, T0, p.alice))).name).toBe('ChallengePeriodOpenError')
  })
})
