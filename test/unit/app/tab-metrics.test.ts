import { describe, expect, it } from 'vitest'
import { InvalidMetricError, noopMetrics } from '../../../src/core/index.ts'
import { OVERFLOW_LABEL_VALUE, TabMetrics, nearestRank, percentilesOf } from '../../../src/app/tab-metrics.ts'
import type { MetricsSnapshot, SeriesSnapshot } from '../../../src/app/tab-metrics.ts'
import { metricsView, perSecond } from '../../../src/app/metric-charts.ts'
import { Libp2pMetricsReader, LIBP2P_METRIC } from '../../../src/network/libp2p-metrics.ts'
import { PEER_METRIC, PeerMetrics } from '../../../src/peer/peer-metrics.ts'

/** A clock the test moves. */
function fakeClock (start = 1_700_000_000_000): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: ms => { t += ms } }
}

function series (snapshot: MetricsSnapshot, name: string, labels: Record<string, string> = {}): SeriesSnapshot {
  const metric = snapshot.metrics.find(m => m.name === name)
  const found = metric?.series.find(s => JSON.stringify(s.labels) === JSON.stringify(labels))
  if (found === undefined) throw new Error(`no series ${name} ${JSON.stringify(labels)}`)
  return found
}

describe('TabMetrics: counters and gauges', () => {
  it('keeps one series per label set and adds to it', () => {
    const metrics = new TabMetrics({ now: fakeClock().now })
    const executed = metrics.counter('zerostate_tasks_executed_total', { help: 'tasks run', labels: ['status'] })
    executed.inc({ status: 'ok' })
    executed.inc({ status: 'ok' }, 2)
    executed.inc({ status: 'exit' })
    const snapshot = metrics.snapshot()
    expect(series(snapshot, 'zerostate_tasks_executed_total', { status: 'ok' }).value).toBe(3)
    expect(series(snapshot, 'zerostate_tasks_executed_total', { status: 'exit' }).value).toBe(1)
    expect(snapshot.metrics[0]).toMatchObject({ name: 'zerostate_tasks_executed_total', type: 'counter', help: 'tasks run', labelNames: ['status'] })
  })

  it('sets, raises and lowers a gauge', () => {
    const metrics = new TabMetrics({ now: fakeClock().now })
    const slots = metrics.gauge('zerostate_worker_slots', { help: 'slots' })
    slots.set({}, 4)
    slots.inc()
    slots.dec({}, 3)
    expect(series(metrics.snapshot(), 'zerostate_worker_slots').value).toBe(2)
  })

  it('gives the same metric for the same registration, and refuses a different one', () => {
    const metrics = new TabMetrics({ now: fakeClock().now })
    metrics.counter('a_total', { help: 'a', labels: ['x'] }).inc({ x: '1' })
    metrics.counter('a_total', { help: 'a', labels: ['x'] }).inc({ x: '1' })
    expect(series(metrics.snapshot(), 'a_total', { x: '1' }).value).toBe(2)
    expect(() => metrics.gauge('a_total', { help: 'a', labels: ['x'] })).toThrow(InvalidMetricError)
    expect(() => metrics.counter('a_total', { help: 'a', labels: ['y'] })).toThrow(InvalidMetricError)
  })

  it('refuses names, labels and values Prometheus would not take', () => {
    const metrics = new TabMetrics({ now: fakeClock().now })
    expect(() => metrics.counter('1bad', { help: '' })).toThrow(InvalidMetricError)
    expect(() => metrics.counter('bad-name', { help: '' })).toThrow(InvalidMetricError)
    expect(() => metrics.counter('ok_total', { help: '', labels: ['__reserved'] })).toThrow(InvalidMetricError)
    expect(() => metrics.counter('ok_total', { help: '', labels: ['x', 'x'] })).toThrow(InvalidMetricError)
    expect(() => metrics.histogram('h_seconds', { help: '', labels: ['le'] })).toThrow(InvalidMetricError)
    expect(() => metrics.histogram('h_seconds', { help: '', buckets: [1, 1] })).toThrow(InvalidMetricError)
    const counter = metrics.counter('c_total', { help: '', labels: ['status'] })
    expect(() => { counter.inc({}) }).toThrow(InvalidMetricError)
    expect(() => { counter.inc({ status: 'ok', other: 'x' }) }).toThrow(InvalidMetricError)
    expect(() => { counter.inc({ status: 'ok' }, -1) }).toThrow(InvalidMetricError)
    expect(() => { counter.inc({ status: 'ok' }, Number.NaN) }).toThrow(InvalidMetricError)
    expect(new InvalidMetricError('x').name).toBe('InvalidMetricError')
  })

  it('bounds the label sets of a metric: the ones past the limit share one series', () => {
    const metrics = new TabMetrics({ now: fakeClock().now, maxSeriesPerMetric: 4 })
    const streams = metrics.gauge('libp2p_protocol_streams', { help: '', labels: ['protocol', 'direction'] })
    for (let i = 0; i < 10; i++) streams.inc({ protocol: `/p/${i}`, direction: 'in' })
    const metric = metrics.snapshot().metrics[0]!
    expect(metric.series).toHaveLength(4)
    const other = metric.series.find(s => s.labels.protocol === OVERFLOW_LABEL_VALUE)
    expect(other).toMatchObject({ labels: { protocol: OVERFLOW_LABEL_VALUE, direction: OVERFLOW_LABEL_VALUE }, value: 7 })
    // A label set kept before the limit still has its own series.
    streams.inc({ protocol: '/p/0', direction: 'in' })
    expect(series(metrics.snapshot(), 'libp2p_protocol_streams', { protocol: '/p/0', direction: 'in' }).value).toBe(2)
  })

  it('noopMetrics takes every call and keeps nothing', () => {
    noopMetrics.counter('x_total', { help: '' }).inc({ a: 'b' }, 5)
    noopMetrics.gauge('x', { help: '' }).set({}, 1)
    noopMetrics.histogram('x_seconds', { help: '' }).observe({}, 1)
  })
})

