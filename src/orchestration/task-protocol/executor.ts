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
  HEARTBEAT_INTERVAL_MS, MAX_EXECUTOR_BUFFER_BYTES, MAX_MODULE_TRANSFER_BYTES, MAX_OFFER_BYTES, MODULE_TRANSFER_TIMEOUT_MS, OFFER_RESPONSE_TIMEOUT_MS,
  USAGE_MEMORY_ENTRIES
} from './constants.ts'
import { TaskOverBudgetError, TaskRefusedError } from './errors.ts'
import { validateOffer } from './offer.ts'
import type { ValidOffer } from './offer.ts'
import { ExecutorMessage, ModuleTransfer, TaskOffer } from './pb/task.ts'
import { UsageMemory } from './usage-memory.ts'

export interface TaskExecutorComponents {
  identity: PeerIdentity
  store: Pick<ModuleStore, 'getModule' | 'putModule'>
  runner: TaskRunner
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
 */
export class TaskExecutor {
  private readonly components: TaskExecutorComponents
  private readonly init: TaskExecutorInit
  /** Per module, the resources of its last run here: the estimate quoted against budgets. */
  private readonly usage = new UsageMemory(USAGE_MEMORY_ENTRIES)

  constructor (components: TaskExecutorComponents, init: TaskExecutorInit) {
    this.components = components
    this.init = init
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
    try {
      const offer = validateOffer(await messages.read(TaskOffer, {
        maxBytes: MAX_OFFER_BYTES,
        signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS),
        limits: { args: MAX_ARGS, env: MAX_ENV_ENTRIES, files: MAX_TASK_FILES }
      }))
      if (!this.init.isContributing()) {
        throw new TaskRefusedError('this peer is not contributing compute right now')
      }
      // Checked (and copied) once, so the receipt charges the prices the task was accepted at.
      const prices = checkPriceSchedule(this.init.prices?.() ?? FREE_PRICES)
      // Before the module is transferred: a refused task costs neither side the transfer.
      this.checkBudget(offer, prices)
      const module = await this.obtainModule(offer, messages, send)
      await send({ type: ExecutorMessage.Type.ACCEPTED, files: [] })
      const submitter = options.submitter ?? connection.remotePeer.toString()
      const { result, receipt } = await this.execute(offer, prices, module, submitter, send)
      await send({
        type: ExecutorMessage.Type.RESULT,
        stdout: result.stdout,
        stderr: result.stderr,
        files: result.files.map(([path, data]) => ({ path, data })),
        receipt: JSON.stringify(receipt),
        errorName: result.error?.name,
        errorMessage: result.error?.message.slice(0, MAX_ERROR_MESSAGE_LENGTH)
      })
      await stream.close({ signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS) })
      this.init.onExecuted?.({ offer, submitter, result, receipt })
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      try {
        await send({
          type: ExecutorMessage.Type.FAILURE,
          files: [],
          errorName: error.name,
          errorMessage: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH)
        })
        await stream.close({ signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS) })
      } catch (sendErr) {
        stream.abort(sendErr instanceof Error ? sendErr : error)
      }
    }
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

  private async obtainModule (offer: ValidOffer, messages: FramedStream, send: Send): Promise<Uint8Array> {
    const cached = await this.components.store.getModule(offer.moduleHash)
    if (cached != null) {
      return cached
    }
    await send({ type: ExecutorMessage.Type.NEED_MODULE, files: [] })
    const { module } = await messages.read(ModuleTransfer, { maxBytes: MAX_MODULE_TRANSFER_BYTES, signal: AbortSignal.timeout(MODULE_TRANSFER_TIMEOUT_MS) })
    if (module.byteLength !== offer.moduleSize) {
      throw new ModuleHashMismatchError(`the module is ${module.byteLength} bytes; the offer said ${offer.moduleSize}`)
    }
    // The store refuses bytes that do not hash to the offered hash.
    await this.components.store.putModule(offer.moduleHash, module)
    return module
  }

  private async execute (
    offer: ValidOffer, prices: PriceSchedule, module: Uint8Array, submitter: string, send: Send
  ): Promise<{ result: ExecutionResult, receipt: Receipt }> {
    let startedAt: number | undefined
    const heartbeat = setInterval(() => {
      const elapsedMs = startedAt == null ? 0 : Math.max(0, Math.round(Date.now() - startedAt))
      // A lost stream fails the RESULT that follows, which is where it is handled.
      send({ type: ExecutorMessage.Type.HEARTBEAT, elapsedMs, files: [] }).catch(() => {})
    }, HEARTBEAT_INTERVAL_MS)
    try {
      const result = await this.components.runner.run(
        offer.moduleHash,
        module,
        { args: offer.args, env: offer.env, stdin: offer.stdin, files: offer.files, seed: offer.seed },
        { timeoutMs: offer.timeoutMs, memoryLimitBytes: offer.memoryLimitBytes, fuel: offer.fuel },
        {
          onProgress: (progress) => {
            if (progress.phase === 'running') {
              startedAt = progress.startedAt
              // As for heartbeats: a lost stream fails the RESULT, which is where it is handled.
              send({ type: ExecutorMessage.Type.STARTED, startedAt: BigInt(Math.round(progress.startedAt)), files: [] }).catch(() => {})
            }
          }
        }
      ).catch((err: unknown) => {
        const rejected = moduleRejection(err)
        if (rejected == null) throw err
        return rejected
      })
      const { identity } = this.components
      const ran = result.status === 'ok' || result.status === 'exit'
      // The figures the receipt states, so that its charge is recomputable from it (docs/receipt-format.md §3).
      const used: ResourceUse = { fuel: result.fuelUsed, durationMs: Math.round(result.durationMs), memoryBytes: result.memoryPeakBytes }
      const receipt = await signReceipt({
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
        publicKey: bytesToBase64Url(identity.publicKey)
      }, identity)
      this.usage.remember(offer.moduleHash, used)
      return { result, receipt }
    } finally {
      clearInterval(heartbeat)
    }
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
