/**
 * What one remote address may hold on the relay: connections being upgraded,
 * open connections and circuit relay reservations; and the end of a
 * reservation whose peer has gone.
 *
 * A libp2p connection gater (`@libp2p/interface` ConnectionGater) sees every
 * inbound connection before its noise handshake (`denyInboundConnection`) and
 * again once it is multiplexed (`denyInboundUpgradedConnection`); in between
 * the connection is "pending". libp2p itself only caps pending connections in
 * total and refuses newcomers once the cap is reached, so a few silent sockets
 * locked everyone out. Here a newcomer is always admitted: when its address, or
 * the relay, holds too many pending connections, the oldest pending connection
 * of that address (or of the address holding the most) is closed instead.
 *
 * Reservations: @libp2p/circuit-relay-v2's server keeps a reservation until
 * its TTL even when the peer disconnects (server/reservation-store.ts removes
 * one only when its signal times out); go-libp2p removes it on disconnect
 * (go-libp2p#2974), and so does this gate.
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { ConnectionGater, Libp2p, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { noopLogger } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import { RESERVATION_SWEEP_INTERVAL_MS } from './constants.ts'

export interface RelayGateInit {
  maxPendingConnections: number
  maxPendingConnectionsPerAddress: number
  maxConnectionsPerAddress: number
  maxReservationsPerAddress: number
  /**
   * The circuit relay server's own cap on reservations (its `maxReservations`): a request that finds it
   * reached is refused by the server, and counted here as `refusedReservationsFull`. Default: no cap known.
   */
  maxReservations?: number
  logger?: Logger
}

export interface RelayGateStats {
  /** Inbound connections open now (upgraded). */
  connections: number
  /** Inbound connections still in their noise/yamux upgrade. */
  pendingConnections: number
  /** Pending connections closed to admit newer ones. */
  evictedPending: number
  /** Connections refused because their address already held its share. */
  refusedConnections: number
  /** Reservations refused because the peer's address already held its share. */
  refusedReservations: number
  /** Reservation requests that found the relay holding its maximum (the circuit relay server refuses them). */
  refusedReservationsFull: number
  /** New reservations let through to the circuit relay server (a refresh of one held is not counted). */
  grantedReservations: number
  /** Refreshes of a reservation the peer already held. */
  refreshedReservations: number
  /** Reservations ended because their peer disconnected. */
  releasedReservations: number
}

interface Tracked {
  address: string
  state: 'pending' | 'open'
}

/**
 * The key under which connections are counted: an IPv4 address, or the /64 of
 * an IPv6 one (one host or home usually holds a whole /64, RFC 6177), or the
 * whole address when it is neither.
 */
