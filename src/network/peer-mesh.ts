import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection } from '@libp2p/interface'
import type { SignedMessage } from '@libp2p/gossipsub'
import { nameError } from '../core/errors.ts'
import { noopLogger } from '../core/logger.ts'
import { sleep } from '../core/abort.ts'
import type { Logger } from '../core/logger.ts'
import type { BrowserNode } from './browser-node.ts'
import { bulkConnection } from './bulk-connection.ts'
import { BULK_DIRECT_WAIT_MS, DEFAULT_MAX_PEER_CONNECTIONS, DEFAULT_RELAY_LINKS } from './constants.ts'
import { DialPolicy } from './dial-policy.ts'
import type { DialPolicyStats } from './dial-policy.ts'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_COALESCE_MS, PRESENCE_INTERVAL_MS, PRESENCE_OVERDUE_MS, PRESENCE_RATE, PRESENCE_TOPIC } from './presence/constants.ts'
import { PresenceDirectory } from './presence/directory.ts'
import type { PresenceDirectoryStats } from './presence/directory.ts'
import { decodePresence, encodePresence } from './presence/index.ts'
import type { PresenceRecord } from './presence/index.ts'
import { chooseRelays, relayIdOf } from './relay-choice.ts'
import { PeerUpgrades } from './peer-upgrades.ts'
import { RelayLinks } from './relay-links.ts'
import type { RelayLinkView } from './relay-links.ts'
import { TopicChannel, accept, ignore, reject } from './topic-channel.ts'
import type { Validation } from './topic-channel.ts'
import { bestConnection, transportOf } from './transports.ts'
import type { PeerInfo } from './transports.ts'

export interface PeerMeshInit {
  /** Every relay the server lists: the tab attaches to some (`relayLinks`) and reaches peers through any. */
  relayAddrs: string[]
  /** How many of them the tab holds links to, chosen by relay-choice.ts; default DEFAULT_RELAY_LINKS. */
  relayLinks?: number
  /** The relays to hold links to, instead of the chosen ones (a page's `?relays=`, tests); each must be one of `relayAddrs`. */
  attachRelays?: string[]
  /** What this peer announces about itself. */
  capacity(): { contributing: boolean, slots: number }
  /** Called whenever connections, relay links or announcements change. */
  onChange(): void
  /**
   * The higher of two PeerIds waits this long for the lower one to dial
   * WebRTC before dialling itself, so two tabs rarely race to open two
   * peer connections to each other.
   */
  upgradeGraceMs?: number
  /** Direct connections to other peers (relays not counted); default DEFAULT_MAX_PEER_CONNECTIONS. */
  maxPeerConnections?: number
  /** Where failed dials, refused reservations and dropped announcements are reported. */
  logger?: Logger
  /** No reservation this long after connecting to a relay: reconnect to ask again; default RESERVATION_DEADLINE_MS. */
  reservationDeadlineMs?: number
}

/** Whether this tab is connected, and how, as the status line shows it. */
export interface Connectivity {
  /** An open connection to at least one relay or one peer. */
  online: boolean
  /** A reservation on some relay: other tabs can reach this one. */
  reserved: boolean
  relays: RelayLinkView[]
  /** Peers (not relays) with an open connection. */
  peers: number
}

/** What the mesh spent and holds: the WebRTC budget, probes, the presence directory. */
export interface MeshStats extends DialPolicyStats {
  directory: PresenceDirectoryStats
  neighbours: number
  maxNeighbours: number
}

/** Changes reported to the app within this long make one call. */
const CHANGE_COALESCE_MS = 100

/** How often directConnectionTo looks for the direct connection an upgrade opens, and at most how many times. */
const DIRECT_WAIT_POLL_MS = 100
const MAX_DIRECT_WAIT_POLLS = 600

/** How long an accepted inbound peer holds its place in the budget while its connection is set up. */
const ADMISSION_HOLD_MS = 15_000

/** Thrown when reaching a peer directly would exceed the tab's connection budget: forward through a neighbour instead. */
export class ConnectionBudgetError extends Error {
  static { nameError(this, 'ConnectionBudgetError') }
}

/** Thrown when a peer announced no address through a relay this page was given, or announced nothing lately. */
export class PeerUnreachableError extends Error {
  static { nameError(this, 'PeerUnreachableError') }
}

function stoppedController (): AbortController {
  const controller = new AbortController()
  controller.abort(new Error('the mesh is not started'))
  return controller
}

