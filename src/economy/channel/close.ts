/**
 * Closing a channel. Cooperatively: both parties co-sign a state marked
 * `final`, and it settles at once. Unilaterally: one party posts its latest
 * co-signed state, which starts a challenge period; during it the other party
 * may post any co-signed state with a higher sequence, which replaces it (the
 * dispute rule of Sprites / state channels, Miller et al. 2019, and the
 * Lightning breach window, Poon & Dryja 2016). After the period the newest
 * posted state settles. Time is always the `now` the caller passes in.
 */
import { bytesToBase64Url, canonicalize, utf8ToBytes } from '../../core/index.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, peerSignatureFault, signCanonicalBytes } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { MAX_CHALLENGE_PERIOD_MS, SETTLEMENT_KIND } from './constants.ts'
import {
  ChallengePeriodOpenError, ChallengePeriodOverError, ChannelFinalityError, ChannelMismatchError, ForgedSignatureError,
  InvalidAmountError, NotChannelPartyError, ReplayedStateError, SignerKeyMismatchError, StaleStateError
} from './errors.ts'
import { verifyState } from './signatures.ts'
import type { SignedChannelState } from './signatures.ts'
import { assertSameChannel } from './transition.ts'

/** A unilateral close in progress: the newest co-signed state posted so far and when the period ends. */
export interface ClosingChannel {
  channelId: string
  state: SignedChannelState
  /** PeerId of the party that started the close. */
  closer: string
  startedAt: number
  /** Challenges are accepted while now < challengeEndsAt; settle only when now ≥ challengeEndsAt. */
  challengeEndsAt: number
}

/** The signed outcome of a channel: the co-signed state that splits the deposits. */
export interface Settlement {
  channelId: string
  finalState: SignedChannelState
  mode: 'cooperative' | 'unilateral'
  settledAt: number
  /** PeerId of the party that signs this record. */
  by: string
  /** `by`'s raw Ed25519 public key, unpadded base64url. */
  publicKey: string
  signature: string
}

function checkTime (name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidAmountError(`${name} must be a non-negative safe integer, got ${String(value)}`)
}

function settlementBytes (record: Omit<Settlement, 'signature'>): Uint8Array {
  // Signed as RFC 8785 canonical JSON with a kind tag, so it cannot pass for a channel-state signature.
  return utf8ToBytes(canonicalize({
    kind: SETTLEMENT_KIND,
    channelId: record.channelId,
    finalState: record.finalState,
    mode: record.mode,
    settledAt: record.settledAt,
    by: record.by,
    publicKey: record.publicKey
  }))
}

async function signSettlement (finalState: SignedChannelState, mode: Settlement['mode'], settledAt: number, by: PeerIdentity): Promise<Settlement> {
  const peerId = by.peerId.toString()
  const { state } = finalState
  if (peerId !== state.a && peerId !== state.b) throw new NotChannelPartyError(`${peerId} is not a party of channel ${state.channelId}`)
  const unsigned = { channelId: state.channelId, finalState, mode, settledAt, by: peerId, publicKey: bytesToBase64Url(by.publicKey) }
  return { ...unsigned, signature: await signCanonicalBytes(settlementBytes(unsigned), by) }
}

/** Settles at once on a co-signed state marked final; the record is signed by `by` (a or b) at `now`. */
export async function cooperativeClose (finalState: SignedChannelState, now: number, by: PeerIdentity): Promise<Settlement> {
  verifyState(finalState)
  checkTime('now', now)
  if (!finalState.state.final) {
    throw new ChannelFinalityError(`state ${finalState.state.sequence} of channel ${finalState.state.channelId} is not marked final; close unilaterally instead`)
  }
  return signSettlement(finalState, 'cooperative', now, by)
}