describe('TabMetrics: histograms', () => {
  it('counts into cumulative buckets with +Inf, and keeps sum and count', () => {
    const metrics = new TabMetrics({ now: fakeClock().now })
    const h = metrics.histogram('zerostate_task_round_trip_seconds', { help: '', buckets: [0.1, 1, 10] })
    for (const v of [0.05, 0.1, 0.5, 2, 20]) h.observe({}, v)
    const { histogram } = series(metrics.snapshot(), 'zerostate_task_round_trip_seconds')
    expect(histogram?.count).toBe(5)
    expect(histogram?.sum).toBeCloseTo(22.65)
    // le is inclusive (Prometheus): 0.1 falls in the 0.1 bucket.
    expect(histogram?.buckets).toEqual([{ le: 0.1, count: 2 }, { le: 1, count: 3 }, { le: 10, count: 4 }, { le: Number.POSITIVE_INFINITY, count: 5 }])
  })

  it('gives nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(nearestRank(sorted, 0.5)).toBe(50)
    expect(nearestRank(sorted, 0.95)).toBe(95)
    expect(nearestRank(sorted, 0.99)).toBe(99)
    expect(nearestRank([7], 0.99)).toBe(7)
    expect(percentilesOf([])).toBeNull()
    expect(percentilesOf([3, 1, 2])).toEqual({ p50: 2, p95: 3, p99: 3, count: 3 })
  })

  it('takes percentiles over the sliding window only', () => {
    const clock = fakeClock()
    const metrics = new TabMetrics({ now: clock.now, percentileWindowMs: 60_000 })
    const h = metrics.histogram('lat_seconds', { help: '' })
    for (let i = 1; i <= 100; i++) h.observe({}, 10) // old and slow
    clock.advance(61_000)
    for (let i = 1; i <= 100; i++) h.observe({}, i / 1000)
    const window = series(metrics.snapshot(), 'lat_seconds').histogram?.window
    expect(window).toEqual({ p50: 0.05, p95: 0.095, p99: 0.099, count: 100 })
    clock.advance(61_000)
    expect(series(metrics.snapshot(), 'lat_seconds').histogram?.window).toBeNull()
    // The buckets still count everything.
    expect(series(metrics.snapshot(), 'lat_seconds').histogram?.count).toBe(200)
  })

  it('keeps at most windowObservations for the percentiles: the newest', () => {
    const metrics = new TabMetrics({ now: fakeClock().now, windowObservations: 10 })
    const h = metrics.histogram('lat_seconds', { help: '' })
    for (let i = 1; i <= 1000; i++) h.observe({}, i)
    expect(series(metrics.snapshot(), 'lat_seconds').histogram?.window).toEqual({ p50: 995, p95: 1000, p99: 1000, count: 10 })
  })
})

