/**
 * npm run bench:roundtrip — over one direct WebRTC connection between two
 * Chromium peers: (a) a raw echo on a bare libp2p protocol, a new stream per
 * round trip as a task uses, and on one reused stream; (b) a full task round
 * trip (offer → run the trivial echo WASI module in a worker → signed receipt
 * → verified); (c) the task round trip with tracing off and on
 * (docs/tracing.md), and the same task from an executor with prices, paid
 * for with co-signed channel states behind the result, in alternating blocks
 * of the same run so that drift weighs on all alike. Prints median and p99
 * of each and their ratios, and where the time of a traced task goes.
 *
 * Usage: npm run bench:roundtrip [-- --count 500]
 */
import { parseArgs } from 'node:util'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'
import { startHarness, waitForDirect } from '../e2e/harness.ts'

const { values } = parseArgs({ options: { count: { type: 'string', default: '500' } } })
const count = Number(values.count)
if (!Number.isInteger(count) || count < 10 || count > 5000) throw new RangeError('--count must be 10–5000')

if (canIsolateNetwork()) {
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename, '--count', String(count)], process.cwd()))
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

/** The median of per-block ratios, with their quartiles. */
function pairs (ratios: number[], digits: number): string {
  const sorted = [...ratios].sort((x, y) => x - y)
  return `median ${percentile(sorted, 50).toFixed(digits)}× (quartiles ${percentile(sorted, 25).toFixed(digits)}–${percentile(sorted, 75).toFixed(digits)}, ${sorted.length} pairs)`
}

