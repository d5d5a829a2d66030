/**
 * Witnesses: peers that re-execute a share of the mesh's receipts and sign
 * what they saw (the attestation format is in receipts/attestation). Pure: the
 * re-run itself and the gossip live with the app.
 */
export { DEFAULT_CHECK_RATE, DEFAULT_NEW_EXECUTOR_CHECK_RATE, ESTABLISHED_TASKS, TRUSTED_SCORE } from './constants.ts'
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
