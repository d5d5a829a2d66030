/** The ways cutting a job into slices and scheduling them can be refused; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown by splitLines when a slice's stdout does not hold exactly one line per input. */
export class SliceOutputMismatchError extends Error {
  static { nameError(this, 'SliceOutputMismatchError') }
  /** Lines the slice should have produced: its number of inputs. */
  readonly expected: number
  /** Lines its stdout held. */
  readonly actual: number

  constructor (expected: number, actual: number) {
    super(`slice output has ${actual} line${actual === 1 ? '' : 's'}, expected ${expected} (one per input)`)
    this.expected = expected
    this.actual = actual
  }
}

/**
 * Thrown by joinLines when an input holds a line break, so that it could not
 * be told apart from its neighbours in one stdin; `index` is its position in
 * the inputs given. Such inputs go one per slice (sliceSize 1).
 */
export class MultilineInputError extends TypeError {
  static { nameError(this, 'MultilineInputError') }
  readonly index: number

  constructor (index: number) {
    super(`input ${index} contains a line break ('\\n' or '\\r'), so it cannot share a slice with other inputs`)
    this.index = index
  }
}

/** Thrown when a JobScheduler's init is out of range or of the wrong type. */
export class InvalidJobSchedulerInitError extends RangeError {
  static { nameError(this, 'InvalidJobSchedulerInitError') }
}

/** Thrown when a slice index given to the scheduler is not one of its slices. */
export class UnknownSliceError extends RangeError {
  static { nameError(this, 'UnknownSliceError') }
}

/** Thrown when estimateJob's input is out of range or of the wrong type. */
export class InvalidJobEstimateError extends RangeError {
  static { nameError(this, 'InvalidJobEstimateError') }
}
