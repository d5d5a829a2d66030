/**
 * Limits that the sandbox, the task protocol and the receipt format must
 * agree on: whatever one layer accepts, the others can carry and sign.
 */

/** Largest module accepted, in bytes. */
export const MAX_MODULE_BYTES = 16 * 1024 * 1024

/** Most bytes a task may write to stdout, and separately to stderr. */
export const MAX_OUTPUT_BYTES = 8 * 1024 * 1024

/** Most entries in a task's args. */
export const MAX_ARGS = 64

/** Most UTF-8 bytes in one arg. */
export const MAX_ARG_BYTES = 1024

/** Most entries in a task's environment. */
export const MAX_ENV_ENTRIES = 64

/** Most UTF-8 bytes in one environment variable's name. */
export const MAX_ENV_NAME_BYTES = 256

/** Most UTF-8 bytes in one environment variable's value. */
export const MAX_ENV_VALUE_BYTES = 1024

/**
 * Most UTF-8 bytes in all args, env names and env values together (no
 * separators counted), so that a receipt carrying them stays under its size
 * limit even when every byte needs a six-character JSON escape.
 */
export const MAX_ARGS_AND_ENV_BYTES = 8 * 1024

/** Length in bytes of a task's determinism seed, from which its clock and random bytes are derived. */
export const TASK_SEED_BYTES = 32

/** Most bytes of stdin. */
export const MAX_STDIN_BYTES = 4 * 1024 * 1024

/** Most files a task may be given in, or bring back from, its preopened directory. */
export const MAX_TASK_FILES = 256

/** Most UTF-8 bytes in a file's path (relative to the preopened directory). */
export const MAX_FILE_PATH_BYTES = 256

/** Most bytes of input files together. */
export const MAX_INPUT_FILES_BYTES = 16 * 1024 * 1024

/** Most bytes the preopened directory may hold during a run, and so of output files together. */
export const MAX_WORK_DIRECTORY_BYTES = 16 * 1024 * 1024

/** Wall-clock limit of a run: range and default. */
export const MIN_TIMEOUT_MS = 10
export const MAX_TIMEOUT_MS = 5 * 60_000
export const DEFAULT_TIMEOUT_MS = 30_000

/** Linear memory cap of a run: range (one WebAssembly page at least) and default. */
export const MIN_MEMORY_LIMIT_BYTES = 65_536
export const MAX_MEMORY_LIMIT_BYTES = 128 * 1024 * 1024
export const DEFAULT_MEMORY_LIMIT_BYTES = 50 * 1024 * 1024

/**
 * Fuel budget of a run, in metered instructions (see execution/metering):
 * by default 5·10^10, roughly a minute of tight-loop work on a 2020s laptop,
 * so the 30 s timeout usually ends a runaway task first. At most 2^53 − 1,
 * exact as a JS number and as an i64.
 */
export const DEFAULT_FUEL = 50_000_000_000
export const MAX_FUEL = Number.MAX_SAFE_INTEGER

/**
 * Budget of a task when the submitter names none: 10^6 micro-units, one unit
 * of the abstract currency (receipts/pricing). Executors whose estimate is
 * above it refuse the task; the charge in the receipt never exceeds it.
 */
export const DEFAULT_MAX_TOTAL_PRICE = 1_000_000
