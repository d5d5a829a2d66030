/**
 * The newest valid Agent Card of each peer, as heard on AGENT_CARD_TOPIC.
 *
 * Pure: no I/O, and no clock but the one it is given. Every card offered is
 * parsed and verified (docs/agent-card.md §7); what is turned away is counted
 * by reason, so a flood or a misbehaving peer shows up in `stats()`. Two
 * bounds keep memory flat whatever the network sends: at most
 * `maxCardsPerPeerPerMinute` authentic cards per peer are taken (gossipsub
 * scoring should deal with the rest), and at most `maxPeers` peers are held,
 * the card expiring soonest giving way when a new peer arrives.
 *
 * @example
 * const cache = createAgentCardCache({ now: Date.now })
 * const outcome = await cache.offer(JSON.parse(text), { from: msg.from.toString() })
 * if (outcome.accepted) index.upsert(outcome.card.peerId, outcome.vector)
 * for (const peerId of outcome.evicted) index.remove(peerId)
 */
import { parseAgentCard, verifyAgentCard } from './agent-card.ts'
import type { AgentCard } from './types.ts'
import { FLOOD_WINDOW_MS, MAX_CACHED_PEERS, MAX_CARDS_PER_PEER_PER_MINUTE } from './constants.ts'
import {
  AgentCardCapacityError, AgentCardExpiredError, AgentCardFloodError, AgentCardKeyMismatchError, AgentCardNotYetValidError,
  AgentCardReplayError, AgentCardSenderMismatchError, AgentCardSignatureError, AgentCardTooLargeError, AgentCardVectorMismatchError,
  InvalidAgentCardError
} from './errors.ts'

/** Why a card was turned away. */
export const CARD_REJECTIONS = [
  'malformed', 'oversized', 'wrong-sender', 'bad-signature', 'vector-mismatch', 'expired', 'not-yet-valid',
  'replayed-sequence', 'flood', 'capacity'
] as const

export type CardRejection = typeof CARD_REJECTIONS[number]

export interface AgentCardCacheInit {
  /** Most peers held at once; default MAX_CACHED_PEERS (10,000). */
  maxPeers?: number
  /** Most cards taken from one peer in any minute; default MAX_CARDS_PER_PEER_PER_MINUTE. */
  maxCardsPerPeerPerMinute?: number
}

export interface AgentCardCacheComponents {
  /** Unix epoch milliseconds. */
  now(): number
}

export interface OfferOptions {
  /** The gossip message's author; the card must describe that peer. */
  from?: string
}

export type OfferOutcome =
  | {
    accepted: true
    card: AgentCard
    /** The recomputed capability vector: the one to index. */
    vector: Float32Array
    /** The card it replaced, if the peer had one. */
    replaced: AgentCard | undefined
    /** Peers dropped to make room (at most one). */
    evicted: string[]
  }
  | { accepted: false, reason: CardRejection, error: Error, evicted: string[] }

export interface AgentCardCacheStats {
  /** Peers held now. */
  peers: number
  /** Cards taken, including replacements. */
  accepted: number
  /** Accepted cards that replaced a peer's older card. */
  replaced: number
  /** Cards dropped by expire(). */
  expired: number
  /** Cards dropped to stay within maxPeers. */
  evicted: number
  rejected: Record<CardRejection, number>
}

export interface AgentCardCache {
  /** Parses, verifies and, if newer than what is held for the peer, keeps `value`. Never throws for a bad card. */
  offer(value: unknown, options?: OfferOptions): Promise<OfferOutcome>
  get(peerId: string): AgentCard | undefined
  /** The recomputed capability vector of the card held for `peerId`. */
  vector(peerId: string): Float32Array | undefined
  /** Every card held, valid or not yet expired away. */
  cards(): IterableIterator<AgentCard>
  /** Drops every card whose `expiresAt` ≤ `now` (default: the clock); returns their PeerIds. */
  expire(now?: number): string[]
  stats(): AgentCardCacheStats
  readonly size: number
}

interface Entry {
  card: AgentCard
  vector: Float32Array
  /** When each recent card from this peer was taken, oldest first; pruned to FLOOD_WINDOW_MS. */
  recent: number[]
}

/** Maps each verification failure, by error name, to the counter it is filed under. */
const REASON_BY_ERROR: Record<string, CardRejection> = {
  [InvalidAgentCardError.name]: 'malformed',
  [AgentCardTooLargeError.name]: 'oversized',
  [AgentCardSenderMismatchError.name]: 'wrong-sender',
  [AgentCardKeyMismatchError.name]: 'bad-signature',
  [AgentCardSignatureError.name]: 'bad-signature',
  [AgentCardVectorMismatchError.name]: 'vector-mismatch',
  [AgentCardExpiredError.name]: 'expired',
  [AgentCardNotYetValidError.name]: 'not-yet-valid'
}

