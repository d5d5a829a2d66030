import { createHash } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_FUEL, WASM_PAGE_BYTES } from '../../../src/execution/constants.ts'
import type { ExecutionProgress, TaskInput, TaskLimits } from '../../../src/execution/types.ts'
import { WorkerPool } from '../../../src/execution/worker-pool.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import * as wat from '../../fixtures/wat-modules.ts'
import { NodeWebWorker } from './node-web-worker.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'
import { rejection } from '../../support/rejection.ts'

// The pool is browser code; here each "Worker" is a Node worker thread running
// the real src/execution/worker/wasi-worker.ts, which exercises the worker's messages (sandbox-protocol.ts) too.

/** Calls `proc_raise(0)`, the one preview1 function the sandbox does not provide. */
const callsProcRaise = (): Uint8Array => wat.wat(`(module
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $proc_raise (i32.const 0)))))`)

const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 64 * 1024 * 1024, fuel: DEFAULT_FUEL }
const input = (fields: Partial<TaskInput> = {}): TaskInput => ({ args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(32), ...fields })
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

  it('keeps no spare worker when asked', async () => {
    workers = []
    pool = new WorkerPool({ slots: 1, spareWorker: false, createWorker: () => { const w = new NodeWebWorker(); workers.push(w); return w as unknown as Worker } })
    await runPrimes('10')
    expect(workers).toHaveLength(1)
  })

  const runPrimes = (n: string, options = {}): ReturnType<WorkerPool['run']> =>
    pool.run(primes.hash, primes.bytes, input({ stdin: utf8.encode(n) }), LIMITS, options)

  it('runs a sample and reports compiling, then running', async () => {
    newPool(1)
    const progress: ExecutionProgress[] = []
    const result = await runPrimes('100', { onProgress: (p: ExecutionProgress) => progress.push(p) })
    expect(text(result.stdout)).toContain('primes: 25')
    expect(result.exitCode).toBe(0)
    expect(result.status).toBe('ok')
    expect(progress.map(p => p.phase)).toEqual(['compiling', 'running'])
  })

  it('resolves a trap with status trap and the typed error\'s name', async () => {
    newPool(1)
    const trap = moduleOf(fixtures.traps())
    const result = await pool.run(trap.hash, trap.bytes, input(), LIMITS)
    expect(result).toMatchObject({ status: 'trap', error: { name: 'TaskTrapError' } })
    expect(result.error?.message).toMatch(/unreachable/)
    expect(result.fuelUsed).toBeGreaterThan(0)
  })

  it('passes errors thrown in the worker back with their name', async () => {
    newPool(1)
    const empty = moduleOf(fixtures.emptyCommand())
    expect((await rejection(pool.run(empty.hash, empty.bytes, input({ seed: new Uint8Array(3) }), LIMITS))).name).toBe('RangeError')
    expect((await pool.run(empty.hash, empty.bytes, input(), LIMITS)).status).toBe('ok')
  })

  it('resolves with status timeout at the time limit, replaces the worker and keeps serving', async () => {
    newPool(1)
    const started = Date.now()
    const result = await pool.run(forever.hash, forever.bytes, input(), { ...LIMITS, timeoutMs: 300 })
    expect(result).toMatchObject({ status: 'timeout', fuelUsed: null, files: [], error: { name: 'TaskTimeoutError' } })
    expect(result.stdout).toHaveLength(0)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(workers[0]?.terminated).toBe(true)
    expect(text((await runPrimes('1000')).stdout)).toContain('primes: 168')
    // The first task's worker, the spare that replaced it, and a new spare.
    expect(workers).toHaveLength(3)
    expect(workers.filter(w => !w.terminated)).toHaveLength(2)
  })

  it('aborts a running task by terminating its worker', async () => {
    newPool(1)
    const controller = new AbortController()
    const running = pool.run(forever.hash, forever.bytes, input(), LIMITS, { signal: controller.signal })
    await until(() => pool.running === 1)
    controller.abort()
    expect((await rejection(running)).name).toBe('AbortError')
    expect(workers[0]?.terminated).toBe(true)
  })

  it('queues tasks beyond the slot count and runs them in turn', async () => {
    newPool(1)
    const results = await Promise.all(['10', '100', '1000'].map(n => runPrimes(n)))
    expect(results.map(r => text(r.stdout).match(/primes: (\d+)/)?.[1])).toEqual(['4', '25', '168'])
    expect(workers).toHaveLength(2) // one slot and its spare
  })

  it('removes an aborted task from the queue', async () => {
    newPool(1)
    const blocker = pool.run(forever.hash, forever.bytes, input(), { ...LIMITS, timeoutMs: 500 })
    const controller = new AbortController()
    await until(() => pool.running === 1)
    const queued = runPrimes('100', { signal: controller.signal })
    await until(() => pool.queued === 1)
    controller.abort()
    expect((await rejection(queued)).name).toBe('AbortError')
    expect(pool.queued).toBe(0)
    expect((await blocker).status).toBe('timeout')
  })

  it('rejects bytes that do not match the hash', async () => {
    newPool(1)
    const err = await rejection(pool.run(forever.hash, primes.bytes, input(), LIMITS))
    expect(err.name).toBe('ModuleHashMismatchError')
  })

  it('rejects invalid modules before taking a slot', async () => {
    newPool(1)
    const bad = moduleOf(fixtures.importsEnvFoo())
    expect((await rejection(pool.run(bad.hash, bad.bytes, input(), LIMITS))).name).toBe('UnsupportedImportError')
    expect(workers).toHaveLength(0)
  })

  it('stop() rejects running and queued tasks', async () => {
    newPool(1)
    const running = pool.run(forever.hash, forever.bytes, input(), LIMITS)
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

  describe('hostile modules: each ends cleanly and the pool serves the next task', () => {
    const SMALL: TaskLimits = { timeoutMs: 5_000, memoryLimitBytes: 16 * 1024 * 1024, fuel: 50_000_000 }
    const cases: Array<[string, () => Uint8Array, Partial<TaskLimits>, { status?: string, rejects?: string, error?: string }]> = [
      ['bytes that are not WASM', fixtures.notWasm, {}, { rejects: 'InvalidModuleError' }],
      ['a 0-byte module', () => new Uint8Array(0), {}, { rejects: 'InvalidModuleError' }],
      ['a module that is not a WASI command', fixtures.noStart, {}, { rejects: 'NotWasiCommandError' }],
      ['imports the sandbox does not provide', fixtures.importsEnvFoo, {}, { rejects: 'UnsupportedImportError' }],
      ['declared memory over the cap', () => fixtures.declaresMemory(300), {}, { rejects: 'MemoryLimitError' }],
      ['a huge data segment (over the module size limit)', () => fixtures.withDataSegment(17 * 1024 * 1024), {}, { rejects: 'ModuleTooLargeError' }],
      ['a data segment bigger than its memory', () => fixtures.withDataSegment(4 * WASM_PAGE_BYTES), {}, { status: 'trap', error: 'TaskTrapError' }],
      ['an infinite loop (timeout)', wat.spins, { timeoutMs: 200, fuel: Number.MAX_SAFE_INTEGER }, { status: 'timeout', error: 'TaskTimeoutError' }],
      ['an infinite loop (out of fuel)', wat.spins, {}, { status: 'out-of-fuel', error: 'OutOfFuelError' }],
      ['unbounded recursion', wat.recursesForever, {}, { status: 'trap', error: 'TaskTrapError' }],
      ['memory.grow in a loop', wat.growsUntilRefused, {}, { status: 'memory-limit', error: 'MemoryLimitError' }],
      ['100 MB written to stdout', () => wat.floodsStdout(100 * 1024 * 1024), { fuel: DEFAULT_FUEL }, { status: 'trap', error: 'OutputTooLargeError' }],
      ['proc_exit(3)', () => fixtures.exitsWith(3), {}, { status: 'exit' }],
      ['a write outside the preopened directory', () => wat.createsFile('../outside.txt'), {}, { status: 'ok' }],
      ['a call to an unsupported WASI function', callsProcRaise, {}, { status: 'trap', error: 'UnsupportedWasiCallError' }]
    ]
    for (const [name, bytesOf, limits, expected] of cases) {
      it(name, async () => {
        newPool(1)
        const task = moduleOf(bytesOf())
        const run = pool.run(task.hash, task.bytes, input(), { ...SMALL, ...limits })
        if (expected.rejects !== undefined) {
          expect((await rejection(run)).name).toBe(expected.rejects)
        } else {
          const result = await run
          expect(result.status).toBe(expected.status)
          expect(result.error?.name).toBe(expected.error)
        }
        expect(text((await runPrimes('100')).stdout)).toContain('primes: 25')
      })
    }
  })
})
