/** Format and defaults of witness attestations and of the witness's choice of receipts. */

/** The attestation's format version. */
export const ATTESTATION_VERSION = 1

/** Upper bound on the UTF-8 length of an attestation's canonical form, signature included. */
export const MAX_ATTESTATION_BYTES = 2048

/** How far ahead of the verifier's clock an attestation's `at` may be. */
export const MAX_ATTESTATION_CLOCK_SKEW_MS = 5 * 60 * 1000

/** Share of receipts a witness re-executes from established executors (reputation ≥ TRUSTED_SCORE, ≥ ESTABLISHED_TASKS seen). */
export const DEFAULT_CHECK_RATE = 0.1

/** Share re-executed from new or low-reputation executors: they have not earned the lower rate yet. */
export const DEFAULT_NEW_EXECUTOR_CHECK_RATE = 0.5

/** An executor is established after this many observed outcomes… */
export const ESTABLISHED_TASKS = 20

/** …with a score of at least this. */
export const TRUSTED_SCORE = 0.7
