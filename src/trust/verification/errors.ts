/** The ways the verification policy and its book fail; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'
import type { Receipt } from '../../receipts/index.ts'

/** Thrown when a verification policy option, or an argument of the policy (value, random number, record), is out of range. */
export class InvalidVerificationPolicyError extends RangeError {
  static { nameError(this, 'InvalidVerificationPolicyError') }
}

/** Thrown when a peer key is not a non-empty string of at most MAX_CHECKED_PEER_KEY_LENGTH characters. */
export class InvalidCheckedPeerKeyError extends TypeError {
  static { nameError(this, 'InvalidCheckedPeerKeyError') }
}

/** Thrown by `CheckedWorkBook.fromJSON` on another version, a bad field, a duplicate, or too many entries. */
export class InvalidCheckedWorkBookError extends Error {
  static { nameError(this, 'InvalidCheckedWorkBookError') }
}

/**
 * Thrown when the submitter's own re-run contradicted the executor's result
 * and no other result with a receipt is at hand (nobody it trusts was there
 * to check): the executor is proven wrong and not paid (when its payment was
 * held); submit the task again. `receipt` is the contradicted receipt.
 */
export class ResultContradictedError extends Error {
  static { nameError(this, 'ResultContradictedError') }
  readonly receipt: Receipt

  constructor (message: string, receipt: Receipt) {
    super(message)
    this.receipt = receipt
  }
}
