import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { base64UrlToBytes, bytesToBase64Url, canonicalize, sha256Hex, utf8ToBytes } from '../../../src/core/index.ts'
import { canonicalSigningBytes, createIdentity, ed25519Verify, signCanonicalBytes } from '../../../src/crypto/index.ts'
import {
  MAX_AGENT_CARD_BYTES, MAX_AGENT_CARD_CLOCK_SKEW_MS, agentCardToJson, capabilityVector, parseAgentCard, signAgentCard, verifyAgentCard
} from '../../../src/discovery/index.ts'
import type { AgentCard } from '../../../src/discovery/index.ts'
import { rejection } from '../../support/rejection.ts'
import { ISSUED_AT, exampleFields, otherPeer, peer, signedExample, thrown } from './fixtures.ts'

const NOW = ISSUED_AT + 1000

/** Re-signs `card` after `edit`, with a freshly computed vector: a well-formed card from the same peer. */
async function resigned (edit: (fields: ReturnType<typeof exampleFields>) => void): Promise<AgentCard> {
  const identity = await peer()
  const fields = exampleFields(identity)
  edit(fields)
  return signAgentCard(fields, identity)
}

/** Every member of `unsigned`: signing them all is what signAgentCard does. */
function signedFields<T extends object> (unsigned: T): Array<keyof T & string> {
  return Object.keys(unsigned) as Array<keyof T & string>
}

describe('signAgentCard', () => {
  it('signs the canonical JSON of every field but the signature, as receipts are signed', async () => {
    const card = await signedExample()
    const { signature, ...unsigned } = card
    const bytes = utf8ToBytes(canonicalize(unsigned))
    expect(ed25519Verify(base64UrlToBytes(signature), bytes, base64UrlToBytes(card.publicKey))).toBe(true)
    expect(card.peerId).toBe('12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf')
  })

  it('is deterministic (Ed25519 and the vector both are)', async () => {
    expect(canonicalize(await signedExample())).toBe(canonicalize(await signedExample()))
  })

  it('computes the capability vector, six decimals per component', async () => {
    const card = await signedExample()
    expect(card.capabilityVector).toHaveLength(128)
    const vector = capabilityVector(card)
    card.capabilityVector.forEach((x, i) => {
      expect(Math.abs(x - vector[i]!)).toBeLessThanOrEqual(5e-7 + 1e-9)
      expect(Number(x.toFixed(6))).toBe(x)
    })
  })

  it('refuses to sign for another key or another PeerId', async () => {
    const identity = await peer()
    const other = await otherPeer()
    expect((await rejection(signAgentCard(exampleFields(identity), other))).name).toBe('AgentCardKeyMismatchError')
    const wrongPeer = exampleFields(identity, { peerId: other.peerId.toString() })
    expect((await rejection(signAgentCard(wrongPeer, identity))).name).toBe('AgentCardKeyMismatchError')
  })

  it('refuses fields carrying a vector or a signature: the signer computes the vector itself', async () => {
    const identity = await peer()
    const withVector = { ...exampleFields(identity), capabilityVector: new Array(128).fill(0) }
    const err = await rejection(signAgentCard(withVector, identity))
    expect(err.name).toBe('InvalidAgentCardError')
    expect(err.field).toBe('capabilityVector')
  })

  it('refuses a card that would not fit in MAX_AGENT_CARD_BYTES', async () => {
    const skills = Array.from({ length: 8 }, (_, i) => ({
      id: `skill-${i}`, name: '\u0001'.repeat(64), description: '\u0001'.repeat(160), tags: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
    }))
    const err = await rejection(resigned(fields => { fields.skills = skills }))
    expect(err.name).toBe('AgentCardTooLargeError')
  })
})

