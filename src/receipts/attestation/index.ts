/**
 * Witness attestations (format version 1): a witness's signed word that its
 * re-run of a receipt's task did or did not reproduce the receipt. Beside
 * receipts because both trust (the witness that signs them) and economy (the
 * refund they are evidence for) read them.
 */
export { ATTESTATION_VERSION, MAX_ATTESTATION_BYTES, MAX_ATTESTATION_CLOCK_SKEW_MS } from './constants.ts'
export {
  AttestationKeyMismatchError, AttestationNotYetValidError, AttestationSignatureError, AttestationTooLargeError, InvalidAttestationError
} from './errors.ts'
export {
  OBSERVED_FIELDS, aboutReceipt, claimedRun, differences, observedRun, parseAttestation, signAttestation, verdictOf, verifyAttestation
} from './attestation.ts'
export type { Attestation, AttestationFields, ObservedRun, RunOutput, UnsignedAttestation, Verdict, VerifyAttestationOptions } from './attestation.ts'
