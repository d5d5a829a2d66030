/**
 * The executor's spans of a traced task (docs/tracing.md): `execute` from
 * the moment the offer was read to the RESULT, under the submitter's span
 * the offer's traceparent names, with `module transfer`, `queue`, `run` and
 * `sign` inside it. They go back in the RESULT, timed in µs after the offer
 * was read by this peer's clock; the submitter places them on its own
 * timeline (core/tracing placeRemoteSpans).
 */
import type { Span as OtelSpan } from '@opentelemetry/api'
import { toRemoteSpans } from '../../core/tracing/index.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'
import type { ValidOffer } from './offer.ts'
import type { Span } from './pb/task.ts'
import { toWireSpans } from './trace.ts'

export class ExecutorTrace {
  private readonly recorder: TraceRecorder
  private readonly root: OtelSpan
  private readonly readAtMs: number
  private finished = false

  private constructor (recorder: TraceRecorder, root: OtelSpan, readAtMs: number) {
    this.recorder = recorder
    this.root = root
    this.readAtMs = readAtMs
  }

  /** The trace of `offer`, when it carries a traceparent and this executor records spans; `readAtMs` is when the offer was read. */
  static open (recorder: TraceRecorder | undefined, offer: ValidOffer, submitter: string, readAtMs: number | undefined): ExecutorTrace | undefined {
    if (recorder === undefined || !recorder.enabled || offer.traceparent === undefined || readAtMs === undefined) return undefined
    const root = recorder.start('execute', offer.traceparent, { 'zerostate.task_id': offer.taskId, 'zerostate.submitter': submitter }, readAtMs)
    return new ExecutorTrace(recorder, root, readAtMs)
  }

  /** Runs `work` as the phase `name` of the task; the span records its failure too. */
  async phase<T>(name: string, work: (span: OtelSpan) => Promise<T>, attributes?: Record<string, string | number | boolean>): Promise<T> {
    return this.recorder.within(name, this.root, work, attributes)
  }

  /** Ends `execute` (failed, with `error`) and returns the executor's spans of the task, as the RESULT carries them; [] once finished. */
  finish (error?: unknown): Span[] {
    if (this.finished) return []
    this.finished = true
    this.recorder.end(this.root, error)
    const { traceId, spanId } = this.root.spanContext()
    return toWireSpans(toRemoteSpans(this.recorder.subtree(traceId, spanId), this.readAtMs))
  }
}

/** `work` as a phase of `trace`, or just `work` when the task is not traced. */
export async function inPhase<T> (trace: ExecutorTrace | undefined, name: string, work: () => Promise<T>): Promise<T> {
  return trace === undefined ? work() : trace.phase(name, work)
}