describe('parseAgentCard', () => {
  it('round-trips through JSON and agentCardToJson', async () => {
    const card = await signedExample()
    expect(parseAgentCard(JSON.parse(JSON.stringify(card)))).toEqual(card)
    expect(parseAgentCard(JSON.parse(agentCardToJson(card)))).toEqual(card)
    const json = JSON.parse(agentCardToJson(card))
    expect(Object.keys(json)).toEqual([
      'cardVersion', 'name', 'description', 'version', 'skills', 'peerId', 'publicKey', 'issuedAt', 'expiresAt', 'sequence',
      'workerSlots', 'memoryLimitBytes', 'benchmark', 'prices', 'warmModules', 'availability', 'capabilityVector', 'signature'
    ])
    expect(Object.keys(json.skills[0])).toEqual(['id', 'name', 'description', 'tags'])
  })

  it('accepts availability without its optional members', async () => {
    const card = await resigned(fields => { fields.availability = { visible: false } })
    expect(parseAgentCard(card).availability).toEqual({ visible: false })
  })

  it('names the offending field', async () => {
    const card = await signedExample()
    const cases: Array<[string, (c: Record<string, any>) => void]> = [
      ['cardVersion', c => { c.cardVersion = 3 }],
      ['supportedInterfaces', c => { c.supportedInterfaces = [] }],
      ['extra', c => { c.extra = 1 }],
      ['name', c => { c.name = '' }],
      ['description', c => { c.description = 'x'.repeat(257) }],
      ['version', c => { c.version = 4 }],
      ['skills', c => { c.skills = {} }],
      ['skills[1]', c => { c.skills[1].id = c.skills[0].id }],
      ['skills[0].id', c => { c.skills[0].id = 'Sentiment' }],
      ['skills[0].tags[1]', c => { c.skills[0].tags[1] = 'NLP' }],
      ['skills[0].tags[1]', c => { c.skills[0].tags[1] = 'nlp' }],
      ['skills[0].examples', c => { c.skills[0].examples = [] }],
      ['peerId', c => { c.peerId = 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N' }],
      ['publicKey', c => { c.publicKey += 'A' }],
      ['issuedAt', c => { c.issuedAt = 1.5 }],
      ['expiresAt', c => { c.expiresAt = c.issuedAt }],
      ['expiresAt', c => { c.expiresAt = c.issuedAt + 10 * 60_000 + 1 }],
      ['sequence', c => { c.sequence = -1 }],
      ['workerSlots', c => { c.workerSlots = 0 }],
      ['workerSlots', c => { c.workerSlots = 257 }],
      ['memoryLimitBytes', c => { c.memoryLimitBytes = 1024 }],
      ['benchmark.fuelPerMs', c => { c.benchmark.fuelPerMs = 1.5 }],
      ['benchmark.reference', c => { c.benchmark.reference = 'ABC' }],
      ['prices.perSecond', c => { c.prices.perSecond = -1 }],
      ['prices.perMegaFuel', c => { c.prices.perMegaFuel = 0.25 }],
      ['prices.perFuelUnit', c => { c.prices.perFuelUnit = 1 }],
      ['warmModules', c => { c.warmModules = new Array(33).fill(c.warmModules[0]) }],
      ['warmModules[1]', c => { c.warmModules[1] = c.warmModules[0] }],
      ['availability.visible', c => { delete c.availability.visible }],
      ['availability.battery', c => { c.availability.battery = 1.5 }],
      ['availability.charging', c => { c.availability.charging = 'yes' }],
      ['capabilityVector', c => { c.capabilityVector = c.capabilityVector.slice(1) }],
      ['capabilityVector[3]', c => { c.capabilityVector[3] = 0.1234567 }],
      ['capabilityVector[3]', c => { c.capabilityVector[3] = 2 }],
      ['signature', c => { c.signature = c.signature.slice(2) }]
    ]
    for (const [field, edit] of cases) {
      const copy = structuredClone(card) as unknown as Record<string, any>
      edit(copy)
      const err = thrown(() => parseAgentCard(copy))
      expect(err.name, field).toBe('InvalidAgentCardError')
      expect(err.field, field).toBe(field)
    }
  })

  it('requires a JSON object', () => {
    for (const value of [null, [], 'card', 1]) expect(thrown(() => parseAgentCard(value)).field).toBe('(root)')
  })

  it('checks the size before the schema', () => {
    const err = thrown(() => parseAgentCard({ cardVersion: 1, padding: 'x'.repeat(MAX_AGENT_CARD_BYTES) }))
    expect(err.name).toBe('AgentCardTooLargeError')
  })
})

describe('verifyAgentCard', () => {
  it('accepts its own card and returns the recomputed vector', async () => {
    const card = await signedExample()
    const vector = await verifyAgentCard(card, { now: NOW, from: card.peerId })
    expect(vector).toEqual(capabilityVector(card))
  })

  it('rejects any change to any signed field', async () => {
    const card = await signedExample()
    const other = await otherPeer()
    const edits: Array<[string, (c: Record<string, any>) => void]> = [
      ['name', c => { c.name = 'Eve' }],
      ['description', c => { c.description = '' }],
      ['version', c => { c.version = '0.4.1' }],
      ['skills', c => { c.skills[0].description = 'x' }],
      ['issuedAt', c => { c.issuedAt -= 1 }],
      ['expiresAt', c => { c.expiresAt += 1 }],
      ['sequence', c => { c.sequence += 1 }],
      ['benchmark', c => { c.benchmark.reference = sha256Hex(new Uint8Array(1)) }],
      ['availability.charging', c => { delete c.availability.charging }],
      ['signature', c => { c.signature = bytesToBase64Url(new Uint8Array(64).fill(1)) }]
    ]
    for (const [what, edit] of edits) {
      const copy = structuredClone(card) as unknown as AgentCard
      edit(copy as unknown as Record<string, any>)
      expect((await rejection(verifyAgentCard(copy, { now: NOW }))).name, what).toBe('AgentCardSignatureError')
    }
    // A field that moves the vector: whichever check comes first, the card is refused.
    for (const edit of [(c: AgentCard) => { c.workerSlots = 64 }, (c: AgentCard) => { c.prices.perMegaFuel = 1 }, (c: AgentCard) => { c.warmModules.pop() }]) {
      const copy = structuredClone(card)
      edit(copy)
      expect((await rejection(verifyAgentCard(copy, { now: NOW }))).name).toBe('AgentCardSignatureError')
    }
    // Someone else's key, with the card re-signed by them: the key is not the PeerId's.
    const swapped = structuredClone(card)
    swapped.publicKey = bytesToBase64Url(other.publicKey)
    expect((await rejection(verifyAgentCard(swapped, { now: NOW }))).name).toBe('AgentCardKeyMismatchError')
  })

  it('rejects a card whose key is not its PeerId\'s, even when the signature is good', async () => {
    const other = await otherPeer()
    const identity = await peer()
    // Signed by `other` but claiming `identity`'s PeerId.
    const { signature: _, ...honest } = await signAgentCard(exampleFields(other), other)
    const unsigned = { ...honest, peerId: identity.peerId.toString() }
    const card = parseAgentCard({ ...unsigned, signature: await signCanonicalBytes(canonicalSigningBytes(unsigned, signedFields(unsigned)), other) })
    expect((await rejection(verifyAgentCard(card, { now: NOW }))).name).toBe('AgentCardKeyMismatchError')
  })

  it('rejects a validly signed card whose vector is not the one its fields give', async () => {
    const identity = await peer()
    const honest = await signAgentCard(exampleFields(identity), identity)
    const { signature: _, ...unsigned } = honest
    // Claim to be a great match for everything: a vector with a large skills block.
    unsigned.capabilityVector = unsigned.capabilityVector.map((x, i) => (i < 64 ? 0.125 : x))
    const forged = { ...unsigned, signature: await signCanonicalBytes(canonicalSigningBytes(unsigned, signedFields(unsigned)), identity) }
    expect((await rejection(verifyAgentCard(parseAgentCard(forged), { now: NOW }))).name).toBe('AgentCardVectorMismatchError')
  })

  it('rejects expired cards and cards from the future, allowing some clock skew', async () => {
    const card = await signedExample()
    expect((await rejection(verifyAgentCard(card, { now: card.expiresAt }))).name).toBe('AgentCardExpiredError')
    await verifyAgentCard(card, { now: card.expiresAt - 1 })
    await verifyAgentCard(card, { now: card.issuedAt - MAX_AGENT_CARD_CLOCK_SKEW_MS })
    const early = await rejection(verifyAgentCard(card, { now: card.issuedAt - MAX_AGENT_CARD_CLOCK_SKEW_MS - 1 }))
    expect(early.name).toBe('AgentCardNotYetValidError')
  })

  it('rejects a card relayed as if from another author', async () => {
    const card = await signedExample()
    const other = await createIdentity(new Uint8Array(32).fill(7))
    expect((await rejection(verifyAgentCard(card, { now: NOW, from: other.peerId.toString() }))).name).toBe('AgentCardSenderMismatchError')
  })
})

describe('docs/agent-card.md', () => {
  it('shows a card that verifies and that signAgentCard reproduces', async () => {
    const spec = readFileSync(new URL('../../../docs/agent-card.md', import.meta.url), 'utf8')
    const example = /## 9\. Example[\s\S]*?```json\n([\s\S]*?)```/.exec(spec)?.[1]
    expect(example).toBeDefined()
    const card = parseAgentCard(JSON.parse(example!))
    await verifyAgentCard(card, { now: ISSUED_AT })
    expect(card).toEqual(await signedExample())
  })
})
