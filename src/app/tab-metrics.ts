/**
 * The Metrics port as a tab keeps it: each metric's current values, and a
 * time series of every series sampled at a steady pace (`sample()`, driven by
 * the session every second) into ring buffers of a fixed length, so a tab
 * open for days holds the same memory as one open for a minute. Histograms
 * also keep their latest observations, to give p50/p95/p99 over a sliding
 * window. No clock of its own: `now` is given, so tests drive it.
 */
import {
  InvalidMetricError, LATENCY_BUCKETS_SECONDS, checkMetricOptions, checkMetricValue, seriesKey
} from '../core/index.ts'
import type { Counter, Gauge, Histogram, HistogramOptions, MetricLabels, MetricOptions, Metrics } from '../core/index.ts'

export interface TabMetricsInit {
  /** Unix epoch ms. */
  now(): number
  /** How often the owner calls `sample()`, ms (reported in the snapshot). Default 1000. */
  sampleIntervalMs?: number
  /** Samples kept per series (the oldest is dropped). Default 600: ten minutes at one a second. */
  retainedSamples?: number
  /** Percentiles are of the observations of the last this many ms. Default 60 000. */
  percentileWindowMs?: number
  /** Observations a histogram series keeps for its percentiles, newest. Default 2048. */
  windowObservations?: number
  /** Distinct label sets a metric keeps; the next ones are counted together under `_other`. Default 32. */
  maxSeriesPerMetric?: number
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 1000
export const DEFAULT_RETAINED_SAMPLES = 600
export const DEFAULT_PERCENTILE_WINDOW_MS = 60_000
export const DEFAULT_WINDOW_OBSERVATIONS = 2048
export const DEFAULT_MAX_SERIES_PER_METRIC = 32
/** The label value of the series that gathers label sets beyond the limit. */
export const OVERFLOW_LABEL_VALUE = '_other'

export type MetricType = 'counter' | 'gauge' | 'histogram'

/** p50, p95 and p99 of the observations in the window, or null where it holds none. */
export interface Percentiles {
  p50: number
  p95: number
  p99: number
  /** Observations they are taken over. */
  count: number
}

/** One histogram series: Prometheus' cumulative buckets, and percentiles over the window. */
export interface HistogramSnapshot {
  sum: number
  count: number
  /** Cumulative: observations ≤ `le`; the last bucket is `le: Infinity`, equal to `count`. */
  buckets: Array<{ le: number, count: number }>
  window: Percentiles | null
  /** Each sample's percentiles over the window then, aligned with `MetricsSnapshot.times`. */
  quantiles: { p50: Array<number | null>, p95: Array<number | null>, p99: Array<number | null> }
}

export interface SeriesSnapshot {
  labels: Record<string, string>
  /** Now: a counter's or gauge's value, a histogram's observation count. */
  value: number
  /** The value at each sample, aligned with `MetricsSnapshot.times`; null before the series existed. */
  samples: Array<number | null>
  histogram?: HistogramSnapshot
}

export interface MetricSnapshot {
  name: string
  help: string
  type: MetricType
  labelNames: string[]
  series: SeriesSnapshot[]
}

/** Every metric of the tab, read now (`window.zerostate.metrics()`). */
export interface MetricsSnapshot {
  /** When it was read, Unix epoch ms. */
  at: number
  sampleIntervalMs: number
  percentileWindowMs: number
  /** When each sample was taken, Unix epoch ms, oldest first. */
  times: number[]
  metrics: MetricSnapshot[]
}

/** A ring of the last `capacity` numbers, NaN where nothing was written. */
class Ring {
  readonly values: Float64Array
  constructor (capacity: number) {
    this.values = new Float64Array(capacity).fill(Number.NaN)
  }
}

/**
 * The p-th percentile of `sorted` (ascending, not empty) by the nearest-rank
 * method: the smallest value with at least p·n observations at or below it
 * (Hyndman & Fan 1996, definition 1; what Prometheus' summaries estimate).
 */
export function nearestRank (sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1] as number
}

