/**
 * Channel states and the pure moves between them: open, pay, finalise.
 *
 * A state is a full snapshot (not a delta) so that the newest co-signed one
 * alone decides the split of the deposits when the channel closes; `sequence`
 * orders them (the "latest state wins" rule of Lightning-style and Sprites
 * channels, Poon & Dryja 2016; Miller et al. 2019). Amounts are micro-units,
 * non-negative safe integers, so sums are exact.
 */
import { canonicalize, isSha256Hex, utf8ToBytes } from '../../core/index.ts'
import { isCanonicalEd25519PeerId } from '../../crypto/index.ts'
import { receiptHash } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import { CHANNEL_STATE_KIND, MAX_CHANNEL_ID_LENGTH, MAX_RECEIPTS_PER_STATE, MAX_SHARE_RUN_ID_LENGTH } from './constants.ts'
import {
  BalanceSumError, InvalidAmountError, InvalidChannelStateError, InvalidOpeningError, NegativeBalanceError,
  NotChannelPartyError, OverspendError, ChannelFinalityError
} from './errors.ts'

/** The receipt a payment is for: its taskId and the SHA-256 of its canonical JSON (see receiptRefOf). */
export interface ReceiptRef {
  taskId: string
  /** Lowercase hex SHA-256 of the UTF-8 RFC 8785 canonical JSON of the whole signed receipt. */
  receiptHash: string
}

/**
 * The split share a payment is for (docs/shapley-split.md, "Paying the
 * shares"): the workflow run and the SHA-256 of the signed split record that
 * names the payee and the amount.
 */
export interface ShareRef {
  /** 1–128 characters of [A-Za-z0-9_-], as a workflow run id. */
  runId: string
  /** Lowercase hex SHA-256 of the canonical JSON of the whole signed split record (splitRecordHash). */
  recordHash: string
}

export interface ChannelState {
  channelId: string
  /** PeerIds (base58btc, `12D3KooW…`) of the two parties; a ≠ b. */
  a: string
  b: string
  depositA: number
  depositB: number
  balanceA: number
  balanceB: number
  /** 0 for the opening state; each co-signed update adds exactly 1. */
  sequence: number
  /** The receipt this update pays for; absent on the opening and on final states, and on a share or batch payment. */
  paysFor?: ReceiptRef
  /**
   * The receipts this update pays for at once (2–MAX_RECEIPTS_PER_STATE,
   * distinct), in the order they were owed; the balances move by exactly the
   * sum of their charges. Never with `paysFor` or `paysShare`.
   */
  paysForBatch?: ReceiptRef[]
  /** The split share this update pays; absent unless the update pays one (never with `paysFor`). */
  paysShare?: ShareRef
  /** True on the state both parties sign to close cooperatively; nothing may follow it. */
  final: boolean
  /** Unix epoch ms given by the proposer; informative only, never compared against a clock. */
  at: number
}

export interface OpenChannelParams {
  /** Chosen by the opener from randomness it holds; 1–64 characters of [A-Za-z0-9_-]. */
  channelId: string
  a: string
  b: string
  depositA: number
  depositB: number
  at: number
}

const ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CHANNEL_ID_LENGTH}}$`)
const RUN_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_SHARE_RUN_ID_LENGTH}}$`)

function isMicroUnits (value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value)
}

/**
 * Checks the shape of `state` and its invariants: balances ≥ 0 and
 * balanceA + balanceB = depositA + depositB. Throws the first failure.
 */
export function checkState (state: ChannelState): void {
  if (typeof state !== 'object' || state === null) throw new InvalidChannelStateError('(root)', 'not an object')
  if (typeof state.channelId !== 'string' || !ID.test(state.channelId)) throw new InvalidChannelStateError('channelId', 'must be 1–64 characters of [A-Za-z0-9_-]')
  if (!isCanonicalEd25519PeerId(state.a)) throw new InvalidChannelStateError('a', 'not a canonical Ed25519 PeerId')
  if (!isCanonicalEd25519PeerId(state.b)) throw new InvalidChannelStateError('b', 'not a canonical Ed25519 PeerId')
  if (state.a === state.b) throw new InvalidChannelStateError('b', 'a channel needs two different peers')
  for (const field of ['depositA', 'depositB', 'balanceA', 'balanceB', 'sequence', 'at'] as const) {
    if (!isMicroUnits(state[field])) throw new InvalidChannelStateError(field, `must be a safe integer, got ${String(state[field])}`)
  }
  for (const field of ['depositA', 'depositB', 'sequence', 'at'] as const) {
    if (state[field] < 0) throw new InvalidChannelStateError(field, `must be ≥ 0, got ${state[field]}`)
  }
  if (!Number.isSafeInteger(state.depositA + state.depositB)) throw new InvalidChannelStateError('depositB', 'total deposit is not a safe integer')
  if (typeof state.final !== 'boolean') throw new InvalidChannelStateError('final', 'must be a boolean')
  if (state.paysFor !== undefined) checkReceiptRef(state.paysFor, 'paysFor')
  if (state.paysShare !== undefined) checkShareRef(state.paysShare)
  if (state.paysForBatch !== undefined) checkBatch(state.paysForBatch)
  const reasons = [state.paysFor, state.paysShare, state.paysForBatch].filter(reason => reason !== undefined).length
  if (reasons > 1) {
    throw new InvalidChannelStateError(state.paysForBatch === undefined ? 'paysShare' : 'paysForBatch', 'a state pays for a receipt, a batch of receipts or a share: one of them')
  }
  if (state.balanceA < 0) throw new NegativeBalanceError(`channel ${state.channelId} sequence ${state.sequence}: balanceA is ${state.balanceA}`)
  if (state.balanceB < 0) throw new NegativeBalanceError(`channel ${state.channelId} sequence ${state.sequence}: balanceB is ${state.balanceB}`)
  const held = state.balanceA + state.balanceB
  const deposited = state.depositA + state.depositB
  if (held !== deposited) {
    throw new BalanceSumError(`channel ${state.channelId} sequence ${state.sequence}: balances sum to ${held}, deposits to ${deposited}`)
  }
}

