/**
 * One class per way a task can fail. Callers and tests branch on `err.name`,
 * which survives postMessage and the network where `instanceof` does not.
 */
import { ModuleHashMismatchError } from '../core/hash.ts'
import { nameError } from '../core/errors.ts'

/**
 * Thrown when the bytes are empty, are not WebAssembly, or fail to compile;
 * the message carries the engine's reason.
 */
export class InvalidModuleError extends Error {
  static { nameError(this, 'InvalidModuleError') }
  constructor (message = 'Not a valid WebAssembly module') {
    super(message)
  }
}

/** Thrown when a module is larger than `MAX_MODULE_BYTES`. */
export class ModuleTooLargeError extends Error {
  static { nameError(this, 'ModuleTooLargeError') }
  constructor (message = 'Module is too large') {
    super(message)
  }
}

/**
 * Thrown when a module is valid WebAssembly but not a WASI preview1 command:
 * it lacks an exported `_start` function or an exported `memory`.
 */
export class NotWasiCommandError extends Error {
  static { nameError(this, 'NotWasiCommandError') }
  constructor (message = 'Module is not a WASI command') {
    super(message)
  }
}

/**
 * Thrown when a module imports anything but a WASI preview1 function
 * (another module's function, a memory, a table, a global). `importName` is
 * `module.name` of the first such import.
 */
export class UnsupportedImportError extends Error {
  static { nameError(this, 'UnsupportedImportError') }
  importName: string

  constructor (message = 'Module has an unsupported import', importName = '') {
    super(message)
    this.importName = importName
  }
}

/**
 * Thrown when a module declares more initial linear memory than the task's
 * `memoryLimitBytes`; reported (status 'memory-limit') when a run traps with
 * its memory at or near the cap.
 */
export class MemoryLimitError extends Error {
  static { nameError(this, 'MemoryLimitError') }
  constructor (message = 'Module needs more memory than the limit') {
    super(message)
  }
}

/**
 * Reported (status 'trap') when a task writes more than the stdout or stderr
 * cap, or grows the files in /work past theirs.
 */
export class OutputTooLargeError extends Error {
  static { nameError(this, 'OutputTooLargeError') }
  constructor (message = 'Task output is too large') {
    super(message)
  }
}

/**
 * Reported (status 'trap') when a task traps: unreachable, out-of-bounds
 * access, stack overflow, a failed instantiation (but an engine out of
 * memory is `SandboxOutOfMemoryError`). `stderr` holds what it
 * wrote before trapping.
 */
export class TaskTrapError extends Error {
  static { nameError(this, 'TaskTrapError') }
  stderr: Uint8Array

  constructor (message = 'Task trapped', stderr: Uint8Array = new Uint8Array(0)) {
    super(message)
    this.stderr = stderr
  }
}

/** Reported (status 'timeout') when a task runs past its `timeoutMs`; its worker has been terminated. */
export class TaskTimeoutError extends Error {
  static { nameError(this, 'TaskTimeoutError') }
  constructor (message = 'Task ran past its time limit') {
    super(message)
  }
}

/** Reported (status 'out-of-fuel') when a metered task spends its whole `fuel` budget. */
export class OutOfFuelError extends Error {
  static { nameError(this, 'OutOfFuelError') }
  constructor (message = 'Task ran out of fuel') {
    super(message)
  }
}

/**
 * Reported (status 'trap') when a task calls a WASI preview1 function the
 * sandbox does not implement (sockets, `proc_raise`…). Importing one is
 * allowed; only the call fails. `callName` is the function's name.
 */
export class UnsupportedWasiCallError extends Error {
  static { nameError(this, 'UnsupportedWasiCallError') }
  callName: string

  constructor (message = 'Task called a WASI function the sandbox does not provide', callName = '') {
    super(message)
    this.callName = callName
  }
}

/**
 * Thrown when the engine cannot allocate a task's linear memory while
 * instantiating it, though the memory is within the task's cap (a declared
 * memory over the cap is refused before compilation). That is the host's
 * failure, not the task's: a V8 process holds only so many wasm memories at
 * once (Chromium about 124 per renderer, page and workers together; Node
 * about 13,000), and a dead instance's memory returns only when its own
 * isolate collects garbage. Reported as a run failure, never as a status: a
 * receipt saying 'trap' would be wrong, and a witness re-running the task
 * would dispute it. The pool retries once on a fresh worker (worker-pool.ts).
 */
export class SandboxOutOfMemoryError extends Error {
  static { nameError(this, 'SandboxOutOfMemoryError') }
  constructor (message = 'The sandbox could not allocate the task\'s memory') {
    super(message)
  }
}

/** Thrown when the caller's AbortSignal fires before the task finishes. */
export class AbortError extends Error {
  static { nameError(this, 'AbortError') }
  constructor (message = 'The operation was aborted') {
    super(message)
  }
}

/** `AbortSignal.throwIfAborted`, but with this layer's typed `AbortError`. */
export function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortError()
}

/** Thrown when a sandbox worker fails outside the task (script load error, crash). */
export class WorkerCrashedError extends Error {
  static { nameError(this, 'WorkerCrashedError') }
  constructor (message = 'Sandbox worker crashed') {
    super(message)
  }
}

/** Thrown to queued and running tasks when their worker pool is stopped. */
export class PoolStoppedError extends Error {
  static { nameError(this, 'PoolStoppedError') }
  constructor (message = 'Worker pool was stopped') {
    super(message)
  }
}

const TYPED_ERRORS: ReadonlyMap<string, new (message?: string) => Error> = new Map<string, new (message?: string) => Error>([
  InvalidModuleError, ModuleTooLargeError, NotWasiCommandError, UnsupportedImportError,
  MemoryLimitError, OutputTooLargeError, TaskTrapError, TaskTimeoutError, OutOfFuelError, UnsupportedWasiCallError, AbortError,
  ModuleHashMismatchError, WorkerCrashedError, PoolStoppedError, SandboxOutOfMemoryError
// Keyed by `ErrorClass.name`, which nameError keeps through minification.
].map(ErrorClass => [ErrorClass.name, ErrorClass]))

/**
 * Re-creates a typed error from a plain one that crossed a structured-clone
 * boundary (a sandbox worker's `SerializedError` keeps `name`, `message`,
 * `stack` and the extra fields that clone). Unknown names are returned unchanged.
 */
export function reviveError (err: unknown): unknown {
  if (!(err instanceof Error)) return err
  const ErrorClass = TYPED_ERRORS.get(err.name)
  // isPrototypeOf rather than instanceof: the latter would narrow `err` to never below.
  if (ErrorClass == null || Object.prototype.isPrototypeOf.call(ErrorClass.prototype, err)) return err
  return Object.assign(new ErrorClass(err.message), err)
}
