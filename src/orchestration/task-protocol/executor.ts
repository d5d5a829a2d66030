import type { Connection, Stream } from '@libp2p/interface'
import { bytesToBase64Url } from '../../core/encoding.ts'
import { ModuleHashMismatchError, sha256Hex } from '../../core/hash.ts'
import type { PeerIdentity } from '../../crypto/identity.ts'
import { FREE_PRICES, chargeFor, checkPriceSchedule, quoteFits } from '../../receipts/pricing/index.ts'
import type { PriceSchedule, ResourceUse } from '../../receipts/pricing/index.ts'
import type { ExecutionResult, TaskRunner } from '../../execution/types.ts'
import type { ModuleStore } from '../../storage/index.ts'
import { RECEIPT_VERSION, filesHash, signReceipt } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import { NO_EXIT_CODE } from '../../execution/constants.ts'
import { InvalidModuleError, MemoryLimitError, ModuleTooLargeError, NotWasiCommandError, UnsupportedImportError } from '../../execution/errors.ts'
import { MAX_ARGS, MAX_ENV_ENTRIES, MAX_TASK_FILES } from '../../core/limits.ts'
import { MAX_ERROR_MESSAGE_LENGTH } from '../../network/constants.ts'
import { framedStream } from '../../network/framed-stream.ts'
import type { FramedStream } from '../../network/framed-stream.ts'
import {
  BUSY_CONTENDER_MS, HEARTBEAT_INTERVAL_MS, MAX_EXECUTOR_BUFFER_BYTES, MAX_MODULE_TRANSFER_BYTES, MAX_OFFER_BYTES, MAX_QUEUED_TASKS,
  MAX_QUEUED_TASKS_PER_SUBMITTER, MODULE_TRANSFER_TIMEOUT_MS, OFFER_RESPONSE_TIMEOUT_MS, USAGE_MEMORY_ENTRIES
} from './constants.ts'
import { ExecutorBusyError, TaskOverBudgetError, TaskRefusedError } from './errors.ts'
import { FairQueue } from './fair-queue.ts'
import { validateOffer } from './offer.ts'
import type { ValidOffer } from './offer.ts'
import { ExecutorMessage, ModuleTransfer, TaskOffer } from './pb/task.ts'
import { UsageMemory } from './usage-memory.ts'
import { ExecutorTrace, inPhase } from './executor-trace.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'

export interface TaskExecutorComponents {
  identity: PeerIdentity
  store: Pick<ModuleStore, 'getModule' | 'putModule'>
  /** Runs the tasks; a WorkerPool also says how many it runs at once (`slots`). */
  runner: TaskRunner & { readonly slots?: number }
}

export interface ExecutedTask {
  offer: ValidOffer
  submitter: string
  result: ExecutionResult
  receipt: Receipt
}

export interface TaskExecutorInit {
  /** Asked for every offer; a peer that is not contributing refuses politely. */
  isContributing(): boolean
  /**
   * The executor's current asking prices (as its Agent Card publishes them),
   * asked once per offer: the receipt charges the prices of the moment the
   * task was accepted. Default: FREE_PRICES.
   */
  prices?(): PriceSchedule
  /** Called after a result was signed and sent. */
  onExecuted?(task: ExecutedTask): void
  /**
   * Tasks handed to the runner at once; the others wait in the executor's
   * fair queue. Default: the runner's `slots` (a WorkerPool's), else 1.
   */
  slots?(): number
  /** Accepted tasks kept waiting beyond the free slots, all submitters together. Default MAX_QUEUED_TASKS. */
  maxQueuedTasks?: number
  /** Accepted tasks one submitter may keep waiting beyond the slots (fewer when others contend; fair-queue.ts). Default MAX_QUEUED_TASKS_PER_SUBMITTER. */
  maxQueuedPerSubmitter?: number
  /** The fair queue's clock (it remembers refusals for BUSY_CONTENDER_MS). Default Date.now. */
  now?(): number
  /**
   * Records this executor's spans of traced tasks (offers with a traceparent)
   * and sends them back with the result (executor-trace.ts). Default: none —
   * the receipt still names the offer's trace id.
   */
  tracer?: TraceRecorder
}

