/** The ways a price schedule, a resource use or a charge can be refused; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not a well-formed price schedule; `field` names the first bad member (`prices.perSecond`). */
export class InvalidPriceScheduleError extends Error {
  static { nameError(this, 'InvalidPriceScheduleError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`price schedule field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a resource use is not well formed; `field` names the first bad member (`use.durationMs`). */
export class InvalidResourceUseError extends Error {
  static { nameError(this, 'InvalidResourceUseError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`resource use field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a maxTotalPrice is not a non-negative safe integer of micro-units. */
export class InvalidMaxTotalPriceError extends RangeError {
  static { nameError(this, 'InvalidMaxTotalPriceError') }
}

/** Thrown when a charge exceeds Number.MAX_SAFE_INTEGER micro-units, beyond what JSON carries exactly (RFC 7493 §2.2). */
export class PriceOverflowError extends RangeError {
  static { nameError(this, 'PriceOverflowError') }
}
