/**
 * Agent Card version 2 (docs/agent-card.md §10): version 1 plus the A2A
 * bindings the peer serves, signed, bounded, outside the capability vector.
 */
import { describe, expect, it } from 'vitest'
import { AgentCardService, agentCardToJson, capabilityVector, parseAgentCard, signAgentCard, verifyAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCard, CardInterface } from '../../../src/discovery/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import type { ZeroStateRecords } from '../../../src/peer/store.ts'
import { rejection } from '../../support/rejection.ts'
import { ISSUED_AT, cardPubsub, exampleFields, otherPeer, peer, signedExample, thrown } from './fixtures.ts'

const NOW = ISSUED_AT + 1000

async function libp2pInterface (): Promise<CardInterface> {
  return { url: `/p2p/${(await peer()).peerId.toString()}`, protocolBinding: 'ZEROSTATE-LIBP2P', protocolVersion: '1.0' }
}

async function signedV2 (interfaces?: CardInterface[]): Promise<AgentCard> {
  const identity = await peer()
  return signAgentCard(exampleFields(identity, { cardVersion: 2, supportedInterfaces: interfaces ?? [await libp2pInterface()] }), identity)
}

describe('Agent Card version 2', () => {
  it('signs and verifies a card declaring its A2A bindings, and round-trips through JSON', async () => {
    const card = await signedV2([await libp2pInterface(), { url: 'https://ada.example/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }])
    expect(card.cardVersion).toBe(2)
    await verifyAgentCard(card, { now: NOW })
    expect(parseAgentCard(JSON.parse(agentCardToJson(card)))).toEqual(card)
    // The display order puts the interfaces after availability, before the vector.
    const keys = Object.keys(JSON.parse(agentCardToJson(card)))
    expect(keys.slice(keys.indexOf('availability'), keys.indexOf('availability') + 3)).toEqual(['availability', 'supportedInterfaces', 'capabilityVector'])
  })

  it('signs the interfaces: changing one breaks the signature', async () => {
    const card = await signedV2()
    const forged = structuredClone(card)
    forged.supportedInterfaces![0]!.protocolVersion = '2.0'
    expect((await rejection(verifyAgentCard(forged, { now: NOW }))).name).toBe('AgentCardSignatureError')
    const stripped = structuredClone(card) as unknown as Record<string, unknown>
    delete stripped.supportedInterfaces
    stripped.cardVersion = 1
    // A version 1 card made from a version 2 one by deleting the member is a different signed document.
    expect((await rejection(verifyAgentCard(parseAgentCard(stripped), { now: NOW }))).name).toBe('AgentCardSignatureError')
  })

  it('leaves the capability vector as version 1 gives it', async () => {
    const v1 = await signedExample()
    const v2 = await signedV2()
    expect(v2.capabilityVector).toEqual(v1.capabilityVector)
    expect(Array.from(capabilityVector(v2))).toEqual(Array.from(capabilityVector(v1)))
  })

  it('leaves version 1 cards byte for byte as they were', async () => {
    const v1 = await signedExample()
    expect(Object.hasOwn(v1, 'supportedInterfaces')).toBe(false)
    expect(agentCardToJson(v1)).not.toContain('supportedInterfaces')
  })

  it('names the offending field', async () => {
    const card = await signedV2()
    const other = (await otherPeer()).peerId.toString()
    const cases: Array<[string, (c: Record<string, any>) => void]> = [
      ['supportedInterfaces', c => { delete c.supportedInterfaces }],
      ['supportedInterfaces', c => { c.supportedInterfaces = [] }],
      ['supportedInterfaces', c => { c.supportedInterfaces = {} }],
      ['supportedInterfaces', c => {
        c.supportedInterfaces = Array.from({ length: 5 }, (_, i) => ({ url: `https://h${i}.example/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }))
      }],
      ['supportedInterfaces[1]', c => { c.supportedInterfaces.push({ ...c.supportedInterfaces[0] }) }],
      ['supportedInterfaces[0].tenant', c => { c.supportedInterfaces[0].tenant = '' }],
      ['supportedInterfaces[0].url', c => { c.supportedInterfaces[0].url = `/p2p/${other}` }],
      ['supportedInterfaces[0].url', c => { c.supportedInterfaces[0].url = 'ftp://ada.example/a2a' }],
      ['supportedInterfaces[0].url', c => { c.supportedInterfaces[0].url = 'https://' + 'a'.repeat(256) }],
      ['supportedInterfaces[0].protocolBinding', c => { c.supportedInterfaces[0].protocolBinding = 'jsonrpc' }],
      ['supportedInterfaces[0].protocolBinding', c => { c.supportedInterfaces[0].protocolBinding = 'X'.repeat(33) }],
      ['supportedInterfaces[0].protocolVersion', c => { c.supportedInterfaces[0].protocolVersion = '1' }],
      ['supportedInterfaces[0].protocolVersion', c => { c.supportedInterfaces[0].protocolVersion = '01.0' }]
    ]
    for (const [field, edit] of cases) {
      const copy = structuredClone(card) as unknown as Record<string, any>
      edit(copy)
      const err = thrown(() => parseAgentCard(copy))
      expect(err.name, field).toBe('InvalidAgentCardError')
      expect(err.field, field).toBe(field)
    }
    // Version 1 has no such member.
    const v1 = structuredClone(await signedExample()) as unknown as Record<string, any>
    v1.supportedInterfaces = card.supportedInterfaces
    expect(thrown(() => parseAgentCard(v1)).field).toBe('supportedInterfaces')
  })
})

describe('AgentCardService', () => {
  /** Publishes through a stand-in pubsub and returns what it sent. */
  async function published (interfaces: CardInterface[] | undefined): Promise<AgentCard> {
    const identity = await peer()
    const { pubsub, sent } = cardPubsub(identity)
    const service = new AgentCardService({ identity, store: createMemoryStore<ZeroStateRecords>(), pubsub }, {
      benchmark: { fuelPerMs: 1, reference: 'a'.repeat(64) },
      own: () => ({
        contributing: true, workerSlots: 1, memoryLimitBytes: 2 ** 20, tags: [], prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 }, warmModules: [],
        ...(interfaces === undefined ? {} : { interfaces })
      })
    })
    await service.start()
    service.stop()
    expect(sent.length).toBeGreaterThan(0)
    return sent.at(-1)!
  }

  it('publishes version 1 while it has nothing to declare, version 2 once it serves A2A', async () => {
    expect((await published(undefined)).cardVersion).toBe(1)
    expect((await published([])).cardVersion).toBe(1)
    const card = await published([await libp2pInterface()])
    expect(card.cardVersion).toBe(2)
    expect(card.supportedInterfaces).toEqual([await libp2pInterface()])
    await verifyAgentCard(card, { now: Date.now() })
  })
})
