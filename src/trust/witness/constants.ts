/** Defaults of the witness's choice of receipts to re-run. */

/** Share of receipts a witness re-executes from established executors (reputation ≥ TRUSTED_SCORE, ≥ ESTABLISHED_TASKS seen). */
export const DEFAULT_CHECK_RATE = 0.1

/** Share re-executed from new or low-reputation executors: they have not earned the lower rate yet. */
export const DEFAULT_NEW_EXECUTOR_CHECK_RATE = 0.5

/** An executor is established after this many observed outcomes… */
export const ESTABLISHED_TASKS = 20

/** …with a score of at least this. */
export const TRUSTED_SCORE = 0.7
