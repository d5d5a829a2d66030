/**
 * A job across the mesh in Chromium: one submitter tab and three executor
 * tabs; lang-detect over 1,200 lines in slices of 25, spread over the three.
 * One executor tab is closed mid-job: every input still has exactly one
 * result, in input order, equal to what lang-detect gives in Node, and no
 * slice is paid twice (each payment's receipt names a different slice).
 * From the form: a forecast of cost and time before it runs, then the job
 * with its progress, table and download. A job whose budget is spent pauses
 * and goes on when its card raises the budget.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../src/core/hash.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import { ARTIFACTS, startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import type { ReceiptPaymentRecord } from '../../src/economy/payments/index.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const PRICES = { perMegaFuel: 10, perSecond: 0, perMb: 1 }
const SLICE = 25

/** 1,200 lines: the lang-detect corpus, repeated, each line numbered so that every input is distinct. */
async function jobLines (): Promise<string[]> {
  const corpus = (await readFile(join(ROOT, 'test/fixtures/lang-detect-corpus.txt'), 'utf8')).split('\n').map(l => l.replace(/\r$/, '')).filter(l => l !== '')
  return Array.from({ length: 1200 }, (_, i) => `${corpus[i % corpus.length]!} ${i}`)
}

interface PageJobOutcome {
  results: Array<{ index: number, output?: string, error?: string, executor?: string, taskId?: string }>
  status: { state: string, total: number, computed: number, failed: number, retries: number }
  statusEvents: number
  paidSlices: string[]
  /** Task ids of the job's receipts paid, checks included. */
  paidTasks: string[]
}

/** Starts the job in the page and returns once `closeAfter` results have arrived, leaving the rest to `finishJob`. */
async function startJob (page: Page, lines: string[], closeAfter: number): Promise<void> {
  await page.evaluate(async ({ lines, slice, closeAfter }) => {
    const job = await window.zerostate.job({ module: 'samples/lang-detect.wasm', inputs: lines, sliceSize: slice, args: ['--lines'], timeoutMs: 30_000 })
    const w = window as unknown as { __job: typeof job, __statusEvents: number }
    w.__job = job
    w.__statusEvents = 0
    job.addEventListener('status', () => { w.__statusEvents++ })
    let seen = 0
    await new Promise<void>(resolve => {
      job.addEventListener('result', () => { if (++seen >= closeAfter) resolve() })
      job.addEventListener('complete', () => { resolve() })
    })
  }, { lines, slice: SLICE, closeAfter })
}

async function finishJob (page: Page): Promise<PageJobOutcome> {
  return page.evaluate(async () => {
    const w = window as unknown as { __job: { results(): Promise<PageJobOutcome['results']>, status(): PageJobOutcome['status'], jobId: string }, __statusEvents: number }
    const results = await w.__job.results()
    const ledger = await window.zerostate.ledger()
    const paidTasks = ledger.payments
      .filter((p): p is ReceiptPaymentRecord => p.direction === 'out' && p.kind === 'payment' && p.receipt.taskId.startsWith(w.__job.jobId))
      .map(p => p.receipt.taskId)
    // A checker's receipt (`…-check`) is the submitter's check of a slice, paid besides the slice's executor.
    const paidSlices = paidTasks.filter(taskId => !taskId.endsWith('-check')).map(taskId => taskId.slice(w.__job.jobId.length + 1).split('-')[0]!)
    return { results, status: w.__job.status(), statusEvents: w.__statusEvents, paidSlices, paidTasks }
  })
}

