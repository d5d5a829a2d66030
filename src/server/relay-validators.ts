/**
 * What the relay checks before it forwards gossip on the topics it routes.
 *
 * Gossipsub runs a topic validator on every message it has not seen before,
 * after verifying the message signature and before forwarding it
 * (@libp2p/gossipsub gossipsub.ts validateReceivedMessage). The verdict tells
 * it what to do (gossipsub v1.1 spec, "Extended Validators"): Accept forwards;
 * Ignore drops without blame; Reject drops and counts an invalid delivery
 * against the peer that sent it (score P4), which soon stops the relay
 * listening to that peer at all.
 *
 * Reject is kept for what the sender must have known to be wrong:
 * - unsigned or oversized messages: every tab's own validator
 *   (network/topic-channel.ts) refuses them, so no honest peer forwards one;
 * - malformed or forged content, or a flood, from its author itself.
 * The same content forwarded by another peer is Ignored: tabs do not check
 * schemas or rates before forwarding, and an honest tab must not be graylisted
 * for passing on a message it could not judge. Stale cards (expired, or issued
 * in the future) are Ignored too: a wrong clock is not an attack; and so are
 * messages past an identity's rate but short of a flood (./constants.ts).
 */
import type { GossipSub, Message, SignedMessage, TopicValidatorFn } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { RateLimiter } from '@libp2p/utils'
import { bytesToUtf8, noopLogger } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import {
  AGENT_CARD_TOPIC, AgentCardExpiredError, AgentCardKeyMismatchError, AgentCardNotYetValidError, AgentCardSenderMismatchError,
  AgentCardSignatureError, MAX_AGENT_CARD_BYTES, MAX_CARDS_PER_PEER_PER_MINUTE, parseAgentCard, verifyAgentCard
} from '../discovery/index.ts'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_TOPIC } from '../network/presence/constants.ts'
import { decodePresence } from '../network/presence/index.ts'
import {
  MAX_MESH_FIGURES_BYTES, MESH_FIGURES_FLOOD_PER_WINDOW, MESH_FIGURES_PER_WINDOW, MESH_FIGURES_RATE_WINDOW_MS, MESH_FIGURES_TOPIC,
  MeshFiguresKeyMismatchError, MeshFiguresNotYetValidError, MeshFiguresSenderMismatchError, MeshFiguresSignatureError, MeshFiguresStaleError,
  parseMeshFigures, verifyMeshFigures
} from '../receipts/mesh-figures/index.ts'
import type { MeshFigures, MeshFiguresBoard } from '../receipts/mesh-figures/index.ts'
import {
  CARD_FLOOD_PER_WINDOW, CARD_RATE_WINDOW_MS, DROP_SUMMARY_INTERVAL_MS, PRESENCE_FLOOD_PER_WINDOW, PRESENCE_MESSAGES_PER_WINDOW,
  PRESENCE_RATE_WINDOW_MS
} from './constants.ts'

/** Why a message was dropped. `rate` (past messagesPerWindow) is Ignored, `flood` (past floodPerWindow) Rejected. */
export type GossipDropReason = 'unsigned' | 'too-large' | 'malformed' | 'forged' | 'stale' | 'rate' | 'flood'

export const GOSSIP_DROP_REASONS: readonly GossipDropReason[] = ['unsigned', 'too-large', 'malformed', 'forged', 'stale', 'rate', 'flood']

/** One routed topic: its limits, and the check of a message's content. */
export interface TopicRule {
  topic: string
  /** Largest message accepted, bytes. */
  maxBytes: number
  /** Messages forwarded per author identity per window. */
  messagesPerWindow: number
  /** Past this many per window, an identity's messages are Rejected, not just dropped. */
  floodPerWindow: number
  windowMs: number
  /** Undefined when the content is good. */
  check(message: SignedMessage, now: number): GossipDropReason | undefined | Promise<GossipDropReason | undefined>
}

export interface GossipStats {
  /** Messages forwarded, by topic. */
  accepted: Record<string, number>
  /** Payload bytes (the message's `data`) of the messages forwarded, by topic. */
  acceptedBytes: Record<string, number>
  /** Messages dropped, by topic and reason. */
  dropped: Record<string, Record<GossipDropReason, number>>
  /** Payload bytes of the messages dropped, by topic and reason. */
  droppedBytes: Record<string, Record<GossipDropReason, number>>
}

export interface RelayGossipInit {
  rules: TopicRule[]
  logger?: Logger
  /** The relay's clock, ms since the Unix epoch; default Date.now. */
  now?(): number
}

/** Verdicts that do not depend on who forwarded the message. */
const ALWAYS_REJECTED = new Set<GossipDropReason>(['unsigned', 'too-large'])
/** Verdicts that never blame the sender. */
const NEVER_REJECTED = new Set<GossipDropReason>(['stale', 'rate'])

