/**
 * Runs WASI commands in sandbox Web Workers, a fixed number at a time.
 * Creates browser module workers the way Vite bundles them by default; the
 * Node host (node-host.node.ts) passes worker threads instead.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ slots: 2 })
 * const result = await pool.run(sha256Hex, bytes, { args: [], env: [], stdin, files: [], seed },
 *   { timeoutMs: 5000, memoryLimitBytes: 64 << 20, fuel: DEFAULT_FUEL })
 * if (result.status !== 'ok') console.log(result.error?.name)
 * pool.stop()
 * ```
 */
import { DEFAULT_POOL_SLOTS, MEMORY_SIZE_MESSAGE, MODULE_CACHE_SIZE, RUN_FAILURE_MESSAGE, RUN_REQUEST_MESSAGE, RUN_RESULT_MESSAGE } from './constants.ts'
import { AbortError, PoolStoppedError, SandboxOutOfMemoryError, TaskTimeoutError, throwIfAborted, WorkerCrashedError } from './errors.ts'
import { timedOut, trappedInWasm } from './pool-results.ts'
import { ModuleCache } from './module-cache.ts'
import type { CompiledModule } from './module-cache.ts'
import { deserializeError, MemoryCell } from './sandbox-protocol.ts'
import type { RunRequest, SandboxWorkerMessage } from './sandbox-protocol.ts'
import type { ExecutionOptions, ExecutionResult, TaskInput, TaskLimits } from './types.ts'

export interface WorkerPoolInit {
  /** Tasks run at once, one worker each (default `DEFAULT_POOL_SLOTS`). */
  slots?: number
  /** Compiled modules kept in memory (default `MODULE_CACHE_SIZE`). */
  moduleCacheSize?: number
  /** Creates one sandbox worker (default: src/execution/worker/wasi-worker.ts as a module worker). */
  createWorker?(): Worker
  /** Instrument modules with the fuel meter (default true); unmetered runs report `fuelUsed: null`. */
  metered?: boolean
  /**
   * Keep one started worker beyond the slots (default true), so a worker
   * terminated at a timeout is replaced by one that has already loaded, and
   * the next task starts within milliseconds rather than a worker's start-up.
   */
  spareWorker?: boolean
  /**
   * Let workers report a running task's memory size through shared memory
   * (`RunRequest.memoryCell`) rather than a message per growth (default: where
   * `SharedArrayBuffer` exists — Node, a cross-origin isolated page). A message
   * wakes the pool's thread mid-task; a store to shared memory does not. False
   * forces the messages (tests of that path).
   */
  sharedMemorySize?: boolean
}

interface Slot {
  worker: Worker
  /** Key of the module this worker holds (`RunRequest.module`): what it was sent last. */
  moduleKey?: string
  /** Where the worker stores its task's memory size (`RunRequest.memoryCell`); null without shared memory. */
  memoryCell: Int32Array | null
  /** Whether the worker has been sent `memoryCell`. */
  cellSent: boolean
  /** The task running on this worker: where the worker's messages and errors go. */
  task?: RunningTask
}

/** What a slot's listeners hand the running task. */
interface RunningTask {
  message(data: SandboxWorkerMessage): void
  error(event: ErrorEvent): void
}

interface Waiter {
  grant(slot: Slot): void
  fail(err: Error): void
}

function defaultWorker (): Worker {
  // Vite recognises exactly this `new Worker(new URL(…, import.meta.url))` form and bundles the worker.
  return new Worker(new URL('./worker/wasi-worker.ts', import.meta.url), { type: 'module' })
}

export class WorkerPool {
  private readonly createWorker: () => Worker
  private readonly metered: boolean
  private readonly keepSpare: boolean
  private readonly sharedMemorySize: boolean
  private spare: Worker | undefined
  /**
   * Workers that failed while no task was theirs — a worker script that did
   * not load, as in a Node host out of wasm memory, whose TypeScript loader
   * is itself wasm — so that none is handed a task it would never answer.
   */
  private readonly dead = new WeakSet<Worker>()
  /** False while stop() runs, so the workers it terminates are not replaced. */
  private replacing = true
  private readonly modules: ModuleCache
  private readonly idle: Slot[] = []
  private readonly waiters: Waiter[] = []
  /** Cancels each running task (terminating its worker). */
  private readonly active = new Set<(err: Error) => void>()
  private live = 0
  private slotCount: number

