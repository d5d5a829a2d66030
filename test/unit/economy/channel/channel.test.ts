import { describe, expect, it } from 'vitest'
import {
  applyState, checkState, cosign, openChannel, proposeFinal, proposePayment, proposeSharePayment, receiptRefOf, signState, verifyOpening, verifyState,
  verifyStateAhead
} from '../../../../src/economy/channel/index.ts'
import type { ChannelState, SignedChannelState } from '../../../../src/economy/channel/index.ts'
import { signedExample } from '../../receipts/fixtures.ts'
import { rejection } from '../../../support/rejection.ts'
import { T0, both, opened, parties, ref, thrown } from './fixtures.ts'

describe('opening', () => {
  it('opens at sequence 0 with balances equal to deposits, signed by both', async () => {
    const p = await parties()
    const open = await opened(p)
    expect(open.state).toMatchObject({ sequence: 0, balanceA: 1_000, balanceB: 500, final: false })
    expect(verifyOpening(open)).toBe(open)
  })

  it('refuses an opening whose balances are not the deposits', async () => {
    const p = await parties()
    const open = openChannel({ channelId: 'c', a: p.a, b: p.b, depositA: 10, depositB: 0, at: T0 })
    const skewed = await both({ ...open, balanceA: 0, balanceB: 10 }, p)
    expect(thrown(() => verifyOpening(skewed)).name).toBe('InvalidOpeningError')
  })

  it('refuses a channel with itself, or a bad id', async () => {
    const p = await parties()
    expect(thrown(() => openChannel({ channelId: 'c', a: p.a, b: p.a, depositA: 1, depositB: 1, at: T0 })).name).toBe('InvalidChannelStateError')
    expect(thrown(() => openChannel({ channelId: 'no spaces', a: p.a, b: p.b, depositA: 1, depositB: 1, at: T0 })).name).toBe('InvalidChannelStateError')
    expect(thrown(() => openChannel({ channelId: 'c', a: p.a, b: p.b, depositA: -1, depositB: 1, at: T0 })).name).toBe('InvalidChannelStateError')
  })
})

