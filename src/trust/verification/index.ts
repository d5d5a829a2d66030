/**
 * Verification by the submitter: whether to have a task re-run by a peer it
 * trusts, by the executor's checked record and the task's value (policy.ts),
 * who re-runs it, and the book of checked work that trust is built from
 * (checked-work-book.ts) — unchecked work earns nothing — and the standing
 * executors are ranked and awarded by, from checked work (standing.ts), all
 * pure, the clock and randomness injected; and the service that keeps the book
 * (verification-service.ts).
 * The submitter's side that runs the checks is orchestration/dispatch/verification.ts.
 */
export {
  CHECKED_WORK_BOOK_VERSION, DEFAULT_CHECK_GAIN, DEFAULT_EVIDENCE_HALF_LIFE_MS, DEFAULT_FIRST_CHECKS, DEFAULT_HOLD_UNTIL_CONFIRMED,
  DEFAULT_MIN_CHECK_RATE, DEFAULT_MIN_CHECKER_CONFIRMED, DEFAULT_REFERENCE_VALUE
} from './constants.ts'
export { InvalidCheckedPeerKeyError, InvalidCheckedWorkBookError, InvalidVerificationPolicyError, ResultContradictedError } from './errors.ts'
export {
  DEFAULT_VERIFICATION_POLICY, checkProbability, checkVerificationPolicy, checkedTrust, chooseCheckers, decideVerification, effectiveConfirmations,
  expectedWrongRate
} from './policy.ts'
export type {
  CheckedRecord, CheckerChoice, FullVerificationPolicy, TaskAtStake, VerificationDecision, VerificationPolicy, VerificationReason
} from './policy.ts'
export { UNCHECKED, executorStanding } from './standing.ts'
export type { ExecutorStanding, StandingEvidence } from './standing.ts'
export { CheckedWorkBook } from './checked-work-book.ts'
export type { CheckedWorkBookJSON, CheckedWorkBookOptions } from './checked-work-book.ts'
export { VerificationService } from './verification-service.ts'
export type { VerificationServiceComponents, VerificationServiceInit } from './verification-service.ts'
