/**
 * The Metrics view's charts, derived from a TabMetrics snapshot: counters
 * turned into per-second rates between samples, label series summed into
 * the lines a chart draws, latency percentiles in ms. Pure: no DOM, no clock.
 */
import { LIBP2P_METRIC } from '../network/libp2p-metrics.ts'
import { PEER_METRIC } from '../peer/peer-metrics.ts'
import type { MetricSnapshot, MetricsSnapshot } from './tab-metrics.ts'

/** One chart: lines over the shared sample times. */
export interface MetricChartView {
  id: 'tasks' | 'latency' | 'fuel' | 'payments' | 'peers' | 'workers' | 'bytes'
  title: string
  /** What the y axis counts, as its label says it. */
  unit: 'tasks/s' | 'ms' | 'fuel/s' | 'µ' | 'count' | 'slots' | 'B/s'
  /** Sample times, Unix epoch seconds (uPlot's time scale). */
  times: number[]
  /** One line each, aligned with `times`; null where there is no value (a gap). `dashed`: drawn dashed, to tell it from a line it may lie on. */
  series: Array<{ label: string, values: Array<number | null>, dashed?: boolean }>
}

/** What the Metrics view draws. */
export interface MetricsView {
  sampleIntervalMs: number
  /** When the snapshot was read, Unix epoch ms. */
  at: number
  /** Two samples or more: a rate needs two. */
  hasData: boolean
  charts: MetricChartView[]
}

type Values = Array<number | null>

export function metricsView (snapshot: MetricsSnapshot): MetricsView {
  const { times } = snapshot
  const seconds = times.map(t => t / 1000)
  const metric = (name: string): MetricSnapshot | undefined => snapshot.metrics.find(m => m.name === name)
  /** The sum of the series whose labels match `where`, at each sample (a series not yet born counts 0). */
  const sum = (name: string, where: Record<string, string> = {}): Values => {
    const found = metric(name)?.series.filter(s => Object.entries(where).every(([k, v]) => s.labels[k] === v)) ?? []
    if (found.length === 0) return times.map(() => null)
    return times.map((_, i) => found.reduce((total, s) => total + (s.samples[i] ?? 0), 0))
  }
  const rate = (values: Values): Values => perSecond(times, values)
  const quantile = (q: 'p50' | 'p95' | 'p99'): Values => {
    const series = metric(PEER_METRIC.roundTrip)?.series[0]?.histogram?.quantiles[q]
    return series === undefined ? times.map(() => null) : series.map(v => v === null ? null : v * 1000)
  }
  const charts: MetricChartView[] = [
    {
      id: 'tasks',
      title: 'Tasks',
      unit: 'tasks/s',
      times: seconds,
      series: [
        { label: 'submitted', values: rate(sum(PEER_METRIC.tasksSubmitted)) },
        { label: 'executed here', values: rate(sum(PEER_METRIC.tasksExecuted)) }
      ]
    },
    {
      id: 'latency',
      title: 'Task round trip',
      unit: 'ms',
      times: seconds,
      series: [
        { label: 'p50', values: quantile('p50') },
        { label: 'p95', values: quantile('p95') },
        { label: 'p99', values: quantile('p99') }
      ]
    },
    {
      id: 'fuel',
      title: 'Fuel',
      unit: 'fuel/s',
      times: seconds,
      series: [
        { label: 'my tasks used', values: rate(sum(PEER_METRIC.fuel, { role: 'submitter' })) },
        { label: 'run here', values: rate(sum(PEER_METRIC.fuel, { role: 'executor' })) }
      ]
    },
    {
      id: 'payments',
      title: 'Earnings and spending',
      unit: 'µ',
      times: seconds,
      series: [
        { label: 'earned', values: sum(PEER_METRIC.channelFlow, { direction: 'earned' }) },
        { label: 'spent', values: sum(PEER_METRIC.channelFlow, { direction: 'spent' }) }
      ]
    },
    {
      id: 'peers',
      title: 'Peers and connections',
      unit: 'count',
      times: seconds,
      series: [
        { label: 'peers direct', values: sum(PEER_METRIC.peers, { link: 'direct' }) },
        { label: 'peers relayed', values: sum(PEER_METRIC.peers, { link: 'relayed' }) },
        // Connections often equal the peers they carry: dashed, so both lines show.
        { label: 'WebRTC conns', values: sum(LIBP2P_METRIC.connections, { transport: 'webrtc' }), dashed: true },
        { label: 'relayed conns', values: sum(LIBP2P_METRIC.connections, { transport: 'relayed' }), dashed: true },
        { label: 'websocket conns', values: sum(LIBP2P_METRIC.connections, { transport: 'websocket' }), dashed: true }
      ]
    },
    {
      id: 'workers',
      title: 'Worker slots',
      unit: 'slots',
      times: seconds,
      series: [
        { label: 'contributed', values: sum(PEER_METRIC.workerSlots) },
        { label: 'busy', values: sum(PEER_METRIC.workerSlotsBusy) },
        { label: 'queued', values: sum(PEER_METRIC.workerQueue) }
      ]
    },
    {
      id: 'bytes',
      title: 'Bytes in and out',
      unit: 'B/s',
      times: seconds,
      series: [
        { label: 'in', values: rate(sum(LIBP2P_METRIC.transportBytes, { direction: 'in' })) },
        { label: 'out', values: rate(sum(LIBP2P_METRIC.transportBytes, { direction: 'out' })) }
      ]
    }
  ]
  return { sampleIntervalMs: snapshot.sampleIntervalMs, at: snapshot.at, hasData: times.length >= 2, charts }
}

/**
 * Per-second rates of a running total between consecutive samples; null at
 * the first sample, across a gap, and where the total went down (a restart).
 */
export function perSecond (times: readonly number[], totals: Values): Values {
  return totals.map((total, i) => {
    const previous = totals[i - 1]
    const dt = ((times[i] ?? 0) - (times[i - 1] ?? 0)) / 1000
    if (i === 0 || total === null || previous === null || previous === undefined || dt <= 0 || total < previous) return null
    return (total - previous) / dt
  })
}
