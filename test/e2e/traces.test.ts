/**
 * A task's trace across two real Chromium tabs (docs/tracing.md): the
 * submitter's spans and the executor's under one W3C trace id, which the
 * receipt names; the executor's spans placed inside the submitter's window;
 * and the task card's waterfall drawing them.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, openSubmitterWithExecutors, startHarness } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

describe('a task\'s trace across peers', () => {
  let harness: Harness
  let submitter: Peer
  let executor: Peer

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true })
    harness = await startHarness()
    const peers = await openSubmitterWithExecutors(harness, 1, { perMegaFuel: 1000, perSecond: 0, perMb: 10 })
    submitter = peers.submitter
    executor = peers.executors[0]!
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('holds spans from both peers under one trace id, the receipt names it, and the card draws the waterfall', async () => {
    const { taskId, receiptTraceId, executorId } = await submitter.page.evaluate(async () => {
      const result = await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'zerostate' })
      return { taskId: result.receipt.taskId, receiptTraceId: result.receipt.traceId, executorId: result.executor }
    })
    expect(executorId).toBe(executor.peerId)
    // `store` and `pay` end after the result is in hand: wait for the task's own span to end.
    await expect.poll(async () => submitter.page.evaluate((id) => window.zerostate.trace(id)?.spans.some(span => span.name === 'task'), taskId),
      { timeout: 15_000 }).toBe(true)
    const trace = (await submitter.page.evaluate((id) => window.zerostate.trace(id), taskId))!
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(receiptTraceId).toBe(trace.traceId)
    expect(new Set(trace.spans.map(span => span.traceId))).toEqual(new Set([trace.traceId]))
    expect(new Set(trace.spans.map(span => span.peer))).toEqual(new Set([submitter.peerId, executor.peerId]))

    const names = (peer: string): string[] => trace.spans.filter(span => span.peer === peer).map(span => span.name)
    for (const name of ['task', 'submit', 'offer', 'wait for result', 'verify', 'store', 'pay']) expect(names(submitter.peerId)).toContain(name)
    for (const name of ['execute', 'queue', 'run', 'sign']) expect(names(executor.peerId)).toContain(name)
    const byName = (peer: string, name: string) => trace.spans.find(span => span.peer === peer && span.name === name)!
    const submit = byName(submitter.peerId, 'submit')
    const execute = byName(executor.peerId, 'execute')
    const task = byName(submitter.peerId, 'task')
    expect(execute.parentId).toBe(submit.spanId)
    expect(submit.parentId).toBe(task.spanId)
    // The executor's spans sit on the submitter's timeline, inside the window from the offer to the result.
    expect(execute.startMs).toBeGreaterThanOrEqual(byName(submitter.peerId, 'offer').startMs)
    expect(execute.endMs).toBeLessThanOrEqual(byName(submitter.peerId, 'verify').startMs)

    const card = submitter.page.locator(`[data-testid="task-card"][data-task-id="${taskId}"]`)
    const waterfall = card.getByTestId('task-trace')
    await expect.poll(async () => waterfall.getAttribute('data-trace-id'), { timeout: 10_000 }).toBe(trace.traceId)
    await expect.poll(async () => card.locator(`[data-testid="trace-span"][data-peer="${executor.peerId}"]`).count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(4)
    await expect.poll(async () => card.locator(`[data-testid="trace-span"][data-peer="${submitter.peerId}"][data-name="pay"]`).count(), { timeout: 10_000 })
      .toBe(1)
    await card.scrollIntoViewIfNeeded()
    await card.screenshot({ path: join(ARTIFACTS, 'task-trace.png') })
  })
})