describe('a job over 1,200 lines on three executor tabs', () => {
  let harness: Harness
  let submitter: Peer
  let executors: Peer[]

  beforeAll(async () => {
    harness = await startHarness()
    submitter = await harness.openPeer()
    executors = [await harness.openPeer(), await harness.openPeer(), await harness.openPeer()]
    for (const executor of executors) {
      await executor.page.evaluate(async (prices) => { await window.zerostate.contribute(true, 1, { prices, witnessRates: { established: 0, newcomer: 0 } }) }, PRICES)
    }
    for (const executor of executors) await waitForDirect(submitter.page, executor.peerId)
  }, 180_000)

  afterAll(async () => {
    await harness?.close()
  })

  it('spreads the slices over the three, survives one leaving, and gives each input one result in order, none paid twice', async () => {
    const lines = await jobLines()
    await startJob(submitter.page, lines, 300)
    // One executor leaves mid-job, with slices of the job running on it or queued for it.
    await executors[2]!.context.close()
    const outcome = await finishJob(submitter.page)

    expect(outcome.status).toMatchObject({ state: 'completed', total: lines.length / SLICE, failed: 0 })
    expect(outcome.results.map(r => r.index)).toEqual(lines.map((_, i) => i))
    expect(outcome.results.filter(r => r.error !== undefined)).toEqual([])
    // The same answers as lang-detect --lines on the whole text in Node.
    const pool = createNodeWorkerPool({ slots: 1 })
    try {
      const module = new Uint8Array(await readFile(join(ROOT, 'src/workloads/lang-detect/lang-detect.wasm')))
      const want = await pool.run(sha256Hex(module), module, { args: ['--lines'], env: [], stdin: new TextEncoder().encode(lines.join('\n') + '\n'), files: [], seed: new Uint8Array(32) }, { timeoutMs: 60_000, memoryLimitBytes: 50 << 20, fuel: 1e11 })
      expect(outcome.results.map(r => r.output)).toEqual(new TextDecoder().decode(want.stdout).trimEnd().split('\n'))
    } finally {
      pool.stop()
    }
    // Spread: every executor that stayed ran slices; and each slice paid at most once.
    const used = new Set(outcome.results.map(r => r.executor))
    expect(used.has(executors[0]!.peerId) && used.has(executors[1]!.peerId)).toBe(true)
    expect(new Set(outcome.paidSlices).size).toBe(outcome.paidSlices.length)
    expect(new Set(outcome.paidTasks).size).toBe(outcome.paidTasks.length)
    expect(outcome.statusEvents).toBeGreaterThan(10)
    console.log(`job: ${lines.length} lines in ${outcome.status.total} slices on ${used.size} executors, ${outcome.status.retries} retries, ${outcome.paidSlices.length} slices paid, ${outcome.paidTasks.length - outcome.paidSlices.length} checks by peers paid`)
  }, 300_000)

  it('runs a job from the form: each line of the input, with a progress bar, the results as a table and a download', async () => {
    const page = submitter.page
    const lines = (await jobLines()).slice(0, 120)
    await showSection(page, 'submit')
    await page.getByTestId('sample-select').selectOption('lang-detect')
    await expect.poll(async () => page.getByTestId('stdin').inputValue()).not.toBe('')
    await page.getByTestId('stdin').fill(lines.join('\n'))
    await page.getByTestId('as-job').check()
    await page.getByTestId('slice-size').fill('10')
    // The forecast before it runs: the first task run here, the executors' cards (prices, speed, slots); the
    // tab closed above may still be listed until its presence expires.
    await page.getByTestId('estimate-job').click()
    await expect.poll(async () => page.getByTestId('job-estimate').textContent(), { timeout: 60_000 })
      .toMatch(/^About [\d.]+ units \([\d,]+ µ\) and [\d.]+ (ms|s) of compute: 120 inputs in 12 tasks on [23] executors, .* fuel if every task is as heavy as the first/)
    const before = await page.getByTestId('job-card').count()
    await page.getByTestId('submit').click()
    // The newest job's card comes first.
    await expect.poll(async () => page.getByTestId('job-card').count()).toBe(before + 1)
    const card = page.getByTestId('job-card').first()
    await expect.poll(async () => card.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed')
    expect(await card.getByTestId('job-figures').textContent()).toMatch(/120\s+of 120 inputs/)
    expect(await card.getByTestId('job-results').locator('tbody tr').count()).toBe(120)
    expect(await card.getByTestId('job-results').locator('th').allTextContents()).toEqual(['#', 'language', 'probability', 'top'])
    const download = page.waitForEvent('download')
    await card.getByTestId('download-job-results').click()
    const saved = (await readFile(await (await download).path(), 'utf8')).trimEnd().split('\n').map(line => JSON.parse(line) as { index: number, output: string })
    expect(saved.map(r => r.index)).toEqual(lines.map((_, i) => i))
    await card.screenshot({ path: join(ARTIFACTS, 'job-card.png') })
  }, 180_000)

  it('pauses a job whose budget is spent, never spending past it, and goes on when the card raises it', async () => {
    const page = submitter.page
    const lines = (await jobLines()).slice(0, 200)
    // Each task may cost up to 2,000 µ: a budget of 4,000 covers two at a time at first, fewer as it is spent.
    const jobId = await page.evaluate(async lines => (await window.zerostate.job({
      module: 'samples/lang-detect.wasm', inputs: lines, sliceSize: 10, args: ['--lines'], timeoutMs: 30_000, maxTotalPrice: 2000, budget: 4000, label: 'budgeted'
    })).jobId, lines)
    const card = page.locator(`[data-testid="job-card"][data-job-id="${jobId}"]`)
    await showSection(page, 'submit')
    let pauses = 0
    for (;;) {
      await expect.poll(async () => card.getAttribute('data-state'), { timeout: 120_000 }).toMatch(/paused|completed/)
      if (await card.getAttribute('data-state') === 'completed') break
      expect(await card.getByTestId('job-state').textContent()).toBe('Paused (budget)')
      if (pauses++ === 0) await card.screenshot({ path: join(ARTIFACTS, 'job-card-paused.png') })
      await card.getByTestId('raise-job-budget').click()
      await expect.poll(async () => card.getAttribute('data-state')).not.toBe('paused')
    }
    expect(pauses).toBeGreaterThan(0)
    const figures = await card.getByTestId('job-spent').textContent()
    const [spent, budget] = (figures ?? '').match(/[\d,]+/g)!.map(n => Number(n.replace(/,/g, '')))
    expect(spent).toBeGreaterThan(0)
    expect(spent).toBeLessThanOrEqual(budget!)
    expect(await card.getByTestId('job-figures').textContent()).toMatch(/200\s+of 200 inputs/)
  }, 240_000)

  it('runs each slice on two executors with redundancy (the majority kept and paid), each input with files of its own', async () => {
    const page = submitter.page
    const outcome = await page.evaluate(async () => {
      const documents = ['{"a": 1}', '{"a": "one"}', '{"a": 2}', '{"b": true}']
      const job = await window.zerostate.job({
        module: 'samples/json-validate.wasm',
        files: { 'schema.json': '{"type": "object", "properties": {"a": {"type": "integer"}}}' },
        inputs: documents.map(text => ({ files: { 'doc.json': text } })),
        args: ['doc.json'],
        redundancy: 2,
        timeoutMs: 30_000
      })
      const results = await job.results()
      const ledger = await window.zerostate.ledger()
      const paid = ledger.payments.filter((p): p is ReceiptPaymentRecord => p.direction === 'out' && p.kind === 'payment' && p.receipt.taskId.startsWith(job.jobId)).map(p => p.receipt.taskId)
      return { results, status: job.status(), paid }
    })
    expect(outcome.status).toMatchObject({ state: 'completed', computed: 4, failed: 0 })
    // Each document validated in its own task with the job's schema beside it: the second is not an integer.
    expect(outcome.results.map(r => (JSON.parse(r.output ?? r.error ?? '{}') as { valid?: boolean }).valid)).toEqual([true, false, true, true])
    expect(outcome.results.map(r => r.exitCode ?? 0)).toEqual([0, 1, 0, 0])
    // Two executors each ran every slice and agreed: both paid, once, for each of the four slices.
    expect(outcome.paid).toHaveLength(8)
    expect(new Set(outcome.paid).size).toBe(8)
    expect(new Set(outcome.paid.map(id => id.split('-').slice(0, -1).join('-'))).size).toBe(4)
  }, 120_000)
})
