/**
 * npm run bench:sandbox — what the sandbox costs, as ratios against baselines
 * measured in the same run:
 *  1. A CPU-bound task (the primes sieve): in a Chromium page, the sandbox
 *     (worker pool, WASI shim, metered and unmetered) against the same module
 *     instantiated directly with WebAssembly.instantiate in that page; in
 *     Node, the Node host against node:wasi (Node's native WASI).
 *  2. Tasks per second for a trivial module (echo) through the pool
 *     (WorkerPool.run, as an executor runs a task, with the module's hash
 *     known; the page of the test-hooks build exposes it) and through
 *     runLocal (the app's request preparation on top), against direct
 *     instantiation in a loop; in Chromium and in Node (the Node host
 *     against the same direct loop). A window of `--count` tasks is short
 *     next to what stalls a page now and then (a full GC of the app's heap,
 *     the UI's charts, a busy moment of a shared machine: 5–300 ms, measured),
 *     so the ways take turns for `--rounds` rounds, each round's ratio pairs
 *     windows run back to back, and the figures are medians with their spread.
 *  3. Timeout precision on a task that never yields: how late after its
 *     limit the result comes, and how soon the next task has run.
 *
 * Usage: npm run bench:sandbox [-- --n 50000000 --runs 7 --rounds 15 --count 100 --only cpu,trivial,timeout]
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { WASI } from 'node:wasi'
import type { Page } from 'playwright-core'
import { DEFAULT_OUT_DIR } from '../../src/build/compile-samples.ts'
import { MAX_FUEL } from '../../src/core/limits.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { TaskInput } from '../../src/execution/types.ts'
import type { WorkerPool } from '../../src/execution/worker-pool.ts'
import { startHarness } from '../e2e/harness.ts'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '50000000' },
    runs: { type: 'string', default: '7' },
    rounds: { type: 'string', default: '15' },
    count: { type: 'string', default: '100' },
    only: { type: 'string', default: 'cpu,trivial,timeout' }
  }
})
const n = values.n
const runs = Number(values.runs)
const rounds = Number(values.rounds)
const count = Number(values.count)
const sections = new Set(values.only.split(','))

if (canIsolateNetwork()) {
  const args = ['--n', n, '--runs', String(runs), '--rounds', String(rounds), '--count', String(count), '--only', values.only]
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename, ...args], process.cwd()))
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
/** The value below which a fraction `q` of `xs` lies (nearest rank). */
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] ?? NaN
/** Median, quartiles and extremes: how much a figure moved across the rounds. */
const spread = (xs: number[], digits: number): string => {
  const f = (x: number): string => x.toFixed(digits)
  return `${f(median(xs))} (quartiles ${f(quantile(xs, 0.25))}–${f(quantile(xs, 0.75))}, all ${f(Math.min(...xs))}–${f(Math.max(...xs))})`
}
const load = (): string => loadavg().map(x => x.toFixed(1)).join(' ')
const ms = (x: number): string => `${x.toFixed(1)} ms`
const ratio = (x: number, base: number): string => `${(x / base).toFixed(2)}×`
const primes = new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, 'primes.wasm')))
const hashOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const limits = { timeoutMs: 120_000, memoryLimitBytes: 128 << 20, fuel: MAX_FUEL }
const inputOf = (stdin: string): TaskInput => ({ args: [], env: [], stdin: new TextEncoder().encode(stdin), files: [], seed: new Uint8Array(32) })

