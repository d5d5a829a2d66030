/**
 * Relays of one mesh peer with each other: each holds a connection to every
 * other relay it was told of, redialled with backoff when it drops or cannot
 * be made, and treats it as a gossipsub direct peer.
 *
 * Direct peering is gossipsub v1.1's "explicit peering agreement"
 * (libp2p/specs pubsub/gossipsub/gossipsub-v1.1.md, "Explicit Peering
 * Agreements"): the router forwards every message of a topic to its direct
 * peers subscribed to it, whatever the mesh holds, and never grafts or prunes
 * them. Without it, a relay holding hundreds of tabs keeps only D of its peers
 * in each topic's mesh, and another relay would hear a tab's presence only by
 * lazy gossip (IHAVE/IWANT), if at all. Both sides must name each other:
 * gossipsub refuses a GRAFT from a direct peer, so a one-sided agreement
 * leaves the other side relying on gossip.
 *
 * Nothing is trusted for coming from a peer relay: a message it forwards is
 * validated here as any other before it goes on (relay-validators.ts), and a
 * peer relay only ever gets what this relay accepted.
 *
 * @example
 * const peering = new RelayPeering(relay.node, { logger })
 * peering.start()
 * peering.add(['/ip4/10.0.0.2/tcp/9090/ws/p2p/12D3KooW…'])
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { nameError, noopLogger, sleep, withTimeout } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import {
  MAX_RELAY_PEERS, RELAY_PEER_BACKOFF_INITIAL_MS, RELAY_PEER_BACKOFF_MAX_MS, RELAY_PEER_DIAL_TIMEOUT_MS, RELAY_PEER_TAG, RELAY_PEER_TAG_VALUE
} from './constants.ts'

/** Thrown when a relay is told to peer with an address that is no multiaddr or names no relay (no /p2p/<id>). */
export class InvalidRelayPeerError extends Error {
  static { nameError(this, 'InvalidRelayPeerError') }
}

/** Thrown when a relay is told to peer with more than MAX_RELAY_PEERS relays. */
export class TooManyRelayPeersError extends Error {
  static { nameError(this, 'TooManyRelayPeersError') }
}

/** One peer relay as this relay sees it now. */
export interface RelayPeerView {
  addr: string
  peerId: string
  /** An open connection to it. */
  connected: boolean
  /** Failed dials since the last connection. */
  failures: number
  /** Connections made to it since peering started (1 + reconnections). */
  connects: number
  lastError?: string
}

export interface RelayPeeringInit {
  logger?: Logger
  /** Most peer relays; default MAX_RELAY_PEERS. */
  maxPeers?: number
  /** In [0, 1): the backoff's jitter; default Math.random. */
  random?(): number
}

/** What peering needs of the relay's node. */
export type PeeringNode = Pick<Libp2p<{ pubsub: GossipSub }>, 'peerId' | 'dial' | 'getConnections' | 'addEventListener' | 'removeEventListener' | 'peerStore' | 'services'>

/**
 * The router's set of direct peers. @libp2p/gossipsub (17.1) reads it on
 * every forward, publish, GRAFT and heartbeat, and fills it only from the
 * `directPeers` option at construction — when a relay on port 0 cannot know
 * the others' addresses yet. Its `GossipSub` interface does not expose it;
 * the class does (`public readonly direct`), so a release that renames it
 * fails here, loudly, rather than silently not forwarding.
 */
function directPeers (pubsub: GossipSub): Set<string> {
  const direct = (pubsub as GossipSub & { direct?: unknown }).direct
  if (!(direct instanceof Set)) throw new TypeError('this gossipsub router has no set of direct peers (@libp2p/gossipsub changed?)')
  return direct as Set<string>
}

/** The PeerId a relay's multiaddr ends in; InvalidRelayPeerError when it is no multiaddr or names none. */
function relayPeerId (addr: string): PeerId {
  try {
    const value = multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value
    if (value !== undefined) return peerIdFromString(value)
  } catch (err) {
    throw new InvalidRelayPeerError(`not a relay multiaddr: ${addr}`, { cause: err })
  }
  throw new InvalidRelayPeerError(`a relay to peer with must end in /p2p/<id>: ${addr}`)
}

interface Link extends RelayPeerView {
  id: PeerId
}

export class RelayPeering {
  private readonly node: PeeringNode
  private readonly logger: Logger
  private readonly maxPeers: number
  private readonly random: () => number
  private readonly links = new Map<string, Link>()
  private controller = new AbortController()
  private running = false

