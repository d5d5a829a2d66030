/**
 * The relays' metrics (docs/metrics.md, "Relay"), every one labelled with
 * the relay's PeerId so that the relays of one process share one registry.
 *
 * Nothing is counted twice: each metric is read at scrape time (prom-client's
 * `collect()`) from what the relay already holds — libp2p's open
 * connections, the circuit relay server's reservations, gossipsub's
 * subscribers — and from the counts its gate (relay-gate.ts) and gossip
 * validators (relay-validators.ts) keep anyway. A counter read this way is
 * reset and set to the relay's running total at each scrape (the pattern of
 * Prometheus' "custom collectors"); it only ever grows while the relay runs.
 *
 * @example
 * ```ts
 * const registry = processRegistry()
 * const metrics = new RelayMetrics(registry)
 * metrics.track(relay)
 * ```
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import { transportOf } from '../network/transports.ts'
import { METRIC_PREFIX } from './constants.ts'
import type { Readiness } from './metrics-http.ts'
import type { Relay } from './relay.ts'
import { GOSSIP_DROP_REASONS } from './relay-validators.ts'

const PREFIX = `${METRIC_PREFIX}relay_`

/** The relays that are not started or have no listening address, by PeerId. */
function notListening (relays: Iterable<Relay>): string[] {
  const down: string[] = []
  for (const relay of relays) {
    if (relay.node.status !== 'started' || relay.node.getMultiaddrs().length === 0) down.push(relay.node.peerId.toString())
  }
  return down
}

/**
 * Ready when every relay is started and listening on its multiaddrs: the
 * addresses /config.json hands to pages are then dialable. With no relay of
 * its own (only `--relay-addr` ones), the process is ready once it serves.
 */
export function relaysReadiness (relays: Iterable<Relay>): Readiness {
  const list = [...relays]
  const down = notListening(list)
  if (down.length > 0) return { ready: false, reason: `relay not listening: ${down.join(', ')}`, relays: list.length }
  return { ready: true, relays: list.length, multiaddrs: list.flatMap(relay => relay.node.getMultiaddrs().map(ma => ma.toString())) }
}

export class RelayMetrics {
  private readonly relays = new Set<Relay>()

