/** Defaults of the witness's choice of receipts to re-run. */
import type { RateLimit } from '../../network/rate-limit.ts'

/** Share of receipts a witness re-executes from established executors (reputation ≥ TRUSTED_SCORE, ≥ ESTABLISHED_TASKS seen). */
export const DEFAULT_CHECK_RATE = 0.1

/** Share re-executed from new or low-reputation executors: they have not earned the lower rate yet. */
export const DEFAULT_NEW_EXECUTOR_CHECK_RATE = 0.5

/** An executor is established after this many observed outcomes… */
export const ESTABLISHED_TASKS = 20

/** …with a score of at least this. */
export const TRUSTED_SCORE = 0.7

/** Gossipsub topic of announced receipts with their task input, for witnesses to re-execute. */
export const RECEIPT_TOPIC = '/zerostate/receipts/1.0.0'

/** Gossipsub topic of signed witness attestations. */
export const ATTESTATION_TOPIC = '/zerostate/attestations/1.0.0'

/** Announced tasks whose input is kept (in IndexedDB) for settling a dispute: the newest ones. */
export const KEPT_TASKS = 64

/** Receipts remembered as handled; a repeat older than this many is at worst checked twice. */
export const SEEN_KEYS = 4096

/** Re-runs waiting for the sandbox; announcements beyond this are not checked (a flood costs the flooder, not us). */
export const MAX_QUEUED_CHECKS = 4

/**
 * Announcements taken (and forwarded) from one submitter: one per task it
 * ran with witnesses, and a tab can finish tens of small tasks a second, so
 * a burst of 64 and 20 a second; a flood beyond that is rejected unverified.
 */
export const ANNOUNCEMENT_RATE: RateLimit = { burst: 64, perSecond: 20 }
