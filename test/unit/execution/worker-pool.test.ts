import { createHash } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TaskTrapError } from '../../../src/execution/errors.ts'
import type { ExecutionProgress, TaskLimits } from '../../../src/execution/types.ts'
import { WorkerPool } from '../../../src/execution/worker-pool.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { NodeWebWorker } from './node-web-worker.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'
import { rejection } from '../../support/rejection.ts'

// The pool is browser code; here each "Worker" is a Node worker thread running
// the real workers/wasi-worker.ts, which exercises the comlink boundary too.

const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 64 * 1024 * 1024 }
const utf8 = new TextEncoder()
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const hashOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

interface Module { hash: string, bytes: Uint8Array }
const moduleOf = (bytes: Uint8Array): Module => ({ hash: hashOf(bytes), bytes })

/** Polls until `condition` holds: compiling takes a variable time, so fixed sleeps would be flaky. */
async function until (condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('WorkerPool', () => {
  let primes: Module
  let forever: Module
  let workers: NodeWebWorker[]
  let pool: WorkerPool

  beforeAll(async () => {
    await ensureSamplesBuilt()
    primes = moduleOf(await sampleBytes('primes'))
    forever = moduleOf(await sampleBytes('forever'))
  }, COMPILE_TIMEOUT_MS)

  const newPool = (slots: number): WorkerPool => {
    workers = []
    pool = new WorkerPool({
      slots,
      createWorker: () => {
        const worker = new NodeWebWorker()
        workers.push(worker)
        return worker as unknown as Worker
      }
    })
    return pool
  }

  afterEach(() => { pool.stop() })

  const runPrimes = (n: string, options = {}): ReturnType<WorkerPool['run']> =>
    pool.run(primes.hash, primes.bytes, { args: [], stdin: utf8.encode(n) }, LIMITS, options)

  it('runs a sample and reports compiling, then running', async () => {
    newPool(1)
    const progress: ExecutionProgress[] = []
    const result = await runPrimes('100', { onProgress: (p: ExecutionProgress) => progress.push(p) })
    expect(text(result.stdout)).toContain('primes: 25')
    expect(result.exitCode).toBe(0)
    expect(progress.map(p => p.phase)).toEqual(['compiling', 'running'])
  })

  it('re-creates typed errors thrown in the worker, with their fields', async () => {
    newPool(1)
    const trap = moduleOf(fixtures.traps())
    const err = await rejection(pool.run(trap.hash, trap.bytes, { args: [], stdin: new Uint8Array(0) }, LIMITS))
    expect(err).toBeInstanceOf(TaskTrapError)
    expect(err.stderr).toBeInstanceOf(Uint8Array)
    expect(err.message).toMatch(/unreachable/)
  })

  it('terminates a task at its timeout, replaces the worker and keeps serving', async () => {
    newPool(1)
    const started = Date.now()
    const err = await rejection(pool.run(forever.hash, forever.bytes, { args: [], stdin: new Uint8Array(0) }, { ...LIMITS, timeoutMs: 300 }))
    expect(err.name).toBe('TaskTimeoutError')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(workers[0]?.terminated).toBe(true)
    expect(text((await runPrimes('1000')).stdout)).toContain('primes: 168')
    expect(workers).toHaveLength(2)
  })

  it('aborts a running task by terminating its worker', async () => {
    newPool(1)
    const controller = new AbortController()
    const running = pool.run(forever.hash, forever.bytes, { args: [], stdin: new Uint8Array(0) }, LIMITS, { signal: controller.signal })
    await until(() => pool.running === 1)
    controller.abort()
    expect((await rejection(running)).name).toBe('AbortError')
    expect(workers[0]?.terminated).toBe(true)
  })

  it('queues tasks beyond the slot count and runs them in turn', async () => {
    newPool(1)
    const results = await Promise.all(['10', '100', '1000'].map(n => runPrimes(n)))
    expect(results.map(r => text(r.stdout).match(/primes: (\d+)/)?.[1])).toEqual(['4', '25', '168'])
    expect(workers).toHaveLength(1)
  })

  it('removes an aborted task from the queue', async () => {
    newPool(1)
    const blocker = pool.run(forever.hash, forever.bytes, { args: [], stdin: new Uint8Array(0) }, { ...LIMITS, timeoutMs: 500 })
    const controller = new AbortController()
    await until(() => pool.running === 1)
    const queued = runPrimes('100', { signal: controller.signal })
    await until(() => pool.queued === 1)
    controller.abort()
    expect((await rejection(queued)).name).toBe('AbortError')
    expect(pool.queued).toBe(0)
    expect((await rejection(blocker)).name).toBe('TaskTimeoutError')
  })

  it('rejects bytes that do not match the hash', async () => {
    newPool(1)
    const err = await rejection(pool.run(forever.hash, primes.bytes, { args: [], stdin: new Uint8Array(0) }, LIMITS))
    expect(err.name).toBe('ModuleHashMismatchError')
  })

  it('rejects invalid modules before taking a slot', async () => {
    newPool(1)
    const bad = moduleOf(fixtures.importsEnvFoo())
    expect((await rejection(pool.run(bad.hash, bad.bytes, { args: [], stdin: new Uint8Array(0) }, LIMITS))).name).toBe('UnsupportedImportError')
    expect(workers).toHaveLength(0)
  })

  it('stop() rejects running and queued tasks', async () => {
    newPool(1)
    const running = pool.run(forever.hash, forever.bytes, { args: [], stdin: new Uint8Array(0) }, LIMITS)
    await until(() => pool.running === 1)
    const queued = runPrimes('100')
    await until(() => pool.queued === 1)
    pool.stop()
    pool.stop()
    expect((await rejection(running)).name).toBe('PoolStoppedError')
    expect((await rejection(queued)).name).toBe('PoolStoppedError')
    expect(workers.every(w => w.terminated)).toBe(true)
  })

  it('setSlots raises concurrency for queued tasks', async () => {
    newPool(0)
    const queued = runPrimes('100')
    await until(() => pool.queued === 1)
    pool.setSlots(2)
    expect(text((await queued).stdout)).toContain('primes: 25')
    expect(() => { pool.setSlots(-1) }).toThrow(RangeError)
  })
})
