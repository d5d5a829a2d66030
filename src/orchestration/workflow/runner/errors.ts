/** The ways the workflow runner fails, or records a step as failed; callers tell them apart by `name`. */
import { nameError } from '../../../core/errors.ts'

/** Thrown by `startWorkflow` when the log already holds events for the run id: resume it instead. */
export class WorkflowRunExistsError extends Error {
  static { nameError(this, 'WorkflowRunExistsError') }
}

/**
 * Thrown by `result()` when the runner was stopped (`stop()`: the tab is
 * going away) before the run ended. Nothing was logged for the stop; the run
 * can be resumed from its log.
 */
export class WorkflowRunnerStoppedError extends Error {
  static { nameError(this, 'WorkflowRunnerStoppedError') }
}

/**
 * Not thrown out of the runner: the error a step (or item) is recorded as
 * Errored with when one of its inputs cannot be bound — a blob that is not
 * stored, bytes that are not UTF-8 where an argument or variable must be text.
 */
export class UnboundInputError extends Error {
  static { nameError(this, 'UnboundInputError') }
}

/** Not thrown out of the runner: the error of a `failed` event whose module ran and exited non-zero (its receipt says so). */
export class StepExitError extends Error {
  static { nameError(this, 'StepExitError') }
}
