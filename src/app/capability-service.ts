/**
 * This tab's part in discovery: it publishes its own signed Agent Card while
 * contributing, keeps the cards of others (verified, counted, expiring) in an
 * HNSW index of capability vectors, learns with a Q-router which executors
 * finish which kind of work fastest, and keeps all of it in IndexedDB.
 */
import { bytesToBase64Url, utf8ToBytes } from '../core/encoding.ts'
import { mulberry32 } from '../core/index.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import {
  AGENT_CARD_REFRESH_MS, AGENT_CARD_TOPIC, CAPABILITY_VECTOR_DIMENSIONS, DEFAULT_AGENT_CARD_TTL_MS, MAX_AGENT_CARD_BYTES,
  createAgentCardCache, signAgentCard
} from '../discovery/index.ts'
import type { AgentCard, AgentCardCache, AgentSkill, CardBenchmark, CardRequirements } from '../discovery/index.ts'
import { HnswIndex } from '../discovery/hnsw/index.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import { TopicChannel } from '../network/topic-channel.ts'
import { destinationOf, rankExecutors } from '../orchestration/executor-selection.ts'
import type { RankedExecutor } from '../orchestration/executor-selection.ts'
import { QRouter } from '../orchestration/routing/index.ts'
import { InvalidReputationOptionsError, ReputationBook } from '../trust/reputation/index.ts'
import type { Outcome, ReputationBookOptions } from '../trust/reputation/index.ts'
import type { ZeroStateStore } from './store.ts'
import type { PriceSchedule } from '../receipts/pricing/index.ts'

/** What this tab says about itself in its card. */
export interface OwnCapabilities {
  contributing: boolean
  workerSlots: number
  memoryLimitBytes: number
  tags: string[]
  prices: PriceSchedule
  warmModules: string[]
}

export interface CapabilityServiceInit {
  identity: PeerIdentity
  store: ZeroStateStore
  pubsub: GossipSub
  /** Measured at start-up on a reference module. */
  benchmark: CardBenchmark
  own(): OwnCapabilities
  /** Something changed that the UI shows (cards, routing table). */
  onChange(): void
  /** A stored piece of state could not be used and was reset; says which and why. */
  onReset(message: string): void
}

const SAVE_DELAY_MS = 2000
const PUBLISH_AFTER_SUBSCRIBER_MS = 1500
const routerClock = { random: Math.random, now: Date.now }

export class CapabilityService {
  private readonly init: CapabilityServiceInit
  readonly cards: AgentCardCache
  index: HnswIndex
  router: QRouter
  reputation: ReputationBook
  /** This tab's choices of half-life and blacklisting; the defaults where unset. */
  reputationPolicy: ReputationPolicy
  private readonly channel: TopicChannel
  private sequence = Date.now()
  private refreshTimer: ReturnType<typeof setInterval> | undefined
  private saveTimer: ReturnType<typeof setTimeout> | undefined

  constructor (init: CapabilityServiceInit) {
    this.init = init
    this.cards = createAgentCardCache({ now: Date.now })
    this.index = newIndex()
    this.router = new QRouter(routerClock)
    this.reputation = new ReputationBook({ now: Date.now })
    this.reputationPolicy = {}
    this.channel = new TopicChannel(init.pubsub, {
      topic: AGENT_CARD_TOPIC,
      maxMessageBytes: MAX_AGENT_CARD_BYTES * 2,
      onMessage: message => { void this.receive(message.from.toString(), message.data) },
      // A newcomer should not wait a whole refresh period for this tab's card.
      onSubscriber: () => { this.publishSoon() }
    })
  }

