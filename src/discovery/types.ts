/** The Agent Card format's types (versions 1 and 2, docs/agent-card.md). */
import type { AGENT_CARD_VERSION_1, AGENT_CARD_VERSION_2 } from './constants.ts'

/** One thing a peer can do; the members of A2A's AgentSkill that a compute mesh needs. */
export interface AgentSkill {
  /** 1–48 characters of [a-z0-9._-]; unique within the card. */
  id: string
  /** Human-readable, 1–64 bytes of UTF-8. */
  name: string
  /** 0–160 bytes of UTF-8. */
  description: string
  /** Up to 8 distinct tags of [a-z0-9-], 1–32 characters each. */
  tags: string[]
}

export interface CardBenchmark {
  /** Fuel units this peer burns per millisecond on the reference module, rounded down. */
  fuelPerMs: number
  /** Lowercase hex SHA-256 of the reference benchmark module. */
  reference: string
}

/** Asking prices, each a non-negative integer of micro-units (10⁻⁶ of the abstract currency unit). */
export interface CardPrices {
  /** Per million fuel units consumed. */
  perMegaFuel: number
  /** Per second of wall-clock run time. */
  perSecond: number
  /** Per MiB (2²⁰ bytes) of the memory limit a task is given. */
  perMb: number
}

export interface CardAvailability {
  /** The tab is in the foreground (Page Visibility API); background tabs are throttled. */
  visible: boolean
  /** On mains power; absent when unknown. A machine without a battery says true. */
  charging?: boolean
  /** Battery level from 0 to 1; absent when unknown. A machine without a battery says 1. */
  battery?: number
  /**
   * The availability class the tab measured of itself (availability-class.ts,
   * docs/agent-card.md §11); absent from peers that do not measure it (Node
   * peers, older tabs).
   */
  class?: AvailabilityClass
  /** How late the tab's own probe timer fires, ms (median of its latest samples), 0–600000; absent when unmeasured. */
  timerLagMs?: number
}

/**
 * `background`: the browser throttles the tab (hidden, or its timers fire
 * late); `foreground`: a visible, unthrottled tab; `installed`: the same, run
 * as an installed app.
 */
export type AvailabilityClass = 'installed' | 'foreground' | 'background'

/**
 * A2A 1.0 `AgentInterface` (a2a.proto): one binding the peer serves and where.
 * `tenant` is left out: a peer has none.
 */
export interface CardInterface {
  /** Where: an http(s) URL, or `/p2p/<peerId>` for a libp2p binding. 1–256 bytes of UTF-8. */
  url: string
  /** The binding: A2A's `JSONRPC`, `GRPC`, `HTTP+JSON`, or ours, `ZEROSTATE-LIBP2P`. 1–32 of [A-Z0-9+._-]. */
  protocolBinding: string
  /** The A2A version spoken over it, `major.minor`. */
  protocolVersion: string
}

/** What the publisher states: every field except the derived vector and the signature. */
export interface AgentCardFields {
  /** 1, or 2 when `supportedInterfaces` is present (docs/agent-card.md §10). */
  cardVersion: typeof AGENT_CARD_VERSION_1 | typeof AGENT_CARD_VERSION_2
  /** A2A `name`: 1–64 bytes of UTF-8. */
  name: string
  /** A2A `description`: 0–256 bytes of UTF-8. */
  description: string
  /** A2A `version`: the peer software's version, 1–32 bytes of UTF-8 (not the card format: that is `cardVersion`). */
  version: string
  /** A2A `skills`: up to 8. */
  skills: AgentSkill[]
  /** PeerId (base58btc, `12D3KooW…`) of the peer the card describes and that signs it. */
  peerId: string
  /** That peer's raw 32-byte Ed25519 public key, base64url without padding. */
  publicKey: string
  /** Unix epoch milliseconds when signed. */
  issuedAt: number
  /** Unix epoch milliseconds after which the card is void; at most MAX_AGENT_CARD_TTL_MS after issuedAt. */
  expiresAt: number
  /** Grows with every card the peer signs: a newer card replaces an older one only if its sequence is higher. */
  sequence: number
  /** Tasks it runs at once, 1–256. */
  workerSlots: number
  /** The largest memory limit it accepts for one task, in bytes. */
  memoryLimitBytes: number
  benchmark: CardBenchmark
  prices: CardPrices
  /** Up to 32 distinct module hashes (lowercase hex SHA-256) already compiled and cached. */
  warmModules: string[]
  availability: CardAvailability
  /** Version 2 only, and then 1–4 distinct entries: the A2A bindings this peer serves. Not part of the capability vector. */
  supportedInterfaces?: CardInterface[]
}

/** Every field of a card except its signature: exactly what is signed. */
export interface UnsignedAgentCard extends AgentCardFields {
  /** capabilityVector(fields), each component rounded to six decimals. */
  capabilityVector: number[]
}

export interface AgentCard extends UnsignedAgentCard {
  /** base64url (no padding) of the 64-byte Ed25519 signature over the canonical unsigned card. */
  signature: string
}
