import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection } from '@libp2p/interface'
import type { PeerInfo } from './transports.ts'
import { sleep } from '../core/abort.ts'
import { backoffDelay } from './backoff.ts'
import type { BrowserNode } from './browser-node.ts'
import type { SignedMessage } from '@libp2p/gossipsub'
import { DEFAULT_MAX_PEER_CONNECTIONS, WEBRTC_DIALS_PER_TAB_LIFE } from './constants.ts'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_INTERVAL_MS, PRESENCE_TOPIC } from './presence/constants.ts'
import { TopicChannel } from './topic-channel.ts'
import { decodePresence, encodePresence, isFresh } from './presence/index.ts'
import type { PresenceRecord } from './presence/index.ts'
import { bestConnection, transportOf } from './transports.ts'
import { nameError } from '../core/errors.ts'

export interface PeerMeshInit {
  relayAddrs: string[]
  /** What this peer announces about itself. */
  capacity(): { contributing: boolean, slots: number }
  /** Called whenever connections or announcements change. */
  onChange(): void
  /**
   * The higher of two PeerIds waits this long for the lower one to dial
   * WebRTC before dialling itself, so two tabs rarely race to open two
   * peer connections to each other.
   */
  upgradeGraceMs?: number
  /** Direct connections to other peers (relays not counted); default DEFAULT_MAX_PEER_CONNECTIONS. */
  maxPeerConnections?: number
}

/** How long an accepted inbound peer holds its place in the budget while its connection is set up. */
const ADMISSION_HOLD_MS = 15_000

/** Thrown when reaching a peer directly would exceed the tab's connection budget: forward through a neighbour instead. */
export class ConnectionBudgetError extends Error {
  static { nameError(this, 'ConnectionBudgetError') }
}

/**
 * Keeps a tab in the mesh: holds connections to the relays (redialling with
 * backoff), announces itself on the presence topic, and upgrades every
 * announced peer to a direct WebRTC connection — retrying with backoff and
 * leaving the relayed path in place until it succeeds.
 */
export class PeerMesh {
  private running = false
  private readonly node: BrowserNode
  private readonly init: PeerMeshInit
  private readonly relayIds: Set<string>
  private readonly directory = new Map<string, PresenceRecord>()
  private readonly upgrading = new Set<string>()
  private readonly presence: TopicChannel
  /** WebRTC dials attempted over this tab's life (see WEBRTC_DIALS_PER_TAB_LIFE). */
  private webrtcDials = 0
  /** Peers whose inbound connection was accepted and is still being set up. */
  private readonly admitting = new Set<string>()
  private controller = new AbortController()
  private announceTimer: ReturnType<typeof setInterval> | undefined

  constructor (node: BrowserNode, init: PeerMeshInit) {
    this.node = node
    this.init = init
    this.presence = new TopicChannel(node.services.pubsub, {
      topic: PRESENCE_TOPIC,
      maxMessageBytes: MAX_PRESENCE_MESSAGE_BYTES,
      onMessage: this.onPresence,
      // A newcomer learns at once who contributes, as it does of Agent Cards, not at the next tick.
      onSubscriber: () => { void this.announce() }
    })
    this.relayIds = new Set(init.relayAddrs.map(addr => multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value ?? ''))
  }

  /** Safe to call twice. */
  start (): void {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    this.presence.start()
    this.node.addEventListener('connection:open', this.onConnectionsChanged)
    this.node.addEventListener('connection:close', this.onConnectionsChanged)
    this.node.addEventListener('self:peer:update', this.onSelfUpdate)
    for (const addr of this.init.relayAddrs) {
      void this.keepRelay(addr, this.controller.signal)
    }
    this.announceTimer = setInterval(() => { void this.announce() }, PRESENCE_INTERVAL_MS)
  }

