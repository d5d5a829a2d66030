/** The ways a bid request, a bid or an award can be refused; callers and tests tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not a well-formed bid request; `field` names the first bad field (`limits.fuel`). */
export class InvalidBidRequestError extends Error {
  static { nameError(this, 'InvalidBidRequestError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`bid request field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a value is not a well-formed bid; `field` names the first bad field. */
export class InvalidBidError extends Error {
  static { nameError(this, 'InvalidBidError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`bid field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a bid or bid request is longer in canonical form than MAX_BID_BYTES or MAX_BID_REQUEST_BYTES. */
export class BidTooLargeError extends Error {
  static { nameError(this, 'BidTooLargeError') }
}

/**
 * Thrown when the `publicKey` of a bid (or bid request) is not the key inside
 * its bidder's (submitter's) PeerId, or when asked to sign as someone else.
 */
export class BidKeyMismatchError extends Error {
  static { nameError(this, 'BidKeyMismatchError') }
}

/** Thrown when the signature of a bid or bid request does not verify: forged, or altered after signing. */
export class BidSignatureError extends Error {
  static { nameError(this, 'BidSignatureError') }
}

/**
 * Thrown when a request's deadline has passed at verification, or when a bid
 * was signed (`at`) or received at or after its request's deadline.
 */
export class BidDeadlinePassedError extends Error {
  static { nameError(this, 'BidDeadlinePassedError') }
}

/** Thrown when a bid names another request: its `requestId` or `requestHash` is not the request's. */
export class BidRequestMismatchError extends Error {
  static { nameError(this, 'BidRequestMismatchError') }
}

/** Thrown when a bid's price is above its request's `maxTotalPrice`. */
export class BidAboveBudgetError extends Error {
  static { nameError(this, 'BidAboveBudgetError') }
}

/** Thrown when awardBids is given a bad reputation floor, a non-finite reputation, or more than MAX_AWARD_BIDS bids. */
export class InvalidAwardOptionsError extends RangeError {
  static { nameError(this, 'InvalidAwardOptionsError') }
}

/** The errors that mean "this bid does not count", as opposed to a caller's mistake; awardBids skips bids that throw them. */
export const BID_REFUSALS: ReadonlyArray<new (...args: never[]) => Error> = [
  InvalidBidError, BidTooLargeError, BidKeyMismatchError, BidSignatureError, BidRequestMismatchError,
  BidDeadlinePassedError, BidAboveBudgetError
]