export function addressKey (addr: Multiaddr): string {
  const ip = addr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')
  if (ip?.value == null) return addr.toString()
  if (ip.name === 'ip4') return ip.value
  const groups = ipv6Groups(ip.value)
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is that IPv4 address.
  if (groups.slice(0, 5).every(g => g === 0) && groups[5] === 0xffff) {
    return [groups[6] ?? 0, groups[7] ?? 0].flatMap(g => [g >> 8, g & 0xff]).join('.')
  }
  return `${groups.slice(0, 4).map(g => g.toString(16)).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address in text form (RFC 4291 §2.2), `::` and a dotted IPv4 tail included. */
function ipv6Groups (text: string): number[] {
  const parse = (part: string): number[] => part === ''
    ? []
    : part.split(':').flatMap(g => g.includes('.') ? ipv4Groups(g) : [parseInt(g, 16)])
  const [head = '', tail] = text.toLowerCase().split('::')
  const left = parse(head)
  const right = parse(tail ?? '')
  return tail === undefined ? left : [...left, ...Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right]
}

function ipv4Groups (dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number)
  return [(a << 8) | b, (c << 8) | d]
}

/**
 * Ends the socket under a connection the relay aborted. @libp2p/websockets
 * (10.1.21, websocket-to-conn.ts `sendReset`) resets with `ws.close(1006)`,
 * a code `ws` refuses to send (RFC 6455 §7.4.1: 1006 is never sent on the
 * wire), so after an abort the socket stays open — unseen by libp2p and by
 * this gate — until the remote closes it, and a client that makes the relay
 * abort its connections could pile sockets up until the process runs out of
 * file descriptors. `terminate()` is the `ws` server socket's own immediate
 * close; other transports have no `websocket` and are left alone.
 */
function destroySocket (maConn: MultiaddrConnection): void {
  const { websocket } = maConn as MultiaddrConnection & { websocket?: { terminate?(): void } }
  websocket?.terminate?.()
}

export class RelayGate {
  readonly gater: ConnectionGater
  private readonly init: RelayGateInit
  private readonly logger: Logger
  private readonly tracked = new Map<MultiaddrConnection, Tracked>()
  /** Pending connections by address, oldest first. */
  private readonly pending = new Map<string, MultiaddrConnection[]>()
  private readonly open = new Map<string, number>()
  private pendingCount = 0
  private readonly counts = { evictedPending: 0, refusedConnections: 0, refusedReservations: 0, refusedReservationsFull: 0, grantedReservations: 0, refreshedReservations: 0, releasedReservations: 0 }
  private node: Libp2p<{ relay: CircuitRelayService }> | undefined
  private sweepTimer: ReturnType<typeof setInterval> | undefined

  constructor (init: RelayGateInit) {
    this.init = init
    this.logger = init.logger ?? noopLogger
    this.gater = {
      denyInboundConnection: maConn => this.admit(maConn),
      denyInboundUpgradedConnection: (_peer, maConn) => { this.upgraded(maConn); return false },
      denyInboundRelayReservation: peer => this.denyReservation(peer)
    }
  }

  /** Starts releasing the reservations of peers that disconnect. Safe to call twice. */
  attach (node: Libp2p<{ relay: CircuitRelayService }>): void {
    if (this.node != null) return
    this.node = node
    node.addEventListener('peer:disconnect', this.onDisconnect)
    this.sweepTimer = setInterval(() => { this.sweep() }, RESERVATION_SWEEP_INTERVAL_MS)
    this.sweepTimer.unref?.()
  }

  /** Safe to call twice. */
  detach (): void {
    this.node?.removeEventListener('peer:disconnect', this.onDisconnect)
    this.node = undefined
    clearInterval(this.sweepTimer)
  }

  stats (): RelayGateStats {
    let connections = 0
    for (const n of this.open.values()) connections += n
    return { connections, pendingConnections: this.pendingCount, ...this.counts }
  }

  /** Ends every reservation whose peer holds no connection (one whose disconnect was missed). */
  sweep (): void {
    const node = this.node
    if (node == null) return
    for (const peer of [...node.services.relay.reservations.keys()]) {
      if (node.getConnections(peer).length === 0) this.release(peer)
    }
  }

  private admit (maConn: MultiaddrConnection): boolean {
    const address = addressKey(maConn.remoteAddr)
    const queue = this.pending.get(address) ?? []
    const open = this.open.get(address) ?? 0
    if (open >= this.init.maxConnectionsPerAddress) {
      this.counts.refusedConnections++
      this.logger.debug(`relay refused a connection from ${address}: it holds ${open} already`)
      return true
    }
    // Open and pending together stay within the address's share; a pending one makes room for the newcomer.
    if (queue.length >= this.init.maxPendingConnectionsPerAddress || open + queue.length >= this.init.maxConnectionsPerAddress) {
      this.evictOldest(address)
    } else if (this.pendingCount >= this.init.maxPendingConnections) {
      this.evictOldest(this.busiestAddress())
    }
    this.tracked.set(maConn, { address, state: 'pending' })
    this.pending.set(address, [...(this.pending.get(address) ?? []), maConn])
    this.pendingCount++
    maConn.addEventListener('close', event => {
      this.closed(maConn)
      if (event.local && event.error != null) destroySocket(maConn)
    }, { once: true })
    return false
  }

  private upgraded (maConn: MultiaddrConnection): void {
    const entry = this.tracked.get(maConn)
    if (entry?.state !== 'pending') return
    this.unpend(maConn, entry.address)
    entry.state = 'open'
    this.open.set(entry.address, (this.open.get(entry.address) ?? 0) + 1)
  }

  private closed (maConn: MultiaddrConnection): void {
    const entry = this.tracked.get(maConn)
    if (entry == null) return
    this.tracked.delete(maConn)
    if (entry.state === 'pending') {
      this.unpend(maConn, entry.address)
      return
    }
    const left = (this.open.get(entry.address) ?? 1) - 1
    if (left > 0) this.open.set(entry.address, left)
    else this.open.delete(entry.address)
  }

  private unpend (maConn: MultiaddrConnection, address: string): void {
    const queue = this.pending.get(address) ?? []
    const index = queue.indexOf(maConn)
    if (index < 0) return
    queue.splice(index, 1)
    this.pendingCount--
    if (queue.length === 0) this.pending.delete(address)
  }

  private busiestAddress (): string {
    let busiest = ''
    let most = 0
    for (const [address, queue] of this.pending) {
      if (queue.length > most) { busiest = address; most = queue.length }
    }
    return busiest
  }

  private evictOldest (address: string): void {
    const oldest = this.pending.get(address)?.[0]
    if (oldest == null) return
    // Counted out now: the upgrade notices the abort only on its next read.
    this.unpend(oldest, address)
    this.tracked.delete(oldest)
    this.counts.evictedPending++
    this.logger.debug(`relay closes a pending connection from ${address} to admit a newer one`)
    // close(), not abort(): @libp2p/websockets resets with ws.close(1006), a code `ws` refuses to send
    // (RFC 6455 §7.4.1 reserves it), so an aborted websocket stays open until the remote closes it.
    oldest.close().catch(err => {
      this.logger.debug('closing an evicted pending connection failed', err)
      oldest.abort(err as Error)
    })
  }

  private denyReservation (peer: PeerId): boolean {
    const node = this.node
    const remote = node?.getConnections(peer)[0]?.remoteAddr
    if (node == null || remote == null) return false
    const reservations = node.services.relay.reservations
    // A refresh keeps the slot the peer holds.
    if (reservations.has(peer)) {
      this.counts.refreshedReservations++
      return false
    }
    const address = addressKey(remote)
    let held = 0
    for (const reservation of reservations.values()) {
      if (addressKey(reservation.addr) === address) held++
    }
    if (held >= this.init.maxReservationsPerAddress) {
      this.counts.refusedReservations++
      this.logger.debug(`relay refused a reservation from ${address}: it holds ${held} already`)
      return true
    }
    // The server checks its own cap right after this gate (circuit-relay-v2 server/reservation-store.ts `reserve`), synchronously.
    if (this.init.maxReservations !== undefined && reservations.size >= this.init.maxReservations) {
      this.counts.refusedReservationsFull++
      return false
    }
    this.counts.grantedReservations++
    return false
  }

  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    this.release(event.detail)
  }

  private release (peer: PeerId): void {
    const reservations = this.node?.services.relay.reservations
    const reservation = reservations?.get(peer)
    if (reservations == null || reservation == null) return
    // Clear the expiry timer too: left running, it would later delete a new reservation of the same peer.
    reservation.signal.clear()
    reservations.delete(peer)
    this.counts.releasedReservations++
  }
}