/** p50/p95/p99 of `values`, or null when there are none. */
export function percentilesOf (values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99), count: sorted.length }
}

class Series {
  value = 0
  readonly samples: Ring
  // Histograms only.
  sum = 0
  bucketCounts: number[] = []
  /** The newest observations and their times, a ring of `windowObservations`. */
  observed: Float64Array = new Float64Array(0)
  observedAt: Float64Array = new Float64Array(0)
  observations = 0
  quantiles?: { p50: Ring, p95: Ring, p99: Ring }

  constructor (readonly labels: Record<string, string>, retained: number) {
    this.samples = new Ring(retained)
  }
}

class Metric {
  readonly series = new Map<string, Series>()
  constructor (
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[]
  ) {}
}

export class TabMetrics implements Metrics {
  readonly #now: () => number
  readonly #interval: number
  readonly #retained: number
  readonly #window: number
  readonly #windowObservations: number
  readonly #maxSeries: number
  readonly #metrics = new Map<string, Metric>()
  readonly #times: Ring
  /** Samples taken so far; the newest is at `(#taken - 1) % #retained`. */
  #taken = 0

  constructor (init: TabMetricsInit) {
    this.#now = init.now
    this.#interval = init.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS
    this.#retained = positive('retainedSamples', init.retainedSamples ?? DEFAULT_RETAINED_SAMPLES)
    this.#window = init.percentileWindowMs ?? DEFAULT_PERCENTILE_WINDOW_MS
    this.#windowObservations = positive('windowObservations', init.windowObservations ?? DEFAULT_WINDOW_OBSERVATIONS)
    this.#maxSeries = positive('maxSeriesPerMetric', init.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC)
    this.#times = new Ring(this.#retained)
  }

  counter (name: string, options: MetricOptions): Counter {
    const metric = this.#register(name, 'counter', options)
    return {
      inc: (labels, value = 1) => {
        checkMetricValue(name, value, true)
        this.#series(metric, labels).value += value
      }
    }
  }

  gauge (name: string, options: MetricOptions): Gauge {
    const metric = this.#register(name, 'gauge', options)
    const add = (labels: MetricLabels | undefined, value: number): void => {
      checkMetricValue(name, value, false)
      this.#series(metric, labels).value += value
    }
    return {
      set: (labels, value) => {
        checkMetricValue(name, value, false)
        this.#series(metric, labels).value = value
      },
      inc: (labels, value = 1) => { add(labels, value) },
      dec: (labels, value = 1) => { add(labels, -value) }
    }
  }

  histogram (name: string, options: HistogramOptions): Histogram {
    const metric = this.#register(name, 'histogram', { ...options, buckets: options.buckets ?? LATENCY_BUCKETS_SECONDS })
    return {
      observe: (labels, value) => {
        checkMetricValue(name, value, false)
        const series = this.#series(metric, labels)
        series.value += 1
        series.sum += value
        const bucket = metric.buckets.findIndex(le => value <= le)
        series.bucketCounts[bucket === -1 ? metric.buckets.length : bucket]! += 1
        const slot = series.observations % this.#windowObservations
        series.observed[slot] = value
        series.observedAt[slot] = this.#now()
        series.observations += 1
      }
    }
  }

  /** Takes one sample of every series (and of each histogram's percentiles) at `now()`. */
  sample (): void {
    const at = this.#now()
    const slot = this.#taken % this.#retained
    this.#times.values[slot] = at
    for (const metric of this.#metrics.values()) {
      for (const series of metric.series.values()) {
        series.samples.values[slot] = series.value
        if (series.quantiles !== undefined) {
          const window = this.#percentiles(series, at)
          series.quantiles.p50.values[slot] = window?.p50 ?? Number.NaN
          series.quantiles.p95.values[slot] = window?.p95 ?? Number.NaN
          series.quantiles.p99.values[slot] = window?.p99 ?? Number.NaN
        }
      }
    }
    this.#taken += 1
  }

