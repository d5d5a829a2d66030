/**
 * libp2p's own metrics, read into the Metrics port: bytes in and out (per
 * protocol and per transport), open connections per transport and open
 * streams per protocol.
 *
 * The collector is `@libp2p/simple-metrics` (given to createLibp2p as its
 * `metrics`): libp2p's components register their metrics on it, and it hands
 * them all to `onMetrics` every `intervalMs`. Its 1.x line (the newest on npm)
 * was written for libp2p 2's duplex streams: its trackers replace
 * `sink`/`source`, which libp2p 3's message streams do not have, and throw on
 * every connection. So they are replaced here by trackers of libp2p 3 streams
 * — `send()` counts bytes out, a `message` event bytes in — as js-libp2p's own
 * metrics packages do for libp2p 3; the counts are kept as metric groups of
 * the same collector, so they reach `onMetrics` with the others.
 */
import { simpleMetrics } from '@libp2p/simple-metrics'
import type { ComponentLogger, Connection, Metrics as Libp2pMetrics, MessageStream, MultiaddrConnection, Stream } from '@libp2p/interface'
import type { Metrics } from '../core/index.ts'
import { transportOf } from './transports.ts'
import type { Transport } from './transports.ts'

/** How often libp2p's metrics are read into the port by default, ms. */
export const LIBP2P_METRICS_INTERVAL_MS = 1000

/** Port metric names (Prometheus style; js-libp2p's prometheus-metrics uses the first). */
export const LIBP2P_METRIC = {
  /** Counter {protocol, direction}: stream bytes per protocol, and `global` for the bytes of every transport connection before encryption and muxing (WebRTC carries none there: its data channels are its streams). */
  dataTransferBytes: 'libp2p_data_transfer_bytes_total',
  /** Counter {transport, direction}: stream bytes by the transport of their connection (relayed bytes count as relayed only). */
  transportBytes: 'libp2p_transport_bytes_total',
  /** Gauge {transport}: open connections. */
  connections: 'libp2p_connections',
  /** Gauge {protocol, direction}: open streams. */
  protocolStreams: 'libp2p_protocol_streams'
} as const

/** Every transport a connection is counted under, so a transport with none open reads 0. */
export const TRANSPORTS: readonly Transport[] = ['webrtc', 'relayed', 'websocket', 'other']

// The collector's own group names: those it emits from libp2p, and ours.
const COLLECTED_TRANSFER = 'libp2p_data_transfer_bytes_total'
const COLLECTED_TRANSPORT_BYTES = 'zerostate_libp2p_transport_bytes_total'
const COLLECTED_CONNECTIONS = 'zerostate_libp2p_connections'
/** Registered by libp2p's connection manager: open streams keyed `inbound /proto/1.0.0`. */
const COLLECTED_STREAMS = 'libp2p_protocol_streams_total'

export interface Libp2pMetricsInit {
  /** Where the readings go. */
  metrics: Metrics
  /** How often they are read, ms. Default LIBP2P_METRICS_INTERVAL_MS. */
  intervalMs?: number
}

/** What libp2p hands a metrics factory that this one reads; the connection manager only once started. */
export interface Libp2pMetricsComponents {
  logger: ComponentLogger
  connectionManager?: { getConnections(): Connection[] }
}

/** For createLibp2p's `metrics`: simple-metrics with libp2p 3 stream trackers, read into `init.metrics`. */
export function libp2pMetrics (init: Libp2pMetricsInit): (components: Libp2pMetricsComponents) => Libp2pMetrics {
  return (components) => {
    const reader = new Libp2pMetricsReader(init.metrics)
    // simple-metrics 1.x is typed against @libp2p/interface 2; the methods libp2p 3 calls are the same but for the trackers replaced below.
    const collector = simpleMetrics({
      intervalMs: init.intervalMs ?? LIBP2P_METRICS_INTERVAL_MS,
      onMetrics: output => { reader.read(output) }
    })(components) as unknown as Libp2pMetrics
    const connections = (): Connection[] => {
      // The components object throws for a component not made yet: no connections then.
      try { return components.connectionManager?.getConnections() ?? [] } catch { return [] }
    }
    const transfer = collector.registerCounterGroup(COLLECTED_TRANSFER)
    const byTransport = collector.registerCounterGroup(COLLECTED_TRANSPORT_BYTES)
    collector.registerMetricGroup(COLLECTED_CONNECTIONS, {
      calculate: () => {
        const counts: Record<string, number> = Object.fromEntries(TRANSPORTS.map(transport => [transport, 0]))
        for (const connection of connections()) counts[transportOf(connection)] = (counts[transportOf(connection)] ?? 0) + 1
        return counts
      }
    })
    collector.trackMultiaddrConnection = (maConn: MultiaddrConnection) => {
      track(maConn, (direction, bytes) => { transfer.increment({ [`global ${direction}`]: bytes }) })
    }
    collector.trackProtocolStream = (stream: Stream) => {
      // The upgrader calls this once the protocol is negotiated; the stream is already among its connection's.
      const connection = connections().find(c => c.streams.includes(stream))
      const transport = connection === undefined ? 'other' : transportOf(connection)
      const protocol = stream.protocol
      track(stream, (direction, bytes) => {
        transfer.increment({ [`${protocol} ${direction}`]: bytes })
        byTransport.increment({ [`${transport} ${direction}`]: bytes })
      })
    }
    return collector
  }
}

