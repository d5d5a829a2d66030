/**
 * npm run bench:jobs — what spreading a job over the mesh costs and gains,
 * as ratios against baselines measured in the same run:
 *  1. The pure JobScheduler's overhead per slice (assign, succeed, release),
 *     10,000 slices over 8 executors, in Node.
 *  2. Throughput of a job of trivial slices (echo) on 1 and then 2 executor
 *     tabs (1 worker slot each): slices per second, and 2 tabs against twice
 *     one tab (linear = 1.0). On this 2-core machine the submitter, both
 *     executors and the relay share the cores, so read it as an upper bound
 *     on the overhead, not as the mesh's scaling. Then the same with
 *     CPU-bound slices (primes up to 60 million, ~0.25 s each), where the
 *     executors' work, not the submitter's, sets the pace: the mesh's scaling.
 *  3. A 1,000-line lang-detect job on the mesh (2 executor tabs, 50 lines a
 *     slice) against the same 1,000 lines in one runLocal call in the
 *     submitter's own sandbox.
 *
 * Usage: npm run bench:jobs [-- --slices 200]
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { JobScheduler } from '../../src/orchestration/jobs/index.ts'
import { startHarness, waitForDirect } from '../e2e/harness.ts'
import type { Peer } from '../e2e/harness.ts'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'

const { values } = parseArgs({ options: { slices: { type: 'string', default: '200' } } })
if (canIsolateNetwork()) {
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename, '--slices', values.slices], process.cwd()))
}
const trivialSlices = Number(values.slices)
/** Slices of the CPU-bound job: enough to keep two executors busy for a few seconds. */
const HEAVY_SLICES = 24
const ROOT = join(import.meta.dirname, '../..')

function schedulerOverhead (): number {
  const slices = 10_000
  const scheduler = new JobScheduler<number>({ slices })
  const executors = Array.from({ length: 8 }, (_, i) => ({ peerId: `executor-${i}`, free: 4 }))
  const started = performance.now()
  let now = 0
  while (!scheduler.done) {
    for (const { slice, executor } of scheduler.next(now, executors)) scheduler.succeeded(slice, executor, slice, now)
    now++
  }
  return (performance.now() - started) / slices
}

/** Runs a job in the page; resolves with its wall time in ms and how many executors returned results. */
async function jobInPage (page: Page, request: { module: string, inputs: string[], sliceSize: number, args?: string[] }): Promise<{ ms: number, executors: number, results: number }> {
  return page.evaluate(async (request) => {
    const started = performance.now()
    const job = await window.zerostate.job({ ...request, timeoutMs: 60_000 })
    const results = await job.results()
    return { ms: performance.now() - started, executors: new Set(results.map(r => r.executor)).size, results: results.length }
  }, request)
}

console.log(`1. Scheduler overhead: ${(schedulerOverhead() * 1000).toFixed(1)} µs per slice (10,000 slices, 8 executors; goal ≤ 1 ms)`)

const harness = await startHarness()
try {
  const submitter = await harness.openPeer()
  const executors: Peer[] = []
  const addExecutor = async (): Promise<void> => {
    const peer = await harness.openPeer()
    await peer.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 0, newcomer: 0 } }) })
    await waitForDirect(submitter.page, peer.peerId)
    executors.push(peer)
  }
  // Trivial slices: echo of one short line each.
  const trivial = Array.from({ length: trivialSlices }, (_, i) => `input ${i}`)
  const trivialJob = { module: 'samples/echo.wasm', inputs: trivial, sliceSize: 1 }
  // CPU-bound slices: the primes up to 60 million, ~0.25 s of sandbox time each.
  const heavy = Array.from({ length: HEAVY_SLICES }, (_, i) => String(60_000_000 + i))
  const heavyJob = { module: 'samples/primes.wasm', inputs: heavy, sliceSize: 1 }
  await addExecutor()
  await jobInPage(submitter.page, { ...trivialJob, inputs: trivial.slice(0, 10) })
  const one = await jobInPage(submitter.page, trivialJob)
  const heavyOne = await jobInPage(submitter.page, heavyJob)
  await addExecutor()
  await jobInPage(submitter.page, { ...trivialJob, inputs: trivial.slice(0, 10) })
  const two = await jobInPage(submitter.page, trivialJob)
  const heavyTwo = await jobInPage(submitter.page, heavyJob)
  const rate = (r: { ms: number }, slices: number): number => slices / (r.ms / 1000)
  console.log(`2. ${trivialSlices} trivial slices (echo): 1 tab ${rate(one, trivialSlices).toFixed(0)} slices/s; 2 tabs ${rate(two, trivialSlices).toFixed(0)} slices/s on ${two.executors} executors = ${(rate(two, trivialSlices) / (2 * rate(one, trivialSlices))).toFixed(2)}× linear`)
  console.log(`   ${HEAVY_SLICES} CPU-bound slices (primes to 60 M): 1 tab ${rate(heavyOne, HEAVY_SLICES).toFixed(2)} slices/s; 2 tabs ${rate(heavyTwo, HEAVY_SLICES).toFixed(2)} slices/s on ${heavyTwo.executors} executors = ${(rate(heavyTwo, HEAVY_SLICES) / (2 * rate(heavyOne, HEAVY_SLICES))).toFixed(2)}× linear`)

  const corpus = (await readFile(join(ROOT, 'test/fixtures/lang-detect-corpus.txt'), 'utf8')).split('\n').map(l => l.replace(/\r$/, '')).filter(l => l !== '')
  const lines = Array.from({ length: 1000 }, (_, i) => corpus[i % corpus.length]!)
  const local = await submitter.page.evaluate(async (text) => {
    const request = { module: 'samples/lang-detect.wasm', stdin: text, args: ['--lines'], timeoutMs: 60_000 }
    await window.zerostate.runLocal(request)
    const started = performance.now()
    await window.zerostate.runLocal(request)
    return performance.now() - started
  }, lines.join('\n'))
  await jobInPage(submitter.page, { module: 'samples/lang-detect.wasm', inputs: lines.slice(0, 100), sliceSize: 50, args: ['--lines'] })
  const mesh = await jobInPage(submitter.page, { module: 'samples/lang-detect.wasm', inputs: lines, sliceSize: 50, args: ['--lines'] })
  console.log(`3. 1,000 lines of lang-detect: one runLocal ${local.toFixed(0)} ms; a job of 20 slices on ${mesh.executors} executor tabs ${mesh.ms.toFixed(0)} ms (${(mesh.ms / local).toFixed(2)}× the local run)`)
} finally {
  await harness.close()
}
