/**
 * A task's trace across two real Chromium tabs (docs/tracing.md): the
 * submitter's spans and the executor's under one W3C trace id, which the
 * receipt names; the executor's spans placed inside the submitter's window;
 * and the task card's waterfall drawing them. A workflow run is one trace:
 * each step's task under a `step` span of the run (docs/tracing.md §7).
 */
import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, openSubmitterWithExecutors, startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

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
    // Closed by default, nothing drawn; opened (as a click on its summary would), it draws the waterfall.
    expect(await card.locator('[data-testid="trace-span"]').count()).toBe(0)
    await waterfall.evaluate(element => { (element as HTMLDetailsElement).open = true })
    await expect.poll(async () => card.locator(`[data-testid="trace-span"][data-peer="${executor.peerId}"]`).count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(4)
    await expect.poll(async () => card.locator(`[data-testid="trace-span"][data-peer="${submitter.peerId}"][data-name="pay"]`).count(), { timeout: 10_000 })
      .toBe(1)
    await showSection(submitter.page, 'submit')
    await card.scrollIntoViewIfNeeded()
    await card.screenshot({ path: join(ARTIFACTS, 'task-trace.png') })
  })

  it('traces a workflow run as one trace, each step\'s task under its `step` span, and the run view draws it', async () => {
    const spec = [
      'version: 1', 'name: traced', 'dag:', '  tasks:',
      '    - name: first', '      module: echo', '      stdin: "hello"',
      '    - name: second', '      module: echo', '      dependencies: [first]', '      stdin: "then $' + '{{ steps.first.stdout }}"', ''
    ].join('\n')
    const { runId, state } = await submitter.page.evaluate(async spec => {
      const runner = await window.zerostate.workflow(spec, {}, { witnesses: false })
      return { runId: runner.runId, state: (await runner.result()).state }
    }, spec)
    expect(state).toBe('completed')
    const trace = (await submitter.page.evaluate((id) => window.zerostate.workflowTrace(id), runId))!
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(trace.spans.map(span => span.traceId))).toEqual(new Set([trace.traceId]))
    const root = trace.spans.find(span => span.name === 'workflow')!
    expect(root.parentId).toBeUndefined()
    expect(root.attributes['zerostate.run_id']).toBe(runId)
    const steps = trace.spans.filter(span => span.name === 'step')
    expect(steps.map(span => span.attributes['zerostate.step']).sort()).toEqual(['first', 'second'])
    for (const step of steps) {
      expect(step.parentId).toBe(root.spanId)
      const submit = trace.spans.find(span => span.name === 'submit' && span.parentId === step.spanId)!
      expect(submit.attributes['zerostate.task_id']).toBe(step.attributes['zerostate.task_id'])
      // The executor's spans of the step's task, and its payment, hang under the step.
      expect(trace.spans.some(span => span.name === 'execute' && span.peer === executor.peerId && span.parentId === submit.spanId)).toBe(true)
      expect(trace.spans.some(span => span.name === 'pay' && span.parentId === step.spanId)).toBe(true)
    }
    // Every step's receipt names the run's trace.
    const receipts = await submitter.page.evaluate(() => window.zerostate.history().filter(r => r.label.startsWith('workflow step')).map(r => r.receipt.traceId))
    expect(receipts.filter(id => id === trace.traceId)).toHaveLength(2)

    const view = submitter.page.locator(`[data-testid="workflow-run"][data-run-id="${runId}"]`)
    const disclosure = view.getByTestId('workflow-trace')
    await expect.poll(async () => disclosure.getAttribute('data-trace-id'), { timeout: 10_000 }).toBe(trace.traceId)
    // Closed by default: nothing drawn until it is opened.
    expect(await disclosure.locator('[data-testid="trace-span"]').count()).toBe(0)
    // Opened as a click on its summary would (the Workflows view may be in a section not on screen): the toggle draws it.
    await disclosure.evaluate(element => { (element as HTMLDetailsElement).open = true })
    await expect.poll(async () => disclosure.locator('[data-testid="trace-span"][data-name="step"]').count(), { timeout: 10_000 }).toBe(2)
    await showSection(submitter.page, 'workflows')
    await view.scrollIntoViewIfNeeded()
    await view.screenshot({ path: join(ARTIFACTS, 'workflow-trace.png') })
  })

  it('the payment and the witness check join the task\'s trace: the payee\'s and the witness\'s spans hang under the submitter\'s `pay`', async () => {
    // A witness that checks every receipt it hears (and runs no task of this test: the task is pinned to the executor).
    const witness = await harness.openPeer()
    await witness.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 1, newcomer: 1 } }) })
    await waitForDirect(submitter.page, witness.peerId)
    const { taskId, traceId } = await submitter.page.evaluate(async executor => {
      const result = await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'witnessed', executor })
      return { taskId: result.receipt.taskId, traceId: result.receipt.traceId! }
    }, executor.peerId)
    await expect.poll(async () => submitter.page.evaluate(id => window.zerostate.trace(id)?.spans.some(span => span.name === 'task'), taskId), { timeout: 15_000 }).toBe(true)
    const pay = (await submitter.page.evaluate(id => window.zerostate.trace(id)!.spans, taskId)).find(span => span.name === 'pay')!
    // The executor (the payee) co-signed the payment under the submitter's `pay` span, in the same trace.
    await expect.poll(async () => executor.page.evaluate(id => window.zerostate.spans(id).filter(span => span.name === 'co-sign payment')
      .map(span => ({ traceId: span.traceId, parentId: span.parentId })), traceId), { timeout: 15_000 }).toEqual([{ traceId, parentId: pay.spanId }])
    // The witness re-ran the task under the same span.
    await expect.poll(async () => witness.page.evaluate(id => window.zerostate.spans(id).filter(span => span.name === 'witness check')
      .map(span => ({ traceId: span.traceId, parentId: span.parentId })), traceId), { timeout: 30_000 }).toEqual([{ traceId, parentId: pay.spanId }])
    await witness.context.close()
  }, 90_000)

  it('exports the spans to an OTLP/HTTP collector once one is set, and keeps the setting across a reload', async () => {
    // A collector in this process: it answers CORS as a collector serving pages of another origin must.
    const received: Array<{ spans: Array<{ traceId: string, name: string }> }> = []
    const collector = createServer((request, response) => {
      const headers = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST' }
      if (request.method === 'OPTIONS') {
        response.writeHead(204, headers).end()
        return
      }
      const chunks: Buffer[] = []
      request.on('data', chunk => { chunks.push(chunk as Buffer) })
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string, name: string }> }> }> }
        received.push({ spans: body.resourceSpans.flatMap(r => r.scopeSpans.flatMap(scope => scope.spans)) })
        response.writeHead(200, { ...headers, 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>(resolve => { collector.listen(0, '127.0.0.1', resolve) })
    try {
      const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`
      const refused = await submitter.page.evaluate(async () => window.zerostate.configureTracing({ otlpUrl: 'ftp://nowhere/v1/traces' }).then(() => 'kept', (err: Error) => err.name))
      expect(refused).toBe('InvalidCollectorUrlError')
      expect(await submitter.page.evaluate(async url => window.zerostate.configureTracing({ otlpUrl: url }), url)).toEqual({ enabled: true, otlpUrl: url })
      const traceId = await submitter.page.evaluate(async () => (await window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'exported' })).receipt.traceId)
      // Batches leave every 2 s: the task's spans arrive under its trace id, the executor's too (placed by this tab).
      await expect.poll(() => received.flatMap(batch => batch.spans).filter(span => span.traceId === traceId).map(span => span.name), { timeout: 20_000 })
        .toEqual(expect.arrayContaining(['task', 'submit', 'offer', 'verify']))
      // Kept across a reload, and turned off again: nothing more is sent.
      await submitter.page.reload()
      await waitOnline(submitter.page)
      expect(await submitter.page.evaluate(async () => window.zerostate.configureTracing({}))).toEqual({ enabled: true, otlpUrl: url })
      await submitter.page.evaluate(async () => window.zerostate.configureTracing({ otlpUrl: null }))
      const batches = received.length
      await submitter.page.evaluate(async () => window.zerostate.submit({ module: 'samples/sha256.wasm', stdin: 'not exported' }))
      await new Promise(resolve => setTimeout(resolve, 3000))
      expect(received.length).toBe(batches)
    } finally {
      await new Promise(resolve => { collector.close(resolve) })
    }
  }, 60_000)
})
