/**
 * A workflow in Chromium, one submitter tab and two executor tabs: a
 * fan-out of lang-detect over the lines of a text (one task per line), a
 * text-stats step beside it, a reduce step (json-validate over every item's
 * output), and a conditional branch — gzip when the collected detections are
 * valid, an alarm step when not (skipped). Every event is checkpointed in
 * IndexedDB: after a reload the run resumes from its log without running a
 * step again; a second run with the same seed reuses every verified output.
 * From the Workflows view: a template picked from the gallery
 * (workflows-gallery.png) and run, a step's details — its executor and
 * receipt hash, as the run's log has them — and its output downloaded; the
 * faces template (a map after a map over its example photo; screenshot
 * workflows-faces.png, and a fan-out step's details with a receipt per
 * item, workflows-step-details.png) and the thumbnails template (a map over
 * a files input; workflows-thumbnails.png), a thumbnail downloaded with the
 * bytes its item made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { WORKFLOW_TEMPLATES } from '../../src/app/workflow-templates.ts'
import { ARTIFACTS, openSubmitterWithExecutors, startHarness, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'

// The Workflows view's first template: a fan-out, a step beside it, a reduce and a conditional branch.
const TEMPLATE = WORKFLOW_TEMPLATES.find(t => t.id === 'detect-and-archive')!
const SPEC = TEMPLATE.spec
const TEXT = TEMPLATE.inputs.text!
const SEED = Array.from({ length: 32 }, (_, i) => i)

/** Picks a template from the Workflows view's gallery: its card is marked as the one in the editor. */
async function pickTemplate (page: Page, id: string): Promise<void> {
  await showSection(page, 'workflows')
  const card = page.locator(`[data-testid="workflow-template-card"][data-template-id="${id}"]`)
  await card.click()
  await expect.poll(async () => card.getAttribute('aria-pressed')).toBe('true')
}

/** The `succeeded` events of a run's log (window.zerostate.workflowLog). */
async function succeededOf (page: Page, runId: string): Promise<Array<{ step: string, item?: number, receiptHash?: string, executor?: string, outputs: { stdout: string, files: Record<string, string> } }>> {
  const log = await page.evaluate(async id => window.zerostate.workflowLog(id), runId)
  return log.flatMap(event => event.type === 'succeeded' ? [event] : [])
}

interface RunOutcome {
  runId: string
  state: string
  outputs?: Record<string, unknown>
  steps: Array<{ name: string, state: string, executors?: string[] }>
  receipts: number
}

