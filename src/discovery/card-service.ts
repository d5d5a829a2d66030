/**
 * A peer's part in discovery: it publishes its own signed Agent Card on
 * AGENT_CARD_TOPIC while it contributes (every AGENT_CARD_REFRESH_MS, and
 * soon after a new subscriber appears), and keeps the verified cards of
 * others in a card cache and an HNSW index of their capability vectors, both
 * kept in the store across reloads.
 */
import type { GossipSub } from '@libp2p/gossipsub'
import { Debounced, bytesToBase64Url, bytesToUtf8, mulberry32, noopLogger, utf8ToBytes, warnOn } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import { TopicChannel, accept, ignore, reject } from '../network/topic-channel.ts'
import type { Validation } from '../network/topic-channel.ts'
import type { StateStore } from '../storage/index.ts'
import { signAgentCard } from './agent-card.ts'
import { createAgentCardCache } from './card-cache.ts'
import type { AgentCardCache, CardRejection, OfferOutcome } from './card-cache.ts'
import {
  AGENT_CARD_REFRESH_MS, AGENT_CARD_TOPIC, AGENT_CARD_VERSION_1, AGENT_CARD_VERSION_2, MAX_CARD_INTERFACES, CAPABILITY_VECTOR_DIMENSIONS, DEFAULT_AGENT_CARD_TTL_MS, MAX_AGENT_CARD_BYTES, MAX_SKILL_TAGS,
  MAX_WARM_MODULES, PUBLISH_AFTER_SUBSCRIBER_MS, AVAILABILITY_REPUBLISH_MIN_MS
} from './constants.ts'
import { HnswIndex } from './hnsw/index.ts'
import type { AgentCard, AgentSkill, CardAvailability, CardBenchmark, CardInterface, CardPrices } from './types.ts'

/** What this peer says about itself in its card. */
export interface OwnCapabilities {
  contributing: boolean
  workerSlots: number
  memoryLimitBytes: number
  tags: string[]
  prices: CardPrices
  warmModules: string[]
  /** The A2A bindings this peer serves; when there are any, the card is version 2 and declares them (docs/agent-card.md §10). */
  interfaces?: CardInterface[]
}

export interface AgentCardServiceComponents {
  identity: PeerIdentity
  store: StateStore
  pubsub: GossipSub
  logger?: Logger
}

export interface AgentCardServiceInit {
  /** Measured at start-up on a reference module. */
  benchmark: CardBenchmark
  /** Asked each time the card is published. */
  own(): OwnCapabilities
  /** Whether the page is visible (a hidden tab is throttled); default: visible. */
  visible?(): boolean
  /** The class and timer lag the tab measured of itself (availability-probe.ts); none by default (a Node peer). */
  availability?(): Pick<CardAvailability, 'class' | 'timerLagMs'>
  /** The cards or the index changed. */
  onChange?(): void
  /** A stored piece of state could not be used and was reset; says which and why. */
  onReset?(message: string): void
}

/** Cards turned away that an honest peer may have sent (an old one, one the cache has no room for): ignored, not rejected. */
const IGNORED_CARDS: ReadonlySet<CardRejection> = new Set(['expired', 'replayed-sequence', 'capacity'])

/** How long after a change the cards and index are written (changes in between make one write). */
const SAVE_DELAY_MS = 2000

export class AgentCardService {
  readonly cards: AgentCardCache
  private indexValue: HnswIndex
  private readonly components: AgentCardServiceComponents
  private readonly init: AgentCardServiceInit
  private readonly logger: Logger
  private readonly channel: TopicChannel
  /** The sequence number of the last card signed (see `nextSequence`). */
  private sequence = 0
  private running = false
  private refreshTimer: ReturnType<typeof setInterval> | undefined
  private publishTimer: ReturnType<typeof setTimeout> | undefined
  private availabilityTimer: ReturnType<typeof setTimeout> | undefined
  /** When a change of availability last republished the card (Date.now ms). */
  private availabilityPublishedAt = Number.NEGATIVE_INFINITY
  private readonly saving: Debounced
  /** The publication of this peer's card under way, and the one queued behind it (see `refresh`). */
  private publishing: Promise<void> | undefined
  private queuedPublication: Promise<void> | undefined

