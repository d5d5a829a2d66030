/**
 * A state that pays for several receipts at once (`paysForBatch`): the
 * balances move by the sum given, it is signed, verified, applied, closed on
 * and challenged with like any state, and the states that pay for one
 * receipt (`paysFor`) sign exactly the bytes they always did.
 */
import { describe, expect, it } from 'vitest'
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import {
  CHANNEL_STATE_KIND, MAX_RECEIPTS_PER_STATE, applyState, challenge, checkOpening, checkState, openChannel, proposeBatchPayment, proposeFinal,
  proposePayment, receiptsPaidBy, settle, stateSigningBytes, unilateralClose, verifySettlement, verifyState
} from '../../../../src/economy/channel/index.ts'
import type { ChannelState, ReceiptRef } from '../../../../src/economy/channel/index.ts'
import { T0, both, opened, parties, ref, thrown } from './fixtures.ts'

const refs = (from: number, count: number): ReceiptRef[] => Array.from({ length: count }, (_, i) => ref(from + i))
const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    return (err as { field?: string }).field
  }
  return undefined
}

describe('a batch payment', () => {
  it('moves the sum for every receipt it lists, in one co-signed state, and applies as the next state', async () => {
    const p = await parties()
    const open = await opened(p)
    const next = await both(proposeBatchPayment(open.state, p.a, 30 + 45 + 7, refs(1, 3), T0 + 1), p)
    const current = applyState(open, next)
    expect(current.state).toMatchObject({ sequence: 1, balanceA: 1_000 - 82, balanceB: 500 + 82 })
    expect(current.state.paysFor).toBeUndefined()
    expect(receiptsPaidBy(current.state)).toEqual(refs(1, 3))
    // And a single payment after it, as before.
    const single = applyState(current, await both(proposePayment(current.state, p.a, 5, ref(9), T0 + 2), p))
    expect(receiptsPaidBy(single.state)).toEqual([ref(9)])
    expect(receiptsPaidBy(open.state)).toEqual([])
  })

  it('signs a single payment\'s state as it always did: no batch field in its bytes', async () => {
    const p = await parties()
    const state = proposePayment((await opened(p)).state, p.a, 5, ref(1), T0)
    const { paysFor, ...rest } = state
    // The signed form of session 8 and before, written out by hand: kind tag, the fields, paysFor.
    expect(new TextDecoder().decode(stateSigningBytes(state))).toBe(canonicalize({ kind: CHANNEL_STATE_KIND, ...rest, paysFor }))
  })

  it('lists 2 to MAX_RECEIPTS_PER_STATE distinct receipts, and nothing else beside them', async () => {
    const p = await parties()
    const { state } = await opened(p)
    expect(proposeBatchPayment(state, p.a, 16, refs(1, MAX_RECEIPTS_PER_STATE), T0).paysForBatch).toHaveLength(MAX_RECEIPTS_PER_STATE)
    expect(thrown(() => proposeBatchPayment(state, p.a, 1, refs(1, 1), T0)).name).toBe('InvalidChannelStateError')
    expect(thrown(() => proposeBatchPayment(state, p.a, 17, refs(1, MAX_RECEIPTS_PER_STATE + 1), T0)).name).toBe('InvalidChannelStateError')
    // The same receipt twice would be paid twice.
    expect(fieldOf(() => proposeBatchPayment(state, p.a, 2, [ref(1), ref(2), { ...ref(1), taskId: 'other' }], T0))).toBe('paysForBatch.2')
    expect(fieldOf(() => proposeBatchPayment(state, p.a, 2, [ref(1), { taskId: 'bad id', receiptHash: ref(2).receiptHash }], T0))).toBe('paysForBatch.1.taskId')
    expect(fieldOf(() => proposeBatchPayment(state, p.a, 2, [ref(1), { taskId: 't', receiptHash: 'ABC' }], T0))).toBe('paysForBatch.1.receiptHash')
    const batch = proposeBatchPayment(state, p.a, 2, refs(1, 2), T0)
    expect(fieldOf(() => { checkState({ ...batch, paysFor: ref(3) }) })).toBe('paysForBatch')
    expect(fieldOf(() => { checkState({ ...batch, paysShare: { runId: 'run', recordHash: sha256Hex(utf8ToBytes('r')) } }) })).toBe('paysForBatch')
    expect(fieldOf(() => { checkState({ ...batch, paysForBatch: 'not a list' as unknown as ReceiptRef[] }) })).toBe('paysForBatch')
    // The opening pays for nothing; a final state after a batch keeps its balances and pays for nothing.
    expect(thrown(() => { checkOpening({ ...openChannel({ channelId: 'c', a: p.a, b: p.b, depositA: 5, depositB: 0, at: T0 }), paysForBatch: refs(1, 2) }) }).name).toBe('InvalidOpeningError')
    const final = proposeFinal(batch, T0)
    expect(final.paysForBatch).toBeUndefined()
    expect(final.balanceA).toBe(batch.balanceA)
    // A payment after a batch names only its own receipt.
    expect(proposePayment(batch, p.a, 1, ref(5), T0).paysForBatch).toBeUndefined()
  })

  it('is refused when a listed receipt is changed after signing, or when it moves money out of thin air', async () => {
    const p = await parties()
    const open = await opened(p)
    const signed = await both(proposeBatchPayment(open.state, p.a, 10, refs(1, 3), T0), p)
    const swapped: ChannelState = { ...signed.state, paysForBatch: [ref(1), ref(2), ref(7)] }
    expect(thrown(() => { verifyState({ ...signed, state: swapped }) }).name).toBe('ForgedSignatureError')
    const reordered: ChannelState = { ...signed.state, paysForBatch: [ref(2), ref(1), ref(3)] }
    expect(thrown(() => { verifyState({ ...signed, state: reordered }) }).name).toBe('ForgedSignatureError')
    expect(thrown(() => { verifyState({ ...signed, state: { ...signed.state, balanceB: signed.state.balanceB + 1 } }) }).name).toBe('BalanceSumError')
    // Replayed: the same batch state again is no next state.
    const current = applyState(open, signed)
    expect(thrown(() => applyState(current, signed)).name).toBe('ReplayedStateError')
  })

  it('closes and is challenged with like any state: a later batch state beats an older one, and settles', async () => {
    const p = await parties()
    const open = await opened(p)
    const first = applyState(open, await both(proposeBatchPayment(open.state, p.a, 10, refs(1, 2), T0), p))
    const second = applyState(first, await both(proposeBatchPayment(first.state, p.a, 20, refs(3, 4), T0), p))
    const closing = unilateralClose(first, p.a, T0, 1_000)
    const challenged = challenge(closing, second, T0 + 10)
    expect(challenged.state).toEqual(second)
    const settlement = await settle(challenged, T0 + 1_000, p.bob)
    verifySettlement(settlement)
    expect(settlement.finalState.state.paysForBatch).toEqual(refs(3, 4))
    expect(settlement.finalState.state.balanceA).toBe(1_000 - 30)
  })
})