const FORGED_CARD_ERRORS = new Set([AgentCardSignatureError.name, AgentCardKeyMismatchError.name, AgentCardSenderMismatchError.name])
const STALE_CARD_ERRORS = new Set([AgentCardExpiredError.name, AgentCardNotYetValidError.name])

/** Presence (network/presence): at most MAX_PRESENCE_MESSAGE_BYTES, and a well-formed announcement. */
export function presenceRule (): TopicRule {
  return {
    topic: PRESENCE_TOPIC,
    maxBytes: MAX_PRESENCE_MESSAGE_BYTES,
    messagesPerWindow: PRESENCE_MESSAGES_PER_WINDOW,
    floodPerWindow: PRESENCE_FLOOD_PER_WINDOW,
    windowMs: PRESENCE_RATE_WINDOW_MS,
    check: (message, now) => decodePresence(message, now) == null ? 'malformed' : undefined
  }
}

/**
 * Agent Cards (docs/agent-card.md): within the gossip frame tabs accept
 * (twice MAX_AGENT_CARD_BYTES, as discovery's card service), a version 1 card,
 * signed by the peer it describes, which is also the message's author.
 */
export function agentCardRule (): TopicRule {
  return {
    topic: AGENT_CARD_TOPIC,
    maxBytes: 2 * MAX_AGENT_CARD_BYTES,
    messagesPerWindow: MAX_CARDS_PER_PEER_PER_MINUTE,
    floodPerWindow: CARD_FLOOD_PER_WINDOW,
    windowMs: CARD_RATE_WINDOW_MS,
    check: async (message, now) => {
      let card
      try {
        card = parseAgentCard(JSON.parse(bytesToUtf8(message.data)))
      } catch {
        return 'malformed'
      }
      try {
        await verifyAgentCard(card, { now, from: message.from.toString() })
        return undefined
      } catch (err) {
        const name = (err as Error).name
        return FORGED_CARD_ERRORS.has(name) ? 'forged' : STALE_CARD_ERRORS.has(name) ? 'stale' : 'malformed'
      }
    }
  }
}

const FORGED_FIGURES_ERRORS = new Set([MeshFiguresSignatureError.name, MeshFiguresKeyMismatchError.name, MeshFiguresSenderMismatchError.name])
const STALE_FIGURES_ERRORS = new Set([MeshFiguresStaleError.name, MeshFiguresNotYetValidError.name])

/**
 * Mesh figures (receipts/mesh-figures, docs/metrics.md "Mesh figures"): at
 * most MAX_MESH_FIGURES_BYTES, version 1 figures signed by the message's
 * author, fresh (`at` within MAX_MESH_FIGURES_AGE_MS, not ahead by more than
 * the skew), at most MESH_FIGURES_PER_WINDOW a minute per peer, and newer
 * than what `board` holds of that peer: an older `seq` or run is a replay
 * (`stale`), counters of one run going down `malformed`. What it takes goes on
 * the board and to `onAccepted`; the same report again is forwarded but
 * changes nothing.
 */
export function meshFiguresRule (board: MeshFiguresBoard, onAccepted: (figures: MeshFigures) => void = () => {}): TopicRule {
  return {
    topic: MESH_FIGURES_TOPIC,
    maxBytes: MAX_MESH_FIGURES_BYTES,
    messagesPerWindow: MESH_FIGURES_PER_WINDOW,
    floodPerWindow: MESH_FIGURES_FLOOD_PER_WINDOW,
    windowMs: MESH_FIGURES_RATE_WINDOW_MS,
    check: (message, now) => {
      let figures: MeshFigures
      try {
        figures = parseMeshFigures(JSON.parse(bytesToUtf8(message.data)))
      } catch {
        return 'malformed'
      }
      try {
        figures = verifyMeshFigures(figures, { now, from: message.from.toString() })
      } catch (err) {
        const name = (err as Error).name
        return FORGED_FIGURES_ERRORS.has(name) ? 'forged' : STALE_FIGURES_ERRORS.has(name) ? 'stale' : 'malformed'
      }
      switch (board.offer(figures, now)) {
        case 'replay': return 'stale'
        case 'regressed': return 'malformed'
        case 'duplicate': return undefined
        default:
          onAccepted(figures)
          return undefined
      }
    }
  }
}

function emptyDrops (): Record<GossipDropReason, number> {
  return Object.fromEntries(GOSSIP_DROP_REASONS.map(reason => [reason, 0])) as Record<GossipDropReason, number>
}

/**
 * The relay's topic validators, with a per-identity rate for each topic and
 * counts of what they dropped. `install` puts them on a gossipsub instance.
 */
