import { createHash } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_FUEL, WASM_PAGE_BYTES } from '../../../src/execution/constants.ts'
import { MEMORY_GROWTH_IMPORT_MODULE, MEMORY_GROWTH_IMPORT_NAME, meterFuel } from '../../../src/execution/metering/index.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import type { TaskInput, TaskLimits } from '../../../src/execution/types.ts'
import { runWasiCommand } from '../../../src/execution/wasi-runner.ts'
import { capMemory } from '../../../src/execution/wasm-binary/index.ts'
import { WorkerPool } from '../../../src/execution/worker-pool.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import * as watModules from '../../fixtures/wat-modules.ts'
import { rejection } from '../../support/rejection.ts'
import { NodeWebWorker } from './node-web-worker.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'

const { wat } = watModules

// A run killed at its time limit reports the linear memory it had reached, not 0:
// the receipt prices memory per MiB of peak, so 0 would under-report it. The
// runner reports the size as it grows (the meter's growth hook), the worker
// stores it in shared memory or posts it, and the pool keeps the last one for
// the timeout result.

const MIB = 1024 * 1024
const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 64 * MIB, fuel: Number.MAX_SAFE_INTEGER }
/** Long enough for a warm worker to instantiate and grow; short enough to keep the test quick. */
const TIMEOUT_MS = 700
const input = (): TaskInput => ({ args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(32) })
const hashOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Grows memory one page at a time, `pages` times, from a function reached through a table, then loops forever. */
const growsStepwiseThenSpins = (pages: number): Uint8Array => wat(`(module
  (type $grow (func (param i32)))
  (memory (export "memory") 1)
  (table 1 funcref)
  (elem (i32.const 0) $step)
  (func $step (param $n i32)
    (loop $more
      (drop (memory.grow (i32.const 1)))
      (br_if $more (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "_start")
    (call_indirect (type $grow) (i32.const ${pages}) (i32.const 0))
    (loop $forever (br $forever))))`)

/** Declares `pages` of initial memory and loops forever. */
const declaresThenSpins = (pages: number): Uint8Array => wat(`(module
  (memory (export "memory") ${pages})
  (func (export "_start") (loop $forever (br $forever))))`)

// Node has SharedArrayBuffer, so by default the worker stores the size in a
// shared cell; a browser page that is not cross-origin isolated has none, and
// its worker posts a message per growth instead. Both paths are run here.
describe.each([
  ['a shared memory cell', true],
  ['messages', false]
])('WorkerPool: memory peak of a run that times out, reported through %s', (_, sharedMemorySize) => {
  let pool: WorkerPool

  const newPool = (metered: boolean): WorkerPool => {
    pool = new WorkerPool({ slots: 1, metered, sharedMemorySize, createWorker: () => new NodeWebWorker() as unknown as Worker })
    return pool
  }

  /** Runs an empty command first, so the timed run's worker has loaded and its limit measures the module alone. */
  const runTimedOut = async (bytes: Uint8Array): ReturnType<WorkerPool['run']> => {
    const warm = fixtures.emptyCommand()
    expect((await pool.run(hashOf(warm), warm, input(), { ...LIMITS, fuel: DEFAULT_FUEL })).status).toBe('ok')
    return pool.run(hashOf(bytes), bytes, input(), { ...LIMITS, timeoutMs: TIMEOUT_MS })
  }

  afterEach(() => { pool.stop() })

  it('reports the memory a metered module grew to (32 MiB in one memory.grow) before it was killed', async () => {
    newPool(true)
    const result = await runTimedOut(watModules.growsThenSpins(32 * MIB / WASM_PAGE_BYTES - 1))
    expect(result).toMatchObject({ status: 'timeout', fuelUsed: null, error: { name: 'TaskTimeoutError' } })
    expect(result.memoryPeakBytes).toBe(32 * MIB)
  })

  it('reports every page of a metered module that grew one page at a time in a function called through a table', async () => {
    newPool(true)
    const result = await runTimedOut(growsStepwiseThenSpins(511))
    expect(result.status).toBe('timeout')
    expect(result.memoryPeakBytes).toBe(32 * MIB)
  })

  it('reports the declared initial memory of a module that never grows, metered or not', async () => {
    for (const metered of [true, false]) {
      newPool(metered)
      const result = await runTimedOut(declaresThenSpins(256))
      expect(result.status).toBe('timeout')
      expect(result.memoryPeakBytes).toBe(16 * MIB)
      pool.stop()
    }
  })

  it('reports at least the initial memory of an unmetered module, whose memory.grow is not instrumented', async () => {
    newPool(false)
    const result = await runTimedOut(watModules.growsThenSpins(511))
    expect(result.status).toBe('timeout')
    expect(result.memoryPeakBytes).toBeGreaterThanOrEqual(WASM_PAGE_BYTES)
    expect(result.memoryPeakBytes).toBeLessThanOrEqual(32 * MIB)
  })
})