describe('payments', () => {
  it('applies several payments both ways, each tied to a receipt', async () => {
    const p = await parties()
    let current = await opened(p)
    const moves: Array<[string, number]> = [[p.a, 100], [p.a, 250], [p.b, 50], [p.a, 1], [p.b, 549]]
    for (const [i, [from, amount]] of moves.entries()) {
      const next = await both(proposePayment(current.state, from, amount, ref(i), T0 + i), p)
      current = applyState(current, next)
      expect(current.state.sequence).toBe(i + 1)
      expect(current.state.paysFor).toEqual(ref(i))
    }
    expect(current.state.balanceA).toBe(1_000 - 100 - 250 + 50 - 1 + 549)
    expect(current.state.balanceB).toBe(1_500 - current.state.balanceA)
  })

  it('ties a payment to a real signed receipt by hash', async () => {
    const p = await parties()
    const receipt = await signedExample()
    const next = proposePayment((await opened(p)).state, p.a, 5, receiptRefOf(receipt), T0)
    expect(next.paysFor?.taskId).toBe(receipt.taskId)
    expect(next.paysFor?.receiptHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses overspending, zero and fractional amounts, and outsiders', async () => {
    const p = await parties()
    const { state } = await opened(p)
    expect(thrown(() => proposePayment(state, p.b, 501, ref(1), T0)).name).toBe('OverspendError')
    expect(thrown(() => proposePayment(state, p.a, 0, ref(1), T0)).name).toBe('InvalidAmountError')
    expect(thrown(() => proposePayment(state, p.a, 1.5, ref(1), T0)).name).toBe('InvalidAmountError')
    expect(thrown(() => proposePayment(state, p.mallory.peerId.toString(), 1, ref(1), T0)).name).toBe('NotChannelPartyError')
  })

  it('refuses states whose balances do not sum to the deposits, or go negative', async () => {
    const p = await parties()
    const { state } = await opened(p)
    const minted: ChannelState = { ...state, sequence: 1, balanceB: state.balanceB + 1 }
    expect(thrown(() => checkState(minted)).name).toBe('BalanceSumError')
    expect((await rejection(signState(minted, p.alice))).name).toBe('BalanceSumError')
    const negative: ChannelState = { ...state, sequence: 1, balanceA: -1, balanceB: 1_501 }
    expect(thrown(() => checkState(negative)).name).toBe('NegativeBalanceError')
  })
})

describe('applyState rejections', () => {
  async function setup (): Promise<{ p: Awaited<ReturnType<typeof parties>>, s0: SignedChannelState, s1: SignedChannelState, s2: SignedChannelState }> {
    const p = await parties()
    const s0 = await opened(p)
    const s1 = await both(proposePayment(s0.state, p.a, 10, ref(1), T0), p)
    const s2 = await both(proposePayment(s1.state, p.a, 10, ref(2), T0), p)
    return { p, s0, s1, s2 }
  }

  it('rejects a replayed state', async () => {
    const { s0, s1 } = await setup()
    const current = applyState(s0, s1)
    expect(thrown(() => applyState(current, s1)).name).toBe('ReplayedStateError')
  })

  it('rejects an older state', async () => {
    const { s0, s1, s2 } = await setup()
    const current = applyState(applyState(s0, s1), s2)
    expect(thrown(() => applyState(current, s1)).name).toBe('StaleStateError')
  })

  it('rejects a skipped sequence', async () => {
    const { p, s0, s1 } = await setup()
    const jump = await both({ ...proposePayment(s1.state, p.a, 1, ref(3), T0), sequence: 5 }, p)
    expect(thrown(() => applyState(s0, jump)).name).toBe('SequenceGapError')
  })

  it('rejects a half-signed state', async () => {
    const { p, s0 } = await setup()
    const half = await signState(proposePayment(s0.state, p.a, 10, ref(1), T0), p.alice)
    expect(thrown(() => applyState(s0, half)).name).toBe('MissingSignatureError')
    expect(thrown(() => verifyState(half)).name).toBe('MissingSignatureError')
  })

  it('rejects a state altered after signing (forged signature)', async () => {
    const { s0, s1 } = await setup()
    const altered: SignedChannelState = { ...s1, state: { ...s1.state, balanceA: s1.state.balanceA + 5, balanceB: s1.state.balanceB - 5 } }
    expect(thrown(() => applyState(s0, altered)).name).toBe('ForgedSignatureError')
  })

  it('rejects a signature by a key that is not the party\'s', async () => {
    const { p, s0 } = await setup()
    const next = proposePayment(s0.state, p.a, 10, ref(1), T0)
    const byBob = await signState(next, p.bob)
    // Mallory signs in b's slot with her own key.
    const { signatures } = await signState({ ...next, b: p.mallory.peerId.toString() }, p.mallory)
    const forged: SignedChannelState = { state: next, signatures: { a: (await signState(next, p.alice)).signatures.a, b: signatures.b } }
    expect(thrown(() => applyState(s0, forged)).name).toBe('SignerKeyMismatchError')
    // Bob's real key with a signature over another state.
    const other = await signState(proposePayment(s0.state, p.a, 11, ref(1), T0), p.bob)
    const swapped: SignedChannelState = { state: next, signatures: { a: forged.signatures.a, b: other.signatures.b } }
    expect(thrown(() => applyState(s0, swapped)).name).toBe('ForgedSignatureError')
    expect(byBob.signatures.b).toBeDefined()
  })

  it('checks signatures ahead without deciding anything: forgeries and malformed states still fail as before', async () => {
    const { p, s0, s1 } = await setup()
    await verifyStateAhead(s1)
    expect(applyState(s0, s1)).toBe(s1)
    const altered: SignedChannelState = { ...s1, state: { ...s1.state, balanceA: s1.state.balanceA + 5, balanceB: s1.state.balanceB - 5 } }
    await verifyStateAhead(altered)
    expect(thrown(() => applyState(s0, altered)).name).toBe('ForgedSignatureError')
    const half = await signState(proposePayment(s0.state, p.a, 10, ref(1), T0), p.alice)
    await verifyStateAhead(half)
    expect(thrown(() => applyState(s0, half)).name).toBe('MissingSignatureError')
    const junk = { state: { ...s1.state, balanceA: 'lots' }, signatures: { a: { publicKey: 'x', signature: 'y' } } } as unknown as SignedChannelState
    await expect(verifyStateAhead(junk)).resolves.toBeUndefined()
    await expect(verifyStateAhead({} as SignedChannelState)).resolves.toBeUndefined()
  })

  it('rejects a state of another channel', async () => {
    const { p, s0 } = await setup()
    const other = openChannel({ channelId: 'chan_2', a: p.a, b: p.b, depositA: 1_000, depositB: 500, at: T0 })
    const next = await both(proposePayment(other, p.a, 1, ref(1), T0), p)
    expect(thrown(() => applyState(s0, next)).name).toBe('ChannelMismatchError')
  })

  it('refuses to cosign a forgery and to sign for someone else', async () => {
    const { p, s0 } = await setup()
    const next = proposePayment(s0.state, p.a, 10, ref(1), T0)
    const half = await signState(next, p.alice)
    const tampered: SignedChannelState = { ...half, state: { ...next, balanceA: 995, balanceB: 505 } }
    expect((await rejection(cosign(tampered, p.bob))).name).toBe('ForgedSignatureError')
    expect((await rejection(signState(next, p.mallory))).name).toBe('NotChannelPartyError')
  })

  it('accepts nothing after a final state', async () => {
    const { p, s0, s1 } = await setup()
    const fin = await both(proposeFinal(s0.state, T0), p)
    const current = applyState(s0, fin)
    const after = await both({ ...s1.state, sequence: 2 }, p)
    expect(thrown(() => applyState(current, after)).name).toBe('ChannelFinalityError')
    expect(thrown(() => proposePayment(current.state, p.a, 1, ref(9), T0)).name).toBe('ChannelFinalityError')
  })
})

describe('share payments', () => {
  it('moves the amount for a split share, and names it instead of a receipt', async () => {
    const p = await parties()
    const open = await opened(p)
    const paid = await both(proposePayment(open.state, p.a, 10, ref(0), T0 + 1), p)
    const share = proposeSharePayment(paid.state, p.a, 25, { runId: 'run_1', recordHash: 'c'.repeat(64) }, T0 + 2)
    expect(share).toMatchObject({ sequence: 2, balanceA: open.state.balanceA - 35, paysShare: { runId: 'run_1', recordHash: 'c'.repeat(64) } })
    expect(share.paysFor).toBeUndefined()
    expect(proposeFinal(share, T0 + 3).paysShare).toBeUndefined()
  })

  it('refuses a state that pays for both a receipt and a share, or names a bad share', async () => {
    const p = await parties()
    const open = await opened(p)
    const share = proposeSharePayment(open.state, p.a, 5, { runId: 'run_1', recordHash: 'c'.repeat(64) }, T0 + 1)
    expect(thrown(() => { checkState({ ...share, paysFor: ref(0) }) }).name).toBe('InvalidChannelStateError')
    expect(thrown(() => proposeSharePayment(open.state, p.a, 5, { runId: 'run 1', recordHash: 'c'.repeat(64) }, T0)).name).toBe('InvalidChannelStateError')
    expect(thrown(() => proposeSharePayment(open.state, p.a, 5, { runId: 'run_1', recordHash: 'C'.repeat(64) }, T0)).name).toBe('InvalidChannelStateError')
  })
})