  /** Safe to call twice. */
  stop (): void {
    if (!this.running) return
    this.running = false
    this.controller.abort(new Error('the mesh stopped'))
    clearInterval(this.announceTimer)
    this.presence.stop()
    this.node.removeEventListener('connection:open', this.onConnectionsChanged)
    this.node.removeEventListener('connection:close', this.onConnectionsChanged)
    this.node.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  /** Publishes this peer's addresses and capacity now (also done periodically). */
  async announce (): Promise<void> {
    const addrs = this.node.getMultiaddrs().map(ma => ma.toString()).filter(addr => addr.includes('/p2p-circuit'))
    if (addrs.length === 0) return
    const { contributing, slots } = this.init.capacity()
    // With no subscriber yet, nothing is sent: the next tick announces again.
    await this.presence.publish(encodePresence(addrs, contributing, slots, Date.now()))
  }

  /** Contributing peers that announced recently, best-connected first. */
  executors (): string[] {
    const now = Date.now()
    const rank = (peerId: string): number => {
      const connection = bestConnection(this.node.getConnections(peerIdFromString(peerId)))
      return connection == null ? 3 : transportOf(connection) === 'webrtc' ? 0 : 1
    }
    return [...this.directory.values()]
      .filter(record => record.contributing && isFresh(record, now))
      .map(record => record.peerId)
      .sort((a, b) => rank(a) - rank(b))
  }

  /** The best open connection to a peer, dialling through a relay if there is none. */
  async connectionTo (peerId: string, options: { signal?: AbortSignal } = {}): Promise<Connection> {
    const existing = bestConnection(this.node.getConnections(peerIdFromString(peerId)))
    if (existing != null) return existing
    if (!this.budgetAllows()) {
      throw new ConnectionBudgetError(`already connected to ${this.neighbours().length} peers, the most this tab keeps`)
    }
    const record = this.directory.get(peerId)
    const addrs = record?.multiaddrs ?? []
    const ordered = [...addrs.filter(a => a.includes('/webrtc/')), ...addrs.filter(a => !a.includes('/webrtc/'))]
    let lastError: unknown = new Error(`no address known for ${peerId}`)
    for (const addr of ordered) {
      try {
        if (addr.includes('/webrtc/')) this.webrtcDials++
        return await this.node.dial(multiaddr(addr), options)
      } catch (err) {
        lastError = err
      }
    }
    throw lastError
  }

  peers (): PeerInfo[] {
    const byPeer = new Map<string, Connection[]>()
    for (const connection of this.node.getConnections()) {
      const id = connection.remotePeer.toString()
      byPeer.set(id, [...(byPeer.get(id) ?? []), connection])
    }
    const now = Date.now()
    for (const record of this.directory.values()) {
      if (!byPeer.has(record.peerId) && isFresh(record, now)) byPeer.set(record.peerId, [])
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

  private readonly onPresence = (message: SignedMessage): void => {
    const record = decodePresence(message, Date.now())
    if (record == null || record.peerId === this.node.peerId.toString()) return
    const previous = this.directory.get(record.peerId)
    if (previous != null && previous.sentAt > record.sentAt) return
    this.directory.set(record.peerId, record)
    this.init.onChange()
    void this.upgrade(record.peerId)
  }

  private readonly onConnectionsChanged = (event: CustomEvent<Connection>): void => {
    this.admitting.delete(event.detail.remotePeer.toString())
    this.init.onChange()
  }

  private readonly onSelfUpdate = (): void => {
    // A new reservation means new circuit addresses: tell the others at once.
    void this.announce()
    this.init.onChange()
  }

  private hasDirect (peerId: string): boolean {
    return this.node.getConnections(peerIdFromString(peerId))
      .some(c => c.status === 'open' && transportOf(c) === 'webrtc')
  }

  /** Dials a direct WebRTC connection to an announced peer, retrying with backoff. */
  /** Other peers (not relays) this tab holds an open connection to: where it can forward. */
  neighbours (): string[] {
    return [...new Set(this.node.getConnections()
      .filter(c => c.status === 'open')
      .map(c => c.remotePeer.toString())
      .filter(id => !this.relayIds.has(id)))]
  }

  /** An inbound connection is welcome from a peer already connected, or while the budget allows a new neighbour. */
  acceptsInbound (peerId: string): boolean {
    if (this.relayIds.has(peerId) || this.admitting.has(peerId) || this.node.getConnections(peerIdFromString(peerId)).length > 0) return true
    if (!this.budgetAllows()) return false
    // Two peers may knock at once: hold the place until the connection opens (or a while passes).
    this.admitting.add(peerId)
    setTimeout(() => { this.admitting.delete(peerId) }, ADMISSION_HOLD_MS)
    return true
  }

  private budgetAllows (): boolean {
    const neighbours = new Set([...this.neighbours(), ...this.admitting])
    return neighbours.size < (this.init.maxPeerConnections ?? DEFAULT_MAX_PEER_CONNECTIONS) &&
      this.webrtcDials < WEBRTC_DIALS_PER_TAB_LIFE
  }

  private async upgrade (peerId: string): Promise<void> {
    if (this.upgrading.has(peerId) || this.hasDirect(peerId)) return
    // Within budget, or already connected (relayed) to this peer so upgrading adds no neighbour.
    const connected = this.node.getConnections(peerIdFromString(peerId)).length > 0
    if (!connected && !this.budgetAllows()) return
    this.upgrading.add(peerId)
    const signal = this.controller.signal
    try {
      if (peerId < this.node.peerId.toString()) {
        await sleep(this.init.upgradeGraceMs ?? 3000, signal)
      }
      for (let attempt = 0; !signal.aborted && !this.hasDirect(peerId); attempt++) {
        const record = this.directory.get(peerId)
        if (record == null || !isFresh(record, Date.now())) return
        const webrtcAddrs = record.multiaddrs.filter(addr => addr.includes('/p2p-circuit/webrtc/'))
        for (const addr of webrtcAddrs) {
          try {
            this.webrtcDials++
            await this.node.dial(multiaddr(addr), { signal })
            if (this.hasDirect(peerId)) break
          } catch {
            // The relayed path stays usable; try the next address, then back off.
          }
        }
        if (!this.hasDirect(peerId)) await sleep(backoffDelay(attempt), signal)
      }
    } catch {
      // Aborted by stop().
    } finally {
      this.upgrading.delete(peerId)
      this.init.onChange()
    }
  }

  /** Holds a connection to one relay for as long as the mesh runs. */
  private async keepRelay (addr: string, signal: AbortSignal): Promise<void> {
    const ma = multiaddr(addr)
    for (let attempt = 0; !signal.aborted;) {
      try {
        const connection = await this.node.dial(ma, { signal })
        attempt = 0
        this.init.onChange()
        await new Promise<void>(resolve => {
          const onClose = (event: CustomEvent<Connection>): void => {
            if (event.detail.id === connection.id) done()
          }
          const done = (): void => {
            this.node.removeEventListener('connection:close', onClose)
            signal.removeEventListener('abort', done)
            resolve()
          }
          this.node.addEventListener('connection:close', onClose)
          signal.addEventListener('abort', done, { once: true })
          if (connection.status !== 'open') done()
        })
      } catch {
        attempt++
      }
      if (!signal.aborted) {
        // Rejects only when aborted, which the loop checks next.
        await sleep(backoffDelay(attempt), signal).catch(() => {})
      }
    }
  }
}
