/** The ways a workflow run refuses an event or its inputs; callers tell them apart by `name`. */
import { nameError } from '../../../core/errors.ts'

/** Thrown when an event is malformed: an unknown type, a missing or mistyped field. */
export class InvalidRunEventError extends TypeError {
  static { nameError(this, 'InvalidRunEventError') }
}

/**
 * Thrown when a well-formed event does not fit the run's state: a step or
 * item the run does not have, a start before the schedule, an attempt that is
 * not the current one, a retry before its backoff ended, a skip of a step that
 * can still run, anything after the run ended, or an `at` earlier than the
 * event before it.
 */
export class RunEventOrderError extends Error {
  static { nameError(this, 'RunEventOrderError') }
}

/** Thrown when the inputs given to a run do not match the spec's declared inputs (missing, unknown or of the wrong shape). */
export class InvalidWorkflowInputsError extends TypeError {
  static { nameError(this, 'InvalidWorkflowInputsError') }
}

/**
 * Not thrown out of the scheduler: the error a step is Errored with when its
 * `forEach` reference is not an array or holds more than MAX_FAN_OUT_ITEMS
 * items (recorded as a `failed` event).
 */
export class ForEachValueError extends Error {
  static { nameError(this, 'ForEachValueError') }
}