/** In the page: the module run directly, with just the five WASI calls the samples import. */
async function directInPage (page: Page, url: string, stdin: string, count: number): Promise<number[]> {
  return page.evaluate(async ({ url, stdin, count }) => {
    const module = await WebAssembly.compile(await (await fetch(url)).arrayBuffer())
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      const input = new TextEncoder().encode(stdin)
      let offset = 0
      // Assigned once the instance exists; the imports below close over it before that.
      // eslint-disable-next-line prefer-const
      let memory: WebAssembly.Memory | undefined
      const view = (): DataView => new DataView(memory!.buffer)
      const exit = new Error('proc_exit')
      const wasi = {
        fd_write: (_fd: number, iovs: number, len: number, written: number) => {
          let total = 0
          for (let j = 0; j < len; j++) total += view().getUint32(iovs + j * 8 + 4, true)
          view().setUint32(written, total, true)
          return 0
        },
        fd_read: (_fd: number, iovs: number, len: number, read: number) => {
          let total = 0
          for (let j = 0; j < len; j++) {
            const ptr = view().getUint32(iovs + j * 8, true)
            const size = Math.min(view().getUint32(iovs + j * 8 + 4, true), input.length - offset)
            new Uint8Array(memory!.buffer, ptr, size).set(input.subarray(offset, offset + size))
            offset += size
            total += size
          }
          view().setUint32(read, total, true)
          return 0
        },
        proc_exit: () => { throw exit },
        args_sizes_get: (argc: number, size: number) => { view().setUint32(argc, 1, true); view().setUint32(size, 2, true); return 0 },
        args_get: (argv: number, buf: number) => { view().setUint32(argv, buf, true); new Uint8Array(memory!.buffer).set([0x74, 0], buf); return 0 }
      }
      const started = performance.now()
      const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi })
      memory = instance.exports.memory as WebAssembly.Memory
      try {
        (instance.exports._start as () => void)()
      } catch (err) {
        if (err !== exit) throw err
      }
      times.push(performance.now() - started)
    }
    return times
  }, { url, stdin, count })
}

/** In the page: through this tab's own sandbox (worker pool), metered or not; the run's own duration and the caller's wall time. */
async function sandboxInPage (page: Page, module: string, stdin: string, count: number, metered: boolean, timeoutMs = 120_000): Promise<Array<{ run: number, wall: number, status: string }>> {
  return page.evaluate(async ({ module, stdin, count, metered, timeoutMs }) => {
    const bytes = new Uint8Array(await (await fetch(module)).arrayBuffer())
    const times: Array<{ run: number, wall: number, status: string }> = []
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      const result = await window.zerostate.runLocal({ module: bytes, stdin, timeoutMs, memoryLimitBytes: 128 << 20, fuel: Number.MAX_SAFE_INTEGER }, { metered })
      times.push({ run: result.durationMs, wall: performance.now() - started, status: result.status })
    }
    return times
  }, { module, stdin, count, metered, timeoutMs })
}

async function nodeWasi (bytes: Uint8Array<ArrayBuffer>, stdin: string, count: number): Promise<number[]> {
  const { mkdtemp, writeFile, open } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'zerostate-bench-'))
  const stdinPath = join(dir, 'stdin')
  await writeFile(stdinPath, stdin)
  const module = await WebAssembly.compile(bytes)
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const file = await open(stdinPath, 'r')
    const devnull = await open('/dev/null', 'w')
    const wasi = new WASI({ version: 'preview1', args: ['t'], stdin: file.fd, stdout: devnull.fd, returnOnExit: true })
    const started = performance.now()
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports)
    wasi.start(instance)
    times.push(performance.now() - started)
    await file.close()
    await devnull.close()
  }
  return times
}

type TrivialWay = 'direct' | 'directWorker' | 'pool' | 'poolAtOnce' | 'runLocal'

/**
 * In the page: `count` echo tasks in a row, one way; the loop's own time, ms.
 * The module is fetched, hashed and compiled once, before the first window:
 * `direct` instantiates the compiled module with just the WASI calls echo
 * makes; `pool` is WorkerPool.run with the hash given, as an executor runs a
 * task (`__zerostateTest.runWasi` of the test-hooks build); `runLocal` is the
 * app's own entry point, which hashes and checks the request first.
 * `directWorker` is `direct` in a Web Worker of its own: the same loop
 * without the app's heap, whose full collections the page's loop pays for
 * (each instance's memory counts towards V8's external-memory GC trigger).
 * `poolAtOnce` hands the pool all `count` tasks together, as an executor
 * with two slots receives a job's slices: its two workers overlap one task's
 * thread hops with the other's run.
 */
