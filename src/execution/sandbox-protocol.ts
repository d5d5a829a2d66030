/**
 * The messages between a `WorkerPool` and one of its sandbox workers
 * (worker/wasi-worker.ts), over the worker's own port: per task one
 * `RunRequest` in and one `RunResultMessage` or `RunFailureMessage` out, and,
 * only where the pool cannot read the task's memory size from shared memory,
 * a `MemorySizeMessage` each time the task's memory grows past what the pool
 * already counts on.
 *
 * Plain `postMessage`, no RPC layer: a worker runs one task at a time and
 * the pool sends it the next only after the last one's answer, so a message
 * needs no id, and nothing is proxied. That is what a trivial task's time
 * was spent on after instantiation (bench:sandbox, section 2).
 */
import { MEMORY_SIZE_MESSAGE, RUN_FAILURE_MESSAGE, RUN_REQUEST_MESSAGE, RUN_RESULT_MESSAGE, WASM_PAGE_BYTES } from './constants.ts'
import { reviveError } from './errors.ts'
import type { ExecutionResult, TaskInput, TaskLimits } from './types.ts'

/**
 * Pool → worker: run the module the pool compiled under `moduleKey`. The
 * worker keeps the last module it ran, so `module` is null when the pool sent
 * this worker that key last time: a run of the same module again does not
 * clone it into the worker once more. It is always instantiated afresh, with
 * fresh memory: only the compiled code is reused.
 */
export interface RunRequest {
  type: typeof RUN_REQUEST_MESSAGE
  module: WebAssembly.Module | null
  moduleKey: string
  input: TaskInput
  limits: TaskLimits
  /** argv[0]: the module hash. */
  argv0: string
  /**
   * The memory size, bytes, the pool already counts on (the module's initial
   * memory): the worker reports only sizes larger than this.
   */
  knownMemoryBytes: number
  /**
   * A `MemoryCell` over shared memory, sent once per worker (null afterwards,
   * and always where `SharedArrayBuffer` is missing: a browser page that is not
   * cross-origin isolated). With it the worker stores the task's memory size
   * there instead of posting `MemorySizeMessage`s.
   */
  memoryCell: Int32Array | null
}

/** Worker → pool: the task ran (with any status; see `runWasiCommand`). Its buffers are transferred. */
export interface RunResultMessage {
  type: typeof RUN_RESULT_MESSAGE
  result: ExecutionResult
}

/** Worker → pool: the runner refused the task before running it (see `WorkerPool.run`). */
export interface RunFailureMessage {
  type: typeof RUN_FAILURE_MESSAGE
  error: SerializedError
}

/**
 * Worker → pool, while a task runs: its linear memory size, in bytes, each
 * time it is seen larger than `RunRequest.knownMemoryBytes` and than before.
 * Posted while the task's wasm still runs on the worker's thread: a dedicated
 * worker's message goes to its owner's port message queue (HTML, "Web
 * workers", postMessage on the worker's implicit port; a Node MessagePort
 * likewise), so the pool gets it without waiting for the worker's event loop
 * — which is what lets a run the pool kills at its time limit report its
 * memory peak.
 */
export interface MemorySizeMessage {
  type: typeof MEMORY_SIZE_MESSAGE
  bytes: number
}

export type SandboxWorkerMessage = RunResultMessage | RunFailureMessage | MemorySizeMessage

/**
 * An error as it crosses the port: structured cloning keeps an `Error`'s
 * name only for the built-in classes, and drops fields. The typed errors
 * carry fields (`TaskTrapError.stderr`, `UnsupportedImportError.importName`),
 * so those that clone unchanged travel beside name, message and stack.
 */
export interface SerializedError {
  name: string
  message: string
  stack?: string
  [field: string]: unknown
}

/** Field values that survive structured cloning unchanged. */
function isCloneableField (value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Uint8Array
}

export function serializeError (err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) }
  const fields = Object.fromEntries(Object.entries(err).filter(([, field]) => isCloneableField(field)))
  return { ...fields, name: err.name, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) }
}

/** The error a `SerializedError` describes, as its typed class when it names one (`reviveError`). */
export function deserializeError (error: SerializedError): unknown {
  return reviveError(Object.assign(new Error(error.message), error))
}

/**
 * One 32-bit cell of shared memory, holding the running task's memory size
 * in wasm pages (whole pages: a memory's size always is, and pages fit 32
 * bits where bytes would not past 4 GiB). The worker stores, the pool loads
 * at a timeout; `Atomics` make the store visible to the pool's thread while
 * the worker's thread is still running wasm.
 */
export const MemoryCell = {
  /** A fresh cell, or null where `SharedArrayBuffer` is missing (a page that is not cross-origin isolated). */
  create (): Int32Array | null {
    return typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) : null
  },
  store (cell: Int32Array, bytes: number): void {
    Atomics.store(cell, 0, Math.ceil(bytes / WASM_PAGE_BYTES))
  },
  loadBytes (cell: Int32Array): number {
    return Atomics.load(cell, 0) * WASM_PAGE_BYTES
  }
}
