import { MAX_OUTPUT_BYTES } from '../core/limits.ts'

export {
  DEFAULT_FUEL, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, MAX_FUEL, MAX_INPUT_FILES_BYTES,
  MAX_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES, MAX_WORK_DIRECTORY_BYTES, TASK_SEED_BYTES
} from '../core/limits.ts'

/** Most bytes a task may write to stdout; writing past it ends the run with `OutputTooLargeError`. */
export const MAX_STDOUT_BYTES = MAX_OUTPUT_BYTES

/** Most bytes a task may write to stderr; writing past it ends the run with `OutputTooLargeError`. */
export const MAX_STDERR_BYTES = MAX_OUTPUT_BYTES

/** WebAssembly page size (WebAssembly core spec §2.5.7 / §4.2.8). */
export const WASM_PAGE_BYTES = 65_536

/** Import module name of WASI preview1. */
export const WASI_MODULE = 'wasi_snapshot_preview1'

/** argv[0] when the caller names no module hash. */
export const DEFAULT_ARGV0 = 'task'

/**
 * The WASI preview1 functions the runner implements: all of preview1 but
 * `proc_raise`. The `sock_*` calls answer `notsock` (or `badf`): the sandbox
 * has no sockets. A module may still import `proc_raise` (or any name from
 * `wasi_snapshot_preview1`); it is linked to a stub that ends the run with
 * `UnsupportedWasiCallError` when called, so toolchains that import
 * everything still run. File-system calls work inside the preopened
 * in-memory directories (`/work` at fd 3) only.
 */
export const PROVIDED_WASI_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get',
  'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times',
  'fd_pread', 'fd_prestat_dir_name', 'fd_prestat_get', 'fd_pwrite', 'fd_read', 'fd_readdir',
  'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write',
  'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open',
  'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file',
  'poll_oneoff', 'proc_exit', 'random_get', 'sched_yield',
  'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown'
])

/** Name of the preopened directory holding `TaskInput.files` (WASI fd 3). */
export const WORK_DIR = '/work'

/** Most files and directories `/work` may hold; creating more ends the run with `OutputTooLargeError`. */
export const MAX_WORK_ENTRIES = 4096

/** `ExecutionResult.exitCode` of a run the host ended (every status but ok and exit); receipts record null. */
export const NO_EXIT_CODE = -1

/** Compiled modules the worker pool keeps, keyed by hash and memory limit. */
export const MODULE_CACHE_SIZE = 32

/** Worker slots a pool starts with when the caller names none. */
export const DEFAULT_POOL_SLOTS = 2

/**
 * `type` of the message the sandbox worker posts to its pool each time the
 * running task's linear memory is seen larger (`MemorySizeMessage`, where no
 * shared memory cell is available): a run the pool terminates at its time
 * limit cannot report anything afterwards.
 */
export const MEMORY_SIZE_MESSAGE = 'zerostate/memory-size'

/** `type` of the pool's message asking a sandbox worker to run a task (`RunRequest`). */
export const RUN_REQUEST_MESSAGE = 'zerostate/run'

/** `type` of a sandbox worker's answer with the task's result (`RunResultMessage`). */
export const RUN_RESULT_MESSAGE = 'zerostate/run-result'

/** `type` of a sandbox worker's answer when the runner refused the task (`RunFailureMessage`). */
export const RUN_FAILURE_MESSAGE = 'zerostate/run-failure'