  constructor (init: WorkerPoolInit = {}) {
    this.createWorker = init.createWorker ?? defaultWorker
    this.metered = init.metered ?? true
    this.modules = new ModuleCache({ size: init.moduleCacheSize ?? MODULE_CACHE_SIZE, metered: this.metered })
    this.keepSpare = init.spareWorker ?? true
    this.sharedMemorySize = init.sharedMemorySize ?? true
    this.slotCount = validSlots(init.slots ?? DEFAULT_POOL_SLOTS)
  }

  /** Tasks allowed to run at once. */
  get slots (): number {
    return this.slotCount
  }

  /**
   * Changes how many tasks may run at once (a non-negative integer). Lowering
   * it lets running tasks finish and retires their workers; 0 holds queued
   * tasks until it is raised again.
   */
  setSlots (n: number): void {
    this.slotCount = validSlots(n)
    while (this.live > this.slotCount && this.idle.length > 0) this.discard(this.idle.pop() as Slot)
    this.pump()
  }

  /** Tasks running now. */
  get running (): number {
    return this.active.size
  }

  /** Hashes of the modules compiled and cached, most recently used last: what this executor holds warm. */
  cachedModuleHashes (): string[] {
    return this.modules.hashes()
  }

  /** Tasks waiting for a slot. */
  get queued (): number {
    return this.waiters.length
  }

  /**
   * Compiles (or reuses) the module — checked, memory capped, fuel metered —
   * waits for a free slot and runs it. `bytes` must hash (SHA-256, lowercase
   * hex) to `moduleHash`, which also becomes argv[0].
   *
   * Resolves with the run's status (see `runWasiCommand`). Past
   * `limits.timeoutMs` (counted from when the task gets its worker) the
   * worker is terminated and the promise resolves with status 'timeout',
   * empty outputs, `fuelUsed: null` and the memory size the worker last
   * reported as `memoryPeakBytes`; a fresh worker takes the slot.
   *
   * Rejects when the module is refused before running (the typed errors of
   * `compileTaskModule`, `ModuleHashMismatchError`: receipts call these
   * 'invalid-module'), with `AbortError` when the signal fires (the worker is
   * terminated), `PoolStoppedError`, `WorkerCrashedError`, or
   * `SandboxOutOfMemoryError` when the engine refused the task's memory on
   * two workers in turn (see `runOnWorker`).
   */
  async run (moduleHash: string, bytes: Uint8Array, input: TaskInput, limits: TaskLimits, options: ExecutionOptions = {}): Promise<ExecutionResult> {
    throwIfAborted(options.signal)
    options.onProgress?.({ phase: 'compiling' })
    const module = await this.modules.compile(moduleHash, bytes, limits.memoryLimitBytes, options.signal)
    throwIfAborted(options.signal)
    const result = await this.runOnWorker(module, moduleHash, input, limits, options)
    if (!this.metered || !trappedInWasm(result)) return result
    return this.replay(result, moduleHash, bytes, input, limits, options.signal)
  }

  /**
   * Runs a metered task that trapped once more, metered so that the fuel
   * global is exact at any trap (`exactFuelAtTraps`), and returns that run's
   * figures. The fast meter keeps the count in a local between checkpoints
   * (metering/instrument-body.ts), so at a trap that is not the meter's own
   * the global may lag; the run is deterministic, so the replay takes the
   * same path and ends in the same trap — or, when the first run had
   * overdrawn its budget since its last checkpoint, in the meter's — with the
   * figure every peer reports (fuel-figures.test.ts). The task's duration and
   * start are the first run's: the replay is the sandbox's bookkeeping, not
   * the task's time. It gets the full time limit again; a replay that
   * passes it (a slower moment of the machine) reports `timeout`, the one
   * status that never had to agree across peers.
   */
  private async replay (first: ExecutionResult, moduleHash: string, bytes: Uint8Array, input: TaskInput, limits: TaskLimits, signal?: AbortSignal): Promise<ExecutionResult> {
    const exact = await this.modules.compile(moduleHash, bytes, limits.memoryLimitBytes, signal, true)
    throwIfAborted(signal)
    const again = await this.runOnWorker(exact, moduleHash, input, limits, { signal })
    return { ...again, startedAt: first.startedAt, durationMs: first.durationMs }
  }