/** A task's place in the fair queue. */
interface Turn {
  granted: boolean
  /** Set while the task waits for its turn. */
  wake?(): void
}

export interface TaskHandleOptions {
  /** The PeerId string the receipt names as submitter. Default: the connection's remote peer. */
  submitter?: string
}

type Send = (message: ExecutorMessage) => Promise<void>

/**
 * The executor's half of /zerostate/task/1.0.0: validates the offer, refuses
 * it when its estimate is over the offer's budget, fetches the module only
 * when it is not cached, runs it, heartbeats while it runs, and answers with
 * the output and a signed receipt carrying the charge — or a FAILURE naming
 * the error. One stream, one task.
 *
 * At most `slots` tasks are handed to the runner at once; the accepted rest
 * wait in a bounded queue that is served round-robin between submitters
 * (fair-queue.ts), so one peer's backlog cannot starve another. An offer
 * beyond the queue's bounds is refused with ExecutorBusyError before its
 * module is sent. A task whose stream closes while it waits leaves the queue;
 * one that is running is stopped.
 */
export class TaskExecutor {
  private readonly components: TaskExecutorComponents
  private readonly init: TaskExecutorInit
  /** Per module, the resources of its last run here: the estimate quoted against budgets. */
  private readonly usage = new UsageMemory(USAGE_MEMORY_ENTRIES)
  private readonly queue: FairQueue<Turn>

  constructor (components: TaskExecutorComponents, init: TaskExecutorInit) {
    this.components = components
    this.init = init
    this.queue = new FairQueue({
      maxQueued: init.maxQueuedTasks ?? MAX_QUEUED_TASKS,
      maxQueuedPerSubmitter: init.maxQueuedPerSubmitter ?? MAX_QUEUED_TASKS_PER_SUBMITTER,
      contenderMs: BUSY_CONTENDER_MS,
      slots: () => this.slots(),
      now: init.now ?? Date.now
    })
  }

  /** Tasks for others running here, and accepted ones waiting for a slot. */
  get load (): { running: number, queued: number } {
    return { running: this.queue.running, queued: this.queue.queued }
  }

