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
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'
import { transportOf } from '../network/transports.ts'
import { RECEIPT_STATUSES } from '../receipts/index.ts'
import { MESH_DURATION_BUCKETS_MS, MeshFiguresBoard } from '../receipts/mesh-figures/index.ts'
import type { MeshTotals } from '../receipts/mesh-figures/index.ts'
import { METRIC_PREFIX } from './constants.ts'
import type { Readiness } from './metrics-http.ts'
import type { Relay } from './relay.ts'
import { GOSSIP_DROP_REASONS } from './relay-validators.ts'

const PREFIX = `${METRIC_PREFIX}relay_`
const MESH_PREFIX = `${METRIC_PREFIX}mesh_`

/**
 * A histogram whose buckets are read, not observed: the mesh figures carry
 * each peer's counts per fixed bucket (MESH_DURATION_BUCKETS_MS), and their
 * sums are exposed as Prometheus' cumulative `_bucket{le}`, `_sum`, `_count`
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#histograms-and-summaries).
 * prom-client's Histogram only counts observations, so what the registry
 * reads of it at each scrape (`get`, `getForPromString`) is replaced.
 */
class SummedHistogram extends Histogram {
  readonly #read: () => { counts: number[], sumMs: number }

  constructor (name: string, help: string, registry: Registry, read: () => { counts: number[], sumMs: number }) {
    super({ name, help, buckets: MESH_DURATION_BUCKETS_MS.map(ms => ms / 1000), registers: [registry] })
    this.#read = read
  }

  override async get (): ReturnType<Histogram['get']> {
    return this.#summed()
  }

  /** What the registry's text exposition reads (prom-client 15 Registry.getMetricsAsString prefers it to `get`). */
  async getForPromString (): ReturnType<Histogram['get']> {
    return this.#summed()
  }

  async #summed (): ReturnType<Histogram['get']> {
    // Its own name, help, type and aggregator as prom-client states them (no observation was ever made); the values are the sums read now.
    const own = await (Histogram.prototype as unknown as { getForPromString(): ReturnType<Histogram['get']> }).getForPromString.call(this)
    const { counts, sumMs } = this.#read()
    let running = 0
    const buckets = [...MESH_DURATION_BUCKETS_MS, Number.POSITIVE_INFINITY].map((le, i) => {
      running += counts[i] ?? 0
      return { metricName: `${own.name}_bucket`, labels: { le: Number.isFinite(le) ? le / 1000 : '+Inf' }, value: running }
    })
    return {
      ...own,
      values: [...buckets, { metricName: `${own.name}_sum`, labels: {}, value: sumMs / 1000 }, { metricName: `${own.name}_count`, labels: {}, value: running }]
    }
  }
}

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

export interface RelayMetricsInit {
  /** The clock the mesh figures expire by, Unix epoch ms; default Date.now. */
  now?(): number
  /** Peers whose figures are kept (receipts/mesh-figures board.ts); default DEFAULT_MAX_MESH_FIGURES_PEERS. */
  maxMeshPeers?: number
}

export class RelayMetrics {
  private readonly relays = new Map<Relay, () => void>()
  /**
   * The mesh figures every tracked relay took, summed once for the process:
   * two relays of one process hear the same report, and the board takes it
   * once (the second is a `duplicate`).
   */
  readonly meshFigures: MeshFiguresBoard
  private readonly now: () => number

  constructor (registry: Registry, init: RelayMetricsInit = {}) {
    this.now = init.now ?? Date.now
    this.meshFigures = new MeshFiguresBoard(init.maxMeshPeers === undefined ? {} : { maxPeers: init.maxMeshPeers })
    const relays: Iterable<Relay> = { [Symbol.iterator]: () => this.relays.keys() }
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
    gauge('peer_relays', 'Relays of the same mesh this relay peers with (relay-peering.ts), by state: connected or disconnected.',
      ['relay', 'state'], function (list) {
        for (const relay of list) {
          const peers = relay.relayPeers()
          const connected = peers.filter(peer => peer.connected).length
          this.set({ relay: id(relay), state: 'connected' }, connected)
          this.set({ relay: id(relay), state: 'disconnected' }, peers.length - connected)
        }
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

    this.registerMeshFigures(registry)
  }

  /**
   * The mesh figures (docs/metrics.md "Mesh figures"): sums over every peer
   * that opted in, read from the board at scrape time. No `relay` label: the
   * board is the process's, each report counted once whichever relay heard it.
   */
  private registerMeshFigures (registry: Registry): void {
    let read: { at: number, totals: MeshTotals } | undefined
    // One read of the board per scrape: every family below reads the same totals.
    const totals = (): MeshTotals => {
      const now = this.now()
      if (read === undefined || read.at !== now) read = { at: now, totals: this.meshFigures.totals(now) }
      return read.totals
    }
    const registers = [registry]
    const counter = (name: string, help: string, value: (totals: MeshTotals) => number): void => {
      // eslint-disable-next-line no-new -- registered in `registry` by the constructor, read through it
      new Counter({ name: MESH_PREFIX + name, help, registers, collect () { this.reset(); this.inc(value(totals())) } })
    }
    /* eslint-disable no-new -- as above */
    new Counter({
      name: `${MESH_PREFIX}tasks_executed_total`,
      help: `Tasks the reporting peers ran for others, by receipt status (${RECEIPT_STATUSES.join(', ')}).`,
      labelNames: ['status'],
      registers,
      collect () {
        this.reset()
        const executed = totals().counters.executed
        for (const status of RECEIPT_STATUSES) this.inc({ status }, executed[status])
      }
    })
    counter('tasks_submitted_total', 'Tasks the reporting peers submitted.', t => t.counters.submitted)
    counter('tasks_failed_total', 'Tasks the reporting peers submitted that did not come back with a verified ok receipt.', t => t.counters.failed)
    counter('fuel_total', 'Fuel of the tasks the reporting peers ran, as their receipts state it.', t => t.counters.fuel)
    counter('earned_micro_total', 'Micro-units the receipts of the reporting peers charged (what their submitters owe them).', t => t.counters.earned)
    counter('spent_micro_total', 'Micro-units the receipts of the tasks the reporting peers submitted charged them.', t => t.counters.spent)
    new Gauge({
      name: `${MESH_PREFIX}reporting_peers`,
      help: 'Peers whose last mesh figures arrived within three of their periods.',
      registers,
      collect () { this.set(totals().reportingPeers) }
    })
    new SummedHistogram(`${MESH_PREFIX}task_duration_seconds`,
      'Run time of the tasks the reporting peers ran (their receipts\' durationMs), their buckets summed.', registry, () => totals().counters.durations)
    /* eslint-enable no-new */
  }

  /** Reports `relay` from the next scrape on, and sums the mesh figures it takes from now on. Tracking a relay twice is harmless. */
  track (relay: Relay): void {
    if (this.relays.has(relay)) return
    this.relays.set(relay, relay.onMeshFigures(figures => { this.meshFigures.offer(figures, this.now()) }))
  }

  /** Stops reporting `relay` (its series disappear; the mesh figures it brought stay in the sums). Safe to call twice. */
  untrack (relay: Relay): void {
    this.relays.get(relay)?.()
    this.relays.delete(relay)
  }

  /** relaysReadiness over the relays tracked. */
  readiness (): Readiness {
    return relaysReadiness(this.relays.keys())
  }
}