  /** Restores the routing table, the cards and the index; anything unusable is reset with a message. */
  async start (): Promise<void> {
    const { store } = this.init
    try {
      const saved = await store.loadState('q-router')
      if (saved !== undefined) this.router = QRouter.fromJSON(saved, routerClock)
    } catch (err) {
      await store.deleteState('q-router')
      this.init.onReset(`the saved routing table was unusable and has been reset (${(err as Error).message})`)
    }
    try {
      const policy = await store.loadState('reputation-policy')
      if (policy !== undefined) this.reputationPolicy = checkReputationPolicy(policy)
      const saved = await store.loadState('reputation')
      this.reputation = saved === undefined
        ? new ReputationBook({ ...this.reputationPolicy, now: Date.now })
        : ReputationBook.fromJSON(saved, { ...this.reputationPolicy, now: Date.now })
    } catch (err) {
      this.reputationPolicy = {}
      await store.deleteState('reputation-policy')
      await store.deleteState('reputation')
      this.init.onReset(`the saved reputation book was unusable and has been reset (${(err as Error).message})`)
    }
    try {
      const savedCards = await store.loadState('agent-cards')
      const savedIndex = await store.loadState('capability-index')
      for (const card of Array.isArray(savedCards) ? savedCards : []) await this.cards.offer(card)
      if (savedIndex instanceof Uint8Array) {
        this.index = HnswIndex.deserialize(savedIndex, { random: mulberry32(Date.now() >>> 0) })
      }
      // The index holds exactly the cards still valid: drop the expired, add any it lacks.
      for (const card of this.cards.cards()) {
        if (!this.index.has(card.peerId)) this.index.insert(card.peerId, this.cards.vector(card.peerId) as Float32Array)
      }
    } catch (err) {
      this.index = newIndex()
      await Promise.all([store.deleteState('agent-cards'), store.deleteState('capability-index')])
      this.init.onReset(`the saved capability index was unusable and has been reset (${(err as Error).message})`)
    }
    this.channel.start()
    this.refreshTimer = setInterval(() => { void this.refresh() }, AGENT_CARD_REFRESH_MS)
    await this.refresh()
  }

  stop (): void {
    clearInterval(this.refreshTimer)
    clearTimeout(this.saveTimer)
    clearTimeout(this.publishTimer)
    this.channel.stop()
  }

  /** Publishes this tab's card now if it contributes; drops expired cards of others. */
  async refresh (): Promise<void> {
    for (const peerId of this.cards.expire()) this.index.delete(peerId)
    const own = this.init.own()
    if (!own.contributing) return
    const card = await this.ownCard(own)
    // Nobody subscribed yet (the mesh is still forming): try again shortly.
    if (!await this.channel.publish(utf8ToBytes(JSON.stringify(card)))) this.publishSoon()
    this.init.onChange()
  }

  private publishTimer: ReturnType<typeof setTimeout> | undefined

