import { sha256 } from '@noble/hashes/sha2.js'
import { assertBytes } from './bytes.ts'
import { bytesToHex } from './encoding.ts'
import { nameError } from './errors.ts'

/** SHA-256 (FIPS 180-4) of the bytes, as 64 lowercase hex digits. */
export function sha256Hex (bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes')
  return bytesToHex(sha256(bytes))
}

/**
 * SHA-256 of the bytes through Web Crypto (`crypto.subtle.digest`, in
 * browsers and Node alike), as 64 lowercase hex digits: for large inputs such
 * as a 16 MiB module, which hashed on the page's main thread would freeze
 * the UI for about a second; Web Crypto does the work off it.
 */
export async function sha256HexAsync (bytes: Uint8Array): Promise<string> {
  assertBytes(bytes, 'bytes')
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)))
}

/** True if the string is a SHA-256 digest in the form {@link sha256Hex} produces. */
export function isSha256Hex (value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)
}

/**
 * Thrown when bytes do not hash to the SHA-256 they were named by. Modules are
 * content-addressed: every layer that files or runs them by hash checks this.
 */
export class ModuleHashMismatchError extends Error {
  static { nameError(this, 'ModuleHashMismatchError') }
  constructor (message = 'module bytes do not match their hash') {
    super(message)
  }
}

/** Throws ModuleHashMismatchError unless SHA-256(bytes) is `expected` (lowercase hex). */
export function assertSha256Hex (bytes: Uint8Array, expected: string): void {
  const actual = sha256Hex(bytes)
  if (actual !== expected) throw new ModuleHashMismatchError(`module bytes hash to ${actual}, not ${expected}`)
}
