/**
 * Executor selection and the availability class (docs/agent-card.md §11):
 * a latency-sensitive task avoids throttled (background) tabs while an
 * unthrottled one is eligible; any other task still uses them, after an
 * otherwise equal foreground tab.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { CAPABILITY_VECTOR_DIMENSIONS, signAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCard, CardAvailability, CardRequirements } from '../../../src/discovery/index.ts'
import { HnswIndex } from '../../../src/discovery/hnsw/index.ts'
import { avoidThrottled, destinationOf, rankExecutors } from '../../../src/orchestration/executor-selection.ts'
import { QRouter } from '../../../src/orchestration/routing/index.ts'
import { exampleFields } from '../discovery/fixtures.ts'

const FOREGROUND: CardAvailability = { visible: true, class: 'foreground', timerLagMs: 2 }
const INSTALLED: CardAvailability = { visible: true, class: 'installed', timerLagMs: 1 }
const BACKGROUND: CardAvailability = { visible: false, class: 'background', timerLagMs: 1000 }
/** A card from before the class existed (or a Node peer's): hidden means throttled. */
const HIDDEN_NO_CLASS: CardAvailability = { visible: false }

async function card (availability: CardAvailability, tags: string[] = ['nlp']): Promise<AgentCard> {
  const identity = await createIdentity()
  return signAgentCard(exampleFields(identity, {
    skills: [{ id: 'wasi-command', name: 'WASI command', description: '', tags }], workerSlots: 2, warmModules: [], availability
  }), identity)
}

function ranking (cards: AgentCard[], requirements: CardRequirements, router = new QRouter({ random: () => 0.99, now: () => 0 })): ReturnType<typeof rankExecutors> {
  const index = new HnswIndex({ dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32(1) })
  const byId = new Map(cards.map(c => [c.peerId, c]))
  for (const c of cards) index.insert(c.peerId, c.capabilityVector)
  return rankExecutors({ requirements, card: id => byId.get(id), index, router, reachable: new Set(byId.keys()) })
}

describe('executor selection by availability class', () => {
  it('marks throttled executors and says so in the reason', async () => {
    const fg = await card(FOREGROUND)
    const bg = await card(BACKGROUND)
    const old = await card(HIDDEN_NO_CLASS)
    const ranked = ranking([fg, bg, old], { tags: ['nlp'] })
    const byId = new Map(ranked.map(r => [r.peerId, r]))
    expect(byId.get(fg.peerId)?.throttled).toBe(false)
    expect(byId.get(bg.peerId)?.throttled).toBe(true)
    expect(byId.get(old.peerId)?.throttled).toBe(true)
    expect(byId.get(bg.peerId)?.reason).toMatch(/throttled background tab/)
    expect(byId.get(fg.peerId)?.reason).not.toMatch(/throttled/)
  })

  it('an ordinary task: a background tab ranks after an otherwise equal foreground or installed one, whichever peerId sorts first', async () => {
    for (let round = 0; round < 4; round++) {
      const bg = await card(BACKGROUND)
      const fg = await card(round % 2 === 0 ? FOREGROUND : INSTALLED)
      expect(ranking([bg, fg], { tags: ['nlp'] }).map(r => r.peerId)).toEqual([fg.peerId, bg.peerId])
    }
  })

  it('an ordinary task: a background tab the router expects to be faster still comes first', async () => {
    const bg = await card(BACKGROUND)
    const fg = await card(FOREGROUND)
    const router = new QRouter({ random: () => 0.99, now: () => 0 })
    const dest = destinationOf({ tags: ['nlp'] })
    router.update(dest, fg.peerId, 900, 0)
    router.update(dest, bg.peerId, 40, 0)
    expect(ranking([bg, fg], { tags: ['nlp'] }, router)[0]?.peerId).toBe(bg.peerId)
  })

  it('a latency-sensitive task: every unthrottled tab before any throttled one, even a faster or better-matching one', async () => {
    const bgSpecialist = await card(BACKGROUND, ['nlp', 'text'])
    const fgGeneralist = await card(FOREGROUND, [])
    const router = new QRouter({ random: () => 0.99, now: () => 0 })
    const requirements: CardRequirements = { tags: ['nlp', 'text'], latencySensitive: true }
    router.update(destinationOf(requirements), bgSpecialist.peerId, 10, 0)
    router.update(destinationOf(requirements), fgGeneralist.peerId, 5000, 0)
    expect(ranking([bgSpecialist, fgGeneralist], requirements, router).map(r => r.peerId)).toEqual([fgGeneralist.peerId, bgSpecialist.peerId])
    // Not latency-sensitive: the specialist wins on its tags.
    expect(ranking([bgSpecialist, fgGeneralist], { tags: ['nlp', 'text'] }, router)[0]?.peerId).toBe(bgSpecialist.peerId)
  })

  it('avoidThrottled drops the throttled while enough unthrottled remain, else keeps them all in rank order', async () => {
    const fg = await card(FOREGROUND)
    const bg1 = await card(BACKGROUND)
    const bg2 = await card(HIDDEN_NO_CLASS)
    const ranked = ranking([fg, bg1, bg2], { tags: ['nlp'], latencySensitive: true })
    expect(ranked[0]?.peerId).toBe(fg.peerId)
    expect(avoidThrottled(ranked).map(r => r.peerId)).toEqual([fg.peerId])
    // A redundant task on three executors: one unthrottled is not enough, so the throttled serve too, last.
    expect(avoidThrottled(ranked, 3)).toEqual(ranked)
    // Only throttled executors: they still serve.
    const onlyThrottled = ranking([bg1, bg2], { tags: ['nlp'], latencySensitive: true })
    expect(avoidThrottled(onlyThrottled).map(r => r.peerId).sort()).toEqual([bg1.peerId, bg2.peerId].sort())
    expect(avoidThrottled([])).toEqual([])
  })

  it('through the index (many peers) a latency-sensitive search still finds the unthrottled ones first', async () => {
    const cards = await Promise.all(Array.from({ length: 80 }, async (_, i) => card(i % 4 === 0 ? FOREGROUND : BACKGROUND)))
    const ranked = ranking(cards, { tags: ['nlp'], latencySensitive: true })
    expect(ranked.length).toBeGreaterThan(0)
    expect(ranked[0]?.throttled).toBe(false)
    const firstThrottled = ranked.findIndex(r => r.throttled)
    expect(firstThrottled === -1 || ranked.slice(firstThrottled).every(r => r.throttled)).toBe(true)
  })
})
