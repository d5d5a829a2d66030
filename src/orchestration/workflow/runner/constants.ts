/** Defaults and fixed names of the workflow runner. */

/**
 * Most units (steps, or items of a fan-out) the runner has going at once. A
 * fan-out may have up to 1000 items; TaskDispatch queues what an executor
 * cannot take yet, but every unit in flight holds its module, its inputs and
 * an open task conversation in this tab, so a bound keeps a large fan-out
 * from holding them all at once. The rest wait in the scheduler as `ready`.
 */
export const DEFAULT_MAX_IN_FLIGHT = 32

/**
 * The `executor` of a `started` event whose outputs were not run but reused
 * from the memo (an earlier verified receipt of the same memo key); its
 * `succeeded` event names that receipt in `receiptHash`. Not a PeerId, so it
 * cannot be mistaken for one.
 */
export const MEMO_EXECUTOR = 'memo'

/** How an item's output files are named inside the task's directory when a step reads `steps.<step>.items`: `<step>/<index, 4 digits>/<name>`. */
export const ITEM_INDEX_DIGITS = 4

/** Task ids longer than MAX_STEP_TASK_ID_LENGTH are replaced by this prefix and a hash of the long form. */
export const HASHED_TASK_ID_PREFIX = 'wf-'

/**
 * The longest task id a step's attempt is given. The protocol allows 64
 * characters of [A-Za-z0-9_-]; what follows leaves room for the suffixes a
 * task id gets beyond it: a re-dispatch after a result shown wrong (`-r1`,
 * `-r2`, step-attempt.ts) and the submitter's check of it (`-check`,
 * orchestration/dispatch/verification.ts).
 */
export const MAX_STEP_TASK_ID_LENGTH = 64 - '-r0'.length - '-check'.length

/**
 * How many times one attempt of a step is sent again to another executor
 * after the submitter's own check showed its result wrong and no checker's
 * result was at hand (ResultContradictedError). The executor shown wrong is
 * excluded from ranking for good, so each re-dispatch goes elsewhere; the
 * attempt fails after these, like any failure, within the step's `retry`.
 * Two: with one executor in two malicious, three wrong in a row happen one
 * time in eight, and then the step's retries take over.
 */
export const MAX_CONTRADICTED_REDISPATCHES = 2
