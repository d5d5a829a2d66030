/**
 * Signing and verifying channel states. Each party signs the same bytes
 * (stateSigningBytes): pure Ed25519 (RFC 8032 §5.1.6) over the RFC 8785
 * canonical state, with the raw public key beside it. A verifier requires the
 * key to be the one inside the party's PeerId (libp2p peer-ids spec, identity
 * multihash) before checking the signature, as for receipts
 * (src/crypto/signed-json.ts).
 */
import { base64UrlToBytes, bytesToBase64Url } from '../../core/index.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519VerifyAsync, peerSignatureFault, signCanonicalBytes } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { ForgedSignatureError, MissingSignatureError, NotChannelPartyError, SignerKeyMismatchError } from './errors.ts'
import { checkState, copyState, stateSigningBytes } from './state.ts'
import type { ChannelState } from './state.ts'

/** One party's signature: its raw Ed25519 public key and the signature, both unpadded base64url. */
export interface PartySignature {
  publicKey: string
  signature: string
}

/** A state with the signatures gathered so far; fully signed when both are present and valid. */
export interface SignedChannelState {
  state: ChannelState
  signatures: { a?: PartySignature, b?: PartySignature }
}

type Side = 'a' | 'b'

const BASE64URL = /^[A-Za-z0-9_-]*$/
// Unpadded base64url lengths of 32 and 64 bytes.
const PUBLIC_KEY_CHARS = Math.ceil(ED25519_PUBLIC_KEY_LENGTH * 4 / 3)
const SIGNATURE_CHARS = Math.ceil(ED25519_SIGNATURE_LENGTH * 4 / 3)

/** True for a string of exactly `chars` unpadded base64url characters. */
function isBase64UrlOf (value: unknown, chars: number): value is string {
  return typeof value === 'string' && value.length === chars && BASE64URL.test(value)
}

function sideOf (state: ChannelState, identity: PeerIdentity): Side {
  const peerId = identity.peerId.toString()
  if (peerId === state.a) return 'a'
  if (peerId === state.b) return 'b'
  throw new NotChannelPartyError(`${peerId} is not a party of channel ${state.channelId}`)
}

/** `identity`'s signature of `state`, as the party it is; the state's invariants are checked first. */
export async function signState (state: ChannelState, identity: PeerIdentity): Promise<SignedChannelState> {
  checkState(state)
  const side = sideOf(state, identity)
  const own = copyState(state)
  const signature = await signCanonicalBytes(stateSigningBytes(own), identity)
  return { state: own, signatures: { [side]: { publicKey: bytesToBase64Url(identity.publicKey), signature } } }
}

/**
 * Adds `identity`'s signature to a state the other party signed. The existing
 * signature is verified first: a peer never cosigns a forgery.
 */
export async function cosign (signed: SignedChannelState, identity: PeerIdentity): Promise<SignedChannelState> {
  checkState(signed.state)
  const side = sideOf(signed.state, identity)
  const other: Side = side === 'a' ? 'b' : 'a'
  await verifyStateAhead(signed)
  verifySide(signed, other)
  const own = await signState(signed.state, identity)
  return { state: own.state, signatures: { ...signed.signatures, [side]: own.signatures[side] } }
}

function verifySide (signed: SignedChannelState, side: Side): void {
  const { state } = signed
  const peerId = state[side]
  const claim = signed.signatures?.[side]
  if (claim === undefined) throw new MissingSignatureError(`state ${state.sequence} of channel ${state.channelId} lacks the signature of ${side} (${peerId})`)
  if (!isBase64UrlOf(claim.publicKey, PUBLIC_KEY_CHARS)) {
    throw new SignerKeyMismatchError(`signature of ${side} on channel ${state.channelId} carries a malformed public key`)
  }
  if (!isBase64UrlOf(claim.signature, SIGNATURE_CHARS)) {
    throw new ForgedSignatureError(`signature of ${side} on state ${state.sequence} of channel ${state.channelId} is malformed`)
  }
  switch (peerSignatureFault(stateSigningBytes(state), { publicKey: claim.publicKey, peerId, signature: claim.signature })) {
    case 'key-not-peer': throw new SignerKeyMismatchError(`signature of ${side} on channel ${state.channelId} uses a key that is not ${peerId}'s`)
    case 'bad-signature': throw new ForgedSignatureError(`signature of ${side} (${peerId}) does not verify over state ${state.sequence} of channel ${state.channelId}`)
  }
}

/**
 * Checks the signatures `signed` carries with ed25519VerifyAsync (WebCrypto
 * where the platform has Ed25519), so that the verifyState or cosign that
 * follows finds the valid ones already checked (crypto/ed25519.ts remembers
 * them) instead of spending milliseconds of the main thread on each. Decides
 * nothing: anything malformed or invalid is left for the check that follows
 * to name.
 */
export async function verifyStateAhead (signed: SignedChannelState): Promise<void> {
  let bytes: Uint8Array
  try {
    bytes = stateSigningBytes(signed.state)
  } catch {
    return
  }
  for (const claim of [signed.signatures?.a, signed.signatures?.b]) {
    if (claim === undefined || !isBase64UrlOf(claim.publicKey, PUBLIC_KEY_CHARS) || !isBase64UrlOf(claim.signature, SIGNATURE_CHARS)) continue
    await ed25519VerifyAsync(base64UrlToBytes(claim.signature), bytes, base64UrlToBytes(claim.publicKey)).catch(() => false)
  }
}

/**
 * Checks the state's invariants, then that both a and b signed exactly this
 * state with the keys inside their PeerIds. Throws the first failure.
 */
export function verifyState (signed: SignedChannelState): void {
  if (typeof signed !== 'object' || signed === null) throw new MissingSignatureError('no signed state given')
  checkState(signed.state)
  verifySide(signed, 'a')
  verifySide(signed, 'b')
}

/**
 * A copy of an untrusted value holding exactly a signed state's fields: the
 * state's (checked, extra members dropped) and, per side, only `publicKey`
 * and `signature` strings. Signatures are not verified here: cosign and
 * verifyState do that.
 */
export function readSignedState (value: unknown): SignedChannelState {
  if (typeof value !== 'object' || value === null) throw new MissingSignatureError('no signed state given')
  const { state, signatures } = value as Partial<SignedChannelState>
  checkState(state as ChannelState)
  const out: SignedChannelState = { state: copyState(state as ChannelState), signatures: {} }
  if (typeof signatures !== 'object' || signatures === null) throw new MissingSignatureError('the state carries no signatures')
  for (const side of ['a', 'b'] as const) {
    const claim = signatures[side]
    if (claim === undefined) continue
    if (typeof claim?.publicKey !== 'string' || typeof claim.signature !== 'string') {
      throw new ForgedSignatureError(`signature of ${side} on channel ${out.state.channelId} is malformed`)
    }
    out.signatures[side] = { publicKey: claim.publicKey, signature: claim.signature }
  }
  return out
}