/**
 * Keeps a tab in the mesh: holds its relay links (relay-links.ts),
 * announces it on the presence topic, and upgrades announced peers to
 * direct WebRTC connections — only peers that showed they are real, within
 * the budgets of the dial policy (dial-policy.ts), with the presence
 * directory bounded (presence/directory.ts).
 */
export class PeerMesh {
  private running = false
  private readonly node: BrowserNode
  private readonly init: PeerMeshInit
  private readonly logger: Logger
  private readonly links: RelayLinks
  /** Every relay the page was given, held or not: never a neighbour. */
  private readonly relayIds: Set<string>
  /** The relays this page was given, by PeerId, as addresses ending in /p2p/<id>. */
  private readonly relayAddrById: Map<string, string>
  private readonly directory = new PresenceDirectory({ now: Date.now })
  private readonly policy = new DialPolicy({ now: Date.now, random: Math.random })
  private readonly upgrades: PeerUpgrades
  private readonly presence: TopicChannel<PresenceRecord>
  /** Peers whose inbound connection was accepted and is still being set up. */
  private readonly admitting = new Set<string>()
  /** Aborted while the mesh is stopped: background upgrades end with it. */
  private controller = stoppedController()
  private announceTimer: ReturnType<typeof setInterval> | undefined
  private announceSoonTimer: ReturnType<typeof setTimeout> | undefined
  private changeTimer: ReturnType<typeof setTimeout> | undefined
  /** When this tab last sent an announcement (Date.now ms). */
  private announcedAt = Number.NEGATIVE_INFINITY

  constructor (node: BrowserNode, init: PeerMeshInit) {
    this.node = node
    this.init = init
    this.logger = init.logger ?? noopLogger
    const attached = init.attachRelays ?? chooseRelays(init.relayAddrs, node.peerId.toString(), init.relayLinks ?? DEFAULT_RELAY_LINKS)
    this.links = new RelayLinks(node, {
      relayAddrs: attached,
      onChange: () => { this.changed() },
      logger: this.logger,
      reservationDeadlineMs: init.reservationDeadlineMs
    })
    this.relayIds = new Set([...init.relayAddrs.map(relayIdOf), ...this.links.ids])
    this.relayAddrById = new Map(init.relayAddrs.flatMap(addr => {
      const relayId = multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value
      return relayId === undefined ? [] : [[relayId, addr] as const]
    }))
    this.upgrades = new PeerUpgrades({ node, directory: this.directory, policy: this.policy, logger: this.logger }, {
      relayAddrById: this.relayAddrById,
      upgradeGraceMs: init.upgradeGraceMs ?? 3000,
      budgetAllows: () => this.budgetAllows(),
      changed: () => { this.changed() }
    })
    this.presence = new TopicChannel(node.services.pubsub, {
      topic: PRESENCE_TOPIC,
      maxMessageBytes: MAX_PRESENCE_MESSAGE_BYTES,
      rate: PRESENCE_RATE,
      validate: this.validatePresence,
      onMessage: this.onPresence,
      // A newcomer learns at once who contributes, as it does of Agent Cards, not at the next tick.
      onSubscriber: () => { this.announceSoon() },
      logger: this.logger
    })
  }

  /** Safe to call twice. */
  start (): void {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    this.presence.start()
    this.node.addEventListener('connection:open', this.onConnectionOpen)
    this.node.addEventListener('connection:close', this.onConnectionClose)
    this.node.addEventListener('self:peer:update', this.onSelfUpdate)
    this.links.start()
    this.announceTimer = setInterval(() => {
      if (this.directory.prune().length > 0) this.changed()
      void this.announce()
    }, PRESENCE_INTERVAL_MS)
  }

