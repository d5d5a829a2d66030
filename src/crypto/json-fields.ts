/**
 * The field checks that the schemas of signed JSON documents (receipts,
 * docs/receipt-format.md §3; Agent Cards, docs/agent-card.md §3) share. Each
 * check takes an untrusted value and the name of the field it sits in, and
 * either returns the value (normalized where noted) or throws the error its
 * format's `fail` builds, so each format keeps its own error class.
 *
 * @example
 * const { jsonObject, safeInteger } = fieldCheckers((field, message) => new InvalidReceiptError(field, message), 'a version 3 receipt')
 * const limits = jsonObject(value, 'limits')
 */
import { base64UrlToBytes, isSha256Hex, isWellFormedString, utf8ToBytes } from '../core/index.ts'
import { isCanonicalEd25519PeerId } from './identity.ts'

/** Builds the error a check throws: `field` names the offending field, with a path for nested ones. */
export type FieldFailure = (field: string, message: string) => Error

export interface FieldCheckers {
  /** A JSON object (not null, not an array). */
  jsonObject: (value: unknown, field: string) => Record<string, unknown>
  /** Requires every member of `allowed` except those `optional`, and nothing else; `prefix` makes nested field names (`limits.`). */
  exactMembers: (record: Record<string, unknown>, allowed: ReadonlyArray<string>, prefix: string, optional?: ReadonlyArray<string>) => void
  /** A safe integer of at least `min` (and at most `max`, when given); -0 comes back as 0. */
  safeInteger: (value: unknown, field: string, min: number, max?: number) => number
  /**
   * A string that I-JSON can carry (RFC 7493 §2.1), of `min` to `max` bytes
   * in UTF-8; returns that byte length. `range` replaces the message for a
   * length out of range.
   */
  utf8Length: (value: unknown, field: string, min: number, max: number, range?: string) => number
  /** As utf8Length, returning the string. */
  text: (value: unknown, field: string, min: number, max: number) => string
  /** Base64url without padding, and the one spelling of exactly `length` bytes (RFC 4648 §3.5). */
  fixedBase64Url: (value: unknown, field: string, length: number) => string
  /** An Ed25519 PeerId in its canonical base58btc spelling (`12D3KooW…`), as every signed format requires. */
  peerId: (value: unknown, field: string) => string
  /** Lowercase hex SHA-256. */
  hex256: (value: unknown, field: string) => string
}

/** The checks, throwing `fail(field, message)`; a member not in the schema is reported as `is not a field of ${document}`. */
export function fieldCheckers (fail: FieldFailure, document: string): FieldCheckers {
  const utf8Length = (value: unknown, field: string, min: number, max: number, range?: string): number => {
    if (typeof value !== 'string') throw fail(field, 'must be a string')
    if (!isWellFormedString(value)) throw fail(field, 'must not contain a lone surrogate')
    const length = utf8ToBytes(value).length
    if (length < min || length > max) throw fail(field, range ?? `must be ${min} to ${max} bytes of UTF-8`)
    return length
  }

  return {
    jsonObject (value, field) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(field, 'must be a JSON object')
      return value as Record<string, unknown>
    },

    exactMembers (record, allowed, prefix, optional = []) {
      for (const key of Object.keys(record)) {
        if (!allowed.includes(key)) throw fail(prefix + key, `is not a field of ${document}`)
      }
      for (const key of allowed) {
        if (!optional.includes(key) && !Object.hasOwn(record, key)) throw fail(prefix + key, 'is missing')
      }
    },

    safeInteger (value, field, min, max) {
      // RFC 7493 §2.2: only integers in ±(2^53 − 1) survive every JSON parser intact.
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw fail(field, 'must be an integer within ±(2^53 − 1)')
      if (max === undefined) {
        if (value < min) throw fail(field, `must be at least ${min}`)
      } else if (value < min || value > max) {
        throw fail(field, `must be from ${min} to ${max}`)
      }
      // -0 would canonicalize as 0 but compare differently elsewhere; normalize it.
      return value === 0 ? 0 : value
    },

    utf8Length,

    text (value, field, min, max) {
      utf8Length(value, field, min, max)
      return value as string
    },

    fixedBase64Url (value, field, length) {
      let bytes: Uint8Array | undefined
      try {
        if (typeof value === 'string') bytes = base64UrlToBytes(value)
      } catch {
        // reported below together with the other malformed cases
      }
      if (typeof value !== 'string' || bytes?.length !== length) throw fail(field, `must be ${length} bytes in unpadded base64url`)
      return value
    },

    peerId (value, field) {
      if (!isCanonicalEd25519PeerId(value)) throw fail(field, 'must be an Ed25519 PeerId in base58btc form (12D3KooW…)')
      return value
    },

    hex256 (value, field) {
      if (!isSha256Hex(value)) throw fail(field, 'must be 64 lowercase hex digits')
      return value
    }
  }
}