  /**
   * Runs one task over `stream`. The receipt names `options.submitter` as the
   * submitter, by default the remote peer of `connection`; a forwarded task
   * passes the origin from its forward header (forwarding/forwarder.ts).
   */
  async handle (stream: Stream, connection: Connection, options: TaskHandleOptions = {}): Promise<void> {
    const messages = framedStream(stream, { maxBufferSize: MAX_EXECUTOR_BUFFER_BYTES })
    // Writes come from the heartbeat timer and the main flow; keep them in order.
    let writes = Promise.resolve()
    const send: Send = async (message) => {
      writes = writes.then(async () => { await messages.write(message, ExecutorMessage) })
      return writes
    }
    let trace: ExecutorTrace | undefined
    try {
      // An offer carries stdin and input files (up to ~20 MiB): over a slow link it may take longer than an
      // answer is given, so the answer's time bounds the silence, and the module's the whole of it.
      const wireOffer = await messages.read(TaskOffer, {
        maxBytes: MAX_OFFER_BYTES,
        signal: AbortSignal.timeout(MODULE_TRANSFER_TIMEOUT_MS),
        idleTimeoutMs: OFFER_RESPONSE_TIMEOUT_MS,
        limits: { args: MAX_ARGS, env: MAX_ENV_ENTRIES, files: MAX_TASK_FILES }
      })
      const readAtMs = this.init.tracer?.time()
      const offer = validateOffer(wireOffer)
      if (!this.init.isContributing()) {
        throw new TaskRefusedError('this peer is not contributing compute right now')
      }
      // Checked (and copied) once, so the receipt charges the prices the task was accepted at.
      const prices = checkPriceSchedule(this.init.prices?.() ?? FREE_PRICES)
      // Before the module is transferred: a refused task costs neither side the transfer.
      this.checkBudget(offer, prices)
      const submitter = options.submitter ?? connection.remotePeer.toString()
      trace = ExecutorTrace.open(this.init.tracer, offer, submitter, readAtMs)
      const { result, receipt } = await this.queued(submitter, stream, async (turn, gone) => {
        const module = await this.obtainModule(offer, messages, send, trace)
        await send({ type: ExecutorMessage.Type.ACCEPTED, files: [], spans: [] })
        // Heartbeats from here on, while the task waits for its turn and while it runs.
        const run: { startedAt?: number } = {}
        const heartbeat = setInterval(() => {
          const elapsedMs = run.startedAt == null ? 0 : Math.max(0, Math.round(Date.now() - run.startedAt))
          // A lost stream ends the wait or the run (`gone`) and fails the RESULT, which is where it is handled.
          send({ type: ExecutorMessage.Type.HEARTBEAT, elapsedMs, files: [], spans: [] }).catch(() => {})
          // The slot count may have grown (the user gave more worker slots).
          this.pump()
        }, HEARTBEAT_INTERVAL_MS)
        try {
          await inPhase(trace, 'queue', async () => { await this.turnOf(submitter, turn, gone) })
          return await this.execute(offer, prices, module, submitter, send, run, gone, trace)
        } finally {
          clearInterval(heartbeat)
        }
      })
      await send({
        type: ExecutorMessage.Type.RESULT,
        stdout: result.stdout,
        stderr: result.stderr,
        files: result.files.map(([path, data]) => ({ path, data })),
        receipt: JSON.stringify(receipt),
        errorName: result.error?.name,
        errorMessage: result.error?.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
        spans: trace?.finish() ?? []
      })
      await stream.close({ signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS) })
      this.init.onExecuted?.({ offer, submitter, result, receipt })
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      trace?.finish(error)
      try {
        await send({
          type: ExecutorMessage.Type.FAILURE,
          files: [],
          spans: [],
          errorName: error.name,
          errorMessage: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH)
        })
        await stream.close({ signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS) })
      } catch (sendErr) {
        stream.abort(sendErr instanceof Error ? sendErr : error)
      }
    }
  }

  /**
   * Runs `work` holding a place in the fair queue for `submitter`, or refuses
   * with ExecutorBusyError when the queue has no room for it. `work` is handed
   * the place (to wait for its turn once the module is here) and a signal that
   * fires when the stream closes under it. The place is given back however
   * `work` ends.
   */
  private async queued<T> (submitter: string, stream: Stream, work: (turn: Turn, gone: AbortSignal) => Promise<T>): Promise<T> {
    const turn: Turn = { granted: false }
    // Not ready until the module is here: a slot is never held by a transfer.
    const refusal = this.queue.push(submitter, turn, { ready: false })
    if (refusal !== undefined) {
      throw new ExecutorBusyError(refusal === 'queue-full'
        ? `this executor's queue is full (${this.queue.queued} tasks waiting for ${this.slots()} slots); offer the task again later`
        : `this executor already holds ${this.queue.queuedBy(submitter) + this.queue.runningBy(submitter)} tasks of yours, your share while others have tasks here too; offer the task again later`)
    }
    const gone = new AbortController()
    const onClose = (): void => { gone.abort() }
    stream.addEventListener('close', onClose)
    try {
      return await work(turn, gone.signal)
    } finally {
      stream.removeEventListener('close', onClose)
      if (turn.granted) this.queue.finish(submitter)
      else this.queue.remove(submitter, turn)
      this.pump()
    }
  }

  /** Waits until the fair queue hands `turn` a slot; rejects (leaving the queue) when `gone` fires first. */
  private async turnOf (submitter: string, turn: Turn, gone: AbortSignal): Promise<void> {
    this.queue.markReady(submitter, turn)
    this.pump()
    if (turn.granted) return
    await new Promise<void>((resolve, reject) => {
      const onGone = (): void => {
        // Already handed a slot: the run starts and stops at once on the aborted signal.
        if (this.queue.remove(submitter, turn)) reject(new TaskRefusedError('the submitter left while the task was queued'))
      }
      turn.wake = () => { gone.removeEventListener('abort', onGone); resolve() }
      gone.addEventListener('abort', onGone, { once: true })
      if (gone.aborted) onGone()
    })
  }

  /** Hands free slots to waiting tasks, in the fair queue's order. */
  private pump (): void {
    while (this.queue.running < this.slots()) {
      const next = this.queue.shift()
      if (next === undefined) return
      next.item.granted = true
      next.item.wake?.()
    }
  }

  /** Tasks handed to the runner at once (at least 1: a task accepted is never stranded). */
  private slots (): number {
    return Math.max(1, this.init.slots?.() ?? this.components.runner.slots ?? 1)
  }

  /** The resources of the last run of `moduleHash` here: what this executor quotes a bid from (orchestration/auction). */
  lastUse (moduleHash: string): Readonly<ResourceUse> | undefined {
    return this.usage.recall(moduleHash)
  }

  /**
   * Refuses the offer when the last run of its module here, bounded by the
   * offer's own limits (a run cannot use more), costs more than the budget at
   * `prices`. With no such run on record the executor accepts: it has nothing
   * to estimate from, and the receipt's charge is capped at the budget anyway,
   * so the submitter never pays more than it offered; the executor's risk is
   * to work below its prices on a module it has not run before. A free
   * executor always fits.
   */
  private checkBudget (offer: ValidOffer, prices: PriceSchedule): void {
    const last = this.usage.recall(offer.moduleHash)
    if (last === undefined) return
    const expected: ResourceUse = {
      fuel: last.fuel === null ? null : Math.min(last.fuel, offer.fuel),
      durationMs: Math.min(last.durationMs, offer.timeoutMs),
      memoryBytes: Math.min(last.memoryBytes, offer.memoryLimitBytes)
    }
    if (!quoteFits(prices, expected, offer.maxTotalPrice)) {
      throw new TaskOverBudgetError(`the last run of this module here would cost more than the budget of ${offer.maxTotalPrice} micro-units`)
    }
  }

  private async obtainModule (offer: ValidOffer, messages: FramedStream, send: Send, trace?: ExecutorTrace): Promise<Uint8Array> {
    const cached = await this.components.store.getModule(offer.moduleHash)
    if (cached != null) {
      return cached
    }
    return inPhase(trace, 'module transfer', async () => this.receiveModule(offer, messages, send))
  }

  private async receiveModule (offer: ValidOffer, messages: FramedStream, send: Send): Promise<Uint8Array> {
    await send({ type: ExecutorMessage.Type.NEED_MODULE, files: [], spans: [] })
    const { module } = await messages.read(ModuleTransfer, {
      maxBytes: MAX_MODULE_TRANSFER_BYTES,
      signal: AbortSignal.timeout(MODULE_TRANSFER_TIMEOUT_MS),
      idleTimeoutMs: OFFER_RESPONSE_TIMEOUT_MS
    })
    if (module.byteLength !== offer.moduleSize) {
      throw new ModuleHashMismatchError(`the module is ${module.byteLength} bytes; the offer said ${offer.moduleSize}`)
    }
    // The store refuses bytes that do not hash to the offered hash.
    await this.components.store.putModule(offer.moduleHash, module)
    return module
  }

  /** Runs the task (stopped when `signal` fires) and signs its receipt; `run.startedAt` is set once it starts, for the heartbeats. */
  private async execute (
    offer: ValidOffer, prices: PriceSchedule, module: Uint8Array, submitter: string, send: Send, run: { startedAt?: number }, signal: AbortSignal,
    trace?: ExecutorTrace
  ): Promise<{ result: ExecutionResult, receipt: Receipt }> {
    const result = await inPhase(trace, 'run', async () => this.components.runner.run(
      offer.moduleHash,
      module,
      { args: offer.args, env: offer.env, stdin: offer.stdin, files: offer.files, seed: offer.seed },
      { timeoutMs: offer.timeoutMs, memoryLimitBytes: offer.memoryLimitBytes, fuel: offer.fuel },
      {
        signal,
        onProgress: (progress) => {
          if (progress.phase === 'running') {
            run.startedAt = progress.startedAt
            // As for heartbeats: a lost stream fails the RESULT, which is where it is handled.
            send({ type: ExecutorMessage.Type.STARTED, startedAt: BigInt(Math.round(progress.startedAt)), files: [], spans: [] }).catch(() => {})
          }
        }
      }
    ).catch((err: unknown) => {
      const rejected = moduleRejection(err)
      if (rejected == null) throw err
      return rejected
    }))
    const { identity } = this.components
    const ran = result.status === 'ok' || result.status === 'exit'
    // The figures the receipt states, so that its charge is recomputable from it (docs/receipt-format.md §3).
    const used: ResourceUse = { fuel: result.fuelUsed, durationMs: Math.round(result.durationMs), memoryBytes: result.memoryPeakBytes }
    const receipt = await inPhase(trace, 'sign', async () => signReceipt({
      version: RECEIPT_VERSION,
      taskId: offer.taskId,
      moduleHash: offer.moduleHash,
      inputHash: sha256Hex(offer.stdin),
      outputHash: sha256Hex(result.stdout),
      stderrHash: sha256Hex(result.stderr),
      args: offer.args,
      env: offer.env,
      seed: bytesToBase64Url(offer.seed),
      inputFilesHash: filesHash(offer.files),
      outputFilesHash: filesHash(result.files),
      status: result.status,
      exitCode: ran ? result.exitCode : null,
      startedAt: Math.round(result.startedAt),
      durationMs: used.durationMs,
      limits: { timeoutMs: offer.timeoutMs, memoryBytes: offer.memoryLimitBytes, fuel: offer.fuel },
      fuelUsed: used.fuel,
      memoryPeakBytes: used.memoryBytes,
      price: { ...prices, maxTotalPrice: offer.maxTotalPrice, charge: chargeFor(prices, used, offer.maxTotalPrice) },
      executor: identity.peerId.toString(),
      submitter,
      publicKey: bytesToBase64Url(identity.publicKey),
      // The receipt names the trace it was made in, traced here or not (docs/receipt-format.md §3).
      ...(offer.traceparent === undefined ? {} : { traceId: offer.traceparent.traceId })
    }, identity))
    this.usage.remember(offer.moduleHash, used)
    return { result, receipt }
  }
}

/**
 * A module the sandbox refused before running it still gets a receipt (the
 * executor did the work of fetching and checking it): status memory-limit
 * when it declares more memory than the cap, invalid-module otherwise.
 */
function moduleRejection (err: unknown): ExecutionResult | undefined {
  if (!(err instanceof Error) || !MODULE_REJECTIONS.has(err.name)) return undefined
  const empty = new Uint8Array(0)
  return {
    status: err.name === MemoryLimitError.name ? 'memory-limit' : 'invalid-module',
    stdout: empty,
    stderr: empty,
    exitCode: NO_EXIT_CODE,
    startedAt: Date.now(),
    durationMs: 0,
    fuelUsed: 0,
    memoryPeakBytes: 0,
    files: [],
    error: { name: err.name, message: err.message }
  }
}

const MODULE_REJECTIONS: ReadonlySet<string> = new Set([
  InvalidModuleError, NotWasiCommandError, UnsupportedImportError, ModuleTooLargeError, MemoryLimitError
].map(ErrorClass => ErrorClass.name))
