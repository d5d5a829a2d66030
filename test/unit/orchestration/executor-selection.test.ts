import { describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { CAPABILITY_VECTOR_DIMENSIONS, signAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCard, AgentSkill } from '../../../src/discovery/index.ts'
import { mulberry32 } from '../../../src/core/index.ts'
import { HnswIndex } from '../../../src/discovery/hnsw/index.ts'
import { destinationOf, leastLoaded, rankExecutors } from '../../../src/orchestration/executor-selection.ts'
import { QRouter } from '../../../src/orchestration/routing/index.ts'
import { exampleFields } from '../discovery/fixtures.ts'

async function card (tags: string[], workerSlots = 2): Promise<AgentCard> {
  const identity = await createIdentity()
  const skills: AgentSkill[] = [{ id: 'wasi-command', name: 'WASI command', description: '', tags }]
  return signAgentCard(exampleFields(identity, { skills, workerSlots, warmModules: [] }), identity)
}

async function world (cards: AgentCard[]): Promise<{ index: HnswIndex, byId: Map<string, AgentCard>, router: QRouter }> {
  const index = new HnswIndex({ dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32(1) })
  const byId = new Map(cards.map(c => [c.peerId, c]))
  for (const c of cards) index.insert(c.peerId, c.capabilityVector)
  return { index, byId, router: new QRouter({ random: () => 0.99, now: () => 0 }) }
}

describe('executor selection', () => {
  it('puts the peer with the wanted tags first and says why', async () => {
    const nlp = await card(['nlp', 'text'])
    const crypto = await card(['crypto'])
    const plain = await card([])
    const { index, byId, router } = await world([nlp, crypto, plain])
    const reachable = new Set(byId.keys())
    for (const [tags, expected] of [[['nlp'], nlp], [['crypto'], crypto]] as const) {
      const ranked = rankExecutors({ requirements: { tags: [...tags] }, card: id => byId.get(id), index, router, reachable })
      expect(ranked[0]?.peerId).toBe(expected.peerId)
      expect(ranked[0]?.reason).toMatch(/^best of 3 matching peers/)
    }
  })

  it('leaves out unreachable peers and those failing hard requirements', async () => {
    const small = await card(['nlp'], 1)
    const big = await card(['nlp'], 8)
    const { index, byId, router } = await world([small, big])
    const ranked = rankExecutors({ requirements: { tags: ['nlp'], minWorkerSlots: 4 }, card: id => byId.get(id), index, router, reachable: new Set(byId.keys()) })
    expect(ranked.map(r => r.peerId)).toEqual([big.peerId])
    expect(rankExecutors({ requirements: { tags: ['nlp'] }, card: id => byId.get(id), index, router, reachable: new Set([small.peerId]) }).map(r => r.peerId)).toEqual([small.peerId])
  })

  it('between equal matches, prefers the one the router expects to be faster', async () => {
    const a = await card(['nlp'])
    const b = await card(['nlp'])
    const { index, byId, router } = await world([a, b])
    const dest = destinationOf({ tags: ['nlp'] })
    router.update(dest, a.peerId, 900, 0)
    router.update(dest, b.peerId, 40, 0)
    const ranked = rankExecutors({ requirements: { tags: ['nlp'] }, card: id => byId.get(id), index, router, reachable: new Set(byId.keys()) })
    expect(ranked[0]?.peerId).toBe(b.peerId)
  })

  it('gives the same ranking through the index as by direct comparison', async () => {
    const cards = await Promise.all(Array.from({ length: 80 }, async (_, i) => card([i % 2 === 0 ? 'nlp' : 'crypto', `group-${i % 5}`])))
    const { index, byId, router } = await world(cards)
    const all = new Set(byId.keys())
    const viaIndex = rankExecutors({ requirements: { tags: ['nlp', 'group-2'] }, card: id => byId.get(id), index, router, reachable: all })
    const few = new Set(viaIndex.slice(0, 10).map(r => r.peerId))
    const direct = rankExecutors({ requirements: { tags: ['nlp', 'group-2'] }, card: id => byId.get(id), index, router, reachable: few })
    expect(direct[0]?.peerId).toBe(viaIndex[0]?.peerId)
    expect(byId.get(viaIndex[0]!.peerId)?.skills[0]?.tags).toEqual(['nlp', 'group-2'])
  })
})

describe('executor selection with reputation', () => {
  it('never offers a blacklisted peer, and prefers the better-reputed of two equally fast peers', async () => {
    const a = await card(['nlp'])
    const b = await card(['nlp'])
    const c = await card(['nlp'])
    const { index, byId, router } = await world([a, b, c])
    const scores = new Map([[a.peerId, { score: 0.5, blacklisted: false }], [b.peerId, { score: 0.9, blacklisted: false }], [c.peerId, { score: 0.95, blacklisted: true }]])
    const ranked = rankExecutors({ requirements: { tags: ['nlp'] }, card: id => byId.get(id), index, router, reachable: new Set(byId.keys()), reputation: id => scores.get(id)! })
    expect(ranked.map(r => r.peerId)).toEqual([b.peerId, a.peerId])
    expect(ranked[0]?.reason).toMatch(/reputation 0\.90/)
  })
})

describe('leastLoaded', () => {
  const ranked = [{ peerId: 'a' }, { peerId: 'b' }, { peerId: 'c' }]
  const slots = (slotsOf: Record<string, number>) => (id: string) => slotsOf[id] ?? 1
  const load = (loadOf: Record<string, number>) => (id: string) => loadOf[id] ?? 0

  it('takes the best-ranked executor with a free slot', () => {
    expect(leastLoaded(ranked, load({}), slots({}))?.peerId).toBe('a')
    expect(leastLoaded(ranked, load({ a: 1 }), slots({}))?.peerId).toBe('b')
    expect(leastLoaded(ranked, load({ a: 1 }), slots({ a: 2 }))?.peerId).toBe('a')
    expect(leastLoaded(ranked, load({ a: 1, b: 1 }), slots({}))?.peerId).toBe('c')
  })

  it('when every slot is taken, the least loaded for its slots, ties to the better ranked', () => {
    expect(leastLoaded(ranked, load({ a: 2, b: 2, c: 2 }), slots({}))?.peerId).toBe('a')
    expect(leastLoaded(ranked, load({ a: 3, b: 2, c: 2 }), slots({}))?.peerId).toBe('b')
    expect(leastLoaded(ranked, load({ a: 3, b: 2, c: 3 }), slots({ c: 2 }))?.peerId).toBe('c')
  })

  it('is undefined with no executor', () => {
    expect(leastLoaded([], load({}), slots({}))).toBeUndefined()
  })
})
