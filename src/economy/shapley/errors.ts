/** The ways a Shapley split can be refused; callers and tests tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when the players are not a non-empty list of distinct, non-empty strings. */
export class InvalidPlayersError extends TypeError {
  static { nameError(this, 'InvalidPlayersError') }
}

/** Thrown when an exact split is asked for more than MAX_EXACT_PLAYERS players, or a sampled one for more than MAX_SAMPLED_PLAYERS. */
export class TooManyPlayersError extends RangeError {
  static { nameError(this, 'TooManyPlayersError') }
}

/** Thrown when ε, δ or `range` of a sampled split is out of range; `field` names which. */
export class InvalidSamplingOptionsError extends RangeError {
  static { nameError(this, 'InvalidSamplingOptionsError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`sampling option ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when Hoeffding's bound for the asked (ε, δ, range) needs more than MAX_PERMUTATIONS permutations. */
export class TooManyPermutationsError extends RangeError {
  static { nameError(this, 'TooManyPermutationsError') }
  /** The permutations the bound asked for. */
  readonly permutations: number

  constructor (permutations: number, message: string) {
    super(message)
    this.permutations = permutations
  }
}

/**
 * Thrown when the characteristic function returns a value the split cannot
 * use: not finite; for an integer split, not a safe integer of micro-units, or
 * v(∅) ≠ 0.
 */
export class InvalidCoalitionValueError extends RangeError {
  static { nameError(this, 'InvalidCoalitionValueError') }
}

/**
 * Thrown when a sampled split sees a player's marginal contributions spread
 * wider than the stated `range`: Hoeffding's bound, and so the stated ε, would
 * not hold.
 */
export class MarginalOutOfRangeError extends RangeError {
  static { nameError(this, 'MarginalOutOfRangeError') }
}

/** Thrown when a workflow game's roles, members, prices or synergies are malformed; `field` names the first bad one. */
export class InvalidWorkflowGameError extends TypeError {
  static { nameError(this, 'InvalidWorkflowGameError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`workflow game field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a value is not a well-formed split record; `field` names the first bad field (`game.members.3.costs`). */
export class InvalidSplitRecordError extends Error {
  static { nameError(this, 'InvalidSplitRecordError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`split record field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a split record is longer in canonical form than MAX_SPLIT_RECORD_BYTES. */
export class SplitRecordTooLargeError extends Error {
  static { nameError(this, 'SplitRecordTooLargeError') }
}

/** Thrown when a split record's `publicKey` is not its signer's, or when asked to sign as someone else. */
export class SplitRecordKeyMismatchError extends Error {
  static { nameError(this, 'SplitRecordKeyMismatchError') }
}

/** Thrown when a split record's signature does not verify: forged, or altered after signing. */
export class SplitRecordSignatureError extends Error {
  static { nameError(this, 'SplitRecordSignatureError') }
}

/**
 * Thrown when a split record does not recompute: its method, sampling, a
 * member's share or payment, or its total is not what the split of its own
 * game, seeded from its run id, gives. `field` names what differs
 * (`shares.2.payment`), `member` the member whose share or payment it is (null
 * for a field of the whole record).
 */
export class SplitMismatchError extends Error {
  static { nameError(this, 'SplitMismatchError') }
  readonly field: string
  readonly member: string | null

  constructor (field: string, member: string | null, message: string) {
    super(message)
    this.field = field
    this.member = member
  }
}

/** Thrown when a split's payments add up to more than the workflow's budget. */
export class SplitOverBudgetError extends Error {
  static { nameError(this, 'SplitOverBudgetError') }
}

/** Thrown when recomputing a split would take more than MAX_SPLIT_WORK steps. */
export class SplitTooCostlyError extends RangeError {
  static { nameError(this, 'SplitTooCostlyError') }
}
