/**
 * The ways a channel state, a transition or a close can be refused; callers
 * and tests tell them apart by `name`, never by message.
 */

import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not a well-formed channel state (or part of one); `field` names the first bad field. */
export class InvalidChannelStateError extends Error {
  static { nameError(this, 'InvalidChannelStateError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`channel state field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a payment amount or a time is not a positive (or non-negative) safe integer. */
export class InvalidAmountError extends Error {
  static { nameError(this, 'InvalidAmountError') }
}

/** Thrown when a state holds a negative balance. */
export class NegativeBalanceError extends Error {
  static { nameError(this, 'NegativeBalanceError') }
}

/** Thrown when balanceA + balanceB differs from depositA + depositB: money made or destroyed. */
export class BalanceSumError extends Error {
  static { nameError(this, 'BalanceSumError') }
}

/** Thrown when a payer is asked to pay more than its current balance. */
export class OverspendError extends Error {
  static { nameError(this, 'OverspendError') }
}

/** Thrown when a PeerId that is not a party of the channel tries to pay, sign or settle. */
export class NotChannelPartyError extends Error {
  static { nameError(this, 'NotChannelPartyError') }
}

/** Thrown when two states (or a state and a closing) belong to different channels, parties or deposits. */
export class ChannelMismatchError extends Error {
  static { nameError(this, 'ChannelMismatchError') }
}

/** Thrown when a state lacks the signature of one party or both (half-signed). */
export class MissingSignatureError extends Error {
  static { nameError(this, 'MissingSignatureError') }
}

/** Thrown when a signature's public key is not the key inside the party's PeerId. */
export class SignerKeyMismatchError extends Error {
  static { nameError(this, 'SignerKeyMismatchError') }
}

/** Thrown when a signature does not verify over the canonical state (forged or altered after signing). */
export class ForgedSignatureError extends Error {
  static { nameError(this, 'ForgedSignatureError') }
}

/** Thrown when a state with the current sequence is offered again. */
export class ReplayedStateError extends Error {
  static { nameError(this, 'ReplayedStateError') }
}

/** Thrown when a state older than the current one is offered (lower sequence). */
export class StaleStateError extends Error {
  static { nameError(this, 'StaleStateError') }
}

/** Thrown when a newer state skips sequences: an update must be exactly current + 1. */
export class SequenceGapError extends Error {
  static { nameError(this, 'SequenceGapError') }
}

/** Thrown when a state would follow a final state, or a non-final state is used to close cooperatively. */
export class ChannelFinalityError extends Error {
  static { nameError(this, 'ChannelFinalityError') }
}

/** Thrown when a challenge arrives after the challenge period has ended. */
export class ChallengePeriodOverError extends Error {
  static { nameError(this, 'ChallengePeriodOverError') }
}

/** Thrown when settling before the challenge period has ended. */
export class ChallengePeriodOpenError extends Error {
  static { nameError(this, 'ChallengePeriodOpenError') }
}

/** Thrown when an opening state does not have sequence 0 and balances equal to deposits. */
export class InvalidOpeningError extends Error {
  static { nameError(this, 'InvalidOpeningError') }
}
