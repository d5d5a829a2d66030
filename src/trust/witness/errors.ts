/** The witness's own failures; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a witness is asked to attest a receipt whose task material does not hash to what the receipt states. */
export class TaskMaterialMismatchError extends Error {
  static { nameError(this, 'TaskMaterialMismatchError') }
}

/** Thrown when a value is not a well-formed receipt announcement; `field` names the first offending field. */
export class InvalidAnnouncementError extends Error {
  static { nameError(this, 'InvalidAnnouncementError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`announcement field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when the executors of a redundant task returned no result a strict majority of them agrees on. */
export class NoMajorityError extends Error {
  static { nameError(this, 'NoMajorityError') }
}
