/**
 * A workflow's shared context in Chromium (docs/workflow-context.md): one
 * submitter tab and two contributing tabs. The shared-notes template: a
 * fan-out of context-note tasks, one per line — spread over both executor
 * tabs — each proposing its line as a finding (/work/context-updates.json);
 * the submitter signs and merges them, and the report step, run on one of
 * the executors, reads every finding back from /work/context.json,
 * including those written from the other peer. The Workflows view shows the
 * context live under the DAG (workflow-context.png); another tab watching the
 * run's gossip topic converges to the same context; a step whose updates
 * break their rule succeeds, is paid, and shows the refusal in its details,
 * as it still does after a reload, from the run's log alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { WORKFLOW_TEMPLATES } from '../../src/app/workflow-templates.ts'
import { ARTIFACTS, openSubmitterWithExecutors, startHarness, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

const TEMPLATE = WORKFLOW_TEMPLATES.find(t => t.id === 'shared-notes')!
const NOTES = Array.from({ length: 6 }, (_, i) => `finding ${i + 1}: seen from the mesh`)

interface Logged { type: string, step?: string, item?: number, executor?: string, outputs?: { stdout: string }, context?: { entries: Array<{ key: string, value: unknown, writer: string, receiptHash: string | null }>, refused?: { name: string } } }

describe('a workflow\'s shared context across three tabs', () => {
  let harness: Harness
  let submitter: Peer
  let executors: Peer[]

  beforeAll(async () => {
    harness = await startHarness()
    const opened = await openSubmitterWithExecutors(harness, 2)
    submitter = opened.submitter
    executors = opened.executors
  }, 180_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('the report step reads what note steps on both other peers wrote; the view shows the context', async () => {
    const page = submitter.page
    const outcome = await page.evaluate(async ({ spec, notes }) => {
      const runner = await window.zerostate.workflow(spec, { notes }, { witnesses: false })
      const result = await runner.result()
      return { runId: runner.runId, state: result.state, context: runner.context() }
    }, { spec: TEMPLATE.spec, notes: NOTES.join('\n') + '\n' })
    expect(outcome.state).toBe('completed')
    const log = await page.evaluate(async id => window.zerostate.workflowLog(id), outcome.runId) as Logged[]
    const succeeded = log.filter(e => e.type === 'succeeded')
    const notes = succeeded.filter(e => e.step === 'note')
    const report = succeeded.find(e => e.step === 'report')!
    const executorIds = executors.map(e => e.peerId)

    // The notes ran on both executor tabs, so whichever ran the report read findings written from the other one.
    expect(new Set(notes.map(e => e.executor))).toEqual(new Set(executorIds))
    expect(executorIds).toContain(report.executor)
    expect(notes.some(e => e.executor !== report.executor)).toBe(true)
    const read = JSON.parse(report.outputs!.stdout) as { findings: string[], noted: number }
    expect([...read.findings].sort()).toEqual([...NOTES].sort())
    expect(read.noted).toBe(NOTES.length)
    // Each finding is an entry the submitter signed, citing the receipt of the note that proposed it.
    for (const note of notes) {
      expect(note.context?.entries.map(e => e.key)).toEqual(['findings', 'noted'])
      for (const entry of note.context!.entries) expect(entry.writer).toBe(submitter.peerId)
    }
    expect(outcome.context?.value).toEqual(read)

    // The view: the context table under the DAG, a row per key, its value and the step that wrote it.
    await showSection(page, 'workflows')
    const run = page.locator(`[data-testid="workflow-run"][data-run-id="${outcome.runId}"]`)
    await expect.poll(async () => run.getAttribute('data-state')).toBe('completed')
    const table = run.getByTestId('workflow-context')
    await expect.poll(async () => table.getAttribute('data-context-hash')).toBe(outcome.context!.hash)
    expect(await table.getByTestId('context-key').evaluateAll(rows => rows.map(row => row.getAttribute('data-key')))).toEqual(['findings', 'noted'])
    expect(await table.locator('[data-key="noted"] [data-testid="context-value"]').textContent()).toBe(String(NOTES.length))
    expect(await table.locator('[data-key="findings"] [data-testid="context-writers"]').textContent()).toBe(`note ×${NOTES.length}`)
    await run.screenshot({ path: join(ARTIFACTS, 'workflow-context.png') })

    // Replication: another tab, given the spec, watches the run's gossip topic after the run ended; the submitter
    // sends it every entry, which it verifies and merges into the same context (the same hash).
    const watcher = executors[1]!.page
    const watch = async (): Promise<{ context: { hash: string, value: unknown }, refused: Record<string, number> } | undefined> =>
      watcher.evaluate(async ({ runId, spec, submitter }) => window.zerostate.workflowContext(runId, spec, { submitter }), { runId: outcome.runId, spec: TEMPLATE.spec, submitter: submitter.peerId })
    await expect.poll(async () => (await watch())?.context.hash, { timeout: 30_000 }).toBe(outcome.context!.hash)
    const replica = await watch()
    expect(replica?.context.value).toEqual(read)
    expect(replica?.refused).toEqual({})
  }, 180_000)

  it('refuses updates that break their rule: the step still succeeds and is paid once, and its details say why', async () => {
    const page = submitter.page
    const long = 'x'.repeat(600) // above the findings key's maxBytes (512)
    const outcome = await page.evaluate(async ({ spec, notes }) => {
      const runner = await window.zerostate.workflow(spec, { notes }, { witnesses: false })
      const result = await runner.result()
      return { runId: runner.runId, state: result.state, context: runner.context() }
    }, { spec: TEMPLATE.spec, notes: `kept\n${long}\n` })
    expect(outcome.state).toBe('completed')
    expect(outcome.context?.value).toEqual({ findings: ['kept'], noted: 1 })
    const log = await page.evaluate(async id => window.zerostate.workflowLog(id), outcome.runId) as Logged[]
    const refused = log.filter(e => e.type === 'succeeded' && e.context?.refused !== undefined)
    expect(refused.map(e => [e.step, e.context?.refused?.name])).toEqual([['note', 'ContextEntryLimitError']])
    // Paid once: exactly one receipt per note item in this tab's history.
    const receipts = log.filter(e => e.type === 'succeeded' && e.step === 'note').length
    expect(receipts).toBe(2)

    const run = page.locator(`[data-testid="workflow-run"][data-run-id="${outcome.runId}"]`)
    await showSection(page, 'workflows')
    await run.locator('[data-step="note"]').click()
    const details = run.getByTestId('step-context-refused')
    await expect.poll(async () => details.textContent()).toContain('ContextEntryLimitError')
    await run.screenshot({ path: join(ARTIFACTS, 'workflow-context-refused.png') })

    // After a reload the view rebuilds the context from the run's log alone (its entries verified again): the same hash.
    await page.reload()
    await waitOnline(page)
    const stored = page.locator(`[data-testid="workflow-run"][data-run-id="${outcome.runId}"]`)
    await expect.poll(async () => stored.getByTestId('workflow-context').getAttribute('data-context-hash'), { timeout: 30_000 }).toBe(outcome.context!.hash)
    await stored.locator('[data-step="note"]').click()
    await expect.poll(async () => stored.getByTestId('step-context-refused').textContent()).toContain('ContextEntryLimitError')
  }, 180_000)
})
