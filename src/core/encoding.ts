/**
 * Byte ↔ text encodings used by wire formats and storage: lowercase hex,
 * base64url without padding (RFC 4648 §5, §3.2) and UTF-8.
 *
 * Decoders are strict: they accept exactly one spelling for each byte string,
 * so a value that round-trips through decode → encode is unchanged. That
 * matters for signed formats, where two spellings of one key or signature
 * would let a receipt be altered without touching its signature.
 */

import { assertBytes } from './bytes.ts'
import { nameError } from './errors.ts'

/** Thrown when a string given to {@link hexToBytes} is not an even-length run of hex digits. */
export class InvalidHexError extends Error {
  static { nameError(this, 'InvalidHexError') }
}

/**
 * Thrown when a string given to {@link base64UrlToBytes} is not canonical
 * unpadded base64url: characters outside the URL-safe alphabet, padding, an
 * impossible length, or non-zero unused bits in the last character.
 */
export class InvalidBase64UrlError extends Error {
  static { nameError(this, 'InvalidBase64UrlError') }
}

/** Thrown when bytes are not well-formed UTF-8, or a string holds a lone surrogate and so has no UTF-8 form. */
export class InvalidUtf8Error extends Error {
  static { nameError(this, 'InvalidUtf8Error') }
}

function assertString (value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`)
}

const HEX_DIGITS = '0123456789abcdef'

/** Lowercase hex, two digits per byte. */
export function bytesToHex (bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  let out = ''
  for (const b of bytes) out += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!
  return out
}

/** Decodes hex in either case; rejects odd lengths and any non-hex character. */
export function hexToBytes (hex: string): Uint8Array<ArrayBuffer> {
  assertString(hex, 'hex')
  if (hex.length % 2 !== 0) throw new InvalidHexError(`hex string has odd length ${hex.length}`)
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new InvalidHexError('hex string contains a non-hex character')
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

// RFC 4648 §5, Table 2: the "URL and Filename safe" alphabet.
const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B64URL_VALUES = new Map([...B64URL_ALPHABET].map((c, i) => [c, i]))

/** base64url without padding (RFC 4648 §5; padding omitted as §3.2 allows). */
export function bytesToBase64Url (bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!
    const b1 = bytes[i + 1]
    const b2 = bytes[i + 2]
    out += B64URL_ALPHABET[b0 >> 2]!
    out += B64URL_ALPHABET[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)]!
    if (b1 !== undefined) out += B64URL_ALPHABET[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)]!
    if (b2 !== undefined) out += B64URL_ALPHABET[b2 & 63]!
  }
  return out
}

/**
 * Decodes unpadded base64url. Rejects '=' padding, the '+' and '/' of plain
 * base64, whitespace, a length of 1 mod 4, and non-zero unused trailing bits
 * (RFC 4648 §3.5: a decoder MAY reject them; we do so that each byte string
 * has exactly one encoding).
 */
export function base64UrlToBytes (text: string): Uint8Array<ArrayBuffer> {
  assertString(text, 'text')
  if (text.length % 4 === 1) throw new InvalidBase64UrlError(`base64url string has impossible length ${text.length}`)
  const out = new Uint8Array(Math.floor(text.length * 3 / 4))
  let acc = 0
  let bits = 0
  let j = 0
  for (const c of text) {
    const v = B64URL_VALUES.get(c)
    if (v === undefined) throw new InvalidBase64UrlError(`base64url string contains ${JSON.stringify(c)}`)
    acc = ((acc << 6) | v) & 0xfff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[j++] = (acc >> bits) & 0xff
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new InvalidBase64UrlError('base64url string has non-zero trailing bits')
  return out
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// With the u flag a surrogate pair is one code point, so this only matches unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

/** True if the string has no unpaired UTF-16 surrogate, i.e. it has a UTF-8 form (RFC 3629 §3). */
export function isWellFormedString (text: string): boolean {
  return !LONE_SURROGATE.test(text)
}

/** UTF-8 bytes of a string. Rejects lone surrogates instead of silently writing U+FFFD. */
export function utf8ToBytes (text: string): Uint8Array<ArrayBuffer> {
  assertString(text, 'text')
  if (!isWellFormedString(text)) throw new InvalidUtf8Error('string contains a lone surrogate')
  return encoder.encode(text)
}

/** Decodes UTF-8, rejecting malformed sequences; a leading BOM is kept as U+FEFF, not dropped. */
export function bytesToUtf8 (bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  try {
    return decoder.decode(bytes)
  } catch {
    throw new InvalidUtf8Error('bytes are not well-formed UTF-8')
  }
}
