import { AbortError, TimeoutError } from '@libp2p/interface'
import type { Connection, Stream } from '@libp2p/interface'
import { sha256Hex } from '../../core/hash.ts'
import { bytesToBase64Url } from '../../core/encoding.ts'
import { MAX_OUTPUT_BYTES, MAX_TASK_FILES, MAX_WORK_DIRECTORY_BYTES } from '../../core/limits.ts'
import { filesHash, parseReceipt, verifyReceipt } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import { closeError, framedStream } from '../../network/framed-stream.ts'
import type { FramedStream } from '../../network/framed-stream.ts'
import {
  HEARTBEAT_TIMEOUT_MS, MAX_CONTROL_MESSAGE_BYTES, MAX_RESULT_BYTES, MAX_SUBMITTER_BUFFER_BYTES, MODULE_TRANSFER_TIMEOUT_MS,
  OFFER_RESPONSE_TIMEOUT_MS
} from './constants.ts'
import { openTaskStream } from './open-stream.ts'
import type { SpareTaskStreams } from './spare-streams.ts'
import { ExecutorLostError, InvalidTaskMessageError, ReceiptBudgetMismatchError, RemoteTaskError } from './errors.ts'
import { toWireOffer } from './offer.ts'
import type { ValidOffer } from './offer.ts'
import { ExecutorMessage, ModuleTransfer, TaskOffer } from './pb/task.ts'
import { withTimeout } from '../../core/abort.ts'
import type { Span as OtelSpan } from '@opentelemetry/api'
import { placeRemoteSpans } from '../../core/tracing/index.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'
import { ReceiptMismatchError } from '../../receipts/index.ts'
import { SPAN_READ_LIMITS, readWireSpans } from './trace.ts'

export type SubmitProgress =
  | { phase: 'offering' }
  | { phase: 'sending-module', bytes: number }
  | { phase: 'queued' }
  | { phase: 'running', startedAt?: number, elapsedMs: number }
  | { phase: 'verifying' }

export interface SubmitOptions {
  signal?: AbortSignal
  onProgress?(progress: SubmitProgress): void
  /**
   * Traces the conversation under `parent` (docs/tracing.md): a `submit` span
   * with `offer`, `module transfer`, `wait for result` and `verify` inside,
   * its traceparent sent in the offer, and the executor's spans from the
   * RESULT added to `recorder`, placed on this peer's timeline.
   */
  trace?: TaskTraceOptions
  /**
   * Reads what follows a verified RESULT on the stream before it is closed:
   * forwarding's hop trailers (orchestration/forwarding, docs/tracing.md §6).
   * Must not throw, and must bound its own wait.
   */
  afterResult?(messages: FramedStream): Promise<void>
  /** Where the task stream comes from (spare-streams.ts: one opened ahead); default a new stream. */
  streams?: Pick<SpareTaskStreams, 'take'>
}

/** Where a submitted task's spans go, and what they hang under. */
export interface TaskTraceOptions {
  recorder: TraceRecorder
  parent: OtelSpan
}

export interface TaskOutcome {
  stdout: Uint8Array<ArrayBuffer>
  stderr: Uint8Array<ArrayBuffer>
  /** Files the task created or changed in its preopened directory, by path. */
  files: Array<[string, Uint8Array<ArrayBuffer>]>
  exitCode: number
  /** Verified; its status is 'ok' or 'exit'. */
  receipt: Receipt
}

/**
 * A run that failed (trap, out of fuel…) as an outcome to pay for: its
 * verified receipt, which a RemoteTaskError carries, and no output. The
 * executor did the work the receipt signs for.
 */
export function failedRunOutcome (receipt: Receipt): TaskOutcome {
  return { stdout: new Uint8Array(0), stderr: new Uint8Array(0), files: [], exitCode: receipt.exitCode ?? -1, receipt }
}

/**
 * The submitter's half of /zerostate/task/1.0.0 over one connection. Resolves
 * only with a result whose receipt was signed by the peer at the other end of
 * `connection` and whose hashes match what was sent and received.
 */
