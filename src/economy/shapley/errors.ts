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
