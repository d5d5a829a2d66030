import { MAX_OUTPUT_BYTES } from '../core/limits.ts'

export { MAX_MODULE_BYTES } from '../core/limits.ts'

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
 * The WASI preview1 functions the runner links. It is the set that
 * @bjorn3/browser_wasi_shim implements, minus sockets (`sock_*`: no network
 * access) and `proc_raise` (the shim throws a bare string). File-system calls
 * stay: toolchains import them even when unused, and with no preopened
 * directory every `path_*` call fails with EBADF.
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
  'poll_oneoff', 'proc_exit', 'random_get', 'sched_yield'
])

/** Compiled modules the worker pool keeps, keyed by hash and memory limit. */
export const MODULE_CACHE_SIZE = 32

/** Worker slots a pool starts with when the caller names none. */
export const DEFAULT_POOL_SLOTS = 2
