/**
 * Witnesses: peers that re-execute a share of the mesh's receipts and sign
 * what they saw. Pure: the re-run itself and the gossip live with the app.
 */
export {
  ATTESTATION_VERSION, DEFAULT_CHECK_RATE, DEFAULT_NEW_EXECUTOR_CHECK_RATE, ESTABLISHED_TASKS, MAX_ATTESTATION_BYTES,
  MAX_ATTESTATION_CLOCK_SKEW_MS, TRUSTED_SCORE
} from './constants.ts'
export {
  AttestationKeyMismatchError, AttestationNotYetValidError, AttestationSignatureError, AttestationTooLargeError,
  InvalidAnnouncementError, InvalidAttestationError, NoMajorityError, TaskMaterialMismatchError
} from './errors.ts'
export {
  OBSERVED_FIELDS, aboutReceipt, claimedRun, differences, observedRun, parseAttestation, signAttestation, verdictOf, verifyAttestation
} from './attestation.ts'
export type { Attestation, AttestationFields, ObservedRun, RunOutput, UnsignedAttestation, Verdict, VerifyAttestationOptions } from './attestation.ts'
export { DEFAULT_CHECK_RATES, checkRateFor, checkRates, shouldCheck } from './selection.ts'
export type { CheckRates, ExecutorStanding } from './selection.ts'
export {
  ANNOUNCEMENT_VERSION, MAX_ANNOUNCED_INPUT_BYTES, MAX_ANNOUNCEMENT_BYTES, announceable, encodeAnnouncement, parseAnnouncement, readAnnouncement,
  verifyAnnouncement
} from './announcement.ts'
export type { TaskMaterial } from './announcement.ts'
export { majorityOf } from './majority.ts'
export type { MajorityVerdict } from './majority.ts'