  constructor (node: PeeringNode, init: RelayPeeringInit = {}) {
    this.node = node
    this.logger = init.logger ?? noopLogger
    this.maxPeers = init.maxPeers ?? MAX_RELAY_PEERS
    this.random = init.random ?? Math.random
  }

  /**
   * Peers with the relays at `addrs` (each ending in /p2p/<id>); one already
   * peered, or this relay itself, is skipped. Throws InvalidRelayPeerError or
   * TooManyRelayPeersError before changing anything.
   */
  add (addrs: string[]): void {
    const self = this.node.peerId.toString()
    const fresh = new Map<string, { addr: string, id: PeerId }>()
    for (const addr of addrs) {
      const id = relayPeerId(addr)
      const peerId = id.toString()
      if (peerId === self || this.links.has(peerId) || fresh.has(peerId)) continue
      fresh.set(peerId, { addr, id })
    }
    if (this.links.size + fresh.size > this.maxPeers) {
      throw new TooManyRelayPeersError(`a relay peers with at most ${this.maxPeers} relays, asked for ${this.links.size + fresh.size}`)
    }
    for (const [peerId, { addr, id }] of fresh) {
      const link: Link = { addr, peerId, id, connected: false, failures: 0, connects: 0 }
      this.links.set(peerId, link)
      directPeers(this.node.services.pubsub).add(peerId)
      if (this.running) void this.keep(link, this.controller.signal)
    }
  }

  /** Safe to call twice. */
  start (): void {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    for (const link of this.links.values()) void this.keep(link, this.controller.signal)
  }

  /** Safe to call twice. */
  stop (): void {
    if (!this.running) return
    this.running = false
    this.controller.abort(new Error('relay peering stopped'))
  }

  view (): RelayPeerView[] {
    return [...this.links.values()].map(({ id, ...link }) => ({ ...link, connected: this.isConnected(id) }))
  }

  private isConnected (id: PeerId): boolean {
    return this.node.getConnections(id).some(c => c.status === 'open')
  }

  /** Holds a connection to one peer relay while peering runs: dial, wait for the last connection to close, back off, dial again. */
  private async keep (link: Link, signal: AbortSignal): Promise<void> {
    // Tagged first, so that libp2p's pruner spares an inbound connection from it too.
    await this.node.peerStore.merge(link.id, { tags: { [RELAY_PEER_TAG]: { value: RELAY_PEER_TAG_VALUE } } })
      .catch((err: unknown) => { this.logger.debug(`tagging the peer relay ${link.addr}`, err) })
    const ma = multiaddr(link.addr)
    while (!signal.aborted) {
      try {
        if (!this.isConnected(link.id)) await this.node.dial(ma, { signal: withTimeout(signal, RELAY_PEER_DIAL_TIMEOUT_MS) })
        link.connected = true
        link.connects++
        link.failures = 0
        link.lastError = undefined
        this.logger.debug(`peered with the relay ${link.addr}`)
        await this.disconnected(link.id, signal)
        link.connected = false
        if (signal.aborted) return
        this.logger.warn(`the connection to the peer relay ${link.addr} closed; redialling`)
      } catch (err) {
        link.connected = false
        if (signal.aborted) return
        link.failures++
        link.lastError = err instanceof Error ? err.message : String(err)
        // Every failure at debug; a warning only on the first of a run, so a relay that is down says so once.
        if (link.failures === 1) this.logger.warn(`the peer relay ${link.addr} could not be reached; retrying with backoff`, err)
        else this.logger.debug(`the peer relay ${link.addr} could not be reached (${link.failures} times)`, err)
      }
      // Rejects only when aborted, which the loop checks next.
      await sleep(this.delay(link.failures), signal).catch(() => {})
    }
  }

  /** Full-jitter exponential backoff: attempt 0 waits up to the initial delay. */
  private delay (failures: number): number {
    const cap = Math.min(RELAY_PEER_BACKOFF_MAX_MS, RELAY_PEER_BACKOFF_INITIAL_MS * 2 ** failures)
    return Math.round(cap / 2 + (this.random() * cap) / 2)
  }

  /** Resolves once no connection to `id` is open (libp2p's `peer:disconnect`), or when `signal` aborts. */
  private async disconnected (id: PeerId, signal: AbortSignal): Promise<void> {
    await new Promise<void>(resolve => {
      const done = (): void => {
        this.node.removeEventListener('peer:disconnect', onDisconnect)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const onDisconnect = (event: CustomEvent<PeerId>): void => {
        if (event.detail.equals(id)) done()
      }
      this.node.addEventListener('peer:disconnect', onDisconnect)
      signal.addEventListener('abort', done, { once: true })
      // It may have closed between the dial and now.
      if (!this.isConnected(id)) done()
    })
  }
}
