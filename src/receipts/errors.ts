/** The ways a receipt can fail to be signed, parsed or verified; callers tell them apart by `name`. */
import type { ReceiptExpectations } from './types.ts'
import { nameError } from '../core/errors.ts'

/**
 * Thrown when a value is not a well-formed version 3 receipt; `field` names
 * the first offending field, with a path for nested ones (`limits.fuel`,
 * `price.charge`, `args[2]`, `env[0][1]`).
 */
export class InvalidReceiptError extends Error {
  static { nameError(this, 'InvalidReceiptError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`receipt field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a receipt's canonical form is longer than MAX_RECEIPT_BYTES. */
export class ReceiptTooLargeError extends Error {
  static { nameError(this, 'ReceiptTooLargeError') }
}

/** Thrown when a receipt's signature does not verify under its `publicKey`. */
export class ReceiptSignatureError extends Error {
  static { nameError(this, 'ReceiptSignatureError') }
}

/**
 * Thrown when a receipt's `publicKey` is not the key embedded in its
 * `executor` PeerId, or when asked to sign a receipt naming a key or executor
 * other than the signing identity.
 */
export class ReceiptKeyMismatchError extends Error {
  static { nameError(this, 'ReceiptKeyMismatchError') }
}

/** Thrown when an authentic receipt states something other than what the verifier expected; `field` names it. */
export class ReceiptMismatchError extends Error {
  static { nameError(this, 'ReceiptMismatchError') }
  readonly field: keyof ReceiptExpectations

  constructor (field: keyof ReceiptExpectations, expected: unknown, actual: unknown) {
    super(`receipt ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
    this.field = field
  }
}
