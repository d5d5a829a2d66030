/**
 * Agent Cards, format versions 1 and 2 (normative text: docs/agent-card.md).
 *
 * Every contributing peer publishes a signed card on AGENT_CARD_TOPIC saying
 * what it offers: skills (shaped like the A2A protocol's AgentSkill), worker
 * slots, memory, a benchmark, prices, warm modules, availability, and a
 * capability vector derived from those fields for k-NN search. Cards are
 * signed exactly as receipts are — pure Ed25519 (RFC 8032 §5.1.6) over the
 * UTF-8 of the RFC 8785 canonical JSON of every field except `signature`,
 * with `publicKey` bound to `peerId` — through crypto/signed-document.ts.
 *
 * @example
 * const card = await signAgentCard(fields, identity)          // computes capabilityVector
 * // …published as JSON, received from gossip sender `from`…
 * const checked = parseAgentCard(JSON.parse(text))
 * const vector = await verifyAgentCard(checked, { now: Date.now(), from })
 */
import { parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument } from '../crypto/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import {
  AGENT_CARD_FIELDS, AVAILABILITY_FIELDS, BENCHMARK_FIELDS, INTERFACE_FIELDS, PRICE_FIELDS, SKILL_FIELDS, UNSIGNED_CARD_FIELDS, readCardFields
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

const AGENT_CARD = signedDocumentFormat<AgentCard>({
  name: 'agent card',
  signedFields: UNSIGNED_CARD_FIELDS,
  signerField: 'peerId',
  maxBytes: MAX_AGENT_CARD_BYTES,
  schema: value => readCardFields(value, 'signed'),
  dateField: 'issuedAt',
  maxClockSkewMs: MAX_AGENT_CARD_CLOCK_SKEW_MS,
  errors: {
    tooLarge: AgentCardTooLargeError, keyMismatch: AgentCardKeyMismatchError, signature: AgentCardSignatureError,
    sender: AgentCardSenderMismatchError, notYetValid: AgentCardNotYetValidError
  }
})

/**
 * Checks the size limit, then the schema of the card's version, and returns a copy
 * holding exactly the card's fields. Does not check the signature: see verifyAgentCard.
 */
export function parseAgentCard (value: unknown): AgentCard {
  return parseSignedDocument(value, AGENT_CARD)
}

/** Signs `fields` as the peer they describe, computing the capability vector. `peerId` and `publicKey` must be `identity`'s. */
export async function signAgentCard (fields: AgentCardFields, identity: PeerIdentity): Promise<AgentCard> {
  const checked = readCardFields(fields, 'fields')
  const unsigned: UnsignedAgentCard = { ...checked, capabilityVector: wireVector(capabilityVector(checked)) }
  return signDocument(unsigned, identity, AGENT_CARD)
}

/**
 * Checks, in this order: the size and schema; that the card came from the
 * peer it describes (`from`); that `publicKey` is the key inside `peerId`;
 * the signature; that `capabilityVector` is the one its fields give; that it
 * has not expired; that `issuedAt` is not further ahead than the allowed
 * clock skew. Returns the recomputed vector — the one to index, never the sender's.
 */
export async function verifyAgentCard (card: AgentCard, { now, from }: VerifyAgentCardOptions): Promise<Float32Array> {
  return verifyDocument(card, AGENT_CARD, {
    now,
    from,
    check: checked => {
      const vector = capabilityVector(checked)
      if (!vectorsMatch(checked.capabilityVector, vector, CAPABILITY_VECTOR_TOLERANCE)) {
        throw new AgentCardVectorMismatchError(`agent card capabilityVector of ${checked.peerId} is not the one its fields give`)
      }
      if (checked.expiresAt <= now) throw new AgentCardExpiredError(`agent card of ${checked.peerId} expired at ${checked.expiresAt}`)
      return vector
    }
  })
}

/** Indented JSON with the fields in specification order, for display. Parse it back with JSON.parse + parseAgentCard. */
export function agentCardToJson (card: AgentCard): string {
  // Rebuilt member by member: a JSON.stringify replacer list is one order for every depth,
  // and `name` and `description` are members both of the card and of each skill.
  const ordered = inOrder(card, AGENT_CARD_FIELDS.filter(field => Object.hasOwn(card, field)))
  ordered.skills = card.skills.map(skill => inOrder(skill, SKILL_FIELDS))
  ordered.benchmark = inOrder(card.benchmark, BENCHMARK_FIELDS)
  ordered.prices = inOrder(card.prices, PRICE_FIELDS)
  ordered.availability = inOrder(card.availability, AVAILABILITY_FIELDS.filter(field => Object.hasOwn(card.availability, field)))
  if (card.supportedInterfaces !== undefined) ordered.supportedInterfaces = card.supportedInterfaces.map(entry => inOrder(entry, INTERFACE_FIELDS))
  return JSON.stringify(ordered, null, 2)
}

function inOrder<T extends object> (value: T, fields: ReadonlyArray<keyof T & string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of fields) out[field] = value[field]
  return out
}
