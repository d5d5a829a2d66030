/** Limits and version of the receipt format; docs/receipt-format.md is the normative text. */
import {
  MAX_ARG_BYTES, MAX_ARGS, MAX_ARGS_AND_ENV_BYTES, MAX_ENV_ENTRIES, MAX_ENV_NAME_BYTES, MAX_ENV_VALUE_BYTES, TASK_SEED_BYTES
} from '../core/limits.ts'

/**
 * The receipt format version produced and accepted; versions 1 and 2 are
 * neither (docs/receipt-format.md §9: a verifier rejects versions it does not
 * implement rather than guess what a missing `price` meant).
 */
export const RECEIPT_VERSION = 3

/**
 * Upper bound on the UTF-8 byte length of a whole receipt's RFC 8785 canonical
 * form, signature included. Sized for the worst case: args and env at
 * MAX_RECEIPT_ARGS_AND_ENV_BYTES made entirely of control characters, each
 * written as a six-byte `\u00XX` escape (about 51 KiB in all).
 */
export const MAX_RECEIPT_BYTES = 64 * 1024

/** Upper bound on the number of entries in `args`. */
export const MAX_RECEIPT_ARGS = MAX_ARGS

/** Upper bound on the UTF-8 byte length of each entry in `args`. */
export const MAX_RECEIPT_ARG_BYTES = MAX_ARG_BYTES

/** Upper bound on the number of entries in `env`. */
export const MAX_RECEIPT_ENV_ENTRIES = MAX_ENV_ENTRIES

/** Upper bound on the UTF-8 byte length of each name in `env` (and the lower bound is 1). */
export const MAX_RECEIPT_ENV_NAME_BYTES = MAX_ENV_NAME_BYTES

/** Upper bound on the UTF-8 byte length of each value in `env`. */
export const MAX_RECEIPT_ENV_VALUE_BYTES = MAX_ENV_VALUE_BYTES

/** Upper bound on the UTF-8 byte length of every arg, env name and env value together. */
export const MAX_RECEIPT_ARGS_AND_ENV_BYTES = MAX_ARGS_AND_ENV_BYTES

/** `seed` is exactly this many bytes. */
export const RECEIPT_SEED_BYTES = TASK_SEED_BYTES

/** `limits.memoryBytes` is at least one WebAssembly page, 64 KiB (WebAssembly Core Specification, "Memories"). */
export const MIN_RECEIPT_MEMORY_BYTES = 65536

/** `taskId` is 1 to this many characters of [A-Za-z0-9_-]. */
export const MAX_TASK_ID_LENGTH = 64

/**
 * How a run ended. `ok` and `exit` are the module's own `proc_exit` (or return
 * from `_start`) with status 0 and non-zero; the others are ended by the host.
 */
export const RECEIPT_STATUSES = ['ok', 'exit', 'trap', 'timeout', 'out-of-fuel', 'memory-limit', 'invalid-module'] as const

export type ReceiptStatus = typeof RECEIPT_STATUSES[number]