export function createAgentCardCache (components: AgentCardCacheComponents, init: AgentCardCacheInit = {}): AgentCardCache {
  return new Cache(components, init)
}

class Cache implements AgentCardCache {
  private readonly entries = new Map<string, Entry>()
  private readonly clock: () => number
  private readonly maxPeers: number
  private readonly maxPerMinute: number
  private readonly counters = { accepted: 0, replaced: 0, expired: 0, evicted: 0 }
  private readonly rejected = Object.fromEntries(CARD_REJECTIONS.map(r => [r, 0])) as Record<CardRejection, number>

  constructor (components: AgentCardCacheComponents, init: AgentCardCacheInit) {
    this.clock = components.now
    this.maxPeers = positiveInteger(init.maxPeers ?? MAX_CACHED_PEERS, 'maxPeers')
    this.maxPerMinute = positiveInteger(init.maxCardsPerPeerPerMinute ?? MAX_CARDS_PER_PEER_PER_MINUTE, 'maxCardsPerPeerPerMinute')
  }

  get size (): number {
    return this.entries.size
  }

  async offer (value: unknown, options: OfferOptions = {}): Promise<OfferOutcome> {
    let card: AgentCard
    let vector: Float32Array
    try {
      card = parseAgentCard(value)
      vector = await verifyAgentCard(card, { now: this.clock(), from: options.from })
    } catch (err) {
      const reason = err instanceof Error ? REASON_BY_ERROR[err.name] : undefined
      if (reason === undefined) throw err // a bug, not a bad card
      return this.reject(reason, err as Error)
    }
    // Read the clock again: verification is awaited, and another offer may have run meanwhile.
    const now = this.clock()
    const held = this.entries.get(card.peerId)
    // Replays before flood: a replayed card costs the peer nothing, since a third party could send it.
    if (held !== undefined && card.sequence <= held.card.sequence) {
      return this.reject('replayed-sequence', new AgentCardReplayError(
        `agent card of ${card.peerId} has sequence ${card.sequence}, not above ${held.card.sequence}`))
    }
    const recent = (held?.recent ?? []).filter(at => at > now - FLOOD_WINDOW_MS)
    if (recent.length >= this.maxPerMinute) {
      if (held !== undefined) held.recent = recent
      return this.reject('flood', new AgentCardFloodError(
        `${card.peerId} sent more than ${this.maxPerMinute} agent cards within ${FLOOD_WINDOW_MS} ms`))
    }
    recent.push(now)

    const evicted: string[] = []
    if (held === undefined && this.entries.size >= this.maxPeers) {
      const victim = this.soonestExpiring()
      if (victim !== undefined && victim.card.expiresAt >= card.expiresAt) {
        return this.reject('capacity', new AgentCardCapacityError(
          `agent card cache is full (${this.maxPeers} peers) and every card outlives ${card.peerId}'s`))
      }
      if (victim !== undefined) {
        this.entries.delete(victim.card.peerId)
        this.counters.evicted++
        evicted.push(victim.card.peerId)
      }
    }
    this.entries.set(card.peerId, { card, vector, recent })
    this.counters.accepted++
    if (held !== undefined) this.counters.replaced++
    return { accepted: true, card, vector, replaced: held?.card, evicted }
  }

  get (peerId: string): AgentCard | undefined {
    return this.entries.get(peerId)?.card
  }

  vector (peerId: string): Float32Array | undefined {
    return this.entries.get(peerId)?.vector
  }

  * cards (): IterableIterator<AgentCard> {
    for (const entry of this.entries.values()) yield entry.card
  }

  expire (now: number = this.clock()): string[] {
    const gone: string[] = []
    for (const [peerId, entry] of this.entries) {
      if (entry.card.expiresAt <= now) {
        this.entries.delete(peerId)
        gone.push(peerId)
      }
    }
    this.counters.expired += gone.length
    return gone
  }

  stats (): AgentCardCacheStats {
    return { peers: this.entries.size, ...this.counters, rejected: { ...this.rejected } }
  }

  private reject (reason: CardRejection, error: Error): OfferOutcome {
    this.rejected[reason]++
    return { accepted: false, reason, error, evicted: [] }
  }

  /** A linear scan: it only runs when the cache is full, and 10,000 comparisons cost less than one signature check. */
  private soonestExpiring (): Entry | undefined {
    let soonest: Entry | undefined
    for (const entry of this.entries.values()) {
      if (soonest === undefined || entry.card.expiresAt < soonest.card.expiresAt) soonest = entry
    }
    return soonest
  }
}

function positiveInteger (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`)
  return value
}