async function trivialInPage (page: Page, way: TrivialWay, count: number): Promise<number> {
  return page.evaluate(async ({ way, count }) => {
    const cache = window as unknown as { benchEcho?: { bytes: Uint8Array, module: WebAssembly.Module, hash: string } }
    if (cache.benchEcho === undefined) {
      const bytes = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
      const hash = [...digest].map(b => b.toString(16).padStart(2, '0')).join('')
      cache.benchEcho = { bytes, module: await WebAssembly.compile(bytes), hash }
    }
    const { bytes, module, hash } = cache.benchEcho
    if (way === 'directWorker') {
      const loop = `onmessage = async ({ data: { module, count } }) => {
        const started = performance.now()
        for (let i = 0; i < count; i++) {
          let memory
          const view = () => new DataView(memory.buffer)
          const exit = new Error('proc_exit')
          const wasi = {
            fd_write: (fd, iovs, len, written) => { let total = 0; for (let j = 0; j < len; j++) total += view().getUint32(iovs + j * 8 + 4, true); view().setUint32(written, total, true); return 0 },
            fd_read: (fd, iovs, len, read) => { view().setUint32(read, 0, true); return 0 },
            proc_exit: () => { throw exit }
          }
          const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi })
          memory = instance.exports.memory
          try { instance.exports._start() } catch (err) { if (err !== exit) throw err }
        }
        postMessage(performance.now() - started)
      }`
      const holder = window as unknown as { benchDirectWorker?: Worker }
      holder.benchDirectWorker ??= new Worker(URL.createObjectURL(new Blob([loop], { type: 'text/javascript' })))
      const worker = holder.benchDirectWorker
      return new Promise<number>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<number>) => { resolve(event.data) }
        worker.onerror = (event) => { reject(new Error(event.message)) }
        worker.postMessage({ module, count })
      })
    }
    const test = window.__zerostateTest as NonNullable<typeof window.__zerostateTest>
    const started = performance.now()
    if (way === 'poolAtOnce') {
      const results = await Promise.all(Array.from({ length: count }, async () => test.runWasi(bytes, { moduleHash: hash, limits: { fuel: Number.MAX_SAFE_INTEGER } })))
      const failed = results.find(result => result.status !== 'ok')
      if (failed !== undefined) throw new Error(`echo ended ${failed.status}: ${failed.error?.message ?? ''}`)
      return performance.now() - started
    }
    for (let i = 0; i < count; i++) {
      if (way === 'direct') {
        // Assigned once the instance exists; the imports below close over it before that.
        // eslint-disable-next-line prefer-const
        let memory: WebAssembly.Memory | undefined
        const view = (): DataView => new DataView(memory!.buffer)
        const exit = new Error('proc_exit')
        const wasi = {
          fd_write: (_fd: number, iovs: number, len: number, written: number) => {
            let total = 0
            for (let j = 0; j < len; j++) total += view().getUint32(iovs + j * 8 + 4, true)
            view().setUint32(written, total, true)
            return 0
          },
          fd_read: (_fd: number, _iovs: number, _len: number, read: number) => { view().setUint32(read, 0, true); return 0 },
          proc_exit: () => { throw exit }
        }
        const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi })
        memory = instance.exports.memory as WebAssembly.Memory
        try {
          (instance.exports._start as () => void)()
        } catch (err) {
          if (err !== exit) throw err
        }
        continue
      }
      const result = way === 'pool'
        ? await test.runWasi(bytes, { moduleHash: hash, limits: { fuel: Number.MAX_SAFE_INTEGER } })
        : await window.zerostate.runLocal({ module: bytes, stdin: '', timeoutMs: 120_000, memoryLimitBytes: 128 << 20, fuel: Number.MAX_SAFE_INTEGER }, { metered: true })
      if (result.status !== 'ok') throw new Error(`echo ended ${result.status}: ${result.error?.message ?? ''}`)
    }
    return performance.now() - started
  }, { way, count })
}

/** In Node: `count` echo tasks in a row, directly (as `trivialInPage`) or through the Node host; the loop's own time, ms. */
async function trivialInNode (way: 'direct' | 'pool', host: WorkerPool, bytes: Uint8Array<ArrayBuffer>, module: WebAssembly.Module, count: number): Promise<number> {
  const hash = hashOf(bytes)
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    if (way === 'pool') {
      const result = await host.run(hash, bytes, inputOf(''), limits)
      if (result.status !== 'ok') throw new Error(`echo ended ${result.status}: ${result.error?.message ?? ''}`)
      continue
    }
    // Assigned once the instance exists; the imports below close over it before that.
    // eslint-disable-next-line prefer-const
    let memory: WebAssembly.Memory | undefined
    const view = (): DataView => new DataView((memory as WebAssembly.Memory).buffer)
    const exit = new Error('proc_exit')
    const wasi = {
      fd_write: (_fd: number, iovs: number, len: number, written: number) => {
        let total = 0
        for (let j = 0; j < len; j++) total += view().getUint32(iovs + j * 8 + 4, true)
        view().setUint32(written, total, true)
        return 0
      },
      fd_read: (_fd: number, _iovs: number, _len: number, read: number) => { view().setUint32(read, 0, true); return 0 },
      proc_exit: () => { throw exit }
    }
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi })
    memory = instance.exports.memory as WebAssembly.Memory
    try {
      (instance.exports._start as () => void)()
    } catch (err) {
      if (err !== exit) throw err
    }
  }
  return performance.now() - started
}