export class RelayGossipValidators {
  private readonly rules: TopicRule[]
  private readonly logger: Logger
  private readonly now: () => number
  private readonly limiters = new Map<string, RateLimiter>()
  private readonly accepted: Record<string, number> = {}
  private readonly acceptedBytes: Record<string, number> = {}
  private readonly dropped: Record<string, Record<GossipDropReason, number>> = {}
  private readonly droppedBytes: Record<string, Record<GossipDropReason, number>> = {}
  private sinceSummary: Record<string, Record<GossipDropReason, number>> = {}
  private lastSummaryAt = -Infinity

  constructor (init: RelayGossipInit) {
    this.rules = init.rules
    this.logger = init.logger ?? noopLogger
    this.now = init.now ?? Date.now
    for (const rule of this.rules) {
      // A fixed window per author (@libp2p/utils RateLimiter: `duration` in seconds; its timers are unref'd).
      this.limiters.set(rule.topic, new RateLimiter({ points: rule.messagesPerWindow, duration: rule.windowMs / 1000 }))
      this.accepted[rule.topic] = 0
      this.acceptedBytes[rule.topic] = 0
      this.dropped[rule.topic] = emptyDrops()
      this.droppedBytes[rule.topic] = emptyDrops()
    }
  }

  /** The topics validated, in the order of the rules. */
  topics (): string[] {
    return this.rules.map(rule => rule.topic)
  }

  install (pubsub: GossipSub): void {
    for (const rule of this.rules) pubsub.topicValidators.set(rule.topic, this.validator(rule))
  }

  uninstall (pubsub: GossipSub): void {
    for (const rule of this.rules) pubsub.topicValidators.delete(rule.topic)
  }

  stats (): GossipStats {
    const copy = (byTopic: Record<string, Record<GossipDropReason, number>>): Record<string, Record<GossipDropReason, number>> =>
      Object.fromEntries(Object.entries(byTopic).map(([topic, drops]) => [topic, { ...drops }]))
    return {
      accepted: { ...this.accepted },
      acceptedBytes: { ...this.acceptedBytes },
      dropped: copy(this.dropped),
      droppedBytes: copy(this.droppedBytes)
    }
  }

  private validator (rule: TopicRule): TopicValidatorFn {
    return async (source: PeerId, message: Message) => {
      const reason = await this.judge(rule, message)
      if (reason === undefined) {
        this.accepted[rule.topic] = (this.accepted[rule.topic] ?? 0) + 1
        this.acceptedBytes[rule.topic] = (this.acceptedBytes[rule.topic] ?? 0) + message.data.byteLength
        return TopicValidatorResult.Accept
      }
      const direct = message.type === 'signed' && source.equals(message.from)
      this.count(rule.topic, reason, message, source)
      return ALWAYS_REJECTED.has(reason) || (direct && !NEVER_REJECTED.has(reason))
        ? TopicValidatorResult.Reject
        : TopicValidatorResult.Ignore
    }
  }

  private async judge (rule: TopicRule, message: Message): Promise<GossipDropReason | undefined> {
    if (message.type !== 'signed') return 'unsigned'
    if (message.data.byteLength > rule.maxBytes) return 'too-large'
    // Before the content: the rate bounds the work (a card costs an Ed25519 verification) an identity can cause.
    const { consumedPoints } = (this.limiters.get(rule.topic) as RateLimiter).penalty(message.from.toString())
    if (consumedPoints > rule.floodPerWindow) return 'flood'
    if (consumedPoints > rule.messagesPerWindow) return 'rate'
    try {
      return await rule.check(message, this.now())
    } catch (err) {
      this.logger.warn(`checking a ${rule.topic} message failed`, err)
      return 'malformed'
    }
  }

  private count (topic: string, reason: GossipDropReason, message: Message, source: PeerId): void {
    const drops = this.dropped[topic] ??= emptyDrops()
    drops[reason]++
    const dropBytes = this.droppedBytes[topic] ??= emptyDrops()
    dropBytes[reason] += message.data.byteLength
    const since = this.sinceSummary[topic] ??= emptyDrops()
    since[reason]++
    const author = message.type === 'signed' ? message.from.toString() : 'unsigned'
    this.logger.debug(`relay dropped a ${topic} message (${reason}) from ${author} via ${source.toString()}`)
    const now = this.now()
    if (now - this.lastSummaryAt < DROP_SUMMARY_INTERVAL_MS) return
    const summary = Object.entries(this.sinceSummary)
      .map(([t, drops]) => `${t}: ${Object.entries(drops).filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`).join(', ')}`)
      .join('; ')
    this.logger.warn(`relay dropped gossip since the last report: ${summary}`)
    this.sinceSummary = {}
    this.lastSummaryAt = now
  }
}
