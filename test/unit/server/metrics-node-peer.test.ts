/**
 * A Node peer's metrics: the counters and the duration histogram move with
 * real signed receipts (test/unit/receipts fixtures), and `zerostate
 * contribute --metrics-port 0` serves /metrics (its slots, its connection to a
 * real relay, the process), /healthz and /readyz until it is stopped.
 */
import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { contributeCommand } from '../../../src/cli/contribute.ts'
import { NodePeerMetrics } from '../../../src/peer/node-metrics.node.ts'
import { RECEIPT_STATUSES } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { signedExample, signedWith } from '../receipts/fixtures.ts'
import { histogramCount, httpRequest, scrape, scrapeRegistry, valueOf } from './metrics-exposition.ts'
import { waitFor } from './relay-peers.ts'

describe('NodePeerMetrics from signed receipts', () => {
  it('counts tasks by status, fuel, charges and durations as the receipts state them', async () => {
    const registry = new Registry()
    const metrics = new NodePeerMetrics(registry)
    const receipts: Receipt[] = [
      await signedExample(),
      await signedWith({ status: 'exit', exitCode: 3, durationMs: 1500, fuelUsed: 2_000_000 }),
      await signedWith({ status: 'timeout', exitCode: null, durationMs: 10_000, fuelUsed: null })
    ]
    // Tasks by status and their fuel are the port's (zerostate_tasks_executed_total, zerostate_fuel_total: prom-metrics.node.ts), not counted twice here.
    for (const receipt of receipts) metrics.observeReceipt(receipt)
    const after = await scrapeRegistry(registry)
    expect(after.families.has('zerostate_peer_tasks_executed_total')).toBe(false)
    expect(RECEIPT_STATUSES).toContain('timeout')
    const charges = receipts.reduce((sum, receipt) => sum + receipt.price.charge, 0)
    expect(charges).toBeGreaterThan(0)
    expect(valueOf(after, 'zerostate_peer_earned_micros_total')).toBe(charges)
    expect(after.families.get('zerostate_peer_task_duration_seconds')?.type).toBe('HISTOGRAM')
    expect(await histogramCount(registry, 'zerostate_peer_task_duration_seconds', { status: 'timeout' })).toBe(1)
    expect(await histogramCount(registry, 'zerostate_peer_task_duration_seconds')).toBe(3)
    const { values } = await (registry.getSingleMetric('zerostate_peer_task_duration_seconds') as NonNullable<ReturnType<Registry['getSingleMetric']>>).get()
    const sum = values.filter(sample => (sample as { metricName?: string }).metricName === 'zerostate_peer_task_duration_seconds_sum').reduce((total, sample) => total + sample.value, 0)
    expect(sum).toBeCloseTo(0.042 + 1.5 + 10, 9)
    // Before a peer is watched, its gauges say nothing of it.
    expect(valueOf(after, 'zerostate_peer_connections')).toBe(0)
  })
})

describe('zerostate contribute --metrics-port', () => {
  let relay: Relay
  let dir: string
  const savedLevel = process.env.ZEROSTATE_LOG_LEVEL

  beforeAll(async () => {
    // Its logs go to stderr; only errors, so that the test output stays readable.
    process.env.ZEROSTATE_LOG_LEVEL = 'error'
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    dir = await mkdtemp(join(tmpdir(), 'zerostate-contribute-metrics-'))
  }, 20_000)

  afterEach(() => { vi.restoreAllMocks() })

  afterAll(async () => {
    if (savedLevel === undefined) delete process.env.ZEROSTATE_LOG_LEVEL
    else process.env.ZEROSTATE_LOG_LEVEL = savedLevel
    await relay?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves the peer\'s metrics, /healthz and /readyz while it contributes, and stops serving when it stops', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line) })
    const signals = new EventEmitter()
    const exit = contributeCommand(['--relay-addr', relay.multiaddrs[0] as string, '--dir', dir, '--slots', '2', '--json', '--metrics-port', '0', '--log-format', 'json'], signals)
    let settled = false
    void exit.finally(() => { settled = true })
    await waitFor(() => settled || lines.some(line => line.includes('"event":"online"')), 30_000, 'the peer to be online')
    const online = JSON.parse(lines.find(line => line.includes('"event":"online"')) as string) as { peerId: string, metrics: string }
    expect(online.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const base = online.metrics.replace(/\/metrics$/, '')

    await waitFor(() => relay.node.getConnections().some(c => c.remotePeer.toString() === online.peerId), 5000, 'the relay to see the peer')
    const s = await scrape(base)
    expect(s.status).toBe(200)
    // The peer's levels through the Metrics port (read at the scrape: PeerMetrics.collect), and libp2p's.
    expect(valueOf(s, 'zerostate_worker_slots')).toBe(2)
    expect(valueOf(s, 'zerostate_worker_slots_busy')).toBe(0)
    expect(valueOf(s, 'zerostate_worker_tasks_queued')).toBe(0)
    expect(valueOf(s, 'zerostate_peer_connections', { direction: 'outbound', transport: 'websocket' })).toBeGreaterThanOrEqual(1)
    expect(valueOf(s, 'zerostate_peer_agent_cards')).toBe(0)
    expect(valueOf(s, 'zerostate_peers', { link: 'direct' })).toBe(0)
    expect(s.families.get('zerostate_process_cpu_user_seconds_total')?.type).toBe('COUNTER')
    expect((await httpRequest(base, '/healthz')).status).toBe(200)
    const ready = await httpRequest(base, '/readyz')
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body)).toEqual({ ready: true })

    signals.emit('SIGINT')
    expect(await exit).toBe(0)
    await expect(httpRequest(base, '/healthz')).rejects.toThrow()
  }, 60_000)
})
