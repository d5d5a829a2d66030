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

/**
 * Interruptions of one unit (an attempt in flight when its runner stopped:
 * the submitter reloaded or closed the tab) that run it again without
 * spending a retry. The attempt did not fail; the submitter went away. Past
 * this many, an interruption counts as a failed attempt, so a run whose tab
 * keeps dying on the same unit still ends.
 */
export const MAX_FREE_INTERRUPTIONS = 3

/**
 * How a step's module ref names a published agent (`agent: name@range` in the
 * spec): its action's `module` is this prefix and the ref, which the runner's
 * ModuleSource resolves through the agent registry.
 */
export const AGENT_MODULE_PREFIX = 'agent:'
