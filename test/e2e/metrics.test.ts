import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { MetricsSnapshot, MetricsView } from '../../src/app/index.ts'
import { ARTIFACTS, openSubmitterWithExecutors, startHarness } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

const PRICES = { perMegaFuel: 1000, perSecond: 0, perMb: 10 }
const TASKS = [
  { module: 'samples/sha256.wasm', stdin: 'zerostate' },
  { module: 'samples/echo.wasm', stdin: 'héllo wörld' },
  { module: 'samples/primes.wasm', stdin: '200000' },
  { module: 'samples/text-stats.wasm', stdin: 'one two two\nthree' },
  { module: 'samples/sentiment.wasm', stdin: 'what a wonderful, happy day' },
  { module: 'samples/echo.wasm', stdin: 'again' }
]

/** The value now of a metric's series whose labels include `where`, summed. */
function valueOf (snapshot: MetricsSnapshot, name: string, where: Record<string, string> = {}): number {
  return (snapshot.metrics.find(m => m.name === name)?.series ?? [])
    .filter(s => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
}

async function metricsOf (page: Page): Promise<MetricsSnapshot> {
  return page.evaluate(() => window.zerostate.metrics())
}

describe('the Metrics view charts a tab\'s own figures and libp2p\'s', () => {
  let harness: Harness
  let submitter: Peer
  let executor: Peer

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true })
    harness = await startHarness()
    const peers = await openSubmitterWithExecutors(harness, 1, PRICES)
    submitter = peers.submitter
    executor = peers.executors[0]!
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('counts real tasks on both sides, with latency, fuel, payments and bytes', async () => {
    for (const task of TASKS) {
      const ok = await submitter.page.evaluate(async (request) => {
        const result = await window.zerostate.submit(request)
        return result.exitCode === 0
      }, task)
      expect(ok).toBe(true)
    }
    // The counters move as the tasks end; the levels and libp2p's figures with the next sample.
    await expect.poll(async () => valueOf(await metricsOf(submitter.page), 'zerostate_tasks_submitted_total', { outcome: 'ok' }), { timeout: 10_000 }).toBe(TASKS.length)
    await expect.poll(async () => valueOf(await metricsOf(executor.page), 'zerostate_tasks_executed_total', { status: 'ok' }), { timeout: 10_000 }).toBe(TASKS.length)
    await expect.poll(async () => valueOf(await metricsOf(submitter.page), 'zerostate_channel_flow_micro', { direction: 'spent' }), { timeout: 15_000 }).toBeGreaterThan(0)
    await expect.poll(async () => valueOf(await metricsOf(executor.page), 'zerostate_channel_flow_micro', { direction: 'earned' }), { timeout: 15_000 }).toBeGreaterThan(0)
    await expect.poll(async () => valueOf(await metricsOf(submitter.page), 'libp2p_transport_bytes_total', { transport: 'webrtc', direction: 'out' }), { timeout: 10_000 }).toBeGreaterThan(0)
    // libp2p's figures are read into the samples once a second, a stream's bytes once it has moved them: wait for the task streams'.
    await expect.poll(async () => valueOf(await metricsOf(submitter.page), 'libp2p_data_transfer_bytes_total', { protocol: '/zerostate/task/1.0.0', direction: 'out' }), { timeout: 10_000 })
      .toBeGreaterThan(1000)

    const mine = await metricsOf(submitter.page)
    const theirs = await metricsOf(executor.page)
    // The same tasks, seen from both ends: the fuel the receipts name.
    expect(valueOf(mine, 'zerostate_fuel_total', { role: 'submitter' })).toBeGreaterThan(0)
    expect(valueOf(mine, 'zerostate_fuel_total', { role: 'submitter' })).toBe(valueOf(theirs, 'zerostate_fuel_total', { role: 'executor' }))
    const roundTrip = mine.metrics.find(m => m.name === 'zerostate_task_round_trip_seconds')?.series[0]?.histogram
    expect(roundTrip?.count).toBe(TASKS.length)
    expect(roundTrip?.window?.count).toBe(TASKS.length)
    expect(roundTrip?.window?.p50).toBeGreaterThan(0)
    expect(roundTrip?.window?.p99).toBeGreaterThanOrEqual(roundTrip?.window?.p50 ?? Infinity)
    expect(roundTrip?.buckets.at(-1)).toEqual({ le: Infinity, count: TASKS.length })
    // The module bytes went out over WebRTC, the results came back in: each side's in is roughly the other's out.
    const sentOut = valueOf(mine, 'libp2p_transport_bytes_total', { direction: 'out' })
    expect(sentOut).toBeGreaterThan(1000)
    expect(valueOf(theirs, 'libp2p_transport_bytes_total', { direction: 'in' })).toBeGreaterThan(1000)
    expect(valueOf(mine, 'libp2p_data_transfer_bytes_total', { protocol: '/zerostate/task/1.0.0', direction: 'out' })).toBeGreaterThan(1000)
    expect(valueOf(mine, 'libp2p_data_transfer_bytes_total', { protocol: 'global', direction: 'in' })).toBeGreaterThan(0)
    expect(valueOf(mine, 'libp2p_connections', { transport: 'webrtc' })).toBeGreaterThanOrEqual(1)
    expect(valueOf(mine, 'libp2p_connections', { transport: 'websocket' })).toBeGreaterThanOrEqual(1)
    // Levels, read into the samples once a second (peer-metrics.ts collect): the direct connection the harness waited for
    // may be younger than the submitter's last sample (the tasks can all end within that second), so its next one at the latest.
    await expect.poll(async () => valueOf(await metricsOf(submitter.page), 'zerostate_peers', { link: 'direct' }), { timeout: 5_000 }).toBe(1)
    await expect.poll(async () => valueOf(await metricsOf(executor.page), 'zerostate_worker_slots'), { timeout: 5_000 }).toBe(1)
    // Sampled once a second, bounded to ten minutes: the samples keep coming (the tasks may all have ended within
    // the page's first two seconds), every series with one value per sample time.
    await expect.poll(async () => (await metricsOf(submitter.page)).times.length, { timeout: 5_000 }).toBeGreaterThan(2)
    const later = await metricsOf(submitter.page)
    expect(later.times.length).toBeLessThanOrEqual(600)
    expect(later.metrics.every(m => m.series.every(s => s.samples.length === later.times.length))).toBe(true)
  })

  it('draws every chart with uPlot, with points, at desktop and phone widths', async () => {
    const page = submitter.page
    await page.setViewportSize({ width: 1280, height: 900 })
    // Every group of figures has its chart, and the charts that moved have points.
    await expect.poll(async () => page.evaluate(() => {
      const view = (document.querySelector('zs-app')?.shadowRoot?.querySelector('zs-metrics') as unknown as { view?: MetricsView } | null)?.view
      const points = (id: string): number => view?.charts.find(c => c.id === id)?.series.flatMap(s => s.values).filter(v => v !== null && v > 0).length ?? 0
      return { charts: view?.charts.map(c => c.id), tasks: points('tasks') > 0, latency: points('latency') > 0, bytes: points('bytes') > 0, payments: points('payments') > 0 }
    }), { timeout: 10_000 }).toEqual({ charts: ['tasks', 'latency', 'fuel', 'payments', 'peers', 'workers', 'bytes'], tasks: true, latency: true, bytes: true, payments: true })
    await showSection(page, 'metrics')
    const section = page.locator('section.metrics')
    await section.scrollIntoViewIfNeeded()
    const canvases = section.locator('zs-metrics .uplot canvas')
    await expect.poll(async () => canvases.count(), { timeout: 10_000 }).toBe(7)
    for (const box of await Promise.all((await canvases.all()).map(async c => c.boundingBox()))) {
      expect(box?.width).toBeGreaterThan(200)
      expect(box?.height).toBeGreaterThan(100)
    }
    // Live: a chart is given new data, not made again.
    const marked = await page.evaluate(() => {
      const canvas = document.querySelector('zs-app')?.shadowRoot?.querySelector('zs-metrics')?.shadowRoot?.querySelector('canvas')
      if (canvas == null) return false
      canvas.dataset.marked = 'yes'
      return true
    })
    expect(marked).toBe(true)
    const before = (await metricsOf(page)).times.at(-1) ?? 0
    await expect.poll(async () => (await metricsOf(page)).times.at(-1) ?? 0, { timeout: 10_000 }).toBeGreaterThan(before)
    expect(await section.locator('zs-metrics canvas[data-marked="yes"]').count()).toBe(1)
    await section.screenshot({ path: join(ARTIFACTS, 'metrics-view.png') })
    // Dark mode: the charts are made again in the dark theme's colours.
    await page.emulateMedia({ colorScheme: 'dark' })
    await expect.poll(async () => canvases.count(), { timeout: 10_000 }).toBe(7)
    await section.screenshot({ path: join(ARTIFACTS, 'metrics-view-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })

    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(async () => Math.max(...(await Promise.all((await canvases.all()).map(async c => (await c.boundingBox())?.width ?? 999)))), { timeout: 10_000 }).toBeLessThanOrEqual(390)
    const widths = await Promise.all((await canvases.all()).map(async c => (await c.boundingBox())?.width ?? 0))
    expect(Math.min(...widths)).toBeGreaterThan(250)
    // Nothing of the Metrics section sticks out sideways.
    const right = await section.evaluate(element => ({ right: element.getBoundingClientRect().right, overflow: element.scrollWidth - element.clientWidth }))
    expect(right.right).toBeLessThanOrEqual(390)
    expect(right.overflow).toBeLessThanOrEqual(0)
    await section.scrollIntoViewIfNeeded()
    await section.screenshot({ path: join(ARTIFACTS, 'metrics-view-phone.png') })
  })

  it('shows an empty state until there are samples', async () => {
    // A fresh element, given no view, says so instead of drawing empty axes.
    const text = await submitter.page.evaluate(async () => {
      const element = document.createElement('zs-metrics') as unknown as HTMLElement & { updateComplete: Promise<boolean> }
      document.body.append(element)
      await element.updateComplete
      const empty = element.shadowRoot?.querySelector('[data-testid="metrics-empty"]')?.textContent ?? ''
      element.remove()
      return empty
    })
    expect(text).toMatch(/No samples yet/)
  })
})
