/**
 * How precisely the Node host enforces `timeoutMs` on a task that never
 * yields (samples/forever), and how soon the pool serves the next task.
 *
 *   node test/bench/timeout-precision.ts
 *
 * "late" is resolution time minus (start of the run + timeoutMs); "next" is
 * how long a trivial task takes right after, on the replacement worker.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_OUT_DIR } from '../../src/build/compile-samples.ts'
import { MAX_FUEL } from '../../src/execution/constants.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { TaskInput } from '../../src/execution/types.ts'

const hashOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const forever = new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, 'forever.wasm')))
const echo = new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, 'echo.wasm')))
const input: TaskInput = { args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(32) }
const limits = { memoryLimitBytes: 16 << 20, fuel: MAX_FUEL }
const pool = createNodeWorkerPool({ slots: 1 })
await pool.run(hashOf(echo), echo, input, { ...limits, timeoutMs: 5000 }) // warm up: worker start, compile cache

for (const timeoutMs of [100, 1000, 5000]) {
  const late: number[] = []
  const next: number[] = []
  for (let i = 0; i < 3; i++) {
    let runningAt = 0
    const result = await pool.run(hashOf(forever), forever, input, { ...limits, timeoutMs }, {
      onProgress: p => { if (p.phase === 'running') runningAt = performance.now() }
    })
    const resolvedAt = performance.now()
    if (result.status !== 'timeout') throw new Error(`expected timeout, got ${result.status}`)
    late.push(resolvedAt - (runningAt + timeoutMs))
    await pool.run(hashOf(echo), echo, input, { ...limits, timeoutMs: 5000 })
    next.push(performance.now() - resolvedAt)
  }
  const fmt = (xs: number[]): string => xs.map(x => x.toFixed(1)).join(', ')
  console.log(`timeout ${timeoutMs} ms: late by [${fmt(late)}] ms; next task done after [${fmt(next)}] ms`)
}
pool.stop()
