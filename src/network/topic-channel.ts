import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message, SignedMessage, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { noopLogger } from '../core/logger.ts'
import type { Logger } from '../core/logger.ts'
import { DEFAULT_TOPIC_RATE } from './constants.ts'
import { RateLimiter } from './rate-limit.ts'
import type { RateLimit } from './rate-limit.ts'

/**
 * What a topic's validator decided. `accept` carries what it read from the
 * message (parsed, verified), handed to `onMessage` so nothing is checked
 * twice; `reject` is for a message no honest peer sends (it is dropped and
 * its sender penalised where gossipsub scores topics); `ignore` for one that
 * is merely not useful (stale, a duplicate by content, no room for it).
 * Neither is delivered nor forwarded.
 */
export type Validation<T> = { result: 'accept', value: T } | Drop

/** A message not delivered nor forwarded, and why (counted under `reason`). */
export interface Drop {
  result: 'reject' | 'ignore'
  reason: string
  error?: unknown
}

export function accept<T> (value: T): Validation<T> {
  return { result: 'accept', value }
}

export function reject (reason: string, error?: unknown): Drop {
  return { result: 'reject', reason, error }
}

export function ignore (reason: string, error?: unknown): Drop {
  return { result: 'ignore', reason, error }
}

/** A reason named after the error: its class name (errors cross the wire by name), `malformed` for JSON that does not parse. */
export function reasonOf (err: unknown): string {
  if (!(err instanceof Error)) return 'invalid'
  return err.name === 'SyntaxError' ? 'malformed' : err.name
}

export interface TopicChannelInit<T> {
  topic: string
  /** Messages above this are rejected before anything else is read (`oversized`). */
  maxMessageBytes: number
  /** Messages taken from one identity (the signed `from`); more are rejected as `flood`. Default DEFAULT_TOPIC_RATE. */
  rate?: RateLimit
  /**
   * Decides, before gossipsub delivers or forwards it, whether a signed
   * message within the size and rate limits is valid: schema, signatures,
   * sender = signer. Gossipsub has checked the message's own signature, so
   * `message.from` is authentic; `message.data` is still unchecked bytes. A
   * throw counts as a reject named after the error (reasonOf).
   */
  validate(message: SignedMessage): Validation<T> | Promise<Validation<T>>
  /** An accepted message, with what `validate` read from it. */
  onMessage(value: T, message: SignedMessage): void
  /** A peer subscribed to the topic: a chance to send it what it has missed. */
  onSubscriber?(peerId: string): void
  /** Where drops are reported (debug: they are counted in gossipStats too). */
  logger?: Logger
  /** Milliseconds, for the rate; default Date.now. */
  now?(): number
}

/** Per topic: messages accepted, and those dropped by reason. */
export interface TopicStats {
  accepted: number
  rejected: Record<string, number>
  ignored: Record<string, number>
}

/** The counters of every TopicChannel made on `pubsub`, by topic (copies). */
export function gossipStats (pubsub: GossipSub): Record<string, TopicStats> {
  const topics = registry.get(pubsub) ?? new Map<string, TopicStats>()
  return Object.fromEntries([...topics].map(([topic, stats]) => [topic, {
    accepted: stats.accepted, rejected: { ...stats.rejected }, ignored: { ...stats.ignored }
  }]))
}

/** Counters per pubsub instance: each service makes its own channel, the app reads them all in one place. */
const registry = new WeakMap<GossipSub, Map<string, TopicStats>>()

/**
 * One gossipsub topic: subscribe, publish, and deliver only what the topic's
 * validator accepted. The validator runs before gossipsub forwards a
 * message, so an unsigned, oversized, flooding or invalid one stops at the
 * first honest peer: it reaches neither this tab's services nor any other tab.
 */
export class TopicChannel<T = unknown> {
  private readonly pubsub: GossipSub
  private readonly init: TopicChannelInit<T>
  private readonly logger: Logger
  private readonly rate: RateLimiter
  private readonly stats: TopicStats
  /** What the validator read from each accepted message, until gossipsub delivers it (the same object). */
  private readonly accepted = new WeakMap<Message, { value: T }>()

  constructor (pubsub: GossipSub, init: TopicChannelInit<T>) {
    this.pubsub = pubsub
    this.init = init
    this.logger = init.logger ?? noopLogger
    this.rate = new RateLimiter({ ...(init.rate ?? DEFAULT_TOPIC_RATE), now: init.now ?? Date.now })
    const topics = registry.get(pubsub) ?? new Map<string, TopicStats>()
    registry.set(pubsub, topics)
    this.stats = topics.get(init.topic) ?? { accepted: 0, rejected: {}, ignored: {} }
    topics.set(init.topic, this.stats)
  }

  get topic (): string {
    return this.init.topic
  }

  start (): void {
    this.pubsub.topicValidators.set(this.init.topic, this.validator)
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.subscribe(this.init.topic)
  }

  stop (): void {
    this.pubsub.unsubscribe(this.init.topic)
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.topicValidators.delete(this.init.topic)
  }

  /** Publishes to whoever is subscribed; false when nobody is yet (the caller republishes later). */
  async publish (data: Uint8Array): Promise<boolean> {
    try {
      const { recipients } = await this.pubsub.publish(this.init.topic, data)
      return recipients.length > 0
    } catch (err) {
      this.logger.debug(`publishing on ${this.init.topic} reached nobody`, err)
      return false
    }
  }

  /** The gossipsub topic validator: cheap checks first (signed, size, rate), then the topic's own. */
  readonly validator = async (_propagationSource: PeerId, message: Message): Promise<TopicValidatorResult> => {
    if (message.type !== 'signed') return this.drop(reject('unsigned'), message)
    if (message.data.byteLength > this.init.maxMessageBytes) return this.drop(reject('oversized'), message)
    // Before the topic's checks, which may verify signatures: a flood costs its sender, not this tab.
    if (!this.rate.take(message.from.toString())) return this.drop(reject('flood'), message)
    let verdict: Validation<T>
    try {
      verdict = await this.init.validate(message)
    } catch (err) {
      verdict = reject(reasonOf(err), err)
    }
    if (verdict.result !== 'accept') return this.drop(verdict, message)
    this.stats.accepted++
    this.accepted.set(message, { value: verdict.value })
    return TopicValidatorResult.Accept
  }

  private drop (verdict: Drop, message: Message): TopicValidatorResult {
    const counts = verdict.result === 'reject' ? this.stats.rejected : this.stats.ignored
    counts[verdict.reason] = (counts[verdict.reason] ?? 0) + 1
    const from = message.type === 'signed' ? message.from.toString() : 'an unsigned sender'
    this.logger.debug(`${verdict.result === 'reject' ? 'rejected' : 'ignored'} a message on ${this.init.topic} from ${from}: ${verdict.reason}`, verdict.error)
    return verdict.result === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
  }

  private readonly onSubscriptionChange = (event: CustomEvent<SubscriptionChangeData>): void => {
    if (event.detail.subscriptions.some(s => s.subscribe && s.topic === this.init.topic)) {
      this.init.onSubscriber?.(event.detail.peerId.toString())
    }
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== this.init.topic || message.type !== 'signed') return
    const accepted = this.accepted.get(message)
    if (accepted === undefined) return
    this.accepted.delete(message)
    this.init.onMessage(accepted.value, message)
  }
}