function checkReceiptRef (ref: ReceiptRef, field: string): void {
  if (typeof ref !== 'object' || ref === null) throw new InvalidChannelStateError(field, 'not an object')
  if (typeof ref.taskId !== 'string' || !ID.test(ref.taskId)) throw new InvalidChannelStateError(`${field}.taskId`, 'must be 1–64 characters of [A-Za-z0-9_-]')
  if (!isSha256Hex(ref.receiptHash)) throw new InvalidChannelStateError(`${field}.receiptHash`, 'must be lowercase hex SHA-256')
}

/** A batch names 2–MAX_RECEIPTS_PER_STATE distinct receipts: one receipt is a `paysFor`, and a receipt twice would be paid twice. */
function checkBatch (refs: ReceiptRef[]): void {
  if (!Array.isArray(refs) || refs.length < 2 || refs.length > MAX_RECEIPTS_PER_STATE) {
    throw new InvalidChannelStateError('paysForBatch', `must list 2–${MAX_RECEIPTS_PER_STATE} receipts`)
  }
  const seen = new Set<string>()
  refs.forEach((ref, i) => {
    checkReceiptRef(ref, `paysForBatch.${i}`)
    if (seen.has(ref.receiptHash)) throw new InvalidChannelStateError(`paysForBatch.${i}`, 'names a receipt the batch names already')
    seen.add(ref.receiptHash)
  })
}

