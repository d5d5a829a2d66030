/**
 * A peer's identity: one Ed25519 key, seen two ways. Receipts are signed
 * with it (ed25519.ts: by WebCrypto where the platform has Ed25519, else by
 * noble); libp2p uses the same key for its PeerId and Noise handshakes, so
 * the PeerId a connection authenticates is the key that signs that peer's
 * receipts.
 */
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PeerId, Ed25519PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { assertBytes } from '../core/index.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SEED_LENGTH, ed25519PublicKey, ed25519SignAsync, randomSeed } from './ed25519.ts'

/** Where a peer's secret seed is kept across reloads (storage's PeerStore is one). */
export interface IdentitySeedStore {
  /** The 32-byte Ed25519 secret seed of this peer, if one was saved. */
  loadIdentitySeed(): Promise<Uint8Array | undefined>
  saveIdentitySeed(seed: Uint8Array): Promise<void>
}

export interface PeerIdentity {
  /** The 32-byte Ed25519 secret key (RFC 8032 §5.1.5). Keep it in the PeerStore and nowhere else. */
  readonly seed: Uint8Array
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array
  /** The same key for libp2p's `privateKey` init option. */
  readonly privateKey: Ed25519PrivateKey
  readonly peerId: Ed25519PeerId
  /** Pure Ed25519 signature (RFC 8032 §5.1.6) over `message`. */
  sign(message: Uint8Array): Promise<Uint8Array>
}

/** Builds the identity for `seed`, or for a fresh random seed when none is given. */
export async function createIdentity (seed: Uint8Array = randomSeed()): Promise<PeerIdentity> {
  assertBytes(seed, 'seed', ED25519_SEED_LENGTH)
  const ownSeed = seed.slice()
  const publicKey = ed25519PublicKey(ownSeed)
  // libp2p's raw Ed25519 private key is the 64-byte seed ‖ public key form (as in NaCl/libsodium).
  const raw = new Uint8Array(ED25519_SEED_LENGTH + ED25519_PUBLIC_KEY_LENGTH)
  raw.set(ownSeed, 0)
  raw.set(publicKey, ED25519_SEED_LENGTH)
  const privateKey = privateKeyFromRaw(raw)
  if (privateKey.type !== 'Ed25519') throw new Error(`libp2p built a ${privateKey.type} key from an Ed25519 seed`)
  return {
    seed: ownSeed,
    publicKey,
    privateKey,
    peerId: peerIdFromPrivateKey(privateKey),
    async sign (message: Uint8Array): Promise<Uint8Array> {
      return ed25519SignAsync(message, ownSeed)
    }
  }
}

/** The identity saved in `store`; on first use, a new one is created and saved. */
export async function loadOrCreateIdentity (store: IdentitySeedStore): Promise<PeerIdentity> {
  const saved = await store.loadIdentitySeed()
  if (saved !== undefined) return createIdentity(saved)
  const identity = await createIdentity()
  await store.saveIdentitySeed(identity.seed)
  return identity
}

/** The canonical (base58btc, `12D3KooW…`) PeerId string of a raw Ed25519 public key. */
export function peerIdOfPublicKey (publicKey: Uint8Array): string {
  assertBytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey)).toString()
}

/**
 * True if `peerId` is the canonical PeerId string of `publicKey`. An Ed25519
 * PeerId embeds its public key (identity multihash, libp2p peer-ids spec), so
 * this is a byte comparison, not a lookup. Other spellings of the same PeerId
 * (CIDv1) do not match: signed formats use only the canonical one.
 */
export function publicKeyMatchesPeerId (publicKey: Uint8Array, peerId: string): boolean {
  assertBytes(publicKey, 'publicKey')
  if (typeof peerId !== 'string') throw new TypeError('peerId must be a string')
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false
  return peerIdOfPublicKey(publicKey) === peerId
}

// The only spelling of an Ed25519 PeerId that signed formats accept. The regex also bounds
// the length before any decoding is attempted.
const BASE58BTC_PEER_ID = /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/

/**
 * True if `value` is an identity-multihash Ed25519 PeerId in base58btc
 * (libp2p peer-ids spec) spelled canonically: it decodes as one and
 * re-encodes to itself.
 */
export function isCanonicalEd25519PeerId (value: unknown): value is string {
  if (typeof value !== 'string' || !BASE58BTC_PEER_ID.test(value)) return false
  try {
    const parsed = peerIdFromString(value)
    return parsed.type === 'Ed25519' && parsed.toString() === value
  } catch {
    return false
  }
}
