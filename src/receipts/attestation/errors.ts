/** The ways an attestation can fail to be read or verified; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not a well-formed attestation; `field` names the first offending field. */
export class InvalidAttestationError extends Error {
  static { nameError(this, 'InvalidAttestationError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`attestation field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when an attestation's canonical form is longer than MAX_ATTESTATION_BYTES. */
export class AttestationTooLargeError extends Error {
  static { nameError(this, 'AttestationTooLargeError') }
}

/** Thrown when an attestation's `publicKey` is not its witness's key, or it came from another peer than its witness. */
export class AttestationKeyMismatchError extends Error {
  static { nameError(this, 'AttestationKeyMismatchError') }
}

/** Thrown when an attestation's signature does not verify. */
export class AttestationSignatureError extends Error {
  static { nameError(this, 'AttestationSignatureError') }
}

/** Thrown when an attestation is dated further ahead of the verifier's clock than MAX_ATTESTATION_CLOCK_SKEW_MS. */
export class AttestationNotYetValidError extends Error {
  static { nameError(this, 'AttestationNotYetValidError') }
}