  /**
   * Runs the task on a worker, and once more on a fresh one when the engine
   * could not allocate its memory (`SandboxOutOfMemoryError`): by then the
   * failing worker and the idle ones have been terminated (`execute`), which
   * frees every wasm memory their isolates held — dead instances included,
   * which only their own isolate's garbage collection would free. A second
   * refusal means the process is short of memory for other reasons (other
   * tasks running, the page itself): the error is the answer, and the
   * executor reports that it could not run the task, without a receipt.
   */
  private async runOnWorker (module: CompiledModule, hash: string, input: TaskInput, limits: TaskLimits, options: ExecutionOptions): Promise<ExecutionResult> {
    try {
      return await this.execute(await this.acquire(options.signal), module, hash, input, limits, options)
    } catch (err) {
      if (!(err instanceof Error) || err.name !== SandboxOutOfMemoryError.name) throw err
      throwIfAborted(options.signal)
      return this.execute(await this.acquire(options.signal), module, hash, input, limits, options)
    }
  }

  /** Terminates every worker; queued and running tasks reject with `PoolStoppedError`. Safe to call twice; the pool stays usable. */
  stop (): void {
    // Waiters first: cancelling a running task frees a slot, which would hand them a fresh worker.
    for (const waiter of this.waiters.splice(0)) waiter.fail(new PoolStoppedError())
    this.replacing = false
    for (const cancel of [...this.active]) cancel(new PoolStoppedError())
    for (const slot of this.idle.splice(0)) this.discard(slot)
    this.spare?.terminate()
    this.spare = undefined
    this.replacing = true
    this.modules.clear()
  }

