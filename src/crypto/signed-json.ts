/**
 * Signed JSON bound to a PeerId: the one recipe that every signed format
 * shares — receipts (docs/receipt-format.md), Agent Cards
 * (docs/agent-card.md), attestations, reports, bids — through the wrapper in
 * signed-document.ts, and that channel states and settlements use directly.
 *
 * The signed bytes are the UTF-8 (RFC 8785 §3.2.4) of the RFC 8785 canonical
 * JSON of a fixed list of fields — every field of the document except its
 * `signature`. The signature is pure Ed25519 (RFC 8032 §5.1.6), base64url
 * without padding. The document names its signer twice: by `publicKey` (raw
 * 32-byte key, base64url) and by PeerId; a verifier requires the key to be
 * the one embedded in the PeerId (libp2p peer-ids spec, identity multihash)
 * before it checks the signature, so a valid signature always speaks for that
 * PeerId.
 *
 * Callers throw their own typed errors: these functions report which check
 * failed rather than throwing, so each format keeps its error names.
 *
 * @example
 * const bytes = canonicalSigningBytes(unsigned, UNSIGNED_FIELDS)
 * const signature = await signCanonicalBytes(bytes, identity)
 * peerSignatureFault(bytes, { publicKey, peerId, signature }) // undefined when valid
 */
import { base64UrlToBytes, bytesToBase64Url, canonicalize, utf8ToBytes } from '../core/index.ts'
import { ed25519Verify, ed25519VerifyAsync } from './ed25519.ts'
import { publicKeyMatchesPeerId } from './identity.ts'
import type { PeerIdentity } from './identity.ts'

/** Who a signed document says signed it, and the signature. Keys and signatures are unpadded base64url. */
export interface PeerSignatureClaim {
  publicKey: string
  peerId: string
  signature: string
}

/** Why a signed document fails: its key is not its PeerId's, or the signature does not verify. */
export type PeerSignatureFault = 'key-not-peer' | 'bad-signature'

/** The bytes that are signed: UTF-8 of the canonical JSON of exactly `fields` of `value`, nothing else. */
export function canonicalSigningBytes<T extends object> (value: T, fields: ReadonlyArray<keyof T & string>): Uint8Array {
  const unsigned: Record<string, unknown> = {}
  // An optional field the document does not carry is not signed: absent, not null.
  for (const field of fields) if (Object.hasOwn(value, field)) unsigned[field] = value[field]
  return utf8ToBytes(canonicalize(unsigned))
}

/**
 * UTF-8 length of the canonical form of `value`, or undefined for a value
 * that is not JSON (the schema check names what is wrong). Checked against a
 * format's size limit before its schema, so the schema's work is bounded.
 */
export function canonicalSize (value: unknown): number | undefined {
  try {
    return utf8ToBytes(canonicalize(value)).length
  } catch {
    return undefined
  }
}

/**
 * Which of the document's signer fields names someone other than `identity`:
 * `'publicKey'`, `'peerId'`, or undefined when both are the identity's.
 * Checked before signing, so a peer never signs a document that claims another signer.
 */
export function signerMismatch (identity: PeerIdentity, signer: { publicKey: string, peerId: string }): 'publicKey' | 'peerId' | undefined {
  if (signer.publicKey !== bytesToBase64Url(identity.publicKey)) return 'publicKey'
  if (signer.peerId !== identity.peerId.toString()) return 'peerId'
  return undefined
}

/** The base64url Ed25519 signature of `bytes` by `identity`. */
export async function signCanonicalBytes (bytes: Uint8Array, identity: PeerIdentity): Promise<string> {
  return bytesToBase64Url(await identity.sign(bytes))
}

/**
 * Checks, in this order, that `claim.publicKey` is the key inside
 * `claim.peerId` and that `claim.signature` verifies over `bytes`; returns
 * the first failure, or undefined when both hold. `publicKey` and `signature`
 * must already be well-formed base64url of the right lengths (each format's
 * schema checks that).
 */
export function peerSignatureFault (bytes: Uint8Array, claim: PeerSignatureClaim): PeerSignatureFault | undefined {
  const publicKey = base64UrlToBytes(claim.publicKey)
  if (!publicKeyMatchesPeerId(publicKey, claim.peerId)) return 'key-not-peer'
  if (!ed25519Verify(base64UrlToBytes(claim.signature), bytes, publicKey)) return 'bad-signature'
  return undefined
}

/** peerSignatureFault's answer, with the signature checked by ed25519VerifyAsync (WebCrypto where the platform has Ed25519). */
export async function peerSignatureFaultAsync (bytes: Uint8Array, claim: PeerSignatureClaim): Promise<PeerSignatureFault | undefined> {
  const publicKey = base64UrlToBytes(claim.publicKey)
  if (!publicKeyMatchesPeerId(publicKey, claim.peerId)) return 'key-not-peer'
  if (!await ed25519VerifyAsync(base64UrlToBytes(claim.signature), bytes, publicKey)) return 'bad-signature'
  return undefined
}
