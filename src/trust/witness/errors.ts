/** The ways an attestation can fail to be read or verified; callers tell them apart by `name`. */

/** Thrown when a value is not a well-formed attestation; `field` names the first offending field. */
export class InvalidAttestationError extends Error {
  override name = 'InvalidAttestationError'
  readonly field: string

  constructor (field: string, message: string) {
    super(`attestation field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when an attestation's canonical form is longer than MAX_ATTESTATION_BYTES. */
export class AttestationTooLargeError extends Error {
  override name = 'AttestationTooLargeError'
}

/** Thrown when an attestation's `publicKey` is not its witness's key, or it came from another peer than its witness. */
export class AttestationKeyMismatchError extends Error {
  override name = 'AttestationKeyMismatchError'
}

/** Thrown when an attestation's signature does not verify. */
export class AttestationSignatureError extends Error {
  override name = 'AttestationSignatureError'
}

/** Thrown when an attestation is dated further ahead of the verifier's clock than MAX_ATTESTATION_CLOCK_SKEW_MS. */
export class AttestationNotYetValidError extends Error {
  override name = 'AttestationNotYetValidError'
}

/** Thrown when a witness is asked to attest a receipt whose task material does not hash to what the receipt states. */
export class TaskMaterialMismatchError extends Error {
  override name = 'TaskMaterialMismatchError'
}

/** Thrown when a value is not a well-formed receipt announcement; `field` names the first offending field. */
export class InvalidAnnouncementError extends Error {
  override name = 'InvalidAnnouncementError'
  readonly field: string

  constructor (field: string, message: string) {
    super(`announcement field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when the executors of a redundant task returned no result a strict majority of them agrees on. */
export class NoMajorityError extends Error {
  override name = 'NoMajorityError'
}
