/** Format and limits of witness attestations. */

/** The attestation's format version. */
export const ATTESTATION_VERSION = 1

/** Upper bound on the UTF-8 length of an attestation's canonical form, signature included. */
export const MAX_ATTESTATION_BYTES = 2048

/** How far ahead of the verifier's clock an attestation's `at` may be. */
export const MAX_ATTESTATION_CLOCK_SKEW_MS = 5 * 60 * 1000