/** Starts a unilateral close by `closer` on its latest co-signed state; challenges are open for `challengePeriodMs`. */
export function unilateralClose (latest: SignedChannelState, closer: string, now: number, challengePeriodMs: number): ClosingChannel {
  verifyState(latest)
  checkTime('now', now)
  if (!Number.isSafeInteger(challengePeriodMs) || challengePeriodMs <= 0 || challengePeriodMs > MAX_CHALLENGE_PERIOD_MS) {
    throw new InvalidAmountError(`challengePeriodMs must be an integer in 1..${MAX_CHALLENGE_PERIOD_MS}, got ${String(challengePeriodMs)}`)
  }
  const { state } = latest
  if (closer !== state.a && closer !== state.b) throw new NotChannelPartyError(`${closer} is not a party of channel ${state.channelId}`)
  return { channelId: state.channelId, state: latest, closer, startedAt: now, challengeEndsAt: now + challengePeriodMs }
}

/**
 * Replaces the posted state with `later` if the period is still open and
 * `later` is a co-signed state of the same channel with a strictly higher
 * sequence (any gap allowed: the challenger shows its newest). The deadline
 * does not move, so challenges cannot keep a channel open forever.
 */
export function challenge (closing: ClosingChannel, later: SignedChannelState, now: number): ClosingChannel {
  checkTime('now', now)
  if (now >= closing.challengeEndsAt) {
    throw new ChallengePeriodOverError(`challenge of channel ${closing.channelId} at ${now}; the period ended at ${closing.challengeEndsAt}`)
  }
  verifyState(later)
  if (later.state.channelId !== closing.channelId) throw new ChannelMismatchError(`state of channel ${later.state.channelId} offered against ${closing.channelId}`)
  assertSameChannel(closing.state.state, later.state)
  const posted = closing.state.state.sequence
  if (later.state.sequence === posted) throw new ReplayedStateError(`state ${posted} of channel ${closing.channelId} is the one already posted`)
  if (later.state.sequence < posted) throw new StaleStateError(`state ${later.state.sequence} of channel ${closing.channelId} is older than the posted ${posted}`)
  return { ...closing, state: later }
}

/** Settles a unilateral close once `now` ≥ its challengeEndsAt, on the newest posted state; signed by `by`. */
export async function settle (closing: ClosingChannel, now: number, by: PeerIdentity): Promise<Settlement> {
  checkTime('now', now)
  if (now < closing.challengeEndsAt) {
    throw new ChallengePeriodOpenError(`channel ${closing.channelId} cannot settle at ${now}; challenges are open until ${closing.challengeEndsAt}`)
  }
  verifyState(closing.state)
  return signSettlement(closing.state, 'unilateral', now, by)
}

/** Checks a settlement record: its final state is validly co-signed and `by`'s signature (key bound to its PeerId) verifies. */
export function verifySettlement (record: Settlement): void {
  verifyState(record.finalState)
  const { state } = record.finalState
  if (record.channelId !== state.channelId) throw new ChannelMismatchError(`settlement names channel ${record.channelId} but its state is of ${state.channelId}`)
  if (record.by !== state.a && record.by !== state.b) throw new NotChannelPartyError(`${record.by} is not a party of channel ${state.channelId}`)
  checkTime('settledAt', record.settledAt)
  const keyChars = Math.ceil(ED25519_PUBLIC_KEY_LENGTH * 4 / 3)
  const sigChars = Math.ceil(ED25519_SIGNATURE_LENGTH * 4 / 3)
  if (typeof record.publicKey !== 'string' || record.publicKey.length !== keyChars || !/^[A-Za-z0-9_-]*$/.test(record.publicKey)) {
    throw new SignerKeyMismatchError(`settlement of ${record.channelId} carries a malformed public key`)
  }
  if (typeof record.signature !== 'string' || record.signature.length !== sigChars || !/^[A-Za-z0-9_-]*$/.test(record.signature)) {
    throw new ForgedSignatureError(`settlement of ${record.channelId} carries a malformed signature`)
  }
  const { signature, ...unsigned } = record
  switch (peerSignatureFault(settlementBytes(unsigned), { publicKey: record.publicKey, peerId: record.by, signature })) {
    case 'key-not-peer': throw new SignerKeyMismatchError(`settlement of ${record.channelId} uses a key that is not ${record.by}'s`)
    case 'bad-signature': throw new ForgedSignatureError(`settlement signature of ${record.by} on ${record.channelId} does not verify`)
  }
}