function summarise (samples: number[]): { median: number, p99: number } {
  const sorted = [...samples].sort((x, y) => x - y)
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

const harness = await startHarness()
try {
  const executor = await harness.openPeer()
  const submitter = await harness.openPeer()
  await executor.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
  await waitForDirect(submitter.page, executor.peerId)
  const transport = await submitter.page.evaluate((id) => window.zerostate.peers().find(p => p.peerId === id)?.transports, executor.peerId)
  console.log(`connection ${submitter.peerId.slice(-6)} → ${executor.peerId.slice(-6)}: ${transport?.join(', ')}`)

  const echo = async (reuseStream: boolean): Promise<number[]> => submitter.page.evaluate(
    async ({ id, n, reuse }) => window.zerostate.measureEcho(id, { count: n, payloadBytes: 64, reuseStream: reuse }),
    { id: executor.peerId, n: count, reuse: reuseStream })

  const tasks = async (n: number): Promise<number[]> => submitter.page.evaluate(async (n) => {
    const module = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
    const timings: number[] = []
    for (let i = 0; i < n; i++) {
      const started = performance.now()
      // Not announced to witnesses: this measures the task itself.
      await window.zerostate.submit({ module, stdin: 'ping', timeoutMs: 10_000, witnesses: false })
      timings.push(performance.now() - started)
    }
    return timings
  }, n)
  const setPrices = async (prices: { perMegaFuel: number, perSecond: number, perMb: number }): Promise<void> => {
    await executor.page.evaluate(async (prices) => { await window.zerostate.contribute(true, 1, { prices }) }, prices)
  }

  // Warm up: JIT, the module cache on the executor, the first stream.
  await echo(false)
  await tasks(20)

  const rows: Array<[string, { median: number, p99: number }]> = [
    ['raw echo, new stream each', summarise(await echo(false))],
    ['raw echo, one stream', summarise(await echo(true))],
    ['task round trip (echo.wasm)', summarise(await tasks(count))]
  ]
  // Tracing off and on (on both peers), and paid tasks, in alternating blocks: each way sees the same
  // warm-up, history size and machine load (the first block of the row above runs a little slower).
  const setTracing = async (on: boolean): Promise<void> => {
    await Promise.all([submitter, executor].map(async peer => peer.page.evaluate((on) => window.zerostate.tracing(on), on)))
  }
  const PAID = { perMegaFuel: 1000, perSecond: 0, perMb: 1 }
  const FREE = { perMegaFuel: 0, perSecond: 0, perMb: 0 }
  const untraced: number[] = []
  const traced: number[] = []
  const paidTimings: number[] = []
  // Per pair of neighbouring blocks, on ÷ off and paid ÷ free of their medians: drift over the run (the
  // machine's load, the history growing) weighs on both blocks of a pair alike, so these vary less than
  // the pooled medians' ratios do.
  const tracingPairs: number[] = []
  const paidPairs: number[] = []
  const BLOCK = 25
  for (let done = 0; done < count; done += BLOCK) {
    const n = Math.min(BLOCK, count - done)
    await setTracing(false)
    const off = await tasks(n)
    await setTracing(true)
    const on = await tasks(n)
    await setTracing(false)
    // A new price is a new Agent Card: two untimed tasks let the submitter take it in.
    await setPrices(PAID)
    await tasks(2)
    const paid = await tasks(n)
    await setPrices(FREE)
    await tasks(2)
    untraced.push(...off)
    traced.push(...on)
    paidTimings.push(...paid)
    tracingPairs.push(summarise(on).median / summarise(off).median)
    paidPairs.push(summarise(paid).median / summarise(off).median)
  }
  rows.push(['task, tracing off', summarise(untraced)], ['task, tracing on', summarise(traced)], ['paid task, tracing off', summarise(paidTimings)])
  console.log(`\n${count} round trips each, ms:`)
  for (const [name, { median, p99 }] of rows) {
    console.log(`  ${name.padEnd(30)} median ${median.toFixed(2).padStart(7)}   p99 ${p99.toFixed(2).padStart(7)}`)
  }
  type Summary = { median: number, p99: number }
  const [perStream, oneStream, task, off, on, paid] = rows.map(([, s]) => s) as [Summary, Summary, Summary, Summary, Summary, Summary]
  console.log(`\nratio task / raw echo (new stream each): median ${(task.median / perStream.median).toFixed(2)}×, p99 ${(task.p99 / perStream.p99).toFixed(2)}× (first block); tracing-off blocks ${(off.median / perStream.median).toFixed(2)}× (goal: ≤ 3×)`)
  console.log(`ratio task / raw echo (one stream):      median ${(task.median / oneStream.median).toFixed(2)}×, p99 ${(task.p99 / oneStream.p99).toFixed(2)}×`)
  console.log(`ratio tracing on / off (cost of tracing):  median ${(on.median / off.median).toFixed(3)}×, p99 ${(on.p99 / off.p99).toFixed(3)}× (goal: under 1.05×); block by block ${pairs(tracingPairs, 3)}`)
  console.log(`ratio paid / free task (cost of paying):   median ${(paid.median / off.median).toFixed(2)}×, p99 ${(paid.p99 / off.p99).toFixed(2)}× (alternating blocks, tracing off; goal: ≤ 1.3×); against the first block ${(paid.median / task.median).toFixed(2)}×; block by block ${pairs(paidPairs, 2)}`)
  // A module from outside the samples, its bytes given on every submit (hashed each time; the
  // executor has it after the first): the smallest WASI command, `_start` returning at once (50 bytes).
  const tiny = await submitter.page.evaluate(async (n) => {
    const module = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () → ()
      0x03, 0x02, 0x01, 0x00, // function 0 of type 0
      0x05, 0x03, 0x01, 0x00, 0x01, // memory: 1 page
      0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, // export memory, _start
      0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b // code: an empty body
    ])
    const timings: number[] = []
    for (let i = 0; i < n; i++) {
      const started = performance.now()
      await window.zerostate.submit({ module: module.slice(), timeoutMs: 10_000, witnesses: false })
      timings.push(performance.now() - started)
    }
    return timings
  }, 100)
  const tinySummary = summarise(tiny)
  console.log(`\n100 sequential tasks of a 50-byte module given as bytes: median ${tinySummary.median.toFixed(2)} ms, p99 ${tinySummary.p99.toFixed(2)} ms (goal: median ≤ 15 ms)`)

  // Where the time goes: the spans of traced tasks, median per name, on the
  // submitter's timeline (docs/tracing.md); the root `task` span lasts until
  // the receipt is kept and paid for, behind the result the caller gets.
  await setTracing(true)
  for (const [label, priced] of [['free task', false], ['paid task', true]] as const) {
    if (priced) await setPrices(PAID)
    const breakdown = await submitter.page.evaluate(async (n) => {
      const module = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
      const byName = new Map<string, number[]>()
      const add = (name: string, ms: number): void => { byName.set(name, [...(byName.get(name) ?? []), ms]) }
      const done: Array<{ taskId: string, executor: string, total: number }> = []
      for (let i = 0; i < n; i++) {
        const started = performance.now()
        const result = await window.zerostate.submit({ module, stdin: 'ping', timeoutMs: 10_000, witnesses: false })
        done.push({ taskId: result.receipt.taskId, executor: result.executor, total: performance.now() - started })
      }
      // The receipts are kept and paid for behind the results: their spans end once that is done.
      await window.zerostate.ledger()
      await new Promise(resolve => setTimeout(resolve, 50))
      for (const { taskId, executor, total } of done) {
        const trace = window.zerostate.trace(taskId)
        if (trace === undefined) continue
        add('(whole submit, to its result)', total)
        for (const span of trace.spans) add(`${span.peer === executor ? 'executor' : 'submitter'} ${span.name}`, span.endMs - span.startMs)
      }
      const traceIds = done.flatMap(({ taskId }) => window.zerostate.trace(taskId)?.traceId ?? [])
      return { rows: [...byName].map(([name, values]) => [name, values.sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN] as const), traceIds }
    }, Math.min(count, 100))
    console.log(`\nwhere the time of a ${label} goes (median ms per span, tracing on):`)
    for (const [name, median] of breakdown.rows) console.log(`  ${name.padEnd(36)} ${median.toFixed(2).padStart(7)}`)
    if (!priced) continue
    // The executor keeps its own `co-sign payment` spans (docs/tracing.md §2): one per receipt, a batch's
    // receipts sharing one co-signing (their `zerostate.batch_size`).
    const cosign = await executor.page.evaluate((traceIds) => traceIds.flatMap(id => window.zerostate.spans(id).filter(s => s.name === 'co-sign payment')
      .map(s => ({ ms: s.endMs - s.startMs, batch: Number(s.attributes['zerostate.batch_size'] ?? 1) }))), breakdown.traceIds)
    const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN
    const states = cosign.reduce((sum, c) => sum + 1 / c.batch, 0)
    console.log(`  ${'executor co-sign payment'.padEnd(36)} ${median(cosign.map(c => c.ms)).toFixed(2).padStart(7)}   (${cosign.length} receipts in ${Math.round(states)} states, median batch ${median(cosign.map(c => c.batch))})`)
  }
  await setPrices(FREE)
  const channels = await submitter.page.evaluate(async () => (await window.zerostate.ledger()).channels.map(c => c.latest.state.sequence))
  console.log(`channel states co-signed: ${channels.join(', ')}`)
} finally {
  await harness.close()
}
