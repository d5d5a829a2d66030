/**
 * A tab's links to its relays: one connection held to each relay the page
 * was given, redialled with backoff when it drops or cannot be made, and
 * watched for the reservation that makes the tab reachable. A relay that
 * accepts the connection but has no slot for the tab (full, or refusing)
 * leaves it with no /p2p-circuit address — invisible to every other tab —
 * so past RESERVATION_DEADLINE_MS without one the link is closed and dialled
 * again: circuit-relay-v2 asks for a reservation on each new connection to
 * a relay, and never again on one that refused it. With several relays, one
 * reservation anywhere is enough.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection } from '@libp2p/interface'
import type { Logger } from '../core/logger.ts'
import { sleep, withTimeout } from '../core/abort.ts'
import { backoffDelay } from './backoff.ts'
import type { BrowserNode } from './browser-node.ts'
import { DIAL_TIMEOUT_MS, RESERVATION_CHECK_MS, RESERVATION_DEADLINE_MS } from './constants.ts'

/** One relay as the tab sees it now. */
export interface RelayLinkView {
  addr: string
  peerId: string
  /** An open connection to the relay. */
  connected: boolean
  /** This tab holds a reservation on it (a /p2p-circuit address through it). */
  reserved: boolean
  /** Failed dials since the last connection. */
  failures: number
  /** Why the last dial failed. */
  lastError?: string
  /** Unix epoch ms of the next dial, while waiting to retry. */
  retryAt?: number
  /** Connections closed because the relay gave no reservation within RESERVATION_DEADLINE_MS. */
  reservationFailures: number
}

interface RelayLink extends RelayLinkView {
  connectedAt?: number
}

type HoldOutcome = 'closed' | 'no-reservation' | 'stopped'

export interface RelayLinksInit {
  relayAddrs: string[]
  /** Called whenever a link changes (connected, lost, retrying, reserved). */
  onChange(): void
  logger: Logger
  /** Default RESERVATION_DEADLINE_MS. */
  reservationDeadlineMs?: number
}

export class RelayLinks {
  private readonly node: BrowserNode
  private readonly init: RelayLinksInit
  private readonly links: RelayLink[]
  private controller = new AbortController()
  private running = false

  constructor (node: BrowserNode, init: RelayLinksInit) {
    this.node = node
    this.init = init
    this.links = init.relayAddrs.map(addr => ({
      addr,
      peerId: multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value ?? '',
      connected: false,
      reserved: false,
      failures: 0,
      reservationFailures: 0
    }))
  }

  /** PeerIds of the relays. */
  get ids (): Set<string> {
    return new Set(this.links.map(link => link.peerId))
  }

  /** Safe to call twice. */
  start (): void {
    if (this.running) return
    this.running = true
    this.controller = new AbortController()
    for (const link of this.links) void this.keep(link, this.controller.signal)
  }

  /** Safe to call twice. */
  stop (): void {
    if (!this.running) return
    this.running = false
    this.controller.abort(new Error('the relay links stopped'))
  }

  /** Whether this tab has a reservation on any relay (some /p2p-circuit address). */
  reserved (): boolean {
    return this.node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))
  }

  view (): RelayLinkView[] {
    const addrs = this.node.getMultiaddrs().map(ma => ma.toString())
    return this.links.map(({ connectedAt: _, ...link }) => ({
      ...link,
      connected: this.isOpen(link),
      reserved: addrs.some(addr => addr.includes(`/p2p/${link.peerId}/p2p-circuit`))
    }))
  }

  private isOpen (link: RelayLink): boolean {
    return link.connected && this.node.getConnections().some(c => c.status === 'open' && c.remotePeer.toString() === link.peerId)
  }

  /** Holds a connection to one relay for as long as the links run. */
  private async keep (link: RelayLink, signal: AbortSignal): Promise<void> {
    const ma = multiaddr(link.addr)
    while (!signal.aborted) {
      let outcome: HoldOutcome = 'closed'
      try {
        const connection = await this.node.dial(ma, { signal: withTimeout(signal, DIAL_TIMEOUT_MS) })
        link.connected = true
        link.connectedAt = Date.now()
        link.failures = 0
        link.lastError = undefined
        link.retryAt = undefined
        this.init.onChange()
        outcome = await this.hold(connection, link, signal)
      } catch (err) {
        if (signal.aborted) return
        link.failures++
        link.lastError = err instanceof Error ? err.message : String(err)
        this.init.logger.debug(`the relay ${link.addr} could not be reached`, err)
      }
      link.connected = false
      link.connectedAt = undefined
      if (outcome === 'stopped' || signal.aborted) return
      if (outcome === 'no-reservation') {
        link.reservationFailures++
        this.init.logger.warn(`the relay ${link.addr} gave this tab no reservation within ${this.deadline()} ms; reconnecting to ask again`)
      }
      // A link that simply dropped is redialled soon (attempt 0); failed dials and refused reservations back off.
      const delay = backoffDelay(outcome === 'no-reservation' ? link.reservationFailures : link.failures)
      link.retryAt = Date.now() + delay
      this.init.onChange()
      // Rejects only when aborted, which the loop checks next.
      await sleep(delay, signal).catch(() => {})
      link.retryAt = undefined
    }
  }

  /**
   * Resolves when the connection closes, the links stop, or — with no
   * reservation anywhere for RESERVATION_DEADLINE_MS while connected —
   * after closing it so that `keep` dials again.
   */
  private async hold (connection: Connection, link: RelayLink, signal: AbortSignal): Promise<HoldOutcome> {
    let unreservedSince: number | undefined
    while (!signal.aborted && connection.status === 'open') {
      const now = Date.now()
      if (this.reserved()) {
        if (unreservedSince !== undefined || link.reservationFailures > 0) {
          link.reservationFailures = 0
          this.init.onChange()
        }
        unreservedSince = undefined
      } else {
        unreservedSince ??= now
        if (now - unreservedSince >= this.deadline()) {
          await connection.close().catch(err => { connection.abort(err instanceof Error ? err : new Error(String(err))) })
          return 'no-reservation'
        }
      }
      await this.closedOrTimeout(connection, RESERVATION_CHECK_MS, signal)
    }
    return signal.aborted ? 'stopped' : 'closed'
  }

  /** Resolves after `ms`, or earlier when `connection` closes or `signal` aborts. */
  private async closedOrTimeout (connection: Connection, ms: number, signal: AbortSignal): Promise<void> {
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.node.removeEventListener('connection:close', onClose)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const onClose = (event: CustomEvent<Connection>): void => {
        if (event.detail.id === connection.id) done()
      }
      const timer = setTimeout(done, ms)
      this.node.addEventListener('connection:close', onClose)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  private deadline (): number {
    return this.init.reservationDeadlineMs ?? RESERVATION_DEADLINE_MS
  }
}
