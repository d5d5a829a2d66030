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
  stdout: Uint8Array
  stderr: Uint8Array
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