describe('runWasiCommand: memory size reports', () => {
  const compile = async (bytes: Uint8Array, metered = true, memoryLimitBytes = LIMITS.memoryLimitBytes): Promise<WebAssembly.Module> =>
    compileTaskModule(bytes, { memoryLimitBytes, metered })

  it('reports the size once instantiated and after each growth, never the same size twice', async () => {
    const sizes: number[] = []
    const limit = 4 * WASM_PAGE_BYTES
    const result = await runWasiCommand(await compile(watModules.growsUntilRefused(), true, limit), input(), { ...LIMITS, memoryLimitBytes: limit }, {
      onMemorySize: bytes => { sizes.push(bytes) }
    })
    expect(result.status).toBe('memory-limit')
    expect(sizes).toEqual([1, 2, 3, 4].map(pages => pages * WASM_PAGE_BYTES))
    expect(result.memoryPeakBytes).toBe(4 * WASM_PAGE_BYTES)
  })

  it('an unmetered module reports at instantiation and at WASI calls only', async () => {
    const sizes: number[] = []
    const bytes = wat(`(module
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (memory.grow (i32.const 2)))
        (drop (memory.grow (i32.const 3)))
        (drop (call $yield))
        (drop (memory.grow (i32.const 4)))))`)
    const result = await runWasiCommand(await compile(bytes, false), input(), LIMITS, { onMemorySize: size => { sizes.push(size) } })
    expect(result).toMatchObject({ status: 'ok', memoryPeakBytes: 10 * WASM_PAGE_BYTES })
    expect(sizes).toEqual([1, 6].map(pages => pages * WASM_PAGE_BYTES))
  })

  it('a report that throws changes nothing', async () => {
    const module = await compile(fixtures.growsMemory(3))
    const quiet = await runWasiCommand(module, input(), LIMITS)
    const throwing = await runWasiCommand(module, input(), LIMITS, { onMemorySize: () => { throw new Error('lost') } })
    expect(throwing).toMatchObject({ status: quiet.status, fuelUsed: quiet.fuelUsed, memoryPeakBytes: quiet.memoryPeakBytes })
  })

  it('a task module may not import the growth hook itself', async () => {
    const bytes = wat(`(module
      (import "${MEMORY_GROWTH_IMPORT_MODULE}" "${MEMORY_GROWTH_IMPORT_NAME}" (func $grew))
      (memory (export "memory") 1)
      (func (export "_start") (call $grew)))`)
    expect((await rejection(compileTaskModule(bytes))).name).toBe('UnsupportedImportError')
  })

  describe('fuel is what the meter without the hook counts', () => {
    beforeAll(ensureSamplesBuilt, COMPILE_TIMEOUT_MS)

    /** The module as compileTaskModule made it before the growth hook: capped and metered, nothing more. */
    const withoutHook = async (bytes: Uint8Array): Promise<WebAssembly.Module> =>
      WebAssembly.compile(meterFuel(capMemory(bytes, LIMITS.memoryLimitBytes / WASM_PAGE_BYTES) ?? bytes))

    const cases: Array<[string, () => Promise<Uint8Array>, string]> = [
      ['primes of 1,000,000 (malloc grows memory)', async () => sampleBytes('primes'), '1000000'],
      ['sha256', async () => sampleBytes('sha256'), 'hello world'],
      ['memory.grow until refused', async () => watModules.growsUntilRefused(), ''],
      ['memory.grow by 8 pages', async () => fixtures.growsMemory(8), '']
    ]
    it.each(cases)('%s', async (_, bytesOf, stdin) => {
      const bytes = await bytesOf()
      const task = { ...input(), stdin: new TextEncoder().encode(stdin) }
      const hooked = await runWasiCommand(await compile(bytes), task, { ...LIMITS, fuel: DEFAULT_FUEL })
      const plain = await runWasiCommand(await withoutHook(bytes), task, { ...LIMITS, fuel: DEFAULT_FUEL })
      expect(hooked.fuelUsed).not.toBeNull()
      expect(hooked).toMatchObject({ status: plain.status, fuelUsed: plain.fuelUsed, memoryPeakBytes: plain.memoryPeakBytes, exitCode: plain.exitCode })
      expect(hooked.stdout).toEqual(plain.stdout)
    })
  })
})
