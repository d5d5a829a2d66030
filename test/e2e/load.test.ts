/**
 * Load on one executor, in real Chromium tabs over WebRTC: a tab that fires
 * 100 tasks at once queues what the connection and the executor cannot take
 * (its task cards show `queued`) and gets every result; and an executor
 * serves its submitters fairly, so one tab's probe is not stuck behind
 * another tab's backlog of slow tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

interface Settled {
  ok: boolean
  stdout?: string
  errorName?: string
  errorMessage?: string
}

/** How many echo tasks tab A fires at once. */
const BURST = 100
/** Tab C's backlog of slow tasks on B, each ending at its timeout. */
const BACKLOG = 12
const SLOW_TASK_MS = 3000

describe('load: a burst of tasks from one tab, and fairness between tabs', () => {
  let harness: Harness
  let a: Peer
  let b: Peer
  let c: Peer

  beforeAll(async () => {
    harness = await startHarness()
    b = await harness.openPeer()
    a = await harness.openPeer()
    c = await harness.openPeer()
    await b.page.evaluate(async () => { await window.zerostate.contribute(true, 2) })
    for (const submitter of [a, c]) {
      await waitForDirect(submitter.page, b.peerId)
      await submitter.page.waitForFunction(
        (id) => window.zerostate.peers().some(p => p.peerId === id && p.contributing),
        b.peerId, { timeout: 30_000, polling: 200 })
    }
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(`completes ${BURST} tasks submitted at once, queueing the ones that must wait`, async () => {
    const startedAt = Date.now()
    const burst = a.page.evaluate(async (count) => {
      const decoder = new TextDecoder()
      return Promise.all(Array.from({ length: count }, async (_, i) => {
        try {
          const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: String(i) })
          return { ok: true, stdout: decoder.decode(result.stdout) }
        } catch (err) {
          return { ok: false, errorName: (err as Error).name, errorMessage: (err as Error).message }
        }
      }))
    }, BURST) as Promise<Settled[]>
    const burstState = { done: false }
    burst.finally(() => { burstState.done = true }).catch(() => {})
    // While the burst runs, some task card must say it is waiting in this tab's queue.
    let sawQueued = false
    while (!burstState.done && !sawQueued) {
      sawQueued = await a.page.locator('[data-testid="task-card"][data-phase="queued"]').count() > 0
      if (!sawQueued) await new Promise(resolve => setTimeout(resolve, 50))
    }
    const results = await burst
    const elapsedMs = Date.now() - startedAt
    console.log(`[load] ${BURST} concurrent submits: ${elapsedMs} ms, ${results.filter(r => r.ok).length} ok`)
    const failures = results.flatMap((r, i) => r.ok ? [] : [`#${i} ${r.errorName}: ${r.errorMessage}`])
    expect(failures).toEqual([])
    expect(results.map(r => r.stdout)).toEqual(Array.from({ length: BURST }, (_, i) => String(i)))
    expect(sawQueued, 'a task card showed the queued phase').toBe(true)
  }, 120_000)

  it('serves a probe from one tab within about one task time while another tab has a backlog of slow tasks', async () => {
    // C queues BACKLOG tasks that each run SLOW_TASK_MS (they end at their timeout) on B's 2 slots.
    await c.page.evaluate(({ executor, count, timeoutMs }) => {
      const backlog = Promise.allSettled(Array.from({ length: count }, async () =>
        window.zerostate.submit({ module: 'samples/forever.wasm', timeoutMs, executor, witnesses: false })))
      Object.assign(window, { backlog })
    }, { executor: b.peerId, count: BACKLOG, timeoutMs: SLOW_TASK_MS })
    // Once B runs C's tasks, the rest of C's backlog is queued behind them.
    await showSection(c.page, 'submit')
    await c.page.waitForSelector('[data-testid="task-card"][data-phase="running"]', { timeout: 30_000 })
    await new Promise(resolve => setTimeout(resolve, 500))

    const startedAt = Date.now()
    const probe = await a.page.evaluate(async (executor) => {
      try {
        const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin: 'probe', executor, witnesses: false })
        return { ok: true, stdout: new TextDecoder().decode(result.stdout) }
      } catch (err) {
        return { ok: false, errorName: (err as Error).name, errorMessage: (err as Error).message }
      }
    }, b.peerId) as Settled
    const latencyMs = Date.now() - startedAt
    const backlogMs = BACKLOG * SLOW_TASK_MS / 2
    console.log(`[load] probe latency behind a backlog of ${BACKLOG} × ${SLOW_TASK_MS} ms on 2 slots (~${backlogMs} ms): ${latencyMs} ms`)
    expect(probe).toEqual({ ok: true, stdout: 'probe' })
    // Fair: the probe waits at most for one of C's running tasks to end, not for C's whole backlog.
    expect(latencyMs).toBeLessThan(SLOW_TASK_MS * 1.5)

    const backlog = await c.page.evaluate(async () => {
      const settled = await (window as unknown as { backlog: Promise<Array<PromiseSettledResult<unknown>>> }).backlog
      return settled.map(s => s.status === 'rejected' ? (s.reason as Error).name : 'fulfilled')
    })
    // Every one of C's tasks still ran, to its timeout.
    expect(backlog).toEqual(Array.from({ length: BACKLOG }, () => 'TaskTimeoutError'))
  }, 120_000)
})
