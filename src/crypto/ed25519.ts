/**
 * Pure Ed25519 (RFC 8032 §5.1) through @noble/ed25519, and where the
 * platform's WebCrypto has Ed25519, through it on the hot paths
 * (webcrypto-ed25519.ts): the async functions give exactly the answers of
 * the synchronous ones, in a fraction of the time.
 *
 * noble v3 needs a synchronous SHA-512 for its sync API; wiring @noble/hashes
 * in here, once, makes signing behave the same in pages, workers and Node
 * without depending on WebCrypto's Ed25519 support. Everything else in the
 * project signs and verifies through these functions.
 */
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { assertBytes } from '../core/index.ts'
import { webCryptoSign, webCryptoVerify } from './webcrypto-ed25519.ts'

ed.hashes.sha512 = sha512

/** Length in bytes of an Ed25519 secret key (the seed), public key and signature (RFC 8032 §5.1.5, §5.1.6). */
export const ED25519_SEED_LENGTH = 32
export const ED25519_PUBLIC_KEY_LENGTH = 32
export const ED25519_SIGNATURE_LENGTH = 64

/** A fresh 32-byte seed from the platform CSPRNG (crypto.getRandomValues). */
export function randomSeed (): Uint8Array {
  return ed.utils.randomSecretKey()
}

/** The public key A of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey (seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', ED25519_SEED_LENGTH)
  return ed.getPublicKey(seed)
}

/** Signs `message` with the seed's key (RFC 8032 §5.1.6); deterministic, no randomness used. */
export function ed25519Sign (message: Uint8Array, seed: Uint8Array): Uint8Array {
  assertBytes(message, 'message')
  assertBytes(seed, 'seed', ED25519_SEED_LENGTH)
  const signature = ed.sign(message, seed)
  // This peer's own signature comes back to it (a co-signed channel state carries both): known good, not checked again.
  remember(signature, message, publicKeyOf(seed))
  return signature
}

/**
 * The same signature as ed25519Sign (pure Ed25519 is deterministic, RFC 8032
 * §5.1.6), made by WebCrypto where the platform has Ed25519, else by noble.
 */
export async function ed25519SignAsync (message: Uint8Array, seed: Uint8Array): Promise<Uint8Array> {
  assertBytes(message, 'message')
  assertBytes(seed, 'seed', ED25519_SEED_LENGTH)
  const signature = await webCryptoSign(message, seed) ?? ed.sign(message, seed)
  remember(signature, message, publicKeyOf(seed))
  return signature
}

/**
 * Signatures that verified, or that this process made, with the exact message
 * and key: a hot path (a task's receipt, a payment's co-signed state) checks
 * the same signature several times, and a strict verification costs about a
 * millisecond of the main thread. Only a byte-for-byte identical (key,
 * signature, message) is answered from here, so a result can never differ
 * from what verification would say. Bounded; the oldest go first.
 */
const VERIFIED_LIMIT = 512
const verified = new Map<string, Uint8Array>()
const publicKeys = new WeakMap<Uint8Array, Uint8Array>()

function publicKeyOf (seed: Uint8Array): Uint8Array {
  let publicKey = publicKeys.get(seed)
  if (publicKey === undefined) {
    publicKey = ed.getPublicKey(seed)
    publicKeys.set(seed, publicKey)
  }
  return publicKey
}

function keyOf (signature: Uint8Array, publicKey: Uint8Array): string {
  let key = ''
  for (const byte of publicKey) key += String.fromCharCode(byte)
  for (const byte of signature) key += String.fromCharCode(byte)
  return key
}

function sameBytes (x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

function remember (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): void {
  const key = keyOf(signature, publicKey)
  verified.delete(key)
  verified.set(key, message.slice())
  if (verified.size > VERIFIED_LIMIT) verified.delete(verified.keys().next().value as string)
}

/**
 * RFC 8032 §5.1.7 verification. `zip215: false` selects noble's strict
 * branch (canonical encodings of A and R required), which is what OpenSSL and
 * hence node:crypto and browsers' WebCrypto implement, so every verifier of a
 * receipt reaches the same answer. Malformed keys or signatures yield false.
 */
export function ed25519Verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  assertBytes(message, 'message')
  assertBytes(signature, 'signature', ED25519_SIGNATURE_LENGTH)
  assertBytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  const known = verified.get(keyOf(signature, publicKey))
  if (known !== undefined && sameBytes(known, message)) return true
  try {
    const valid = ed.verify(signature, message, publicKey, { zip215: false })
    if (valid) remember(signature, message, publicKey)
    return valid
  } catch {
    // noble throws on public keys that are not curve points; that is simply "not valid".
    return false
  }
}

/** Public keys noble's strict decoding takes (canonical, on the curve, not of small order), by their bytes; bounded. */
const STRICT_KEYS_LIMIT = 512
const strictKeys = new Set<string>()

function isStrictPublicKey (publicKey: Uint8Array): boolean {
  const id = String.fromCharCode(...publicKey)
  if (strictKeys.has(id)) return true
  try {
    if (ed.Point.fromBytes(publicKey, false).isSmallOrder()) return false
  } catch {
    return false
  }
  strictKeys.add(id)
  if (strictKeys.size > STRICT_KEYS_LIMIT) strictKeys.delete(strictKeys.values().next().value as string)
  return true
}

/**
 * ed25519Verify's answer, exactly, from WebCrypto where it can give it.
 * WebCrypto's check (BoringSSL, OpenSSL: S < L, and [S]B − [k]A encoded
 * byte for byte as R) is the cofactorless equation, which implies noble's
 * cofactored one ([8][S]B = [8]R + [8][k]A) with the same k = SHA-512(R ‖ A ‖ M),
 * and its byte comparison admits only a canonical R. So a "valid" from
 * WebCrypto for a public key noble's strict decoding takes is noble's "valid"
 * too; any other case (an invalid signature, an odd key, no WebCrypto) is
 * decided by noble, as before.
 */
export async function ed25519VerifyAsync (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  assertBytes(message, 'message')
  assertBytes(signature, 'signature', ED25519_SIGNATURE_LENGTH)
  assertBytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  const known = verified.get(keyOf(signature, publicKey))
  if (known !== undefined && sameBytes(known, message)) return true
  if (isStrictPublicKey(publicKey) && await webCryptoVerify(signature, message, publicKey) === true) {
    remember(signature, message, publicKey)
    return true
  }
  return ed25519Verify(signature, message, publicKey)
}