  /** Coalesces bursts of newcomers into one publication, after gossipsub has grafted them (~1 s heartbeat). */
  private publishSoon (): void {
    if (this.publishTimer !== undefined) return
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined
      void this.refresh()
    }, PUBLISH_AFTER_SUBSCRIBER_MS)
  }

  rank (requirements: CardRequirements, reachable: ReadonlySet<string>): RankedExecutor[] {
    return rankExecutors({
      requirements,
      card: id => this.cards.get(id),
      index: this.index,
      router: this.router,
      reachable,
      reputation: id => ({ score: this.reputation.score(id), blacklisted: this.reputation.isBlacklisted(id) })
    })
  }

  /** Learns from a finished (or failed) task: how long it took through `executor`, and how it behaved. */
  recordOutcome (requirements: CardRequirements, executor: string, elapsedMs: number, outcome: Outcome | undefined): void {
    this.router.update(destinationOf(requirements), executor, elapsedMs, 0)
    if (outcome !== undefined) this.reputation.record(executor, outcome)
    this.init.onChange()
    this.saveSoon()
  }

  /** Records what was learnt of a peer outside a task of this tab's (a witness's finding, a resolved dispute) and keeps it. */
  recordReputation (peerId: string, outcome: Outcome, options: { proven?: boolean } = {}): void {
    this.reputation.record(peerId, outcome, options)
    this.init.onChange()
    this.saveSoon()
  }

  /**
   * Changes how this tab keeps reputation (half-life, blacklist threshold and
   * duration; the defaults for what is left out) and keeps the choice. The
   * book keeps its records and applies the new policy from now on.
   */
  async setReputationPolicy (policy: ReputationPolicy): Promise<void> {
    const checked = checkReputationPolicy(policy)
    // Built before anything changes: bad values throw InvalidReputationOptionsError and leave the book as it was.
    const book = ReputationBook.fromJSON(this.reputation.toJSON(), { ...checked, now: Date.now })
    this.reputation = book
    this.reputationPolicy = checked
    await this.init.store.saveState('reputation-policy', checked)
    this.init.onChange()
    this.saveSoon()
  }

  /** Puts `peerId` on the whitelist (or takes it off) and keeps that. */
  whitelist (peerId: string, on: boolean): void {
    if (on) this.reputation.allow(peerId)
    else this.reputation.disallow(peerId)
    this.init.onChange()
    this.saveSoon()
  }

  /** Learns how long reaching `target` took through the neighbour `via` (a forwarded task). */
  recordHop (target: string, via: string, elapsedMs: number): void {
    this.router.update(target, via, elapsedMs, 0)
    this.routerChanged()
  }

  /** Something else (a forwarder, a warm start) updated the router: show it and keep it. */
  routerChanged (): void {
    this.init.onChange()
    this.saveSoon()
  }

  private async ownCard (own: OwnCapabilities): Promise<AgentCard> {
    const { identity, benchmark } = this.init
    const now = Date.now()
    const skills: AgentSkill[] = [{
      id: 'wasi-command',
      name: 'WASI command',
      description: 'Runs WASI preview1 command modules in a metered, deterministic sandbox.',
      tags: own.tags.slice(0, 8)
    }]
    return signAgentCard({
      cardVersion: 1,
      name: `ZeroState peer ${identity.peerId.toString().slice(-6)}`,
      description: 'A browser tab contributing compute to the ZeroState mesh.',
      version: '0.1.0',
      skills,
      peerId: identity.peerId.toString(),
      publicKey: bytesToBase64Url(identity.publicKey),
      issuedAt: now,
      expiresAt: now + DEFAULT_AGENT_CARD_TTL_MS,
      sequence: ++this.sequence,
      workerSlots: own.workerSlots,
      memoryLimitBytes: own.memoryLimitBytes,
      benchmark,
      prices: { ...own.prices },
      warmModules: own.warmModules.slice(0, 32),
      availability: { visible: typeof document === 'undefined' || document.visibilityState === 'visible' }
    }, identity)
  }

  private async receive (from: string, data: Uint8Array): Promise<void> {
    let json: unknown
    try {
      json = JSON.parse(new TextDecoder().decode(data))
    } catch {
      json = undefined
    }
    const outcome = await this.cards.offer(json, { from })
    for (const peerId of outcome.evicted) this.index.delete(peerId)
    if (!outcome.accepted) return
    this.index.insert(outcome.card.peerId, outcome.vector)
    this.init.onChange()
    this.saveSoon()
  }

  private saveSoon (): void {
    if (this.saveTimer !== undefined) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      const { store } = this.init
      void Promise.all([
        store.saveState('q-router', this.router.toJSON()),
        store.saveState('reputation', this.reputation.toJSON()),
        store.saveState('agent-cards', [...this.cards.cards()]),
        store.saveState('capability-index', this.index.serialize())
      ]).catch(() => {})
    }, SAVE_DELAY_MS)
  }
}

/** The configurable part of a reputation book's options. */
export type ReputationPolicy = Pick<ReputationBookOptions, 'halfLifeMs' | 'blacklistThreshold' | 'blacklistMs'>

/** A copy of `value` holding only the policy's members, each a number when present (the book checks the ranges). */
function checkReputationPolicy (value: unknown): ReputationPolicy {
  if (typeof value !== 'object' || value === null) throw new InvalidReputationOptionsError('a reputation policy is an object')
  const policy: ReputationPolicy = {}
  for (const key of ['halfLifeMs', 'blacklistThreshold', 'blacklistMs'] as const) {
    const field = (value as Record<string, unknown>)[key]
    if (field === undefined) continue
    if (typeof field !== 'number') throw new InvalidReputationOptionsError(`${key} must be a number`)
    policy[key] = field
  }
  return policy
}

function newIndex (): HnswIndex {
  return new HnswIndex({ dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32(Date.now() >>> 0) })
}
