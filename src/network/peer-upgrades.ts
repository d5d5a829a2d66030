import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection } from '@libp2p/interface'
import { sleep, withTimeout } from '../core/abort.ts'
import type { Logger } from '../core/logger.ts'
import type { BrowserNode } from './browser-node.ts'
import { PROBE_TIMEOUT_MS } from './constants.ts'
import type { DialPolicy } from './dial-policy.ts'
import type { PresenceDirectory } from './presence/directory.ts'
import { bestConnection, transportOf } from './transports.ts'

/** The two ways to reach an announced peer through one relay. */
export interface Route {
  /** A relayed connection: proves the peer real at no RTCPeerConnection's cost. */
  relayed: string
  /** The WebRTC upgrade, signalled over that relayed connection. */
  webrtc: string
}

/** What the upgrades read of the mesh that owns them. */
export interface PeerUpgradesComponents {
  node: BrowserNode
  directory: PresenceDirectory
  policy: DialPolicy
  logger: Logger
}

export interface PeerUpgradesInit {
  /** The relays this page was given, by PeerId, as addresses ending in /p2p/<id>. */
  relayAddrById: ReadonlyMap<string, string>
  /** How long the higher of two PeerIds waits for the lower one to dial first (PeerMeshInit.upgradeGraceMs). */
  upgradeGraceMs: number
  /** Whether the connection budget has room for one more neighbour. */
  budgetAllows(): boolean
  /** Connections changed: tell the app (coalesced by the mesh). */
  changed(): void
}

/**
 * How a tab reaches an announced peer: a relayed connection first, which
 * authenticates the PeerId at no RTCPeerConnection's cost, then a direct
 * WebRTC connection signalled over it, within the dial policy's budgets
 * and backoff (dial-policy.ts). The mesh (peer-mesh.ts) decides when; this
 * is the how, kept apart so that each stays readable.
 */
export class PeerUpgrades {
  private readonly components: PeerUpgradesComponents
  private readonly init: PeerUpgradesInit
  private readonly upgrading = new Set<string>()

  constructor (components: PeerUpgradesComponents, init: PeerUpgradesInit) {
    this.components = components
    this.init = init
  }

  isConnected (peerId: string): boolean {
    return this.components.node.getConnections(peerIdFromString(peerId)).some(c => c.status === 'open')
  }

  /** An upgrade of the connection to `peerId` is under way (upgrade() is running for it). */
  isUpgrading (peerId: string): boolean {
    return this.upgrading.has(peerId)
  }

  hasDirect (peerId: string): boolean {
    return this.components.node.getConnections(peerIdFromString(peerId))
      .some(c => c.status === 'open' && transportOf(c) === 'webrtc')
  }

  /**
   * One way to the peer: through a relay the page was given and that the peer
   * announced (preferring one this tab is connected to) — the peer's own relay
   * when it is not one of this tab's: the tab then dials that relay too — at
   * the address this tab was given for that relay — never a host a stranger's announcement
   * names, which would have the tab dial wherever it is pointed.
   */
  routeTo (peerId: string): Route | undefined {
    const record = this.components.directory.get(peerId)
    if (record === undefined) return undefined
    const announced = new Set(record.multiaddrs
      .filter(addr => addr.includes('/p2p-circuit'))
      .map(addr => {
        const base = addr.slice(0, addr.indexOf('/p2p-circuit'))
        return base.slice(base.lastIndexOf('/p2p/') + '/p2p/'.length)
      }))
    const relays = [...this.init.relayAddrById].filter(([relayId]) => announced.has(relayId))
    const [, base] = relays.find(([relayId]) => this.isConnected(relayId)) ?? relays[0] ?? []
    if (base === undefined) return undefined
    return { relayed: `${base}/p2p-circuit/p2p/${peerId}`, webrtc: `${base}/p2p-circuit/webrtc/p2p/${peerId}` }
  }

  /**
   * A new connection to a peer with none: relayed first (it proves the peer
   * real), then one WebRTC dial if the dial policy allows it; the relayed one
   * when that fails. The upgrade goes on in the background under `running`.
   */
  async connect (peerId: string, route: Route, running: AbortSignal, signal?: AbortSignal): Promise<Connection> {
    const { node, policy } = this.components
    const relayed = await node.dial(multiaddr(route.relayed), { signal: withTimeout(signal, PROBE_TIMEOUT_MS) })
    if (!this.upgrading.has(peerId) && policy.webrtc(peerId).ok) {
      await this.dialWebrtc(peerId, route, signal)
    }
    void this.upgrade(peerId, running)
    return bestConnection(node.getConnections(peerIdFromString(peerId))) ?? relayed
  }

  /** Dials a direct WebRTC connection to an announced peer once it showed it is real, within the dial policy; gives up when `running` aborts. */
  async upgrade (peerId: string, running: AbortSignal): Promise<void> {
    const { node, policy, logger } = this.components
    if (running.aborted || this.upgrading.has(peerId) || this.hasDirect(peerId)) return
    this.upgrading.add(peerId)
    try {
      if (peerId < node.peerId.toString()) {
        await sleep(this.init.upgradeGraceMs, running)
      }
      while (!running.aborted && !this.hasDirect(peerId)) {
        const route = this.routeTo(peerId)
        if (route === undefined) return
        if (!this.isConnected(peerId)) {
          // A new neighbour must fit the budget; then it must show it is real before it costs an RTCPeerConnection.
          if (!this.init.budgetAllows() || !await this.probe(peerId, route, running)) return
        }
        const decision = policy.webrtc(peerId)
        if (!decision.ok) {
          // Budgets spent: stay on the relayed path. Backing off: wait, as long as the peer is still announced.
          if (decision.retryAt === undefined) return
          await sleep(Math.max(0, decision.retryAt - Date.now()), running)
          continue
        }
        await this.dialWebrtc(peerId, route, running)
      }
    } catch (err) {
      if (!running.aborted) logger.warn(`upgrading the connection to ${peerId}`, err)
    } finally {
      this.upgrading.delete(peerId)
      this.init.changed()
    }
  }

  /** A relayed connection to the peer, if the dial policy allows a probe now: true once its PeerId is authenticated. */
  private async probe (peerId: string, route: Route, signal: AbortSignal): Promise<boolean> {
    const { node, policy, directory, logger } = this.components
    if (!policy.probe(peerId).ok) return false
    let reached = false
    const started = performance.now()
    try {
      const connection = await node.dial(multiaddr(route.relayed), { signal: withTimeout(signal, PROBE_TIMEOUT_MS) })
      reached = connection.remotePeer.toString() === peerId
    } catch (err) {
      logger.debug(`${peerId} could not be reached through the relay`, err)
    }
    policy.probeDone(peerId, reached, performance.now() - started)
    if (reached) directory.markProven(peerId)
    return reached
  }

  /** One WebRTC dial the dial policy already counted; reports how it went. */
  private async dialWebrtc (peerId: string, route: Route, signal?: AbortSignal): Promise<void> {
    try {
      await this.components.node.dial(multiaddr(route.webrtc), { signal })
    } catch (err) {
      // The relayed path stays usable; the policy backs off before the next try.
      this.components.logger.debug(`a WebRTC dial to ${peerId} failed`, err)
    }
    this.components.policy.webrtcDone(peerId, this.hasDirect(peerId))
  }
}