/**
 * Section 2: the ways take turns, window by window (the order reversed every
 * other round, so that neither always runs first), and each round's ratio
 * compares windows run back to back: a stall of the page or the machine moves
 * one round's figures, not the medians.
 */
async function trivialTasks (hooksPage: Page, host: WorkerPool): Promise<void> {
  const rate = (elapsedMs: number): number => count / (elapsedMs / 1000)
  console.log(`\n2. Trivial tasks (echo, empty stdin): ${rounds} rounds, each ${count} tasks in a row per way, the ways back to back;`)
  console.log(`   medians over the rounds (quartiles, all). Load average before: ${load()}`)
  const pageWays: TrivialWay[] = ['direct', 'directWorker', 'pool', 'poolAtOnce', 'runLocal']
  const isolated = await hooksPage.evaluate(() => crossOriginIsolated)
  console.log(`   The page is ${isolated ? '' : 'not '}cross-origin isolated: the pool learns memory sizes ${isolated ? 'from shared memory' : 'from a message per growth'}.`)
  for (const way of pageWays) await trivialInPage(hooksPage, way, count)
  const page: Record<TrivialWay, number[]> = { direct: [], directWorker: [], pool: [], poolAtOnce: [], runLocal: [] }
  for (let round = 0; round < rounds; round++) {
    for (const way of round % 2 === 0 ? pageWays : [...pageWays].reverse()) page[way].push(rate(await trivialInPage(hooksPage, way, count)))
  }
  const perRound = (ways: Record<string, number[]>, way: string, base = 'direct'): number[] => (ways[way] as number[]).map((x, i) => x / (ways[base]?.[i] as number))
  console.log(`   Chromium, direct instantiate loop:         ${spread(page.direct, 0)} tasks/s`)
  console.log(`   Chromium, the same in a Worker of its own: ${spread(page.directWorker, 0)} tasks/s`)
  console.log(`   Chromium, through the pool (metered):      ${spread(page.pool, 0)} tasks/s`)
  console.log(`   Chromium, pool, all at once (2 slots):     ${spread(page.poolAtOnce, 0)} tasks/s`)
  console.log(`   Chromium, runLocal (preparation + pool):   ${spread(page.runLocal, 0)} tasks/s`)
  console.log(`   Chromium, pool ÷ direct, round by round:   ${spread(perRound(page, 'pool'), 2)}`)
  console.log(`   Chromium, runLocal ÷ direct, by round:     ${spread(perRound(page, 'runLocal'), 2)}`)
  console.log(`   Chromium, pool ÷ direct in a Worker:       ${spread(perRound(page, 'pool', 'directWorker'), 2)}`)
  console.log(`   Chromium, pool at once ÷ Worker loop:      ${spread(perRound(page, 'poolAtOnce', 'directWorker'), 2)}`)

  const echo = new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, 'echo.wasm')))
  const module = await WebAssembly.compile(echo)
  const nodeWays = ['direct', 'pool'] as const
  for (const way of nodeWays) await trivialInNode(way, host, echo, module, count)
  const node: Record<'direct' | 'pool', number[]> = { direct: [], pool: [] }
  for (let round = 0; round < rounds; round++) {
    for (const way of round % 2 === 0 ? nodeWays : [...nodeWays].reverse()) node[way].push(rate(await trivialInNode(way, host, echo, module, count)))
  }
  console.log(`   Node, direct instantiate loop:             ${spread(node.direct, 0)} tasks/s`)
  console.log(`   Node host (metered):                       ${spread(node.pool, 0)} tasks/s`)
  console.log(`   Node, host ÷ direct, round by round:       ${spread(perRound(node, 'pool'), 2)}`)
  console.log(`   Load average after: ${load()}`)
}