  /** Safe to call twice. */
  stop (): void {
    if (!this.running) return
    this.running = false
    this.controller.abort(new Error('the mesh stopped'))
    clearInterval(this.announceTimer)
    clearTimeout(this.announceSoonTimer)
    clearTimeout(this.changeTimer)
    this.changeTimer = undefined
    this.links.stop()
    this.presence.stop()
    this.node.removeEventListener('connection:open', this.onConnectionOpen)
    this.node.removeEventListener('connection:close', this.onConnectionClose)
    this.node.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  /** Publishes this peer's addresses and capacity now (also done periodically). */
  async announce (): Promise<void> {
    const addrs = this.node.getMultiaddrs().map(ma => ma.toString()).filter(addr => addr.includes('/p2p-circuit'))
    if (addrs.length === 0) return
    const { contributing, slots } = this.init.capacity()
    this.announcedAt = Date.now()
    // With no subscriber yet, nothing is sent: the next tick announces again.
    await this.presence.publish(encodePresence(addrs, contributing, slots, Date.now()))
  }

  /** Whether (and how) this tab is connected now. */
  connectivity (): Connectivity {
    const peers = this.neighbours().length
    const relays = this.links.view()
    return { online: peers > 0 || relays.some(relay => relay.connected), reserved: this.links.reserved(), relays, peers }
  }

  stats (): MeshStats {
    return {
      ...this.policy.stats(),
      directory: this.directory.stats(),
      neighbours: this.neighbours().length,
      maxNeighbours: this.init.maxPeerConnections ?? DEFAULT_MAX_PEER_CONNECTIONS
    }
  }

  /** Contributing peers that announced recently and were not found unreachable, best-connected first. */
  executors (): string[] {
    const rank = (peerId: string): number => {
      const connection = bestConnection(this.node.getConnections(peerIdFromString(peerId)))
      return connection == null ? 3 : transportOf(connection) === 'webrtc' ? 0 : 1
    }
    return this.directory.records()
      .filter(record => record.contributing && !this.policy.unreachable(record.peerId))
      .map(record => record.peerId)
      .sort((a, b) => rank(a) - rank(b))
  }

  /**
   * The best open connection to a peer. With none, a relayed connection
   * first (it proves the peer real), then one WebRTC dial if the dial
   * policy allows it; the relayed one when that fails.
   */
  async connectionTo (peerId: string, options: { signal?: AbortSignal } = {}): Promise<Connection> {
    const existing = bestConnection(this.node.getConnections(peerIdFromString(peerId)))
    if (existing != null) return existing
    if (!this.budgetAllows()) {
      throw new ConnectionBudgetError(`already connected to ${this.neighbours().length} peers, the most this tab keeps`)
    }
    const route = this.upgrades.routeTo(peerId)
    if (route === undefined) throw new PeerUnreachableError(`${peerId} announced no address through this tab's relays lately`)
    return this.upgrades.connect(peerId, route, this.controller.signal, options.signal)
  }

  /**
   * A direct (WebRTC) connection to `peerId`: the one there is, else the one
   * its upgrade opens within `timeoutMs` (the upgrade is started when none is
   * under way). Undefined when none comes: the upgrade gave up (budgets,
   * backoff, WebRTC blocked) or took longer. For what a relayed connection
   * cannot carry: the relay ends it after 128 KiB (circuit relay v2's
   * default data limit), so a larger module sent over it is lost every time.
   */
  async directConnectionTo (peerId: string, options: { signal?: AbortSignal, timeoutMs: number }): Promise<Connection | undefined> {
    const direct = (): Connection | undefined => this.node.getConnections(peerIdFromString(peerId))
      .find(c => c.status === 'open' && transportOf(c) === 'webrtc')
    if (direct() !== undefined || !this.running) return direct()
    void this.upgrades.upgrade(peerId, this.controller.signal)
    const deadline = Date.now() + options.timeoutMs
    for (let polls = 0; polls < MAX_DIRECT_WAIT_POLLS && Date.now() < deadline; polls++) {
      const found = direct()
      if (found !== undefined || !this.upgrades.isUpgrading(peerId)) return found
      await sleep(Math.min(DIRECT_WAIT_POLL_MS, Math.max(0, deadline - Date.now())), options.signal)
    }
    return direct()
  }

  /**
   * A connection for a transfer that may outgrow a relayed connection (a
   * module fetch, a forwarded task; network/components.ts BulkConnectionTo):
   * the best one (connectionTo) when it carries `bytes` — all the transfer
   * moves; unknown, a limited connection is not trusted with it — else the
   * direct one within `waitMs` (default BULK_DIRECT_WAIT_MS), else the
   * limited one after all.
   */
  async bulkConnectionTo (peerId: string, options: { signal?: AbortSignal, bytes?: number, waitMs?: number } = {}): Promise<Connection> {
    const best = await this.connectionTo(peerId, options)
    const timeoutMs = options.waitMs ?? BULK_DIRECT_WAIT_MS
    return bulkConnection(best, options.bytes, async () => this.directConnectionTo(peerId, { signal: options.signal, timeoutMs }))
  }

  peers (): PeerInfo[] {
    const byPeer = new Map<string, Connection[]>()
    for (const connection of this.node.getConnections()) {
      const id = connection.remotePeer.toString()
      byPeer.set(id, [...(byPeer.get(id) ?? []), connection])
    }
    // Announced peers not connected yet, except those this tab tried and could not reach (claims, so far).
    for (const record of this.directory.records()) {
      if (!byPeer.has(record.peerId) && !this.policy.unreachable(record.peerId)) byPeer.set(record.peerId, [])
    }
    return [...byPeer.entries()].map(([peerId, connections]) => {
      const record = this.directory.get(peerId)
      return {
        peerId,
        transports: connections.filter(c => c.status === 'open').map(transportOf),
        isRelay: this.relayIds.has(peerId),
        contributing: record?.contributing ?? false,
        slots: record?.slots ?? 0
      }
    }).sort((a, b) => Number(b.isRelay) - Number(a.isRelay) || a.peerId.localeCompare(b.peerId))
  }

  /** Other peers (not relays) this tab holds an open connection to: where it can forward. */
  neighbours (): string[] {
    return [...new Set(this.node.getConnections()
      .filter(c => c.status === 'open')
      .map(c => c.remotePeer.toString())
      .filter(id => !this.relayIds.has(id)))]
  }

  /** An inbound connection is welcome from a peer already connected, or while the budget allows a new neighbour. */
  acceptsInbound (peerId: string): boolean {
    if (this.relayIds.has(peerId) || this.admitting.has(peerId) || this.upgrades.isConnected(peerId)) return true
    if (!this.budgetAllows()) return false
    // Two peers may knock at once: hold the place until the connection opens (or a while passes).
    this.admitting.add(peerId)
    setTimeout(() => { this.admitting.delete(peerId) }, ADMISSION_HOLD_MS)
    return true
  }

  /** Tells the app soon; changes within CHANGE_COALESCE_MS make one call (a flood of announcements is not a flood of redraws). */
  private changed (): void {
    if (this.changeTimer !== undefined || !this.running) return
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined
      this.init.onChange()
    }, CHANGE_COALESCE_MS)
  }

  /** Publishes soon; several calls within PRESENCE_COALESCE_MS make one announcement. */
  private announceSoon (): void {
    if (this.announceSoonTimer !== undefined || !this.running) return
    this.announceSoonTimer = setTimeout(() => {
      this.announceSoonTimer = undefined
      this.announce().catch(err => { this.logger.debug('announcing presence', err) })
    }, PRESENCE_COALESCE_MS)
  }

  /** Runs before gossipsub delivers or forwards an announcement: well-formed, not this tab's, newer, and room for it. */
  private readonly validatePresence = (message: SignedMessage): Validation<PresenceRecord> => {
    const record = decodePresence(message, Date.now())
    if (record === undefined) return reject('malformed')
    if (record.peerId === this.node.peerId.toString()) return ignore('self')
    const outcome = this.directory.offer(record, { proven: this.upgrades.isConnected(record.peerId) })
    return outcome === 'accepted' ? accept(record) : ignore(outcome)
  }

  private readonly onPresence = (record: PresenceRecord): void => {
    this.changed()
    // Our interval timer is throttled to once a minute (PRESENCE_OVERDUE_MS): announce now, from this network event.
    if (this.running && Date.now() - this.announcedAt > PRESENCE_OVERDUE_MS) {
      this.announce().catch(err => { this.logger.debug('announcing presence', err) })
    }
    void this.upgrades.upgrade(record.peerId, this.controller.signal)
  }

  private readonly onConnectionOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    const peerId = connection.remotePeer.toString()
    this.admitting.delete(peerId)
    if (!this.relayIds.has(peerId)) {
      // The handshake authenticated the PeerId: whatever it announced, this peer is real.
      const direct = transportOf(connection) === 'webrtc'
      this.policy.connected(peerId, { direct, inbound: direct && connection.direction === 'inbound' })
      this.directory.markProven(peerId)
    }
    this.changed()
  }

  private readonly onConnectionClose = (event: CustomEvent<Connection>): void => {
    this.admitting.delete(event.detail.remotePeer.toString())
    this.changed()
  }

  private readonly onSelfUpdate = (): void => {
    // A new reservation means new circuit addresses: tell the others at once.
    this.announceSoon()
    this.changed()
  }

  private budgetAllows (): boolean {
    const neighbours = new Set([...this.neighbours(), ...this.admitting])
    return neighbours.size < (this.init.maxPeerConnections ?? DEFAULT_MAX_PEER_CONNECTIONS) && this.policy.hasBudget()
  }
}
