/** Limits and version of the receipt format; docs/receipt-format.md is the normative text. */
import { MAX_ARG_BYTES, MAX_ARGS } from '../core/limits.ts'

/** The only receipt format version defined so far. */
export const RECEIPT_VERSION = 1

/** Upper bound on the UTF-8 byte length of a whole receipt's RFC 8785 canonical form, signature included. */
export const MAX_RECEIPT_BYTES = 16 * 1024

/** Upper bound on the number of entries in `args`. */
export const MAX_RECEIPT_ARGS = MAX_ARGS

/** Upper bound on the UTF-8 byte length of each entry in `args`. */
export const MAX_RECEIPT_ARG_BYTES = MAX_ARG_BYTES

/** `taskId` is 1 to this many characters of [A-Za-z0-9_-]. */
export const MAX_TASK_ID_LENGTH = 64
