/**
 * Witnesses: peers that re-execute a share of the mesh's receipts and sign
 * what they saw (the attestation format is in receipts/attestation): which
 * receipts to re-run (pure), announcements, majorities, and the service that
 * announces, re-runs, attests and settles disputes (fetching modules through network/module-fetch).
 */
export {
  ATTESTATION_TOPIC, DEFAULT_CHECK_RATE, DEFAULT_NEW_EXECUTOR_CHECK_RATE, ESTABLISHED_TASKS, KEPT_TASKS, MAX_QUEUED_CHECKS, RECEIPT_TOPIC, SEEN_KEYS,
  TRUSTED_SCORE
} from './constants.ts'
export { InvalidAnnouncementError, NoMajorityError, TaskMaterialMismatchError } from './errors.ts'
export { DEFAULT_CHECK_RATES, checkRateFor, checkRates, shouldCheck } from './selection.ts'
export type { CheckRates, ExecutorStanding } from './selection.ts'
export {
  ANNOUNCEMENT_VERSION, MAX_ANNOUNCED_INPUT_BYTES, MAX_ANNOUNCEMENT_BYTES, announceable, encodeAnnouncement, parseAnnouncement, readAnnouncement,
  verifyAnnouncement
} from './announcement.ts'
export type { TaskMaterial } from './announcement.ts'
export { majorityOf } from './majority.ts'
export type { MajorityVerdict } from './majority.ts'
export type { AttestationRecord, AttestationStore, TaskInputRecord } from './records.ts'
export { WitnessService } from './witness-service.ts'
export type { DisputeOutcome, WitnessServiceComponents, WitnessServiceInit } from './witness-service.ts'
