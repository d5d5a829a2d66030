import { createHash } from 'node:crypto'
import { Worker as NodeWorker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_FUEL, RUN_FAILURE_MESSAGE, RUN_RESULT_MESSAGE } from '../../../src/execution/constants.ts'
import { SandboxOutOfMemoryError } from '../../../src/execution/errors.ts'
import { deserializeError, serializeError } from '../../../src/execution/sandbox-protocol.ts'
import type { SandboxWorkerMessage } from '../../../src/execution/sandbox-protocol.ts'
import type { ExecutionResult, TaskInput, TaskLimits } from '../../../src/execution/types.ts'
import { engineOutOfMemory } from '../../../src/execution/wasi-runner.ts'
import { WorkerPool } from '../../../src/execution/worker-pool.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { rejection } from '../../support/rejection.ts'

const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 64 * 1024 * 1024, fuel: DEFAULT_FUEL }
const input = (): TaskInput => ({ args: [], env: [], stdin: new Uint8Array(0), files: [], seed: new Uint8Array(32) })
const command = fixtures.emptyCommand()
const hash = createHash('sha256').update(command).digest('hex')

describe('engineOutOfMemory (the runner\'s test for a host failure at instantiation)', () => {
  it('recognises V8\'s and SpiderMonkey\'s out-of-memory RangeErrors', () => {
    for (const message of [
      'WebAssembly.instantiate(): Out of memory: Cannot allocate Wasm memory for new instance',
      'WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance',
      'out of memory'
    ]) {
      const error = engineOutOfMemory(new RangeError(message))
      expect(error).toBeInstanceOf(SandboxOutOfMemoryError)
      expect(error?.name).toBe('SandboxOutOfMemoryError')
      expect(error?.message).toContain(message)
    }
  })

  it('leaves the task\'s own failures to be classified as before', () => {
    expect(engineOutOfMemory(new RangeError('Maximum call stack size exceeded'))).toBeUndefined()
    expect(engineOutOfMemory(new WebAssembly.RuntimeError('unreachable'))).toBeUndefined()
    expect(engineOutOfMemory(new Error('out of memory'))).toBeUndefined()
    expect(engineOutOfMemory(undefined)).toBeUndefined()
  })

  it('crosses the sandbox worker\'s port as its class', () => {
    const revived = deserializeError(structuredClone(serializeError(new SandboxOutOfMemoryError('no memory'))))
    expect(revived).toBeInstanceOf(SandboxOutOfMemoryError)
    expect(revived).toMatchObject({ name: 'SandboxOutOfMemoryError', message: 'no memory' })
  })
})

describe('runWasiCommand in a process out of wasm memory', () => {
  // Really exhausts the engine: a V8 process holds only so many wasm memories
  // at once, all its threads together (Node 24 about 13,000, Chromium's
  // renderer about 124). The helper thread takes them all in under a second
  // (one-page memories reserve address space and guard regions, not RAM);
  // vitest runs this file in a process of its own.
  let thread: NodeWorker | undefined
  afterEach(async () => { await thread?.terminate() })

  it('rejects with SandboxOutOfMemoryError, not a trap result, and the same run is ok once memory is free', async () => {
    thread = new NodeWorker(new URL('./engine-oom-worker.ts', import.meta.url))
    const answer = await new Promise<{ count: number, outcomes: Array<Record<string, unknown>> }>((resolve, reject) => {
      thread?.once('message', resolve)
      thread?.once('error', reject)
      thread?.postMessage({ bytes: command, memoryLimitBytes: LIMITS.memoryLimitBytes })
    })
    expect(answer.count).toBeGreaterThan(0)
    const [exhausted, freed] = answer.outcomes
    expect(exhausted).toMatchObject({ rejected: SandboxOutOfMemoryError.name })
    expect(exhausted?.message).toMatch(/out of memory/i)
    expect(freed).toEqual({ resolved: 'ok' })
  }, 20_000)
})

/** How a scripted worker answers a task: the engine refused its memory, it ran, or the runner refused its input. */
type Answer = 'out-of-memory' | 'ok' | 'bad-input'

const ran: ExecutionResult = {
  status: 'ok', stdout: new Uint8Array(0), stderr: new Uint8Array(0), exitCode: 0, startedAt: 0, durationMs: 1, fuelUsed: 1, memoryPeakBytes: 65536, files: []
}