const harness = await startHarness()
const pool = createNodeWorkerPool({ slots: 1, metered: true })
const unmeteredPool = createNodeWorkerPool({ slots: 1, metered: false })
try {
  const { page } = await harness.openPeer()
  if (sections.has('cpu')) {
    console.log(`1. CPU-bound: primes up to ${n}, median of ${runs} (after one warm-up run each; the three ways take turns, run by run,`)
    console.log('   so that a busy moment of the machine falls on all of them alike)')
    await directInPage(page, 'samples/primes.wasm', n, 1)
    await sandboxInPage(page, 'samples/primes.wasm', n, 1, false)
    await sandboxInPage(page, 'samples/primes.wasm', n, 1, true)
    const directTimes: number[] = []
    const unmetered: Array<{ run: number, wall: number, status: string }> = []
    const metered: Array<{ run: number, wall: number, status: string }> = []
    for (let i = 0; i < runs; i++) {
      directTimes.push(...await directInPage(page, 'samples/primes.wasm', n, 1))
      unmetered.push(...await sandboxInPage(page, 'samples/primes.wasm', n, 1, false))
      metered.push(...await sandboxInPage(page, 'samples/primes.wasm', n, 1, true))
    }
    const direct = median(directTimes)
    const unmeteredRun = median(unmetered.map(t => t.run))
    const meteredRun = median(metered.map(t => t.run))
    console.log(`   Chromium, direct WebAssembly.instantiate:   ${ms(direct)}`)
    console.log(`   Chromium, sandbox unmetered (run | wall):   ${ms(unmeteredRun)} | ${ms(median(unmetered.map(t => t.wall)))}   ${ratio(unmeteredRun, direct)} | ${ratio(median(unmetered.map(t => t.wall)), direct)} of direct`)
    console.log(`   Chromium, sandbox metered   (run | wall):   ${ms(meteredRun)} | ${ms(median(metered.map(t => t.wall)))}   ${ratio(meteredRun, direct)} of direct, metering ${ratio(meteredRun, unmeteredRun)}`)

    const runNode = async (p: typeof pool): Promise<number> => (await p.run(hashOf(primes), primes, inputOf(n), limits)).durationMs
    await nodeWasi(primes, n, 1)
    await runNode(unmeteredPool)
    await runNode(pool)
    const nodeTimes: number[][] = [[], [], []]
    for (let i = 0; i < runs; i++) {
      nodeTimes[0]?.push(...await nodeWasi(primes, n, 1))
      nodeTimes[1]?.push(await runNode(unmeteredPool))
      nodeTimes[2]?.push(await runNode(pool))
    }
    const [nodeDirect, nodeUnmetered, nodeMetered] = nodeTimes.map(median) as [number, number, number]
    console.log(`   Node, node:wasi (native WASI):              ${ms(nodeDirect)}`)
    console.log(`   Node host, unmetered:                       ${ms(nodeUnmetered)}   ${ratio(nodeUnmetered, nodeDirect)} of node:wasi`)
    console.log(`   Node host, metered:                         ${ms(nodeMetered)}   ${ratio(nodeMetered, nodeDirect)} of node:wasi, metering ${ratio(nodeMetered, nodeUnmetered)}`)
  }

  if (sections.has('trivial')) await trivialTasks((await harness.openPeer({ testHooks: true })).page, pool)

  if (sections.has('timeout')) {
    console.log('\n3. Timeout precision (forever.wasm), 3 runs each: late = result time − limit; next = a trivial task right after')
    for (const timeoutMs of [100, 1000, 5000]) {
      const rows = await page.evaluate(async (timeoutMs) => {
        const load = async (url: string): Promise<Uint8Array> => new Uint8Array(await (await fetch(url)).arrayBuffer())
        const [forever, echo] = [await load('samples/forever.wasm'), await load('samples/echo.wasm')]
        const out: Array<{ late: number, next: number, status: string }> = []
        for (let i = 0; i < 3; i++) {
          const started = performance.now()
          const result = await window.zerostate.runLocal({ module: forever, timeoutMs, fuel: Number.MAX_SAFE_INTEGER })
          const ended = performance.now()
          await window.zerostate.runLocal({ module: echo })
          out.push({ late: ended - started - timeoutMs, next: performance.now() - ended, status: result.status })
        }
        return out
      }, timeoutMs)
      console.log(`   ${String(timeoutMs).padStart(5)} ms: late ${rows.map(r => r.late.toFixed(0)).join(', ')} ms; next ${rows.map(r => r.next.toFixed(0)).join(', ')} ms (${rows.map(r => r.status).join(', ')})`)
    }
  }
} finally {
  pool.stop()
  unmeteredPool.stop()
  await harness.close()
}
