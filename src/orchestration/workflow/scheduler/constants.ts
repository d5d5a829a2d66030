/** Defaults of the workflow scheduler. */

/**
 * Retry backoff of a step whose `retry` gives no `backoff` (or leaves a field
 * out): initialMs · factor^(failures − 1), at most maxMs. The same shape as a
 * job slice's backoff (jobs/constants.ts), for the same reason: a failure
 * often means a busy or churning mesh, which an instant retry would meet again.
 */
export const DEFAULT_RETRY_INITIAL_MS = 1000
export const DEFAULT_RETRY_FACTOR = 2
export const DEFAULT_RETRY_MAX_MS = 60_000

/** Prefix of a memo key, versioned so a change to what goes into it never matches an old key. */
export const MEMO_KEY_PREFIX = 'memo1:'
