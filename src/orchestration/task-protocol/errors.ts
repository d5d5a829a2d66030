import type { Receipt } from '../../receipts/index.ts'
import { nameError } from '../../core/errors.ts'
import { ModuleHashMismatchError } from '../../core/hash.ts'
import {
  InvalidModuleError, MemoryLimitError, ModuleTooLargeError, NotWasiCommandError, OutOfFuelError, OutputTooLargeError,
  SandboxOutOfMemoryError, TaskTimeoutError, TaskTrapError, UnsupportedImportError, UnsupportedWasiCallError
} from '../../execution/errors.ts'
import { FuelExportConflictError, UnsupportedInstructionError } from '../../execution/metering/errors.ts'

/**
 * Thrown when a peer sends a task message that breaks the schema or a limit
 * (missing module hash, oversized stdin, too many args, …).
 */
export class InvalidTaskMessageError extends Error {
  static { nameError(this, 'InvalidTaskMessageError') }
}

/**
 * Thrown when the spans an executor (or a forwarding hop) returned with a
 * result break the Span schema or a limit of constants.ts. Only the spans are
 * refused: the result they came with is judged by its receipt alone.
 */
export class InvalidTraceSpanError extends Error {
  static { nameError(this, 'InvalidTraceSpanError') }
}

/** Thrown when an executor turns a task down (not contributing, shutting down). */
export class TaskRefusedError extends Error {
  static { nameError(this, 'TaskRefusedError') }
}

/**
 * Thrown when an executor turns a task down because its queue is full, or
 * this submitter already has its share of it waiting (orchestration/
 * task-protocol/fair-queue.ts). Sent as a FAILURE before the module is
 * transferred, so nothing was run or paid for; the same task may be offered
 * again later (the submitter's dispatch does so after a backoff).
 */
export class ExecutorBusyError extends Error {
  static { nameError(this, 'ExecutorBusyError') }
}

/**
 * Thrown when an executor turns a task down because its estimate of the run,
 * at its current prices, costs more than the offer's maxTotalPrice
 * (receipts/pricing quoteFits).
 */
export class TaskOverBudgetError extends Error {
  static { nameError(this, 'TaskOverBudgetError') }
}

/**
 * Thrown on the submitter when an executor's receipt, though authentic, names
 * a budget (`price.maxTotalPrice`) other than the one offered: its charge is
 * capped by a budget the submitter never agreed to. Carries the receipt, as
 * evidence signed by that executor.
 */
export class ReceiptBudgetMismatchError extends Error {
  static { nameError(this, 'ReceiptBudgetMismatchError') }
  readonly receipt: Receipt

  constructor (message: string, receipt: Receipt) {
    super(message)
    this.receipt = receipt
  }
}

/**
 * Thrown when the executor stops answering: no heartbeat within the deadline,
 * or the stream or connection closed before a result arrived.
 */
export class ExecutorLostError extends Error {
  static { nameError(this, 'ExecutorLostError') }
}

/**
 * A direct connection on which no stream opened within STALLED_CONNECTION_MS
 * while nothing else was open on it: the other end no longer holds it (or
 * never adopted it), so it is closed with this error rather than waited on.
 */
export class StalledConnectionError extends Error {
  static { nameError(this, 'StalledConnectionError') }
}

/** Thrown when no connected peer is contributing compute. */
export class NoExecutorError extends Error {
  static { nameError(this, 'NoExecutorError') }
}

/**
 * Thrown on the submitter when the executor reports that the task failed
 * (with a verified receipt when it ran) or was refused. `name` is the
 * executor's error class (TaskTimeoutError, TaskTrapError, OutOfFuelError, …)
 * so callers can branch on it exactly as if the task had run locally.
 */
export class RemoteTaskError extends Error {
  static { nameError(this, 'RemoteTaskError') }
  static readonly KNOWN_NAMES: ReadonlySet<string> = new Set([
    ...[
      InvalidModuleError,
      NotWasiCommandError,
      UnsupportedImportError,
      ModuleTooLargeError,
      MemoryLimitError,
      OutputTooLargeError,
      TaskTrapError,
      TaskTimeoutError,
      OutOfFuelError,
      UnsupportedWasiCallError,
      SandboxOutOfMemoryError,
      UnsupportedInstructionError,
      FuelExportConflictError,
      InvalidTaskMessageError,
      ModuleHashMismatchError,
      TaskRefusedError,
      TaskOverBudgetError,
      ExecutorBusyError
    ].map(ErrorClass => ErrorClass.name),
    // Reported by a forwarding hop (orchestration/forwarding). Spelled out, not
    // imported: forwarding builds on task-protocol, not the other way round.
    'HopLimitError',
    'RoutingLoopError',
    'NoRouteError',
    'InvalidForwardHeaderError'
  ])

  /** The executor's verified receipt, when the task ran (and failed) rather than being refused. */
  readonly receipt: Receipt | undefined

  constructor (remoteName: string, message: string, receipt?: Receipt) {
    super(message)
    // An unknown or hostile name is not passed on verbatim: the instance keeps RemoteTaskError's.
    if (RemoteTaskError.KNOWN_NAMES.has(remoteName)) this.name = remoteName
    this.receipt = receipt
  }
}