export async function submitTask (
  connection: Connection,
  submitter: string,
  offer: ValidOffer,
  module: Uint8Array<ArrayBuffer>,
  options: SubmitOptions = {}
): Promise<TaskOutcome> {
  const executor = connection.remotePeer.toString()
  let stream: Stream
  try {
    const signal = withTimeout(options.signal, OFFER_RESPONSE_TIMEOUT_MS)
    stream = await (options.streams?.take(connection, signal) ?? openTaskStream(connection, signal))
  } catch (err) {
    if (options.signal?.aborted === true) throw options.signal.reason
    // No stream, so the executor never saw the offer: it is lost to this task (a dispatch tries another).
    const cause = closeError(err)
    throw new ExecutorLostError(`could not open a task stream to executor ${executor}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
  return submitTaskOnStream(stream, executor, submitter, offer, module, options)
}

/**
 * The submitter's half of /zerostate/task/1.0.0 on a stream that is already
 * open and positioned at the start of the task conversation (a direct
 * TASK_PROTOCOL stream, or a FORWARD_PROTOCOL stream after its header).
 * Resolves only with a result whose receipt was signed by `executor` for
 * `submitter`. Aborts the stream on failure, closes it on success.
 */
export async function submitTaskOnStream (
  stream: Stream,
  executor: string,
  submitter: string,
  offer: ValidOffer,
  module: Uint8Array<ArrayBuffer>,
  options: SubmitOptions = {}
): Promise<TaskOutcome> {
  const { signal, onProgress } = options
  const tracing = options.trace
  const submitSpan = tracing?.recorder.start('submit', tracing.parent, { 'zerostate.executor': executor, 'zerostate.task_id': offer.taskId })
  if (tracing !== undefined && submitSpan !== undefined) offer = { ...offer, traceparent: tracing.recorder.contextOf(submitSpan) }
  // The current phase's span: offer, module transfer, wait for result, verify.
  let phase: OtelSpan | undefined
  const leave = (error?: unknown): void => {
    if (phase !== undefined) tracing?.recorder.end(phase, error)
    phase = undefined
  }
  const enter = (name: string): void => {
    leave()
    phase = tracing === undefined ? undefined : tracing.recorder.start(name, submitSpan)
  }
  const messages = framedStream(stream, { maxBufferSize: MAX_SUBMITTER_BUFFER_BYTES })
  // The executor heartbeats at least every HEARTBEAT_INTERVAL_MS; silence for
  // longer than this means it is gone, whatever the connection says.
  // Until ACCEPTED only small control messages may come; then a RESULT as large as MAX_RESULT_BYTES.
  let maxBytes = MAX_CONTROL_MESSAGE_BYTES
  const nextMessage = async (timeoutMs: number): Promise<ExecutorMessage> => {
    try {
      // Silence is no bytes at all for that long: a RESULT of several MB still arriving over a slow link is not silence.
      return await messages.read(ExecutorMessage, { maxBytes, signal, idleTimeoutMs: timeoutMs, limits: { files: MAX_TASK_FILES, ...SPAN_READ_LIMITS } })
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason
      // The timeout signal's DOMException and libp2p's own errors share these names
      // (libp2p declares them as static names, which minification keeps).
      if (err instanceof Error && (err.name === TimeoutError.name || err.name === AbortError.name)) {
        throw new ExecutorLostError(`executor ${executor} went silent for ${timeoutMs} ms`)
      }
      throw new ExecutorLostError(`lost the stream to executor ${executor}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  // A stream that fails under a write (reset, closed by the other end) has lost the executor as surely as one that goes silent.
  const send = async (write: () => Promise<void>): Promise<void> => {
    try {
      await write()
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason
      if (err instanceof Error && err.name === TimeoutError.name) throw new ExecutorLostError(`executor ${executor} took no data for ${MODULE_TRANSFER_TIMEOUT_MS} ms`)
      throw new ExecutorLostError(`lost the stream to executor ${executor}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  try {
    onProgress?.({ phase: 'offering' })
    enter('offer')
    const sentMs = tracing?.recorder.time()
    await send(async () => { await messages.write(toWireOffer(offer), TaskOffer, { signal }) })
    let message = await nextMessage(OFFER_RESPONSE_TIMEOUT_MS)
    if (message.type === ExecutorMessage.Type.NEED_MODULE) {
      onProgress?.({ phase: 'sending-module', bytes: module.byteLength })
      enter('module transfer')
      phase?.setAttribute('zerostate.bytes', module.byteLength)
      await send(async () => { await messages.write({ module }, ModuleTransfer, { signal: withTimeout(signal, MODULE_TRANSFER_TIMEOUT_MS) }) })
      message = await nextMessage(MODULE_TRANSFER_TIMEOUT_MS)
    }
    let startedAt: number | undefined
    for (;;) {
      switch (message.type) {
        case ExecutorMessage.Type.ACCEPTED:
          maxBytes = MAX_RESULT_BYTES
          onProgress?.({ phase: 'queued' })
          enter('wait for result')
          break
        case ExecutorMessage.Type.STARTED:
          startedAt = Number(message.startedAt ?? 0n)
          onProgress?.({ phase: 'running', startedAt, elapsedMs: 0 })
          break
        case ExecutorMessage.Type.HEARTBEAT:
          if (startedAt != null) onProgress?.({ phase: 'running', startedAt, elapsedMs: message.elapsedMs ?? 0 })
          break
        case ExecutorMessage.Type.FAILURE:
          throw new RemoteTaskError(message.errorName ?? RemoteTaskError.name, message.errorMessage ?? 'the executor reported a failure')
        case ExecutorMessage.Type.RESULT: {
          if (tracing !== undefined && submitSpan !== undefined && sentMs !== undefined) {
            takeExecutorSpans(tracing.recorder, submitSpan, message, executor, { sentMs, receivedMs: tracing.recorder.time() })
          }
          onProgress?.({ phase: 'verifying' })
          enter('verify')
          const outcome = await checkResult(message, offer, executor, submitter)
          leave()
          await options.afterResult?.(messages)
          return outcome
        }
        default:
          throw new InvalidTaskMessageError(`unexpected message ${String(message.type)} from executor ${executor}`)
      }
      message = await nextMessage(HEARTBEAT_TIMEOUT_MS)
    }
  } catch (err) {
    leave(err)
    if (submitSpan !== undefined) tracing?.recorder.end(submitSpan, err)
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    leave()
    if (submitSpan !== undefined && submitSpan.isRecording()) tracing?.recorder.end(submitSpan)
    if (stream.status === 'open') {
      // The result is in hand; the closing handshake need not hold up the caller.
      stream.close().catch(() => {})
    }
  }
}

/**
 * Trusts a result only through its receipt: signed by the executor at the
 * other end of the stream, for exactly the task that was offered and within
 * its budget, covering exactly the bytes received. A run that failed (trap, timeout, out of fuel,
 * …) still comes with a receipt; it rejects with the executor's error,
 * carrying that verified receipt.
 */
async function checkResult (message: ExecutorMessage, offer: ValidOffer, executor: string, submitter: string): Promise<TaskOutcome> {
  const { stdout, stderr, files: wireFiles, receipt: receiptJson } = message
  if (stdout == null || stderr == null || receiptJson == null) {
    throw new InvalidTaskMessageError('the result lacks stdout, stderr or receipt')
  }
  if (stdout.byteLength > MAX_OUTPUT_BYTES || stderr.byteLength > MAX_OUTPUT_BYTES) {
    throw new InvalidTaskMessageError(`the output exceeds ${MAX_OUTPUT_BYTES} bytes`)
  }
  const files = wireFiles.map(({ path, data }): [string, Uint8Array<ArrayBuffer>] => [path, data])
  if (files.length > MAX_TASK_FILES || files.reduce((sum, [, data]) => sum + data.byteLength, 0) > MAX_WORK_DIRECTORY_BYTES) {
    throw new InvalidTaskMessageError(`the output files exceed ${MAX_TASK_FILES} files or ${MAX_WORK_DIRECTORY_BYTES} bytes`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(receiptJson)
  } catch {
    throw new InvalidTaskMessageError('the receipt is not JSON')
  }
  const receipt = parseReceipt(parsed)
  await verifyReceipt(receipt, {
    taskId: offer.taskId,
    moduleHash: offer.moduleHash,
    inputHash: sha256Hex(offer.stdin),
    outputHash: sha256Hex(stdout),
    stderrHash: sha256Hex(stderr),
    inputFilesHash: filesHash(offer.files),
    outputFilesHash: filesHash(files),
    args: offer.args,
    env: offer.env,
    seed: bytesToBase64Url(offer.seed),
    limits: { timeoutMs: offer.timeoutMs, memoryBytes: offer.memoryLimitBytes, fuel: offer.fuel },
    executor,
    submitter
  })
  // A receipt that names a trace must name the one offered (docs/receipt-format.md §7 step 5); one that names none is not traced.
  if (receipt.traceId !== undefined && receipt.traceId !== offer.traceparent?.traceId) {
    throw new ReceiptMismatchError('traceId', offer.traceparent?.traceId ?? null, receipt.traceId)
  }
  // The schema already ties the charge to the receipt's own budget; this ties that budget to the offer.
  if (receipt.price.maxTotalPrice !== offer.maxTotalPrice) {
    throw new ReceiptBudgetMismatchError(
      `receipt price.maxTotalPrice is ${receipt.price.maxTotalPrice}, the offer's budget was ${offer.maxTotalPrice}`, receipt)
  }
  if (receipt.status !== 'ok' && receipt.status !== 'exit') {
    throw new RemoteTaskError(
      message.errorName ?? 'TaskFailedError',
      message.errorMessage ?? `the task ended with status ${receipt.status}`,
      receipt
    )
  }
  return { stdout, stderr, files, exitCode: receipt.exitCode ?? 0, receipt }
}

/**
 * Adds the executor's spans from a RESULT to the trace, placed on this peer's
 * timeline within the window from the offer to the RESULT. Spans that break
 * the schema are left out and the reason kept on the `submit` span: they are
 * diagnostics, and the result stands or falls by its receipt alone.
 */
function takeExecutorSpans (
  recorder: TraceRecorder, submitSpan: OtelSpan, message: ExecutorMessage, executor: string, window: { sentMs: number, receivedMs: number }
): void {
  const { traceId, spanId } = submitSpan.spanContext()
  try {
    recorder.addRemote(placeRemoteSpans(readWireSpans(message.spans, spanId), window, { traceId, peer: executor }))
  } catch (err) {
    submitSpan.setAttribute('zerostate.spans_refused', err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 256) : String(err))
  }
}
