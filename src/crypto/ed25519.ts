/**
 * Pure Ed25519 (RFC 8032 §5.1) through @noble/ed25519.
 *
 * noble v3 needs a synchronous SHA-512 for its sync API; wiring @noble/hashes
 * in here, once, makes signing behave the same in pages, workers and Node
 * without depending on WebCrypto's Ed25519 support. Everything else in the
 * project signs and verifies through these functions.
 */
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { assertBytes } from '../core/index.ts'

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
  return ed.sign(message, seed)
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
  try {
    return ed.verify(signature, message, publicKey, { zip215: false })
  } catch {
    // noble throws on public keys that are not curve points; that is simply "not valid".
    return false
  }
}
