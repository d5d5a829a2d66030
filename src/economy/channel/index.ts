/**
 * Off-chain payment channels between two peers, pure logic: no I/O, no clock
 * (every time is passed in), no randomness (the channel id is passed in).
 *
 * @example
 * const open = openChannel({ channelId, a, b, depositA: 1_000_000, depositB: 0, at: now })
 * let current = await cosign(await signState(open, alice), bob)
 * const pay = proposePayment(current.state, a, 2_500, receiptRefOf(receipt), now)
 * current = applyState(current, await cosign(await signState(pay, alice), bob))
 * const fin = await cosign(await signState(proposeFinal(current.state, now), alice), bob)
 * const settlement = await cooperativeClose(fin, now, alice)
 */
export { CHANNEL_STATE_KIND, MAX_CHALLENGE_PERIOD_MS, MAX_CHANNEL_ID_LENGTH, MAX_RECEIPTS_PER_STATE, SETTLEMENT_KIND } from './constants.ts'
export {
  BalanceSumError, ChallengePeriodOpenError, ChallengePeriodOverError, ChannelFinalityError, ChannelMismatchError,
  ForgedSignatureError, InvalidAmountError, InvalidChannelStateError, InvalidOpeningError, MissingSignatureError,
  NegativeBalanceError, NotChannelPartyError, OverspendError, ReplayedStateError, SequenceGapError,
  SignerKeyMismatchError, StaleStateError
} from './errors.ts'
export {
  checkOpening, checkState, openChannel, proposeBatchPayment, proposeFinal, proposePayment, proposeSharePayment, receiptRefOf, receiptsPaidBy, stateSigningBytes
} from './state.ts'
export type { ChannelState, OpenChannelParams, ReceiptRef, ShareRef } from './state.ts'
export { cosign, readSignedState, signState, verifyState, verifyStateAhead } from './signatures.ts'
export type { PartySignature, SignedChannelState } from './signatures.ts'
export { applyState, assertNextSequence, assertSameChannel, verifyOpening } from './transition.ts'
export { challenge, cooperativeClose, settle, unilateralClose, verifySettlement } from './close.ts'
export type { ClosingChannel, Settlement } from './close.ts'