function checkShareRef (ref: ShareRef): void {
  if (typeof ref !== 'object' || ref === null) throw new InvalidChannelStateError('paysShare', 'not an object')
  if (typeof ref.runId !== 'string' || !RUN_ID.test(ref.runId)) throw new InvalidChannelStateError('paysShare.runId', `must be 1–${MAX_SHARE_RUN_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  if (!isSha256Hex(ref.recordHash)) throw new InvalidChannelStateError('paysShare.recordHash', 'must be lowercase hex SHA-256')
}

/**
 * The bytes both parties sign: UTF-8 (RFC 8785 §3.2.4) of the RFC 8785
 * canonical JSON of the state's fields plus the CHANNEL_STATE_KIND tag.
 * Only known fields are taken, so extra properties cannot ride along unsigned.
 */
export function stateSigningBytes (state: ChannelState): Uint8Array {
  return utf8ToBytes(canonicalize({ kind: CHANNEL_STATE_KIND, ...copyState(state) }))
}

/** A copy holding exactly the state's fields (drops unknown ones). */
export function copyState (state: ChannelState): ChannelState {
  const copy: ChannelState = {
    channelId: state.channelId,
    a: state.a,
    b: state.b,
    depositA: state.depositA,
    depositB: state.depositB,
    balanceA: state.balanceA,
    balanceB: state.balanceB,
    sequence: state.sequence,
    final: state.final,
    at: state.at
  }
  if (state.paysFor !== undefined) copy.paysFor = { taskId: state.paysFor.taskId, receiptHash: state.paysFor.receiptHash }
  if (state.paysShare !== undefined) copy.paysShare = { runId: state.paysShare.runId, recordHash: state.paysShare.recordHash }
  if (state.paysForBatch !== undefined) copy.paysForBatch = state.paysForBatch.map(ref => ({ taskId: ref.taskId, receiptHash: ref.receiptHash }))
  return copy
}

/** What a payment states it pays for: the receipt's taskId and the SHA-256 of its canonical JSON, signature included. */
export function receiptRefOf (receipt: Receipt): ReceiptRef {
  return { taskId: receipt.taskId, receiptHash: receiptHash(receipt) }
}

/** The opening state (sequence 0, each balance its own deposit). Both parties then sign it (signState, cosign). */
export function openChannel (params: OpenChannelParams): ChannelState {
  const state: ChannelState = {
    channelId: params.channelId,
    a: params.a,
    b: params.b,
    depositA: params.depositA,
    depositB: params.depositB,
    balanceA: params.depositA,
    balanceB: params.depositB,
    sequence: 0,
    final: false,
    at: params.at
  }
  checkState(state)
  return state
}

/** Throws InvalidOpeningError unless `state` is a valid opening: sequence 0, balances equal to deposits, not final. */
export function checkOpening (state: ChannelState): void {
  checkState(state)
  if (state.sequence !== 0) throw new InvalidOpeningError(`opening state of ${state.channelId} has sequence ${state.sequence}, not 0`)
  if (state.balanceA !== state.depositA || state.balanceB !== state.depositB) {
    throw new InvalidOpeningError(`opening state of ${state.channelId} has balances ${state.balanceA}/${state.balanceB}, deposits ${state.depositA}/${state.depositB}`)
  }
  if (state.final || state.paysFor !== undefined || state.paysShare !== undefined || state.paysForBatch !== undefined) {
    throw new InvalidOpeningError(`opening state of ${state.channelId} must not be final or pay for anything`)
  }
}

/**
 * The next state after `from` pays `amount` micro-units to the other party
 * for the receipt `paysFor`, proposed at `at`. Unsigned: the payer signs it
 * first (it is the one giving money up), then the payee cosigns.
 */
export function proposePayment (state: ChannelState, from: string, amount: number, paysFor: ReceiptRef, at: number): ChannelState {
  return transfer(state, from, amount, at, next => { next.paysFor = { taskId: paysFor.taskId, receiptHash: paysFor.receiptHash } })
}

/**
 * As proposePayment, for several receipts at once (`paysForBatch`, 2–
 * MAX_RECEIPTS_PER_STATE distinct ones): `amount` is the sum of their
 * charges. The channel cannot know each charge; the payee checks the sum
 * against the receipts before it co-signs (economy/payments).
 */
export function proposeBatchPayment (state: ChannelState, from: string, amount: number, paysFor: readonly ReceiptRef[], at: number): ChannelState {
  return transfer(state, from, amount, at, next => { next.paysForBatch = paysFor.map(ref => ({ taskId: ref.taskId, receiptHash: ref.receiptHash })) })
}

/** The receipts a state pays for: its `paysFor`, or every receipt of its `paysForBatch`, or none. */
export function receiptsPaidBy (state: ChannelState): ReceiptRef[] {
  if (state.paysFor !== undefined) return [state.paysFor]
  return state.paysForBatch ?? []
}

/** As proposePayment, for the split share `paysShare` instead of a receipt. */
export function proposeSharePayment (state: ChannelState, from: string, amount: number, paysShare: ShareRef, at: number): ChannelState {
  return transfer(state, from, amount, at, next => { next.paysShare = { runId: paysShare.runId, recordHash: paysShare.recordHash } })
}

/** The next state after `from` pays `amount` to the other party at `at`, with what it pays for set by `reason`. */
function transfer (state: ChannelState, from: string, amount: number, at: number, reason: (next: ChannelState) => void): ChannelState {
  checkState(state)
  if (state.final) throw new ChannelFinalityError(`channel ${state.channelId} is final at sequence ${state.sequence}; no payment may follow`)
  if (from !== state.a && from !== state.b) throw new NotChannelPartyError(`${from} is not a party of channel ${state.channelId}`)
  if (!isMicroUnits(amount) || amount <= 0) throw new InvalidAmountError(`payment amount must be a positive safe integer, got ${String(amount)}`)
  if (!isMicroUnits(at) || at < 0) throw new InvalidAmountError(`at must be a non-negative safe integer, got ${String(at)}`)
  const available = from === state.a ? state.balanceA : state.balanceB
  if (amount > available) throw new OverspendError(`${from} pays ${amount} on channel ${state.channelId} but holds ${available}`)
  const next = copyState(state)
  delete next.paysFor
  delete next.paysShare
  delete next.paysForBatch
  next.sequence = state.sequence + 1
  next.at = at
  reason(next)
  if (from === state.a) {
    next.balanceA -= amount
    next.balanceB += amount
  } else {
    next.balanceB -= amount
    next.balanceA += amount
  }
  checkState(next)
  return next
}

/** The final state: same balances, sequence + 1, `final: true`. Co-signed, it closes the channel cooperatively. */
export function proposeFinal (state: ChannelState, at: number): ChannelState {
  checkState(state)
  if (state.final) throw new ChannelFinalityError(`channel ${state.channelId} is already final at sequence ${state.sequence}`)
  if (!isMicroUnits(at) || at < 0) throw new InvalidAmountError(`at must be a non-negative safe integer, got ${String(at)}`)
  const next = copyState(state)
  delete next.paysFor
  delete next.paysShare
  delete next.paysForBatch
  next.sequence = state.sequence + 1
  next.final = true
  next.at = at
  return next
}