  private acquire (signal?: AbortSignal): Promise<Slot> {
    let idle = this.idle.pop()
    // A dead one's replacement goes to `idle`; it has not failed yet, so this ends.
    while (idle !== undefined && this.dead.has(idle.worker)) {
      this.discard(idle)
      idle = this.idle.pop()
    }
    if (idle !== undefined) return Promise.resolve(idle)
    if (this.live < this.slotCount) return Promise.resolve(this.spawn())
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new AbortError())
      }
      const waiter: Waiter = {
        grant: slot => { signal?.removeEventListener('abort', onAbort); resolve(slot) },
        fail: err => { signal?.removeEventListener('abort', onAbort); reject(err) }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  private execute (slot: Slot, { key, module, initialMemoryBytes }: CompiledModule, hash: string, input: TaskInput, limits: TaskLimits, options: ExecutionOptions): Promise<ExecutionResult> {
    const { signal, onProgress } = options
    return new Promise((resolve, reject) => {
      let settled = false
      const settle = (outcome: { result: ExecutionResult } | { err: unknown }, workerUsable: boolean): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        slot.task = undefined
        this.active.delete(cancel)
        if (workerUsable) this.release(slot)
        else this.discard(slot)
        if ('result' in outcome) resolve(outcome.result)
        else reject(outcome.err)
      }
      // A task stuck in wasm cannot be interrupted inside its worker: terminating the worker is the only stop.
      const cancel = (err: Error): void => { settle({ err }, false) }
      const onAbort = (): void => { cancel(new AbortError()) }
      // The worker cannot answer once the pool terminates it, so it reports its
      // memory size as the task grows it (wasi-worker.ts): after instantiation,
      // after every memory.grow of a metered module (the meter's growth hook)
      // and at WASI calls — each only when larger than the module's initial
      // memory, which the pool counts from the start. It stores the size in
      // the slot's shared cell, or where there is none (a page that is not
      // cross-origin isolated) posts it: messages come in order on the worker's
      // port, all of one task's before its answer, so none reaches the next
      // task.
      let memoryBytes = initialMemoryBytes
      const cell = slot.memoryCell
      if (cell !== null) MemoryCell.store(cell, 0)
      slot.task = {
        message: data => {
          if (data === null || typeof data !== 'object') return
          if (data.type === RUN_RESULT_MESSAGE) settle({ result: data.result }, true)
          else if (data.type === RUN_FAILURE_MESSAGE) this.failed(slot, deserializeError(data.error), settle)
          else if (data.type === MEMORY_SIZE_MESSAGE) memoryBytes = Math.max(memoryBytes, data.bytes)
        },
        error: event => { cancel(new WorkerCrashedError(`Sandbox worker failed: ${event.message}`)) }
      }
      const onTimeout = (): void => {
        const error = new TaskTimeoutError(`Task ran past its ${limits.timeoutMs} ms limit`)
        const peak = cell === null ? memoryBytes : Math.max(memoryBytes, MemoryCell.loadBytes(cell))
        settle({ result: timedOut(startedAt, performance.now() - started, peak, error) }, false)
      }
      const startedAt = Date.now()
      const started = performance.now()
      const timer = setTimeout(onTimeout, limits.timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.active.add(cancel)
      onProgress?.({ phase: 'running', startedAt })
      // A worker keeps the module it ran last: the same module again is not cloned into it again.
      const request: RunRequest = {
        type: RUN_REQUEST_MESSAGE,
        module: slot.moduleKey === key ? null : module,
        moduleKey: key,
        input,
        limits,
        argv0: hash,
        knownMemoryBytes: initialMemoryBytes,
        memoryCell: slot.cellSent ? null : cell
      }
      try {
        slot.worker.postMessage(request)
      } catch (err) {
        // Input that does not clone (DataCloneError) never reached the worker, which stays as it was.
        settle({ err }, true)
        return
      }
      slot.moduleKey = key
      slot.cellSent = true
    })
  }

  /**
   * Settles a task its worker refused (`RunFailureMessage`). The worker stays
   * unless the engine could not allocate the task's memory: then it and the
   * idle workers are terminated, each replaced by a fresh one, since
   * terminating a worker is the one way to free every wasm memory its isolate
   * holds (see `engineOutOfMemory` in wasi-runner.ts). The idle ones go
   * first: the failing worker's replacement, which waits in `idle`, is fresh.
   */
  private failed (slot: Slot, err: unknown, settle: (outcome: { err: unknown }, workerUsable: boolean) => void): void {
    const outOfMemory = err instanceof Error && err.name === SandboxOutOfMemoryError.name
    if (outOfMemory) for (const idle of this.idle.splice(0)) this.discard(idle)
    settle({ err }, !outOfMemory)
  }

  private spawn (): Slot {
    let worker = this.spare
    if (worker === undefined || this.dead.has(worker)) {
      worker?.terminate()
      worker = this.startWorker()
    }
    this.spare = this.keepSpare && this.replacing ? this.startWorker() : undefined
    this.live++
    // One pair of listeners for the worker's life; each task takes the slot's `task` while it runs.
    const slot: Slot = { worker, memoryCell: this.sharedMemorySize ? MemoryCell.create() : null, cellSent: false }
    worker.addEventListener('message', (event: MessageEvent) => { slot.task?.message(event.data as SandboxWorkerMessage) })
    worker.addEventListener('error', (event: ErrorEvent) => { slot.task?.error(event) })
    return slot
  }

  private startWorker (): Worker {
    const worker = this.createWorker()
    worker.addEventListener('error', () => { this.dead.add(worker) })
    return worker
  }

  private release (slot: Slot): void {
    if (this.live > this.slotCount) {
      this.discard(slot)
      return
    }
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter.grant(slot)
    else this.idle.push(slot)
  }

  /**
   * Terminates the slot's worker. Unless the pool is stopping or shrinking,
   * a replacement starts at once and waits idle, so the next task does not
   * pay for a worker's start-up after a timeout.
   */
  private discard (slot: Slot): void {
    slot.worker.terminate()
    this.live--
    this.pump()
    if (this.replacing && this.live < this.slotCount) this.idle.push(this.spawn())
  }

  /** Hands fresh workers to waiters while there is room under the slot count. */
  private pump (): void {
    while (this.waiters.length > 0 && this.live < this.slotCount) (this.waiters.shift() as Waiter).grant(this.spawn())
  }
}

function validSlots (n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`slots must be a non-negative integer, got ${n}`)
  return n
}
