import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { verifyReceipt } from '../../src/receipts/receipt.ts'
import type { Receipt } from '../../src/receipts/types.ts'
import { noStart, traps } from '../fixtures/wasm-modules.ts'
import { ARTIFACTS, startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { showSection } from './sections.ts'
import { submitFromForm } from './task-cards.ts'

interface SubmitOutcome {
  ok: boolean
  stdout?: string
  exitCode?: number
  executor?: string
  receipt?: Receipt
  errorName?: string
  errorMessage?: string
}

/** Runs `window.zerostate.submit` in the page; module bytes travel as a plain array. */
async function submitFromPage (page: Page, request: { module: string | number[], stdin?: string, args?: string[], timeoutMs?: number }): Promise<SubmitOutcome> {
  return page.evaluate(async (req) => {
    try {
      const result = await window.zerostate.submit({
        ...req,
        module: typeof req.module === 'string' ? req.module : new Uint8Array(req.module)
      })
      return {
        ok: true,
        stdout: new TextDecoder().decode(result.stdout),
        exitCode: result.exitCode,
        executor: result.executor,
        receipt: result.receipt
      }
    } catch (err) {
      return { ok: false, errorName: (err as Error).name, errorMessage: (err as Error).message }
    }
  }, request)
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

describe('two tabs run WASM tasks for each other over direct WebRTC', () => {
  let harness: Harness
  let a: Peer
  let b: Peer

  beforeAll(async () => {
    harness = await startHarness()
    a = await harness.openPeer()
    b = await harness.openPeer()
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('gives each tab its own PeerId and a direct WebRTC connection to the other', async () => {
    expect(a.peerId).toMatch(/^12D3KooW/)
    expect(b.peerId).toMatch(/^12D3KooW/)
    expect(a.peerId).not.toBe(b.peerId)
    await waitForDirect(a.page, b.peerId)
    await waitForDirect(b.page, a.peerId)
    const relayRow = await a.page.evaluate(() => window.zerostate.peers().find(p => p.isRelay))
    expect(relayRow?.transports).toContain('websocket')
  })

  it('runs every sample submitted through the UI in tab A on tab B', async () => {
    await b.page.getByTestId('contribute-toggle').check()
    await b.page.waitForFunction(() => document.querySelector('zs-app') != null)
    // Samples whose example input is a file (an image, a CSV) or comes with /work files are run through the UI by workloads.test.ts.
    const samples: Array<{ id: string, defaultStdin: string, defaultStdinUrl?: string, defaultFiles?: unknown[] }> = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'dist', 'samples', 'samples.json'), 'utf8'))
    const expected: Record<string, (stdout: string, stdin: string) => void> = {
      'text-stats': (out) => { expect(out).toMatch(/words/i) },
      sentiment: (out) => { expect(out).toMatch(/positive|negative|neutral/i) },
      sha256: (out, stdin) => { expect(out.trim()).toBe(sha256(stdin)) },
      primes: (out) => { expect(out).toMatch(/\d/) },
      echo: (out, stdin) => { expect(out).toBe(stdin) },
      // A real model on a peer: each of the five lines of the sample's input in its own language.
      'lang-detect': (out) => {
        const languages = out.trim().split('\n').map(line => (JSON.parse(line) as { language: string }).language)
        expect(languages).toEqual(['eng', 'deu', 'fra', 'spa', 'rus'])
      }
    }
    // The form and the task cards share the Submit section.
    await showSection(a.page, 'submit')
    for (const sample of samples.filter(s => s.id !== 'forever' && s.defaultStdinUrl === undefined && s.defaultFiles === undefined)) {
      await a.page.getByTestId('sample-select').selectOption(sample.id)
      const card = await submitFromForm(a.page)
      await expect.poll(async () => card.getAttribute('data-phase'), { timeout: 60_000 }).toMatch(/done|failed/)
      const error = card.getByTestId('task-error')
      expect(await error.count() === 0 ? null : await error.textContent(), `sample ${sample.id}`).toBeNull()
      expect(await card.getByTestId('receipt-status').textContent()).toMatch(/^\s*verified\s*$/)
      const stdout = await card.getByTestId('stdout').textContent() ?? ''
      expected[sample.id]?.(stdout, sample.defaultStdin)
    }
    const download = a.page.waitForEvent('download')
    await a.page.getByTestId('task-card').first().getByTestId('download-receipt').click()
    const saved = JSON.parse(await readFile(await (await download).path(), 'utf8')) as Receipt
    await verifyReceipt(saved, { executor: b.peerId, submitter: a.peerId })
    await mkdir(ARTIFACTS, { recursive: true })
    await a.page.screenshot({ path: join(ARTIFACTS, 'submitter-tab.png'), fullPage: true })
    await b.page.screenshot({ path: join(ARTIFACTS, 'executor-tab.png'), fullPage: true })
    // The last sample's card, on top: lang-detect's JSON lines drawn as a table.
    await a.page.getByTestId('task-card').first().screenshot({ path: join(ARTIFACTS, 'lang-detect-card.png') })
  })

  it('runs tasks submitted through window.zerostate in tab B on tab A, with receipts that verify outside the browser', async () => {
    await a.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    await b.page.evaluate(async () => { await window.zerostate.contribute(false) })
    const cases = [
      { module: 'samples/sha256.wasm', stdin: 'zerostate', check: (out: string) => { expect(out.trim()).toBe(sha256('zerostate')) } },
      { module: 'samples/primes.wasm', stdin: '1000000', check: (out: string) => { expect(out).toContain('78498') } },
      { module: 'samples/echo.wasm', stdin: 'héllo wörld', check: (out: string) => { expect(out).toBe('héllo wörld') } },
      { module: 'samples/text-stats.wasm', stdin: 'one two two\nthree', check: (out: string) => { expect(out).toMatch(/lines: 2[\s\S]*words: 4/) } },
      { module: 'samples/sentiment.wasm', stdin: 'what a wonderful, happy day', check: (out: string) => { expect(out).toMatch(/label: positive/) } }
    ]
    for (const c of cases) {
      const outcome = await submitFromPage(b.page, { module: c.module, stdin: c.stdin, timeoutMs: 30_000 })
      expect(outcome.errorMessage).toBeUndefined()
      expect(outcome.ok).toBe(true)
      c.check(outcome.stdout ?? '')
      expect(outcome.executor).toBe(a.peerId)
      const receipt = outcome.receipt!
      expect(receipt.executor).toBe(a.peerId)
      expect(receipt.submitter).toBe(b.peerId)
      await verifyReceipt(receipt, { inputHash: sha256(c.stdin), outputHash: sha256(outcome.stdout ?? '') })
    }
  })

  it('ends a task that never finishes at its timeout, and the executor keeps serving', async () => {
    const started = Date.now()
    const outcome = await submitFromPage(b.page, { module: 'samples/forever.wasm', timeoutMs: 1000 })
    expect(outcome.errorName).toBe('TaskTimeoutError')
    expect(Date.now() - started).toBeLessThan(15_000)
    const card = b.page.locator('[data-testid="task-card"][data-phase="failed"]').first()
    await expect.poll(async () => card.locator('li.failed').textContent()).toMatch(/Running – failed/)
    expect(await card.getByTestId('task-error').textContent()).toMatch(/TaskTimeoutError/)
    const next = await submitFromPage(b.page, { module: 'samples/echo.wasm', stdin: 'still here' })
    expect(next.stdout).toBe('still here')
  })

  it('rejects bad input with a specific error, and both peers keep working', async () => {
    const notWasm = await submitFromPage(b.page, { module: Array.from(new TextEncoder().encode('definitely not wasm')) })
    expect(notWasm.errorName).toBe('InvalidModuleError')
    const notWasi = await submitFromPage(b.page, { module: Array.from(noStart()) })
    expect(notWasi.errorName).toBe('NotWasiCommandError')
    const trap = await submitFromPage(b.page, { module: Array.from(traps()) })
    expect(trap.errorName).toBe('TaskTrapError')
    const tooBig = await submitFromPage(b.page, { module: 'samples/echo.wasm', stdin: 'x'.repeat(5 * 1024 * 1024) })
    expect(tooBig.errorName).toBe('InvalidTaskMessageError')
    expect(tooBig.errorMessage).toMatch(/stdin/)
    const ok = await submitFromPage(b.page, { module: 'samples/echo.wasm', stdin: 'fine' })
    expect(ok.stdout).toBe('fine')
    const failedCards = await b.page.locator('[data-testid="task-card"][data-phase="failed"]').count()
    expect(failedCards).toBeGreaterThanOrEqual(4)
  })

  it('keeps PeerId and receipt history across a reload', async () => {
    const before = await b.page.evaluate(() => window.zerostate.history().length)
    expect(before).toBeGreaterThan(0)
    await b.page.reload()
    expect(await waitOnline(b.page)).toBe(b.peerId)
    expect(await b.page.evaluate(() => window.zerostate.history().length)).toBe(before)
    await waitForDirect(b.page, a.peerId)
  })

  it('fails a task with ExecutorLostError when the executor disappears mid-task', async () => {
    const pending = submitFromPage(b.page, { module: 'samples/forever.wasm', timeoutMs: 120_000 })
    await showSection(b.page, 'submit')
    await b.page.waitForSelector('[data-testid="task-card"][data-phase="running"]', { timeout: 30_000 })
    const closedAt = Date.now()
    await a.context.close()
    const outcome = await pending
    expect(outcome.errorName).toBe('ExecutorLostError')
    expect(Date.now() - closedAt).toBeLessThan(20_000)
    expect(await b.page.evaluate(() => window.zerostate.peerId)).toBe(b.peerId)
  })
})