/**
 * Counts a stream's bytes: out through `send`, in as its `message` events are
 * dispatched. It wraps dispatchEvent rather than listening: a message stream
 * starts delivering what it buffered once anything listens for `message`, and
 * a listener added here could take the first frames before the protocol's
 * own reader is attached.
 */
function track (stream: MessageStream, count: (direction: 'in' | 'out', bytes: number) => void): void {
  const dispatchEvent = stream.dispatchEvent.bind(stream)
  stream.dispatchEvent = (event: Event): boolean => {
    if (event.type === 'message') count('in', (event as MessageEvent<{ byteLength: number }>).data.byteLength)
    return dispatchEvent(event)
  }
  const send = stream.send.bind(stream)
  stream.send = (data) => {
    count('out', data.byteLength)
    return send(data)
  }
}

/**
 * Turns the collector's output into port metrics: running totals into
 * counter increments (a total that went down was restarted: counted from 0),
 * levels into gauges (a key that is gone reads 0).
 */
export class Libp2pMetricsReader {
  readonly #transfer
  readonly #transportBytes
  readonly #connections
  readonly #streams
  readonly #totals = new Map<string, number>()
  readonly #streamKeys = new Set<string>()

  constructor (metrics: Metrics) {
    this.#transfer = metrics.counter(LIBP2P_METRIC.dataTransferBytes, { help: 'Bytes sent and received by libp2p, per stream protocol (global: every transport connection, before encryption and muxing)', labels: ['protocol', 'direction'] })
    this.#transportBytes = metrics.counter(LIBP2P_METRIC.transportBytes, { help: 'Stream bytes sent and received, by the transport of their connection', labels: ['transport', 'direction'] })
    this.#connections = metrics.gauge(LIBP2P_METRIC.connections, { help: 'Open libp2p connections, by transport', labels: ['transport'] })
    this.#streams = metrics.gauge(LIBP2P_METRIC.protocolStreams, { help: 'Open libp2p streams, by protocol and direction', labels: ['protocol', 'direction'] })
  }

  /** One `onMetrics` output of the collector. */
  read (output: Record<string, unknown>): void {
    for (const [key, total] of numbers(output[COLLECTED_TRANSFER])) {
      const [protocol, direction] = splitLast(key)
      this.#count(`transfer ${key}`, total, delta => { this.#transfer.inc({ protocol, direction }, delta) })
    }
    for (const [key, total] of numbers(output[COLLECTED_TRANSPORT_BYTES])) {
      const [transport, direction] = splitLast(key)
      this.#count(`transport ${key}`, total, delta => { this.#transportBytes.inc({ transport, direction }, delta) })
    }
    for (const [transport, open] of numbers(output[COLLECTED_CONNECTIONS])) this.#connections.set({ transport }, open)
    const streams = new Map(numbers(output[COLLECTED_STREAMS]))
    for (const key of this.#streamKeys) if (!streams.has(key)) streams.set(key, 0)
    for (const [key, open] of streams) {
      // `inbound /zerostate/task/1.0.0`: the direction first.
      const space = key.indexOf(' ')
      if (space < 0) continue
      this.#streamKeys.add(key)
      this.#streams.set({ protocol: key.slice(space + 1), direction: key.slice(0, space) }, open)
    }
  }

  #count (key: string, total: number, inc: (delta: number) => void): void {
    const last = this.#totals.get(key) ?? 0
    const delta = total >= last ? total - last : total
    this.#totals.set(key, total)
    if (delta > 0) inc(delta)
  }
}

function numbers (group: unknown): Array<[string, number]> {
  if (group === null || typeof group !== 'object') return []
  return Object.entries(group).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]))
}

/** `/proto/1.0.0 in` → ['/proto/1.0.0', 'in'] (a protocol id has no spaces, the direction is the last word). */
function splitLast (key: string): [string, string] {
  const space = key.lastIndexOf(' ')
  return [key.slice(0, space), key.slice(space + 1)]
}