  /** Every metric with its series' values now and their samples, oldest first. */
  snapshot (): MetricsSnapshot {
    const at = this.#now()
    const count = Math.min(this.#taken, this.#retained)
    const first = this.#taken - count
    const read = (ring: Ring): Array<number | null> => {
      const out = new Array<number | null>(count)
      for (let i = 0; i < count; i++) {
        const v = ring.values[(first + i) % this.#retained] as number
        out[i] = Number.isNaN(v) ? null : v
      }
      return out
    }
    return {
      at,
      sampleIntervalMs: this.#interval,
      percentileWindowMs: this.#window,
      times: read(this.#times) as number[],
      metrics: [...this.#metrics.values()].map(metric => ({
        name: metric.name,
        help: metric.help,
        type: metric.type,
        labelNames: [...metric.labelNames],
        series: [...metric.series.values()].map(series => ({
          labels: { ...series.labels },
          value: series.value,
          samples: read(series.samples),
          ...(series.quantiles === undefined
            ? {}
            : {
                histogram: {
                  sum: series.sum,
                  count: series.value,
                  buckets: cumulative(metric.buckets, series.bucketCounts),
                  window: this.#percentiles(series, at),
                  quantiles: { p50: read(series.quantiles.p50), p95: read(series.quantiles.p95), p99: read(series.quantiles.p99) }
                }
              })
        }))
      }))
    }
  }

  #percentiles (series: Series, at: number): Percentiles | null {
    const kept = Math.min(series.observations, this.#windowObservations)
    const values: number[] = []
    for (let i = 0; i < kept; i++) {
      if (at - (series.observedAt[i] as number) <= this.#window) values.push(series.observed[i] as number)
    }
    return percentilesOf(values)
  }

  #register (name: string, type: MetricType, options: HistogramOptions): Metric {
    checkMetricOptions(name, options, type)
    const labels = options.labels ?? []
    const buckets = type === 'histogram' ? options.buckets ?? LATENCY_BUCKETS_SECONDS : []
    const known = this.#metrics.get(name)
    if (known !== undefined) {
      if (known.type !== type || known.labelNames.join() !== labels.join() || known.buckets.join() !== buckets.join()) {
        throw new InvalidMetricError(`${name} is already a ${known.type} with labels [${known.labelNames.join(', ')}]`)
      }
      return known
    }
    const metric = new Metric(name, type, options.help, [...labels], [...buckets])
    this.#metrics.set(name, metric)
    return metric
  }

  /** The series of `labels`, made on first use; past the limit, the shared overflow series. */
  #series (metric: Metric, labels: MetricLabels | undefined): Series {
    const key = seriesKey(metric.name, metric.labelNames, labels)
    const known = metric.series.get(key)
    if (known !== undefined) return known
    const full = metric.series.size >= this.#maxSeries - 1
    const own = full ? Object.fromEntries(metric.labelNames.map(label => [label, OVERFLOW_LABEL_VALUE])) : { ...labels }
    const ownKey = full ? seriesKey(metric.name, metric.labelNames, own) : key
    const existing = metric.series.get(ownKey)
    if (existing !== undefined) return existing
    const series = new Series(own, this.#retained)
    if (metric.type === 'histogram') {
      series.bucketCounts = new Array<number>(metric.buckets.length + 1).fill(0)
      series.observed = new Float64Array(this.#windowObservations)
      series.observedAt = new Float64Array(this.#windowObservations)
      series.quantiles = { p50: new Ring(this.#retained), p95: new Ring(this.#retained), p99: new Ring(this.#retained) }
    }
    metric.series.set(ownKey, series)
    return series
  }
}

function cumulative (buckets: readonly number[], counts: readonly number[]): Array<{ le: number, count: number }> {
  let running = 0
  return [...buckets, Number.POSITIVE_INFINITY].map((le, i) => {
    running += counts[i] ?? 0
    return { le, count: running }
  })
}

function positive (what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}`)
  return n
}
