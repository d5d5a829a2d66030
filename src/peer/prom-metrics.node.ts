/**
 * The core Metrics port on a prom-client registry, for a Node peer
 * (`zerostate contribute --metrics-port`): what composePeer records through
 * the port — the peer's own figures (peer-metrics.ts: tasks submitted and
 * run, round trips, fuel, channel flows, peers, worker slots) and libp2p's
 * (network/libp2p-metrics.ts: bytes per protocol and transport, connections,
 * streams) — is served on /metrics under the same names a tab's Metrics view
 * charts (docs/metrics.md "Node peer").
 *
 * Levels are read when scraped: `beforeScrape` (the peer's
 * `metrics.collect()`) runs once per scrape, before any gauge made here is read.
 *
 * @example
 * ```ts
 * const metrics = new PromMetrics(registry)
 * const peer = await startNodePeer({ ..., metrics })
 * metrics.beforeScrape(() => { peer.peer.metrics.collect() })
 * ```
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'
import { InvalidMetricError, LATENCY_BUCKETS_SECONDS, checkMetricOptions, checkMetricValue, seriesKey } from '../core/index.ts'
import type { Counter as PortCounter, Gauge as PortGauge, Histogram as PortHistogram, HistogramOptions, MetricLabels, MetricOptions, Metrics } from '../core/index.ts'

type Kind = 'counter' | 'gauge' | 'histogram'

interface Registered {
  kind: Kind
  labels: readonly string[]
  buckets: readonly number[]
  port: PortCounter | PortGauge | PortHistogram
}

export class PromMetrics implements Metrics {
  readonly #registry: Registry
  readonly #registered = new Map<string, Registered>()
  readonly #hooks: Array<() => void> = []
  /** Whether the hooks ran in this turn: a scrape reads every metric in one synchronous loop (prom-client Registry.metrics). */
  #collected = false

  constructor (registry: Registry) {
    this.#registry = registry
  }

  /** Runs `hook` once per scrape, before the gauges made here are read (the peer's `metrics.collect()`). */
  beforeScrape (hook: () => void): void {
    this.#hooks.push(hook)
  }

  counter (name: string, options: MetricOptions): PortCounter {
    return this.#register(name, 'counter', options, labels => {
      const counter = new Counter({ name, help: options.help, labelNames: [...labels], registers: [this.#registry] })
      return {
        inc: (values = {}, value = 1) => {
          checkMetricValue(name, value, true)
          seriesKey(name, labels, values)
          counter.inc(values, value)
        }
      }
    }).port as PortCounter
  }

  gauge (name: string, options: MetricOptions): PortGauge {
    const collect = (): void => { this.#collect() }
    return this.#register(name, 'gauge', options, labels => {
      const gauge = new Gauge({ name, help: options.help, labelNames: [...labels], registers: [this.#registry], collect })
      const checked = (values: MetricLabels | undefined, value: number): MetricLabels => {
        checkMetricValue(name, value, false)
        seriesKey(name, labels, values ?? {})
        return values ?? {}
      }
      return {
        set: (values, value) => { gauge.set(checked(values, value), value) },
        inc: (values, value = 1) => { gauge.inc(checked(values, value), value) },
        dec: (values, value = 1) => { gauge.dec(checked(values, value), value) }
      }
    }).port as PortGauge
  }

  histogram (name: string, options: HistogramOptions): PortHistogram {
    const buckets = options.buckets ?? LATENCY_BUCKETS_SECONDS
    return this.#register(name, 'histogram', { ...options, buckets }, labels => {
      const histogram = new Histogram({ name, help: options.help, labelNames: [...labels], buckets: [...buckets], registers: [this.#registry] })
      return {
        observe: (values, value) => {
          checkMetricValue(name, value, false)
          seriesKey(name, labels, values)
          histogram.observe(values, value)
        }
      }
    }).port as PortHistogram
  }

  /** The metric `name`, made on first registration; registering it again the same way gives the same one (core/metrics.ts). */
  #register (name: string, kind: Kind, options: HistogramOptions, make: (labels: readonly string[]) => Registered['port']): Registered {
    checkMetricOptions(name, options, kind)
    const labels = options.labels ?? []
    const buckets = options.buckets ?? []
    const known = this.#registered.get(name)
    if (known !== undefined) {
      if (known.kind !== kind || known.labels.join() !== labels.join() || known.buckets.join() !== buckets.join()) {
        throw new InvalidMetricError(`${name} is registered already as a ${known.kind} with labels [${known.labels.join(', ')}]`)
      }
      return known
    }
    if (this.#registry.getSingleMetric(name) !== undefined) throw new InvalidMetricError(`${name} is registered in the registry already, by another component`)
    const registered: Registered = { kind, labels: [...labels], buckets: [...buckets], port: make(labels) }
    this.#registered.set(name, registered)
    return registered
  }

  #collect (): void {
    if (this.#collected) return
    this.#collected = true
    queueMicrotask(() => { this.#collected = false })
    for (const hook of this.#hooks) hook()
  }
}