describe('TabMetrics: samples', () => {
  it('samples every series at the clock, oldest first, null before a series existed', () => {
    const clock = fakeClock(1000)
    const metrics = new TabMetrics({ now: clock.now })
    const c = metrics.counter('c_total', { help: '' })
    c.inc()
    metrics.sample()
    clock.advance(1000)
    c.inc({}, 2)
    const g = metrics.gauge('g', { help: '' })
    g.set({}, 7)
    metrics.sample()
    const snapshot = metrics.snapshot()
    expect(snapshot.times).toEqual([1000, 2000])
    expect(series(snapshot, 'c_total').samples).toEqual([1, 3])
    expect(series(snapshot, 'g').samples).toEqual([null, 7])
  })

  it('keeps the last retainedSamples in a ring: memory stays bounded however long it runs', () => {
    const clock = fakeClock(0)
    const metrics = new TabMetrics({ now: clock.now, retainedSamples: 5 })
    const g = metrics.gauge('g', { help: '' })
    for (let i = 0; i < 1234; i++) {
      g.set({}, i)
      metrics.sample()
      clock.advance(1000)
    }
    const snapshot = metrics.snapshot()
    expect(snapshot.times).toEqual([1229_000, 1230_000, 1231_000, 1232_000, 1233_000])
    expect(series(snapshot, 'g').samples).toEqual([1229, 1230, 1231, 1232, 1233])
  })

  it('samples a histogram\'s percentiles, null while its window is empty', () => {
    const clock = fakeClock(0)
    const metrics = new TabMetrics({ now: clock.now, percentileWindowMs: 1500 })
    const h = metrics.histogram('lat_seconds', { help: '' })
    h.observe({}, 0.2)
    metrics.sample()
    clock.advance(1000)
    h.observe({}, 0.4)
    metrics.sample()
    clock.advance(2000)
    metrics.sample()
    const q = series(metrics.snapshot(), 'lat_seconds').histogram?.quantiles
    expect(q?.p50).toEqual([0.2, 0.2, null])
    expect(q?.p99).toEqual([0.2, 0.4, null])
  })
})

