/**
 * What the pool reuses between tasks and what it never does: a worker keeps
 * the compiled module it ran last (the pool sends it again only when the
 * module changes), but every task gets a fresh instance with fresh memory;
 * and a metered run that traps inside the module is replayed with the meter
 * that is exact at traps, so its fuel is what every peer reports.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_FUEL } from '../../../src/execution/constants.ts'
import type { TaskInput, TaskLimits } from '../../../src/execution/types.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import { prepareInstance, runWasiCommand } from '../../../src/execution/wasi-runner.ts'
import { WorkerPool } from '../../../src/execution/worker-pool.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { wat } from '../../fixtures/wat-modules.ts'
import { compileMetered, moduleBytes, runFigure } from './fuel-figures.ts'
import { NodeWebWorker } from './node-web-worker.ts'

const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 64 * 1024 * 1024, fuel: DEFAULT_FUEL }
const input = (): TaskInput => ({ args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(32) })
const hashOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/**
 * Prints the byte at address 64 (the data segment's "A" in a fresh memory),
 * then overwrites it with "Z": a run that saw a previous run's memory would
 * print "Z".
 */
const printsThenScribbles = (): Uint8Array => wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "A")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store8 (i32.const 64) (i32.const 90))))`)

/** A Node worker thread that counts the compiled modules posted to it. */
function countingWorkers (): { create: () => Worker, modulesPosted: () => number } {
  let posted = 0
  const containsModule = (value: unknown, depth = 0): boolean => {
    if (value instanceof WebAssembly.Module) return true
    if (depth > 4 || value === null || typeof value !== 'object') return false
    return Object.values(value).some(field => containsModule(field, depth + 1))
  }
  return {
    create: () => {
      const worker = new NodeWebWorker()
      const post = worker.postMessage.bind(worker)
      worker.postMessage = (message: unknown, transfer?: Transferable[]) => {
        if (containsModule(message)) posted++
        post(message, transfer)
      }
      return worker as unknown as Worker
    },
    modulesPosted: () => posted
  }
}

describe('WorkerPool: reuse between tasks', () => {
  let pool: WorkerPool | undefined
  afterEach(() => { pool?.stop() })

  it('sends a worker the compiled module once for a run of tasks of that module, and again when the module changes', async () => {
    const workers = countingWorkers()
    pool = new WorkerPool({ slots: 1, spareWorker: false, createWorker: workers.create })
    const a = printsThenScribbles()
    const b = fixtures.emptyCommand()
    for (let i = 0; i < 5; i++) expect((await pool.run(hashOf(a), a, input(), LIMITS)).status).toBe('ok')
    expect(workers.modulesPosted()).toBe(1)
    expect((await pool.run(hashOf(b), b, input(), LIMITS)).status).toBe('ok')
    expect((await pool.run(hashOf(a), a, input(), LIMITS)).status).toBe('ok')
    expect(workers.modulesPosted()).toBe(3)
  })

  it('gives every task a fresh instance: its memory starts as the module declares it', async () => {
    pool = new WorkerPool({ slots: 1, createWorker: () => new NodeWebWorker() as unknown as Worker })
    const bytes = printsThenScribbles()
    const outputs: string[] = []
    for (let i = 0; i < 4; i++) outputs.push(text((await pool.run(hashOf(bytes), bytes, input(), LIMITS)).stdout))
    expect(outputs).toEqual(['A', 'A', 'A', 'A'])
  })

  it('a worker replaced after a timeout is sent the module again', async () => {
    const workers = countingWorkers()
    pool = new WorkerPool({ slots: 1, createWorker: workers.create })
    const spin = wat('(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))')
    const echo = printsThenScribbles()
    expect((await pool.run(hashOf(echo), echo, input(), LIMITS)).status).toBe('ok')
    expect((await pool.run(hashOf(spin), spin, input(), { ...LIMITS, timeoutMs: 300, fuel: Number.MAX_SAFE_INTEGER })).status).toBe('timeout')
    const again = await pool.run(hashOf(echo), echo, input(), LIMITS)
    expect(again.status).toBe('ok')
    expect(text(again.stdout)).toBe('A')
    expect(workers.modulesPosted()).toBe(3)
  })
})

describe('WorkerPool: a metered run that traps inside the module is replayed', () => {
  let pool: WorkerPool | undefined
  afterEach(() => { pool?.stop() })

  it('reports the fuel of the meter that is exact at traps, with the first run\'s duration', async () => {
    const workers = countingWorkers()
    pool = new WorkerPool({ slots: 1, spareWorker: false, createWorker: workers.create })
    const bytes = await moduleBytes('divides-by-zero')
    const hash = hashOf(bytes)
    const exact = await runFigure(await compileMetered(bytes, true), hash, { args: [], stdin: '', fuel: DEFAULT_FUEL })
    const fast = await runFigure(await compileMetered(bytes, false), hash, { args: [], stdin: '', fuel: DEFAULT_FUEL })
    expect(exact.status).toBe('trap')
    // Without the replay the figure would differ: the fast meter's global lags behind at this trap.
    expect(fast.fuelUsed).toBeLessThan(exact.fuelUsed as number)
    const result = await pool.run(hash, bytes, input(), LIMITS)
    expect(result).toMatchObject({ status: 'trap', fuelUsed: exact.fuelUsed, error: { name: 'TaskTrapError' } })
    expect(text(result.stdout)).toBe('sum\n')
    // The fast module, then the exact one: two modules sent, to the one worker.
    expect(workers.modulesPosted()).toBe(2)
  })

  it('does not replay a run that ended by itself, ran out of fuel, or trapped in a WASI call', async () => {
    const workers = countingWorkers()
    pool = new WorkerPool({ slots: 1, spareWorker: false, createWorker: workers.create })
    const spin = wat('(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))')
    expect((await pool.run(hashOf(spin), spin, input(), { ...LIMITS, fuel: 100_000 })).status).toBe('out-of-fuel')
    const exits = fixtures.exitsWith(3)
    expect((await pool.run(hashOf(exits), exits, input(), LIMITS)).status).toBe('exit')
    expect(workers.modulesPosted()).toBe(2)
  })
})

describe('prepareInstance: a fresh instance made before its task', () => {
  it('runs the task as a fresh instantiation would: same output, fuel and memory', async () => {
    const module = await compileTaskModule(printsThenScribbles())
    const plain = await runWasiCommand(module, input(), LIMITS)
    for (let i = 0; i < 3; i++) {
      const prepared = prepareInstance(module)
      const run = await runWasiCommand(module, input(), LIMITS, { prepared })
      expect(run).toMatchObject({ status: 'ok', fuelUsed: plain.fuelUsed, memoryPeakBytes: plain.memoryPeakBytes })
      expect(text(run.stdout)).toBe('A')
    }
  })

  it('binds the task\'s WASI functions: what the module reads and writes is this task\'s', async () => {
    const module = await compileTaskModule(await moduleBytes('echo'))
    const prepared = prepareInstance(module)
    const run = await runWasiCommand(module, { ...input(), stdin: new TextEncoder().encode('mine') }, LIMITS, { prepared })
    expect(text(run.stdout)).toBe('mine')
  })

  it('is ignored for another module, and refused for a metered module with a start function', async () => {
    const other = prepareInstance(await compileTaskModule(fixtures.emptyCommand()))
    const module = await compileTaskModule(printsThenScribbles())
    expect(text((await runWasiCommand(module, input(), LIMITS, { prepared: other })).stdout)).toBe('A')
    const withStart = wat('(module (memory (export "memory") 1) (func $s) (start $s) (func (export "_start")))')
    const compiled = await compileTaskModule(withStart)
    expect(() => prepareInstance(compiled)).toThrow(WebAssembly.RuntimeError)
  })
})