  constructor (registry: Registry) {
    const relays = this.relays
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], collect: (this: Gauge<L>, relays: Iterable<Relay>) => void): void => {
      // eslint-disable-next-line no-new -- registered in `registry` by the constructor, read through it
      new Gauge<L>({ name: PREFIX + name, help, labelNames, registers: [registry], collect () { this.reset(); collect.call(this, relays) } })
    }
    const counter = <L extends string>(name: string, help: string, labelNames: L[], collect: (this: Counter<L>, relays: Iterable<Relay>) => void): void => {
      // eslint-disable-next-line no-new -- as above
      new Counter<L>({ name: PREFIX + name, help, labelNames, registers: [registry], collect () { this.reset(); collect.call(this, relays) } })
    }
    const id = (relay: Relay): string => relay.node.peerId.toString()

    gauge('connections', 'Connections open now, by direction and transport (websocket, relayed, webrtc, other).',
      ['relay', 'direction', 'transport'], function (list) {
        for (const relay of list) {
          for (const connection of relay.node.getConnections()) {
            this.inc({ relay: id(relay), direction: connection.direction, transport: transportOf(connection) })
          }
        }
      })
    gauge('peers', 'Distinct peers with at least one open connection, by transport.', ['relay', 'transport'], function (list) {
      for (const relay of list) {
        const peers = new Map<string, Set<string>>()
        for (const connection of relay.node.getConnections()) {
          const transport = transportOf(connection)
          const set = peers.get(transport) ?? new Set<string>()
          set.add(connection.remotePeer.toString())
          peers.set(transport, set)
        }
        for (const [transport, set] of peers) this.set({ relay: id(relay), transport }, set.size)
      }
    })
    gauge('pending_connections', 'Inbound connections still in their noise/yamux upgrade.', ['relay'], function (list) {
      for (const relay of list) this.set({ relay: id(relay) }, relay.stats().pendingConnections)
    })
    counter('connections_refused_total', 'Inbound connections refused by the gate because their address held its share of connections.',
      ['relay'], function (list) {
        for (const relay of list) this.inc({ relay: id(relay) }, relay.stats().refusedConnections)
      })
    counter('pending_connections_evicted_total', 'Pending connections closed to admit newer ones (the oldest of the busiest address).',
      ['relay'], function (list) {
        for (const relay of list) this.inc({ relay: id(relay) }, relay.stats().evictedPending)
      })
    gauge('reservations', 'Circuit relay v2 reservations held now.', ['relay'], function (list) {
      for (const relay of list) this.set({ relay: id(relay) }, relay.stats().reservations)
    })
    counter('reservations_granted_total', 'New reservations let through to the circuit relay server (refreshes not counted).', ['relay'], function (list) {
      for (const relay of list) this.inc({ relay: id(relay) }, relay.stats().grantedReservations)
    })
    counter('reservations_refreshed_total', 'Refreshes of a reservation the peer already held.', ['relay'], function (list) {
      for (const relay of list) this.inc({ relay: id(relay) }, relay.stats().refreshedReservations)
    })
    counter('reservations_refused_total', 'Reservations refused: `address` (its address held its share), `full` (the relay held its maximum).',
      ['relay', 'reason'], function (list) {
        for (const relay of list) {
          const stats = relay.stats()
          this.inc({ relay: id(relay), reason: 'address' }, stats.refusedReservations)
          this.inc({ relay: id(relay), reason: 'full' }, stats.refusedReservationsFull)
        }
      })
    counter('reservations_released_total', 'Reservations ended because their peer disconnected.', ['relay'], function (list) {
      for (const relay of list) this.inc({ relay: id(relay) }, relay.stats().releasedReservations)
    })
    gauge('gossip_subscribers', 'Peers subscribed to each routed gossip topic, as the relay\'s gossipsub sees them.', ['relay', 'topic'], function (list) {
      for (const relay of list) {
        for (const topic of Object.keys(relay.stats().gossip.accepted)) {
          this.set({ relay: id(relay), topic }, relay.node.services.pubsub.getSubscribers(topic).length)
        }
      }
    })
    counter('gossip_accepted_messages_total', 'Gossip messages the relay\'s validator accepted, which gossipsub then forwards, by topic.',
      ['relay', 'topic'], function (list) {
        for (const relay of list) {
          for (const [topic, n] of Object.entries(relay.stats().gossip.accepted)) this.inc({ relay: id(relay), topic }, n)
        }
      })
    counter('gossip_accepted_bytes_total', 'Payload bytes of the accepted gossip messages, by topic.', ['relay', 'topic'], function (list) {
      for (const relay of list) {
        for (const [topic, n] of Object.entries(relay.stats().gossip.acceptedBytes)) this.inc({ relay: id(relay), topic }, n)
      }
    })
    counter('gossip_dropped_messages_total', `Gossip messages dropped before forwarding, by topic and reason (${GOSSIP_DROP_REASONS.join(', ')}).`,
      ['relay', 'topic', 'reason'], function (list) {
        for (const relay of list) {
          for (const [topic, drops] of Object.entries(relay.stats().gossip.dropped)) {
            for (const [reason, n] of Object.entries(drops)) this.inc({ relay: id(relay), topic, reason }, n)
          }
        }
      })
    counter('gossip_dropped_bytes_total', 'Payload bytes of the dropped gossip messages, by topic and reason.', ['relay', 'topic', 'reason'], function (list) {
      for (const relay of list) {
        for (const [topic, drops] of Object.entries(relay.stats().gossip.droppedBytes)) {
          for (const [reason, n] of Object.entries(drops)) this.inc({ relay: id(relay), topic, reason }, n)
        }
      }
    })
  }

  /** Reports `relay` from the next scrape on. Tracking a relay twice is harmless. */
  track (relay: Relay): void {
    this.relays.add(relay)
  }

  /** Stops reporting `relay` (its series disappear). Safe to call twice. */
  untrack (relay: Relay): void {
    this.relays.delete(relay)
  }

  /** relaysReadiness over the relays tracked. */
  readiness (): Readiness {
    return relaysReadiness(this.relays)
  }
}
