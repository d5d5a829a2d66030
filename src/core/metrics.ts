/**
 * The Metrics port: where a component counts what it did (tasks run, bytes
 * moved, latency observed), beside the Logger port. Components take a
 * `Metrics` and default to `noopMetrics`; the composition root passes a real
 * one (a tab's TabMetrics, src/app/tab-metrics.ts; a Node server's prom-client
 * registry).
 *
 * Shaped after Prometheus' data model so that an exporter maps it 1:1
 * (https://prometheus.io/docs/concepts/data_model/ and
 * https://prometheus.io/docs/practices/naming/): names in snake_case with a
 * unit suffix in base units (`_seconds`, `_bytes`) and `_total` on counters;
 * label names fixed when the metric is registered, so the label set stays
 * bounded; histograms with fixed cumulative buckets (`le`).
 *
 * @example
 * const executed = metrics.counter('zerostate_tasks_executed_total', { help: 'Tasks run here', labels: ['status'] })
 * executed.inc({ status: 'ok' })
 * metrics.histogram('zerostate_task_round_trip_seconds', { help: '…', buckets: LATENCY_BUCKETS_SECONDS }).observe({}, 0.42)
 */
import { nameError } from './errors.ts'

/** Label values by label name; only the names the metric was registered with. */
export type MetricLabels = Readonly<Record<string, string>>

export interface MetricOptions {
  /** What it measures, in a sentence (Prometheus' `# HELP`). */
  help: string
  /** The label names every observation gives, in order; none by default. */
  labels?: readonly string[]
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds of the buckets, strictly increasing, finite (`+Inf` is implied). Default LATENCY_BUCKETS_SECONDS. */
  buckets?: readonly number[]
}

/** Only goes up (restarts at 0 with the process). */
export interface Counter {
  inc(labels?: MetricLabels, value?: number): void
}

/** Goes up and down: a level read now (connections open, slots busy). */
export interface Gauge {
  set(labels: MetricLabels, value: number): void
  inc(labels?: MetricLabels, value?: number): void
  dec(labels?: MetricLabels, value?: number): void
}

/** Counts observations into fixed buckets, with their sum. */
export interface Histogram {
  observe(labels: MetricLabels, value: number): void
}

/**
 * Registers metrics; registering a name again with the same type and labels
 * gives the same metric (so two components may share one), anything else
 * throws InvalidMetricError.
 */
export interface Metrics {
  counter(name: string, options: MetricOptions): Counter
  gauge(name: string, options: MetricOptions): Gauge
  histogram(name: string, options: HistogramOptions): Histogram
}

/**
 * Buckets for task latencies, seconds: a WebRTC round trip of a small task
 * (tens of ms) up to the longest task timeout a user sets (minutes).
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/** Thrown when a metric name, label name, label set, bucket list or value is not valid, or a name is registered twice differently. */
export class InvalidMetricError extends Error {
  static { nameError(this, 'InvalidMetricError') }
}

// https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** Checks a registration: the name, the label names (unique, not reserved) and the buckets. */
export function checkMetricOptions (name: string, options: HistogramOptions, type: 'counter' | 'gauge' | 'histogram'): void {
  if (!METRIC_NAME.test(name)) throw new InvalidMetricError(`metric name ${JSON.stringify(name)} is not a Prometheus metric name`)
  const labels = options.labels ?? []
  for (const label of labels) {
    // Names beginning with __ are reserved for Prometheus' own use; `le` is the histogram's bucket label.
    if (!LABEL_NAME.test(label) || label.startsWith('__') || (type === 'histogram' && label === 'le')) {
      throw new InvalidMetricError(`label name ${JSON.stringify(label)} of ${name} is not allowed`)
    }
  }
  if (new Set(labels).size !== labels.length) throw new InvalidMetricError(`${name} names a label twice`)
  if (options.buckets !== undefined) {
    const buckets = options.buckets
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] as number)))) {
      throw new InvalidMetricError(`buckets of ${name} must be finite and strictly increasing`)
    }
  }
}

/**
 * The key of one series: its label values in the registered order. Throws
 * InvalidMetricError when `labels` misses a registered label or has another.
 */
export function seriesKey (name: string, labelNames: readonly string[], labels: MetricLabels = {}): string {
  const given = Object.keys(labels)
  if (given.length !== labelNames.length || labelNames.some(label => typeof labels[label] !== 'string')) {
    throw new InvalidMetricError(`${name} takes the labels [${labelNames.join(', ')}], got [${given.join(', ')}]`)
  }
  return JSON.stringify(labelNames.map(label => labels[label]))
}

/** Checks an observed value: finite, and not negative where the metric only goes up. */
export function checkMetricValue (name: string, value: number, nonNegative: boolean): void {
  if (!Number.isFinite(value) || (nonNegative && value < 0)) {
    throw new InvalidMetricError(`${name} cannot take ${String(value)}`)
  }
}

const noopCounter: Counter = { inc () {} }
const noopGauge: Gauge = { set () {}, inc () {}, dec () {} }
const noopHistogram: Histogram = { observe () {} }

/** Counts nothing: the default of every component that was given no metrics. */
export const noopMetrics: Metrics = {
  counter: () => noopCounter,
  gauge: () => noopGauge,
  histogram: () => noopHistogram
}