  constructor (components: AgentCardServiceComponents, init: AgentCardServiceInit) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
    this.saving = new Debounced(() => { this.save() }, SAVE_DELAY_MS)
    this.cards = createAgentCardCache({ now: Date.now })
    this.indexValue = newIndex()
    this.channel = new TopicChannel(components.pubsub, {
      topic: AGENT_CARD_TOPIC,
      maxMessageBytes: MAX_AGENT_CARD_BYTES * 2,
      validate: async message => this.validate(message.from.toString(), message.data),
      onMessage: outcome => { this.taken(outcome) },
      // A newcomer should not wait a whole refresh period for this peer's card.
      onSubscriber: () => { this.publishSoon() },
      logger: this.logger
    })
  }

  /** The capability index over the cards held now (replaced when a stored one is restored). */
  get index (): HnswIndex {
    return this.indexValue
  }

  /** Restores the cards and the index (anything unusable is reset, with onReset), then publishes. Safe to call twice. */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    const { store } = this.components
    try {
      const savedCards = await store.loadState('agent-cards')
      const savedIndex = await store.loadState('capability-index')
      for (const card of Array.isArray(savedCards) ? savedCards : []) await this.cards.offer(card)
      if (savedIndex instanceof Uint8Array) {
        this.indexValue = HnswIndex.deserialize(savedIndex, { random: mulberry32(Date.now() >>> 0) })
      }
      // The index holds exactly the cards still valid: drop the expired, add any it lacks.
      for (const card of this.cards.cards()) {
        if (!this.indexValue.has(card.peerId)) this.indexValue.insert(card.peerId, this.cards.vector(card.peerId) as Float32Array)
      }
    } catch (err) {
      this.indexValue = newIndex()
      await Promise.all([store.deleteState('agent-cards'), store.deleteState('capability-index')])
      this.init.onReset?.(`the saved capability index was unusable and has been reset (${(err as Error).message})`)
    }
    this.channel.start()
    this.refreshTimer = setInterval(() => { this.refresh().catch(warnOn(this.logger, 'publishing the Agent Card')) }, AGENT_CARD_REFRESH_MS)
    await this.refresh()
  }

  /** Stops publishing and listening. Safe to call twice. */
  stop (): void {
    if (!this.running) return
    this.running = false
    clearInterval(this.refreshTimer)
    this.saving.cancel()
    clearTimeout(this.publishTimer)
    this.publishTimer = undefined
    clearTimeout(this.availabilityTimer)
    this.availabilityTimer = undefined
    this.channel.stop()
  }

  /**
   * Publishes this peer's card now if it contributes; drops expired cards of
   * others. One publication at a time, in the order of their sequence
   * numbers: a card is numbered before it is signed, and a signature made on
   * WebCrypto's thread can land after a later card's, so overlapping
   * refreshes (the interval's and an availability change's) would otherwise
   * publish N + 1 before N, which receivers then ignore as replayed. A
   * refresh asked for while one is under way waits for it and publishes the
   * card as it is then; any asked for meanwhile share that one, which reads
   * the state after all of them were asked.
   */
  async refresh (): Promise<void> {
    if (this.queuedPublication !== undefined) return this.queuedPublication
    if (this.publishing === undefined) return this.publishNow()
    const queued = this.publishing.catch(() => {}).then(async () => {
      this.queuedPublication = undefined
      return this.publishNow()
    })
    this.queuedPublication = queued
    return queued
  }

  private publishNow (): Promise<void> {
    const publication = this.publishOwnCard().finally(() => {
      if (this.publishing === publication) this.publishing = undefined
    })
    this.publishing = publication
    return publication
  }

  private async publishOwnCard (): Promise<void> {
    for (const peerId of this.cards.expire()) this.indexValue.delete(peerId)
    const own = this.init.own()
    if (!own.contributing) return
    const card = await this.ownCard(own)
    // Nobody subscribed yet (the mesh is still forming): try again shortly.
    if (!await this.channel.publish(utf8ToBytes(JSON.stringify(card)))) this.publishSoon()
    this.init.onChange?.()
  }

  /**
   * The tab's availability class changed (availability-probe.ts): publish the
   * card at once, or — within AVAILABILITY_REPUBLISH_MIN_MS of the last such
   * publication — when that interval is over, with whatever the class is then.
   */
  availabilityChanged (): void {
    if (!this.running || this.availabilityTimer !== undefined) return
    const publish = (): void => {
      this.availabilityPublishedAt = Date.now()
      this.refresh().catch(warnOn(this.logger, 'publishing the Agent Card'))
    }
    const waitMs = this.availabilityPublishedAt + AVAILABILITY_REPUBLISH_MIN_MS - Date.now()
    // Not through a timer when there is nothing to wait for: the probe calls from its own chain of timers,
    // and a timer armed there waits for the next once-a-minute wake-up in a tab hidden long enough.
    if (waitMs <= 0) {
      publish()
      return
    }
    this.availabilityTimer = setTimeout(() => {
      this.availabilityTimer = undefined
      publish()
    }, waitMs)
  }

  /** Coalesces bursts of newcomers into one publication, after gossipsub has grafted them (~1 s heartbeat). */
  private publishSoon (): void {
    if (this.publishTimer !== undefined || !this.running) return
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined
      this.refresh().catch(warnOn(this.logger, 'publishing the Agent Card'))
    }, PUBLISH_AFTER_SUBSCRIBER_MS)
  }

  /**
   * `max(previous + 1, issuedAt)` (docs/agent-card.md §6): grows with every
   * card, and across reloads without stored state while the clock does not
   * go back.
   */
  private nextSequence (issuedAt: number): number {
    this.sequence = Math.max(this.sequence + 1, issuedAt)
    return this.sequence
  }

  private async ownCard (own: OwnCapabilities): Promise<AgentCard> {
    const { identity } = this.components
    const now = Date.now()
    const skills: AgentSkill[] = [{
      id: 'wasi-command',
      name: 'WASI command',
      description: 'Runs WASI preview1 command modules in a metered, deterministic sandbox.',
      tags: own.tags.slice(0, MAX_SKILL_TAGS)
    }]
    const interfaces = (own.interfaces ?? []).slice(0, MAX_CARD_INTERFACES)
    return signAgentCard({
      // Version 1 unless there is a binding to declare: what version-1-only peers still accept.
      cardVersion: interfaces.length === 0 ? AGENT_CARD_VERSION_1 : AGENT_CARD_VERSION_2,
      name: `ZeroState peer ${identity.peerId.toString().slice(-6)}`,
      description: 'A browser tab contributing compute to the ZeroState mesh.',
      version: '0.1.0',
      skills,
      peerId: identity.peerId.toString(),
      publicKey: bytesToBase64Url(identity.publicKey),
      issuedAt: now,
      expiresAt: now + DEFAULT_AGENT_CARD_TTL_MS,
      sequence: this.nextSequence(now),
      workerSlots: own.workerSlots,
      memoryLimitBytes: own.memoryLimitBytes,
      benchmark: this.init.benchmark,
      prices: { ...own.prices },
      warmModules: own.warmModules.slice(0, MAX_WARM_MODULES),
      availability: { visible: this.init.visible?.() ?? true, ...this.init.availability?.() },
      ...(interfaces.length === 0 ? {} : { supportedInterfaces: interfaces.map(entry => ({ ...entry })) })
    }, identity)
  }

  /**
   * Runs before gossipsub delivers or forwards a card: the cache parses and
   * verifies it (schema, signature, sender = the card's peer, the capability
   * vector) and applies its per-peer rate, so a card it turns away is
   * forwarded to no one. Cards no honest peer sends are rejected; stale ones
   * (expired, an old sequence, no room) only ignored.
   */
  private async validate (from: string, data: Uint8Array): Promise<Validation<Extract<OfferOutcome, { accepted: true }>>> {
    let json: unknown
    try {
      json = JSON.parse(bytesToUtf8(data))
    } catch (err) {
      return reject('malformed', err)
    }
    const outcome = await this.cards.offer(json, { from })
    for (const peerId of outcome.evicted) this.indexValue.delete(peerId)
    if (outcome.accepted) return accept(outcome)
    return IGNORED_CARDS.has(outcome.reason) ? ignore(outcome.reason, outcome.error) : reject(outcome.reason, outcome.error)
  }

  /** A card the cache took (in validate): index it. */
  private taken (outcome: Extract<OfferOutcome, { accepted: true }>): void {
    this.indexValue.insert(outcome.card.peerId, outcome.vector)
    this.init.onChange?.()
    this.saveSoon()
  }

  private saveSoon (): void {
    if (this.running) this.saving.schedule()
  }

  private save (): void {
    const { store } = this.components
    Promise.all([
      store.saveState('agent-cards', [...this.cards.cards()]),
      store.saveState('capability-index', this.indexValue.serialize())
    ]).catch(warnOn(this.logger, 'saving the Agent Cards and the capability index'))
  }
}

function newIndex (): HnswIndex {
  return new HnswIndex({ dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32(Date.now() >>> 0) })
}