describe('the Metrics view\'s charts', () => {
  it('turns counters into per-second rates, and sums label series', () => {
    expect(perSecond([0, 1000, 3000, 4000], [0, 2, 6, 1])).toEqual([null, 2, 2, null])
    expect(perSecond([0, 1000], [null, 5])).toEqual([null, null])
    const clock = fakeClock(10_000)
    const metrics = new TabMetrics({ now: clock.now })
    const peer = new PeerMetrics(metrics)
    peer.observe({
      peers: () => [
        { peerId: 'a', transports: ['webrtc', 'relayed'], isRelay: false, contributing: true, slots: 1 },
        { peerId: 'b', transports: ['relayed'], isRelay: false, contributing: false, slots: 0 },
        { peerId: 'r', transports: ['websocket'], isRelay: true, contributing: false, slots: 0 }
      ],
      workers: () => ({ slots: 2, running: 1, queued: 3 })
    })
    peer.collect()
    metrics.sample()
    clock.advance(2000)
    const receipt = { status: 'ok', fuelUsed: 4000 } as never
    peer.submitted(0.25, { receipt } as never)
    peer.submitted(0.5, undefined, Object.assign(new Error('x'), { name: 'NoExecutorError' }))
    peer.executed({ receipt: { status: 'exit', fuelUsed: 1000 } } as never)
    peer.collect()
    metrics.sample()
    const view = metricsView(metrics.snapshot())
    expect(view.hasData).toBe(true)
    const chart = (id: string): Record<string, Array<number | null>> =>
      Object.fromEntries(view.charts.find(c => c.id === id)!.series.map(s => [s.label, s.values]))
    expect(chart('tasks')).toEqual({ submitted: [null, 1], 'executed here': [null, 0.5] })
    expect(chart('fuel')).toEqual({ 'my tasks used': [null, 2000], 'run here': [null, 500] })
    expect(chart('latency').p50).toEqual([null, 250])
    expect(chart('peers')['peers direct']).toEqual([1, 1])
    expect(chart('peers')['peers relayed']).toEqual([1, 1])
    expect(chart('workers')).toEqual({ contributed: [2, 2], busy: [1, 1], queued: [3, 3] })
    expect(view.charts.map(c => c.times)).toEqual(view.charts.map(() => [10, 12]))
    const snapshot = metrics.snapshot()
    expect(series(snapshot, PEER_METRIC.tasksSubmitted, { outcome: 'ok' }).value).toBe(1)
    expect(series(snapshot, PEER_METRIC.tasksSubmitted, { outcome: 'error' }).value).toBe(1)
  })

  it('reads libp2p\'s running totals as counter increments and its levels as gauges', () => {
    const clock = fakeClock(0)
    const metrics = new TabMetrics({ now: clock.now })
    const reader = new Libp2pMetricsReader(metrics)
    reader.read({
      libp2p_data_transfer_bytes_total: { 'global in': 100, '/zerostate/task/1.0.0 out': 40 },
      zerostate_libp2p_transport_bytes_total: { 'webrtc in': 30, 'relayed out': 40 },
      zerostate_libp2p_connections: { webrtc: 1, relayed: 0, websocket: 1, other: 0 },
      libp2p_protocol_streams_total: { 'inbound /zerostate/task/1.0.0': 2 }
    })
    metrics.sample()
    clock.advance(1000)
    reader.read({
      libp2p_data_transfer_bytes_total: { 'global in': 250, '/zerostate/task/1.0.0 out': 40 },
      zerostate_libp2p_transport_bytes_total: { 'webrtc in': 1030, 'relayed out': 40 },
      zerostate_libp2p_connections: { webrtc: 2, relayed: 0, websocket: 1, other: 0 },
      libp2p_protocol_streams_total: {}
    })
    metrics.sample()
    const snapshot = metrics.snapshot()
    expect(series(snapshot, LIBP2P_METRIC.dataTransferBytes, { protocol: 'global', direction: 'in' }).value).toBe(250)
    expect(series(snapshot, LIBP2P_METRIC.dataTransferBytes, { protocol: '/zerostate/task/1.0.0', direction: 'out' }).value).toBe(40)
    expect(series(snapshot, LIBP2P_METRIC.connections, { transport: 'webrtc' }).samples).toEqual([1, 2])
    // A stream that closed reads 0, not its last count.
    expect(series(snapshot, LIBP2P_METRIC.protocolStreams, { protocol: '/zerostate/task/1.0.0', direction: 'inbound' }).samples).toEqual([2, 0])
    const bytes = metricsView(snapshot).charts.find(c => c.id === 'bytes')!
    expect(bytes.series).toEqual([{ label: 'in', values: [null, 1000] }, { label: 'out', values: [null, 0] }])
  })

  it('has no data before two samples', () => {
    const metrics = new TabMetrics({ now: fakeClock().now })
    expect(metricsView(metrics.snapshot()).hasData).toBe(false)
    metrics.sample()
    expect(metricsView(metrics.snapshot()).hasData).toBe(false)
  })
})