describe('a workflow across three tabs, checkpointed and resumed', () => {
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

  const run = async (resumeId?: string): Promise<RunOutcome> => submitter.page.evaluate(async ({ spec, text, seed, resumeId }) => {
    const runner = resumeId === undefined
      ? await window.zerostate.workflow(spec, { text }, { seed: new Uint8Array(seed), witnesses: false })
      : await window.zerostate.resumeWorkflow(resumeId, { witnesses: false })
    const result = await runner.result()
    const status = runner.status()
    return {
      runId: runner.runId,
      state: result.state,
      outputs: result.outputs as Record<string, unknown> | undefined,
      steps: status.steps.map(step => ({ name: step.name, state: step.state, ...(step.executors === undefined ? {} : { executors: step.executors }) })),
      receipts: window.zerostate.history().filter(r => r.label.startsWith('workflow step')).length
    }
  }, { spec: SPEC, text: TEXT, seed: SEED, resumeId })

  it('runs the DAG: the fan-out and the step beside it, the reduce, one branch of the condition', async () => {
    const outcome = await run()
    expect(outcome.state).toBe('completed')
    expect(Object.fromEntries(outcome.steps.map(s => [s.name, s.state]))).toEqual({
      detect: 'completed', stats: 'completed', collect: 'completed', archive: 'completed', alarm: 'skipped'
    })
    expect(String(outcome.outputs?.stats)).toMatch(/lines: 5/)
    // Each step that ran names the executor tabs its verified receipts came from.
    const executorIds = executors.map(e => e.peerId)
    for (const step of outcome.steps.filter(s => s.state === 'completed')) {
      expect(step.executors?.length, step.name).toBeGreaterThan(0)
      for (const executor of step.executors!) expect(executorIds, step.name).toContain(executor)
    }
    // 5 detections + stats + collect + archive: one receipt each (the alarm never ran).
    expect(outcome.receipts).toBe(8)
    const runs = await submitter.page.evaluate(async () => window.zerostate.workflows())
    expect(runs[0]).toMatchObject({ runId: outcome.runId, state: 'completed' })
    // The gzip step's file comes back as a blob part, by the SHA-256 of its bytes.
    expect(outcome.outputs?.archive).toEqual([{ kind: 'blob', hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown as string }])
  }, 180_000)

  it('after a reload, resumes the run from its checkpoints without running any step again', async () => {
    const [first] = await submitter.page.evaluate(async () => window.zerostate.workflows())
    await submitter.page.reload()
    await waitOnline(submitter.page)
    const resumed = await run(first!.runId)
    expect(resumed.state).toBe('completed')
    expect(resumed.runId).toBe(first!.runId)
    expect(resumed.receipts).toBe(8)
  }, 120_000)

  it('reuses every verified output in a second run with the same seed: no task is sent', async () => {
    const second = await run()
    expect(second.state).toBe('completed')
    expect(second.receipts).toBe(8)
    expect(second.steps.find(s => s.name === 'alarm')?.state).toBe('skipped')
  }, 120_000)

  it('resumes a run reloaded mid-flight from the view\'s Resume: finished units are not run again, interrupted ones run again without spending a retry', async () => {
    const page = submitter.page
    // Eight CPU-bound items (~0.5 s each) on two executors with one slot each, and no retries:
    // an interrupted attempt must not need one.
    const items = Array.from({ length: 8 }, (_, i) => String(80_000_000 + i))
    const spec = [
      'version: 1', 'name: reload-mid-run', 'dag:', '  tasks:',
      '    - name: first', '      module: echo', '      stdin: start',
      '    - name: count', '      module: primes', '      dependencies: [first]', `      forEach: ${JSON.stringify(items)}`, '      args: ["$' + '{{ item }}"]',
      '    - name: last', '      module: echo', '      dependencies: [count]', '      stdin: "$' + '{{ steps.count.items }}"', ''
    ].join('\n')
    const runId = await page.evaluate(async spec => (await window.zerostate.workflow(spec, {}, { witnesses: false, memoryLimitBytes: 64 * 1024 * 1024 })).runId, spec)
    const logOf = async (): Promise<Array<{ type: string, step?: string, item?: number }>> => page.evaluate(async id => window.zerostate.workflowLog(id), runId)
    const unit = (e: { step?: string, item?: number }): string => `${e.step}#${e.item ?? '-'}`
    // Reload once two items are done and another is running.
    await expect.poll(async () => {
      const log = await logOf()
      const done = new Set(log.filter(e => e.type === 'succeeded' && e.step === 'count').map(unit))
      const running = log.filter(e => e.type === 'started' && e.step === 'count' && !done.has(unit(e)))
      return done.size >= 2 && running.length > 0
    }, { timeout: 60_000, interval: 100 }).toBe(true)
    await page.reload()
    await waitOnline(page)
    const before = await logOf()
    const doneBefore = new Set(before.filter(e => e.type === 'succeeded').map(unit))
    const card = page.locator(`[data-testid="workflow-run"][data-run-id="${runId}"]`)
    await showSection(page, 'workflows')
    await card.getByTestId('resume-workflow').click()
    await expect.poll(async () => card.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed')
    await page.locator('zs-workflows').screenshot({ path: join(ARTIFACTS, 'workflows-resumed-mid-run.png') })

    const log = await logOf()
    const after = log.slice(before.length)
    // What had finished is not started again; what was in flight is interrupted, never failed, and runs again.
    expect(after.filter(e => e.type === 'started' && doneBefore.has(unit(e)))).toEqual([])
    const interrupted = after.filter(e => e.type === 'interrupted')
    expect(interrupted.length).toBeGreaterThan(0)
    expect(log.filter(e => e.type === 'failed')).toEqual([])
    for (const e of interrupted) expect(after.some(s => s.type === 'succeeded' && unit(s) === unit(e)), unit(e)).toBe(true)
    // Every unit succeeded exactly once over the whole run.
    const succeeded = log.filter(e => e.type === 'succeeded').map(unit)
    expect(succeeded.sort()).toEqual(['first#-', 'last#-', ...items.map((_, i) => `count#${i}`)].sort())
  }, 240_000)

  it('runs a template from the Workflows view and draws the DAG with each step\'s state; shows a bad spec\'s problems as you type', async () => {
    const page = submitter.page
    // The gallery: a card per template, each a button; the one picked is marked and its spec is in the editor.
    expect(await page.getByTestId('workflow-template-card').count()).toBe(WORKFLOW_TEMPLATES.length)
    await pickTemplate(page, 'csv-check-compress')
    expect(await page.locator('[data-testid="workflow-template-card"][aria-pressed="true"]').count()).toBe(1)
    await expect.poll(async () => page.getByTestId('workflow-valid').textContent()).toMatch(/4 steps, valid/)
    expect(await page.getByTestId('workflow-spec').inputValue()).toBe(WORKFLOW_TEMPLATES.find(t => t.id === 'csv-check-compress')!.spec)
    await page.locator('zs-workflow-gallery').screenshot({ path: join(ARTIFACTS, 'workflows-gallery.png') })
    const before = await page.getByTestId('workflow-run').count()
    await page.getByTestId('run-workflow').click()
    await expect.poll(async () => page.getByTestId('workflow-run').count()).toBe(before + 1)
    const run = page.getByTestId('workflow-run').first()
    await expect.poll(async () => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed')
    const states = Object.fromEntries(await run.getByTestId('workflow-step').evaluateAll(nodes => nodes.map(n => [n.getAttribute('data-step'), n.getAttribute('data-state')])))
    // The CSV matches the schema: it is compressed, and the report of a failed validation never runs.
    const why = await run.locator('[data-step="validate"] title').textContent()
    expect(states, `validate: ${why}`).toEqual({ convert: 'completed', validate: 'completed', compress: 'completed', report: 'skipped' })
    await page.locator('zs-workflows').screenshot({ path: join(ARTIFACTS, 'workflows-view.png') })
    // The run's signed record, downloaded from the view, verifies against the receipts this tab holds.
    const download = page.waitForEvent('download')
    await run.getByTestId('download-workflow-record').click()
    const record = JSON.parse(await readFile(await (await download).path(), 'utf8')) as { kind: string, runId: string, steps: Array<{ name: string, state: string, executor: string | null, receiptHash: string | null }> }
    expect(record).toMatchObject({ kind: 'zerostate/workflow-record/1', runId: await run.getAttribute('data-run-id') })
    expect(record.steps.map(step => [step.name, step.state])).toEqual([['convert', 'completed'], ['validate', 'completed'], ['compress', 'completed'], ['report', 'skipped']])
    const report = await page.evaluate(async record => window.zerostate.verifyWorkflowRecord(record), record)
    expect(report).toMatchObject({ specChecked: true, receiptsChecked: true })
    expect(report.steps.filter(step => step.receipt === 'verified').length).toBe(3)

    // Each step that ran names who ran it on its box; picked, its details show the executor and the receipt hash its log holds.
    const runId = (await run.getAttribute('data-run-id'))!
    const succeeded = await succeededOf(page, runId)
    const convert = succeeded.find(e => e.step === 'convert')!
    expect(executors.map(e => e.peerId)).toContain(convert.executor)
    expect(await run.locator('[data-step="convert"] text.who').textContent()).toBe(`on …${convert.executor!.slice(-6)}`)
    await run.locator('[data-step="convert"]').click()
    const details = run.getByTestId('workflow-step-details')
    expect(await details.getAttribute('data-detail-step')).toBe('convert')
    expect(await details.getByTestId('step-executor').allTextContents()).toEqual([convert.executor])
    expect(await details.getByTestId('step-receipt').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-hash')))).toEqual([convert.receiptHash])
    expect(await details.textContent()).toContain(convert.receiptHash)
    // By keyboard too: Enter on a focused step shows its details instead.
    const compress = succeeded.find(e => e.step === 'compress')!
    await run.locator('[data-step="compress"]').focus()
    await page.keyboard.press('Enter')
    await expect.poll(async () => details.getAttribute('data-detail-step')).toBe('compress')
    expect(await details.getByTestId('step-receipt').getAttribute('data-hash')).toBe(compress.receiptHash)
    expect(await run.locator('[data-step="compress"]').getAttribute('aria-pressed')).toBe('true')
    // The output downloads whole: the JSON the convert step printed.
    const jsonDownload = page.waitForEvent('download')
    await run.locator('[data-output="json"] [data-testid="workflow-output-file"]').click()
    expect((await jsonDownload).suggestedFilename()).toBe('json.json')
    expect(await readFile(await (await jsonDownload).path(), 'utf8')).toBe(convert.outputs.stdout)

    await page.getByTestId('workflow-spec').fill('version: 1\ndag:\n  tasks:\n    - name: a\n      module: echo\n      depends: b.Succeeded\n')
    await expect.poll(async () => page.getByTestId('workflow-problems').textContent()).toMatch(/\d+:\d+.*b/)
    expect(await page.getByTestId('run-workflow').isDisabled()).toBe(true)
  }, 180_000)

  it('runs the faces template from the view with its example photo: a map after a map, the expressions counted and shown', async () => {
    const page = submitter.page
    await pickTemplate(page, 'faces')
    await expect.poll(async () => page.getByTestId('workflow-valid').textContent()).toMatch(/4 steps, valid/)
    // The example photo is fetched from the samples the server serves, into the bytes input's picker.
    await expect.poll(async () => page.getByTestId('workflow-files-photo').textContent()).toMatch(/example: example\.jpg/)
    const before = await page.getByTestId('workflow-run').count()
    await page.getByTestId('run-workflow').click()
    await expect.poll(async () => page.getByTestId('workflow-run').count()).toBe(before + 1)
    const run = page.getByTestId('workflow-run').first()
    await expect.poll(async () => run.getAttribute('data-state'), { timeout: 180_000 }).toBe('completed')
    const states = Object.fromEntries(await run.getByTestId('workflow-step').evaluateAll(nodes => nodes.map(n => [n.getAttribute('data-step'), n.getAttribute('data-state')])))
    expect(states).toEqual({ detect: 'completed', crop: 'completed', expression: 'completed', report: 'completed' })
    // Five faces: five crops, five expressions (as test/unit/app/workflow-templates-run.test.ts finds in Node).
    expect(await run.locator('[data-step="expression"] text.sub').textContent()).toMatch(/5\/5/)
    const counted = await run.locator('[data-output="expressions"] pre').textContent()
    expect(JSON.parse(counted ?? '')).toMatchObject({ total: 5, counts: { happy: 4, sad: 1 } })
    // The crops, one per face, shown as images.
    await expect.poll(async () => run.locator('[data-output="faces"] img').count()).toBe(5)
    await run.screenshot({ path: join(ARTIFACTS, 'workflows-faces.png') })
    // A fan-out step's details: one receipt per item, in item order, each the one its log holds, and every executor that ran one.
    const expressions = (await succeededOf(page, (await run.getAttribute('data-run-id'))!)).filter(e => e.step === 'expression').sort((a, b) => a.item! - b.item!)
    await run.locator('[data-step="expression"]').click()
    const details = run.getByTestId('workflow-step-details')
    expect(await details.getByTestId('step-receipt').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-hash')))).toEqual(expressions.map(e => e.receiptHash))
    expect((await details.getByTestId('step-executor').allTextContents()).sort()).toEqual([...new Set(expressions.map(e => e.executor))].sort())
    expect(await details.textContent()).toMatch(/5\/5 settled/)
    await run.screenshot({ path: join(ARTIFACTS, 'workflows-step-details.png') })
  }, 240_000)

  it('runs the thumbnails template from the view with its example files: one thumbnail per file, shown', async () => {
    const page = submitter.page
    await pickTemplate(page, 'thumbnails')
    await expect.poll(async () => page.getByTestId('workflow-files-images').textContent()).toMatch(/example: party\.jpg, group\.jpg, portrait\.jpg/)
    const before = await page.getByTestId('workflow-run').count()
    await page.getByTestId('run-workflow').click()
    await expect.poll(async () => page.getByTestId('workflow-run').count()).toBe(before + 1)
    const run = page.getByTestId('workflow-run').first()
    await expect.poll(async () => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed')
    const images = run.locator('[data-output="thumbnails"] img')
    await expect.poll(async () => images.count()).toBe(3)
    // Each thumbnail decoded by the browser: within 128×128, one side 128.
    const sizes = await images.evaluateAll(async nodes => Promise.all(nodes.map(async node => {
      const img = node as HTMLImageElement
      await img.decode()
      return [img.naturalWidth, img.naturalHeight]
    })))
    expect(sizes).toEqual([[128, 93], [128, 85], [128, 126]])
    await run.screenshot({ path: join(ARTIFACTS, 'workflows-thumbnails.png') })
    // Each thumbnail downloads as a file: the bytes its item's out.png holds (by the SHA-256 the log names).
    const items = (await succeededOf(page, (await run.getAttribute('data-run-id'))!)).filter(e => e.step === 'thumbnail')
    const second = items.find(e => e.item === 1)!
    const download = page.waitForEvent('download')
    await run.locator('[data-output="thumbnails"] [data-file="thumbnail-1-out.png"]').click()
    expect((await download).suggestedFilename()).toBe('thumbnail-1-out.png')
    const bytes = await readFile(await (await download).path())
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(second.outputs.files['out.png'])
  }, 180_000)

  it('cancels a run from the view: the step in flight is aborted and the run ends canceled', async () => {
    const page = submitter.page
    await showSection(page, 'workflows')
    await page.getByTestId('workflow-spec').fill('version: 1\nname: never-ends\ndag:\n  tasks:\n    - name: spin\n      module: forever\n      timeoutMs: 120000\n    - name: after\n      module: echo\n      dependencies: [spin]\n')
    await expect.poll(async () => page.getByTestId('workflow-valid').textContent()).toMatch(/2 steps, valid/)
    const before = await page.getByTestId('workflow-run').count()
    await page.getByTestId('run-workflow').click()
    await expect.poll(async () => page.getByTestId('workflow-run').count()).toBe(before + 1)
    const run = page.getByTestId('workflow-run').first()
    await expect.poll(async () => run.locator('[data-step="spin"]').getAttribute('data-state'), { timeout: 60_000 }).toBe('working')
    await run.getByTestId('cancel-workflow').click()
    await expect.poll(async () => run.getAttribute('data-state'), { timeout: 30_000 }).toBe('canceled')
    expect(await run.getByTestId('cancel-workflow').count()).toBe(0)
    const stored = await page.evaluate(async () => window.zerostate.workflows())
    expect(stored[0]).toMatchObject({ state: 'canceled' })
    expect(stored[0]?.specText).toMatch(/never-ends/)
  }, 120_000)

  it('refuses a spec with a cycle before anything runs, naming the steps and the line', async () => {
    const error = await submitter.page.evaluate(async () => {
      try {
        await window.zerostate.workflow('version: 1\ndag:\n  tasks:\n    - name: a\n      module: echo\n      dependencies: [b]\n    - name: b\n      module: echo\n      dependencies: [a]\n')
        return undefined
      } catch (err) {
        return { name: (err as Error).name, message: (err as Error).message }
      }
    })
    expect(error?.name).toBe('WorkflowSpecError')
    expect(error?.message).toMatch(/cycle/i)
    expect(error?.message).toMatch(/\d+:\d+/)
  })
})
