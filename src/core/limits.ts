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

/** Most UTF-8 bytes in all args together, so that a receipt carrying them stays under its size limit. */
export const MAX_ARGS_TOTAL_BYTES = 8 * 1024
