import { describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { CARD_REJECTIONS, MAX_AGENT_CARD_BYTES, capabilityVector, createAgentCardCache, signAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCard, AgentCardFields, OfferOutcome } from '../../../src/discovery/index.ts'
import { ISSUED_AT, TTL_MS, exampleFields, peer } from './fixtures.ts'

/** A clock the test moves by hand. */
function manualClock (start = ISSUED_AT): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: ms => { t += ms } }
}

async function identityNo (n: number): Promise<PeerIdentity> {
  return createIdentity(new Uint8Array(32).fill(n))
}

async function cardOf (identity: PeerIdentity, overrides: Partial<AgentCardFields> = {}): Promise<AgentCard> {
  return signAgentCard(exampleFields(identity, overrides), identity)
}

function rejected (outcome: OfferOutcome): string | undefined {
  return outcome.accepted ? undefined : outcome.reason
}

describe('AgentCardCache', () => {
  it('keeps a valid card, with its recomputed vector', async () => {
    const clock = manualClock()
    const cache = createAgentCardCache(clock)
    const card = await cardOf(await peer())
    const outcome = await cache.offer(JSON.parse(JSON.stringify(card)), { from: card.peerId })
    expect(outcome.accepted).toBe(true)
    expect(cache.get(card.peerId)).toEqual(card)
    expect(cache.vector(card.peerId)).toEqual(capabilityVector(card))
    expect([...cache.cards()]).toEqual([card])
    expect(cache.size).toBe(1)
  })

  it('replaces a card by one with a higher sequence and rejects replays', async () => {
    const clock = manualClock()
    const cache = createAgentCardCache(clock)
    const identity = await peer()
    const first = await cardOf(identity, { sequence: 10 })
    const second = await cardOf(identity, { sequence: 11, workerSlots: 8 })
    await cache.offer(first)
    const replaced = await cache.offer(second)
    expect(replaced.accepted && replaced.replaced).toEqual(first)
    expect(cache.get(identity.peerId.toString())?.workerSlots).toBe(8)
    expect(rejected(await cache.offer(first))).toBe('replayed-sequence')
    expect(rejected(await cache.offer(second))).toBe('replayed-sequence')
    expect(cache.stats()).toMatchObject({ peers: 1, accepted: 2, replaced: 1 })
    expect(cache.stats().rejected['replayed-sequence']).toBe(2)
  })

  it('takes at most maxCardsPerPeerPerMinute cards from a peer in any minute', async () => {
    const clock = manualClock()
    const cache = createAgentCardCache(clock, { maxCardsPerPeerPerMinute: 3 })
    const identity = await peer()
    const cards = await Promise.all([1, 2, 3, 4, 5].map(sequence => cardOf(identity, { sequence })))
    for (const card of cards.slice(0, 3)) expect((await cache.offer(card)).accepted).toBe(true)
    expect(rejected(await cache.offer(cards[3]))).toBe('flood')
    clock.advance(30_000)
    expect(rejected(await cache.offer(cards[3]))).toBe('flood')
    clock.advance(30_001) // the first three are now more than a minute old
    expect((await cache.offer(cards[3])).accepted).toBe(true)
    expect(cache.stats().rejected.flood).toBe(2)
    // Another peer has its own allowance.
    expect((await cache.offer(await cardOf(await identityNo(9)))).accepted).toBe(true)
  })

  it('holds at most maxPeers, evicting the card that expires soonest', async () => {
    const clock = manualClock()
    const cache = createAgentCardCache(clock, { maxPeers: 2 })
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(identityNo))
    await cache.offer(await cardOf(a!, { expiresAt: ISSUED_AT + 3 * 60_000 }))
    await cache.offer(await cardOf(b!, { expiresAt: ISSUED_AT + 2 * 60_000 }))
    const outcome = await cache.offer(await cardOf(c!, { expiresAt: ISSUED_AT + 4 * 60_000 }))
    expect(outcome.accepted && outcome.evicted).toEqual([b!.peerId.toString()])
    expect(cache.get(b!.peerId.toString())).toBeUndefined()
    expect(cache.size).toBe(2)
    // A newcomer that would itself be the first to go is turned away instead.
    expect(rejected(await cache.offer(await cardOf(d!, { expiresAt: ISSUED_AT + 60_000 })))).toBe('capacity')
    // A held peer's refresh never evicts anyone.
    const refresh = await cache.offer(await cardOf(a!, { sequence: ISSUED_AT + 1, expiresAt: ISSUED_AT + 60_000 }))
    expect(refresh.accepted && refresh.evicted).toEqual([])
    expect(cache.stats()).toMatchObject({ peers: 2, evicted: 1 })
  })

  it('drops cards at their expiry', async () => {
    const clock = manualClock()
    const cache = createAgentCardCache(clock)
    const a = await identityNo(1)
    const b = await identityNo(2)
    await cache.offer(await cardOf(a, { expiresAt: ISSUED_AT + 60_000 }))
    await cache.offer(await cardOf(b, { expiresAt: ISSUED_AT + TTL_MS }))
    expect(cache.expire(ISSUED_AT + 59_999)).toEqual([])
    expect(cache.expire(ISSUED_AT + 60_000)).toEqual([a.peerId.toString()])
    clock.advance(TTL_MS)
    expect(cache.expire()).toEqual([b.peerId.toString()])
    expect(cache.stats()).toMatchObject({ peers: 0, expired: 2 })
  })

  it('counts each kind of rejection', async () => {
    const clock = manualClock()
    const cache = createAgentCardCache(clock)
    const identity = await peer()
    const card = await cardOf(identity)
    const other = await identityNo(5)

    expect(rejected(await cache.offer('not a card'))).toBe('malformed')
    expect(rejected(await cache.offer({ ...card, workerSlots: 'many' }))).toBe('malformed')
    expect(rejected(await cache.offer({ ...card, name: 'x'.repeat(MAX_AGENT_CARD_BYTES) }))).toBe('oversized')
    expect(rejected(await cache.offer({ ...card, name: 'Eve' }))).toBe('bad-signature')
    expect(rejected(await cache.offer({ ...card, publicKey: bytesToBase64Url(other.publicKey) }))).toBe('bad-signature')
    expect(rejected(await cache.offer(card, { from: other.peerId.toString() }))).toBe('wrong-sender')
    clock.advance(TTL_MS)
    expect(rejected(await cache.offer(card))).toBe('expired')
    clock.advance(-TTL_MS - 60_000)
    expect(rejected(await cache.offer(card))).toBe('not-yet-valid')

    const stats = cache.stats()
    expect(stats.rejected).toEqual({
      ...Object.fromEntries(CARD_REJECTIONS.map(reason => [reason, 0])),
      malformed: 2,
      oversized: 1,
      'bad-signature': 2,
      'wrong-sender': 1,
      expired: 1,
      'not-yet-valid': 1
    })
    expect(stats.peers).toBe(0)
    expect(stats.accepted).toBe(0)
  })

  it('returns copies of its counters', async () => {
    const cache = createAgentCardCache(manualClock())
    cache.stats().rejected.flood = 99
    expect(cache.stats().rejected.flood).toBe(0)
  })

  it('refuses nonsensical limits', () => {
    expect(() => createAgentCardCache(manualClock(), { maxPeers: 0 })).toThrow(RangeError)
    expect(() => createAgentCardCache(manualClock(), { maxCardsPerPeerPerMinute: 1.5 })).toThrow(RangeError)
  })
})
