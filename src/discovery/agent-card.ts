/**
 * Agent Cards, format version 1 (normative text: docs/agent-card.md).
 *
 * Every contributing peer publishes a signed card on AGENT_CARD_TOPIC saying
 * what it offers: skills (shaped like the A2A protocol's AgentSkill), worker
 * slots, memory, a benchmark, prices, warm modules, availability, and a
 * capability vector derived from those fields for k-NN search. Cards are
 * signed exactly as receipts are — pure Ed25519 (RFC 8032 §5.1.6) over the
 * UTF-8 of the RFC 8785 canonical JSON of every field except `signature`,
 * with `publicKey` bound to `peerId` — through crypto/signed-json.ts.
 *
 * @example
 * const card = await signAgentCard(fields, identity)          // computes capabilityVector
 * // …published as JSON, received from gossip sender `from`…
 * const checked = parseAgentCard(JSON.parse(text))
 * const vector = await verifyAgentCard(checked, { now: Date.now(), from })
 */
import { canonicalSigningBytes, canonicalSize, peerSignatureFault, signCanonicalBytes, signerMismatch } from '../crypto/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import {
  AGENT_CARD_FIELDS, AVAILABILITY_FIELDS, BENCHMARK_FIELDS, PRICE_FIELDS, SKILL_FIELDS, UNSIGNED_CARD_FIELDS, readCardFields
} from './agent-card-schema.ts'
import { capabilityVector, vectorsMatch, wireVector } from './capability-vector.ts'
import { CAPABILITY_VECTOR_TOLERANCE, MAX_AGENT_CARD_BYTES, MAX_AGENT_CARD_CLOCK_SKEW_MS } from './constants.ts'
import {
  AgentCardExpiredError, AgentCardKeyMismatchError, AgentCardNotYetValidError, AgentCardSenderMismatchError, AgentCardSignatureError,
  AgentCardTooLargeError, AgentCardVectorMismatchError
} from './errors.ts'
import type { AgentCard, AgentCardFields, UnsignedAgentCard } from './types.ts'

export interface VerifyAgentCardOptions {
  /** The verifier's clock, Unix epoch milliseconds. */
  now: number
  /** The gossip message's author (its PeerId string), when the card came from gossip. */
  from?: string
}

/**
 * Checks the size limit, then the version 1 schema, and returns a copy
 * holding exactly the card's fields. Does not check the signature: see verifyAgentCard.
 */
export function parseAgentCard (value: unknown): AgentCard {
  // Size first: bounded work before the schema walks arrays and strings.
  const size = canonicalSize(value)
  if (size !== undefined && size > MAX_AGENT_CARD_BYTES) {
    throw new AgentCardTooLargeError(`agent card is ${size} bytes in canonical form, limit ${MAX_AGENT_CARD_BYTES}`)
  }
  return readCardFields(value, 'signed')
}

/** Signs `fields` as the peer they describe, computing the capability vector. `peerId` and `publicKey` must be `identity`'s. */
export async function signAgentCard (fields: AgentCardFields, identity: PeerIdentity): Promise<AgentCard> {
  const checked = readCardFields(fields, 'fields')
  switch (signerMismatch(identity, checked)) {
    case 'publicKey': throw new AgentCardKeyMismatchError('agent card publicKey is not the signing identity\'s key')
    case 'peerId': throw new AgentCardKeyMismatchError('agent card peerId is not the signing identity\'s PeerId')
  }
  const unsigned: UnsignedAgentCard = { ...checked, capabilityVector: wireVector(capabilityVector(checked)) }
  const signature = await signCanonicalBytes(canonicalSigningBytes(unsigned, UNSIGNED_CARD_FIELDS), identity)
  // Through the parser, so that a card this peer could not accept (too large) is never published.
  return parseAgentCard({ ...unsigned, signature })
}

/**
 * Checks, in this order: the size and schema; that the card came from the
 * peer it describes (`from`); that `publicKey` is the key inside `peerId`;
 * the signature; that `capabilityVector` is the one its fields give; that it
 * has not expired; that `issuedAt` is not further ahead than the allowed
 * clock skew. Returns the recomputed vector — the one to index, never the sender's.
 */
export async function verifyAgentCard (card: AgentCard, options: VerifyAgentCardOptions): Promise<Float32Array> {
  const { now, from } = options
  if (!Number.isFinite(now)) throw new RangeError('now must be a finite number of milliseconds')
  const checked = parseAgentCard(card)
  if (from !== undefined && from !== checked.peerId) {
    throw new AgentCardSenderMismatchError(`agent card for ${checked.peerId} was sent by ${from}`)
  }
  switch (peerSignatureFault(canonicalSigningBytes(checked, UNSIGNED_CARD_FIELDS), checked)) {
    case 'key-not-peer': throw new AgentCardKeyMismatchError(`agent card publicKey does not belong to ${checked.peerId}`)
    case 'bad-signature': throw new AgentCardSignatureError(`agent card signature does not verify for ${checked.peerId}`)
  }
  const vector = capabilityVector(checked)
  if (!vectorsMatch(checked.capabilityVector, vector, CAPABILITY_VECTOR_TOLERANCE)) {
    throw new AgentCardVectorMismatchError(`agent card capabilityVector of ${checked.peerId} is not the one its fields give`)
  }
  if (checked.expiresAt <= now) throw new AgentCardExpiredError(`agent card of ${checked.peerId} expired at ${checked.expiresAt}`)
  if (checked.issuedAt > now + MAX_AGENT_CARD_CLOCK_SKEW_MS) {
    throw new AgentCardNotYetValidError(`agent card of ${checked.peerId} is issued at ${checked.issuedAt}, ahead of ${now}`)
  }
  return vector
}

/** Indented JSON with the fields in specification order, for display. Parse it back with JSON.parse + parseAgentCard. */
export function agentCardToJson (card: AgentCard): string {
  // Rebuilt member by member: a JSON.stringify replacer list is one order for every depth,
  // and `name` and `description` are members both of the card and of each skill.
  const ordered = inOrder(card, AGENT_CARD_FIELDS)
  ordered.skills = card.skills.map(skill => inOrder(skill, SKILL_FIELDS))
  ordered.benchmark = inOrder(card.benchmark, BENCHMARK_FIELDS)
  ordered.prices = inOrder(card.prices, PRICE_FIELDS)
  ordered.availability = inOrder(card.availability, AVAILABILITY_FIELDS.filter(field => Object.hasOwn(card.availability, field)))
  return JSON.stringify(ordered, null, 2)
}

function inOrder<T extends object> (value: T, fields: ReadonlyArray<keyof T & string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of fields) out[field] = value[field]
  return out
}
