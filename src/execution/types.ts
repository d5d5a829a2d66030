/**
 * What an executor needs to run one WASI preview1 command module, and what a
 * run produces. Shared by the browser worker host and the Node host.
 */
export interface TaskLimits {
  /** Wall-clock limit; the run is killed (worker terminated) when it passes. */
  timeoutMs: number
  /** Upper bound on the module's linear memory, in bytes. */
  memoryLimitBytes: number
}

export interface TaskInput {
  /** argv[1..]; argv[0] is always the module hash. */
  args: string[]
  stdin: Uint8Array
}

export interface ExecutionResult {
  /** Always backed by a plain (transferable) ArrayBuffer. */
  stdout: Uint8Array<ArrayBuffer>
  stderr: Uint8Array<ArrayBuffer>
  exitCode: number
  /** Unix epoch milliseconds when the module's `_start` was entered. */
  startedAt: number
  durationMs: number
}

export type ExecutionProgress =
  | { phase: 'compiling' }
  | { phase: 'running', startedAt: number }

export interface ExecutionOptions {
  signal?: AbortSignal
  onProgress?(progress: ExecutionProgress): void
}

/**
 * What the sandbox worker (workers/wasi-worker.ts) exposes over comlink.
 * Errors thrown by `run` arrive as plain `Error`s with `name` and extra
 * fields intact; `reviveError` turns them back into the typed classes.
 */
export interface WasiWorkerApi {
  run(module: WebAssembly.Module, input: TaskInput, limits: TaskLimits, argv0: string): Promise<ExecutionResult>
}