function messageFor (answer: Answer): SandboxWorkerMessage {
  if (answer === 'ok') return { type: RUN_RESULT_MESSAGE, result: ran }
  const error = answer === 'out-of-memory' ? new SandboxOutOfMemoryError('The engine could not allocate the task\'s memory') : new RangeError('seed must be 32 bytes')
  return { type: RUN_FAILURE_MESSAGE, error: serializeError(error) }
}

/**
 * A sandbox worker that answers each task with the next answer of a script
 * the whole "process" shares, as the engine's state is the process's: the
 * pool's own logic, without waiting for a real shortage to land on the
 * worker a test wants. A dead one (its script failed to load) answers nothing.
 */
class ScriptedWorker extends EventTarget {
  terminated = false
  dead = false

  constructor (private readonly script: Answer[]) {
    super()
  }

  postMessage (): void {
    const answer = this.script.shift()
    if (answer === undefined || this.dead) return
    setTimeout(() => { if (!this.terminated) this.dispatchEvent(Object.assign(new Event('message'), { data: messageFor(answer) })) }, 1)
  }

  terminate (): void {
    this.terminated = true
  }

  die (): void {
    this.dead = true
    this.dispatchEvent(Object.assign(new Event('error'), { message: 'worker script failed to load' }))
  }
}

describe('WorkerPool when the engine refuses a task\'s memory', () => {
  let pool: WorkerPool
  let workers: ScriptedWorker[]
  let script: Answer[]

  const newPool = (slots: number, spareWorker: boolean): WorkerPool => {
    workers = []
    script = []
    pool = new WorkerPool({
      slots,
      spareWorker,
      createWorker: () => {
        const worker = new ScriptedWorker(script)
        workers.push(worker)
        return worker as unknown as Worker
      }
    })
    return pool
  }
  const run = async (limits = LIMITS): Promise<ExecutionResult> => pool.run(hash, command, input(), limits)

  afterEach(() => { pool.stop() })

  it('terminates the refused worker and the idle ones, and runs the task once more on a fresh worker', async () => {
    newPool(2, false)
    script.push('ok', 'ok')
    await Promise.all([run(), run()])
    expect(workers).toHaveLength(2)

    script.push('out-of-memory', 'ok')
    expect((await run()).status).toBe('ok')
    // Both old workers are gone — the refused one and the idle one, whose isolate may hold the memories — and two fresh ones wait.
    expect(workers.map(worker => worker.terminated)).toEqual([true, true, false, false])
  })

  it('rejects with SandboxOutOfMemoryError when the fresh worker is refused too, and serves the next task', async () => {
    newPool(1, false)
    script.push('out-of-memory', 'out-of-memory')
    const err = await rejection(run())
    expect(err.name).toBe(SandboxOutOfMemoryError.name)
    expect(workers.map(worker => worker.terminated)).toEqual([true, true, false])

    script.push('ok')
    expect((await run()).status).toBe('ok')
    expect(workers).toHaveLength(3)
  })

  it('keeps the worker when the runner refuses the task for any other reason', async () => {
    newPool(1, false)
    script.push('bad-input')
    expect((await rejection(run())).name).toBe('RangeError')
    expect(workers.map(worker => worker.terminated)).toEqual([false])
  })

  it('hands no task to a worker that failed while idle', async () => {
    newPool(1, false)
    script.push('ok')
    await run()
    workers[0]?.die()
    script.push('ok')
    // The dead worker would never answer: the task would end at its time limit.
    expect((await run({ ...LIMITS, timeoutMs: 2000 })).status).toBe('ok')
    expect(workers.map(worker => worker.terminated)).toEqual([true, false])
  })

  it('hands no task to a spare worker that failed before it was needed', async () => {
    // As in a Node host short of wasm memory, whose type stripper is wasm: a worker started then cannot load.
    newPool(1, true)
    script.push('ok')
    await run()
    expect(workers).toHaveLength(2)
    workers[1]?.die()
    script.push('out-of-memory', 'ok')
    expect((await run({ ...LIMITS, timeoutMs: 2000 })).status).toBe('ok')
    expect(workers[0]?.terminated).toBe(true)
    expect(workers[1]?.terminated).toBe(true)
  })
})
