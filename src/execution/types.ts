/**
 * What an executor needs to run one WASI preview1 command module, and what a
 * run produces. Shared by the browser worker host and the Node host.
 */

export interface TaskLimits {
  /** Wall-clock limit; enforced by terminating the worker. */
  timeoutMs: number
  /** Cap on the module's linear memory, bytes (default 50 MiB, max 128 MiB). */
  memoryLimitBytes: number
  /** Fuel budget: metered instructions the module may execute. */
  fuel: number
}

export interface TaskInput {
  /** argv[1..]; argv[0] is the module hash. */
  args: string[]
  /** The task's whole environment, in order; nothing comes from the host. */
  env: Array<[string, string]>
  stdin: Uint8Array
  /** Files placed in the preopened directory "/work" before the run, path (relative, '/'-separated) → bytes. */
  files: Array<[string, Uint8Array]>
  /** 32 bytes from the task; the WASI clock and random source are derived from it. */
  seed: Uint8Array
  /**
   * More preopened directories, for a local run only (`zerostate run --dir
   * HOST::GUEST`; the task protocol never sets it): each is preopened at its
   * guest `path` (after `/work` and `.`, so from fd 5 on, in order) holding
   * `files` as `files` fills `/work`. The limits on input files and on the
   * files a run may write count all directories together.
   */
  mounts?: TaskMount[]
  /**
   * False for a local run that asked for no `/work` (`zerostate run` without
   * `--dir DIR`, as wasmtime without `--dir`): no `/work` and no `.`, so the
   * mounts start at fd 3, and `files` must be empty. Default true; the task
   * protocol never sets it.
   */
  preopenWork?: boolean
}

/** A directory preopened at a guest path for a local run. */
export interface TaskMount {
  /** The guest path the module sees in `fd_prestat_dir_name` (`/`, `/data`, `out`…). */
  path: string
  /** Path (relative, '/'-separated) → bytes, as `TaskInput.files`. */
  files: Array<[string, Uint8Array]>
}

export type TaskStatus = 'ok' | 'exit' | 'trap' | 'timeout' | 'out-of-fuel' | 'memory-limit' | 'invalid-module'

export interface ExecutionResult {
  /** ok: exit code 0; exit: proc_exit(n ≠ 0); the rest are failures that still produce a receipt. */
  status: TaskStatus
  stdout: Uint8Array<ArrayBuffer>
  stderr: Uint8Array<ArrayBuffer>
  exitCode: number
  /** Unix epoch milliseconds (host clock) when the module's `_start` was entered. */
  startedAt: number
  durationMs: number
  /** Metered fuel consumed; null when the run was killed from outside (timeout) before it could report. */
  fuelUsed: number | null
  /**
   * Largest linear memory size the instance reached, bytes (its final size:
   * wasm memory never shrinks). For a run the pool terminated at its time
   * limit, the last size its worker reported before that (see worker-pool.ts):
   * exact for a metered module unless a report was still in flight, else a
   * lower bound.
   */
  memoryPeakBytes: number
  /** Files in "/work" after the run that were created or changed, sorted by path. */
  files: Array<[string, Uint8Array<ArrayBuffer>]>
  /** For a run with `TaskInput.mounts`: each mount's created or changed files, as `files`, in the mounts' order. */
  mountFiles?: Array<Array<[string, Uint8Array<ArrayBuffer>]>>
  /** For failed statuses: the typed error's name and message (TaskTrapError, OutOfFuelError, MemoryLimitError, TaskTimeoutError, …). */
  error?: { name: string, message: string }
}

export type ExecutionProgress =
  | { phase: 'compiling' }
  | { phase: 'running', startedAt: number }

export interface ExecutionOptions {
  signal?: AbortSignal
  onProgress?(progress: ExecutionProgress): void
}

/** What runs a module: the browser's worker pool, or a Node host (both WorkerPool). */
export interface TaskRunner {
  run(moduleHash: string, module: Uint8Array, input: TaskInput, limits: TaskLimits, options?: ExecutionOptions): Promise<ExecutionResult>
}
