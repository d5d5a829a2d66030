/**
 * A peer's spans: an OpenTelemetry tracer (the @opentelemetry/api Span and
 * Tracer interfaces, the SDK's tracer from @opentelemetry/sdk-trace-base)
 * whose finished spans stay in memory, bounded, grouped by trace — what a
 * task card's waterfall and `window.zerostate.trace(taskId)` read, and what
 * an executor sends back with its result.
 *
 * Spans are timed by this peer's clock (`now`, epoch ms with sub-ms
 * precision by default): the recorder passes the start and end times to the
 * SDK rather than let it read its own, so a test can hand it a clock.
 * Another peer's spans join a trace through `addRemote`, already placed on
 * this peer's timeline (core/tracing placeRemoteSpans).
 *
 * @example
 * const recorder = new TraceRecorder({ peer: peerId.toString() })
 * const task = recorder.start('task')
 * await recorder.within('store', task, async () => { … })
 * recorder.end(task)
 * recorder.trace(recorder.contextOf(task).traceId) // [store, task] by start
 */
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context, HrTime, Span, Tracer } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import type { IdGenerator, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { bytesToHex } from '../../core/encoding.ts'
import { TRACE_FLAG_SAMPLED } from '../../core/tracing/index.ts'
import type { SpanAttributeValue, TraceContext, TraceId, TraceSpan } from '../../core/tracing/index.ts'

/** Traces a recorder keeps by default; the oldest goes first. */
export const DEFAULT_MAX_TRACES = 256
/** Spans one trace keeps by default; later ones are dropped (and counted). */
export const DEFAULT_MAX_SPANS_PER_TRACE = 256
/**
 * Random bytes drawn at once for ids: 16 trace ids or 32 span ids. One
 * crypto.getRandomValues call costs about as much as 4 KiB of its output
 * (~4 µs in Chromium), and a task's spans need a dozen ids on its path.
 */
export const ID_POOL_BYTES = 256

export interface TraceRecorderInit {
  /** PeerId of this peer: every span it records names it. */
  peer: string
  /** Unix epoch ms. Default: performance.timeOrigin + performance.now() (sub-ms, monotonic within the page or process). */
  now?(): number
  /**
   * Random bytes for trace and span ids, asked for ID_POOL_BYTES at a time.
   * Default: crypto.getRandomValues (W3C Trace Context §3.2.2.3 asks for random trace ids).
   */
  randomBytes?(length: number): Uint8Array
  /** Traces kept, oldest dropped first. Default DEFAULT_MAX_TRACES. */
  maxTraces?: number
  /** Spans kept per trace. Default DEFAULT_MAX_SPANS_PER_TRACE. */
  maxSpansPerTrace?: number
  /** Further SDK span processors (an OTLP exporter's); each sees every span this recorder ends. */
  processors?: SpanProcessor[]
}

/** Where a new span hangs: under a local span, under a remote peer's span (a traceparent), or nowhere (a new trace). */
export type SpanParent = Span | TraceContext | undefined

export class TraceRecorder {
  readonly peer: string
  readonly tracer: Tracer
  /**
   * Whether new tasks are traced. Off, the services that record through this
   * recorder behave as if they had none (the bench measures both ways); the
   * spans already kept stay readable.
   */
  enabled = true
  private readonly now: () => number
  private readonly maxTraces: number
  private readonly maxSpansPerTrace: number
  private readonly traces = new Map<TraceId, TraceSpan[]>()
  private droppedSpans = 0

  constructor (init: TraceRecorderInit) {
    this.peer = init.peer
    // The origin is fixed for the page's or process's life; reading it is a call into the host each time.
    const origin = performance.timeOrigin
    this.now = init.now ?? (() => origin + performance.now())
    this.maxTraces = init.maxTraces ?? DEFAULT_MAX_TRACES
    this.maxSpansPerTrace = init.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE
    const ids = new IdPool(init.randomBytes ?? ((length: number) => crypto.getRandomValues(new Uint8Array(length))))
    const idGenerator: IdGenerator = {
      generateTraceId: () => ids.nonZeroHex(16),
      generateSpanId: () => ids.nonZeroHex(8)
    }
    const keep: SpanProcessor = {
      onStart: () => {},
      onEnd: span => { this.keep(fromReadable(span, this.peer)) },
      forceFlush: async () => {},
      shutdown: async () => {}
    }
    // OpenTelemetry's semantic conventions: what a collector groups the spans by (docs/tracing.md §8).
    const resource = resourceFromAttributes({ 'service.name': 'zerostate', 'service.instance.id': init.peer })
    const provider = new BasicTracerProvider({ idGenerator, resource, spanProcessors: [keep, ...init.processors ?? []] })
    this.tracer = provider.getTracer('zerostate')
  }

  /** Starts a span under `parent`, now or at `startMs` (a time read earlier from `time()`). */
  start (name: string, parent?: SpanParent, attributes?: Attributes, startMs?: number): Span {
    return this.tracer.startSpan(name, { startTime: msToHr(startMs ?? this.now()), attributes }, contextFor(parent))
  }

  /** Ends `span` now; with `error`, marks it failed (status ERROR, its name kept on the span). */
  end (span: Span, error?: unknown): void {
    if (error !== undefined) {
      const name = error instanceof Error ? error.name : 'Error'
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 256) : String(error).slice(0, 256) })
      span.setAttribute('error.type', name)
    }
    span.end(msToHr(this.now()))
  }

  /** Runs `work` inside a span named `name` under `parent`; the span ends when the work does, failed if it throws. */
  async within<T>(name: string, parent: SpanParent, work: (span: Span) => Promise<T>, attributes?: Attributes): Promise<T> {
    const span = this.start(name, parent, attributes)
    try {
      const result = await work(span)
      this.end(span)
      return result
    } catch (err) {
      this.end(span, err)
      throw err
    }
  }

  /** The traceparent a span's children elsewhere hang under. */
  contextOf (span: Span): TraceContext {
    const { traceId, spanId, traceFlags } = span.spanContext()
    return { traceId, parentId: spanId, traceFlags }
  }

  /** Every span kept of `traceId`, this peer's and others' (addRemote), by start time. */
  trace (traceId: TraceId): TraceSpan[] {
    return [...this.traces.get(traceId) ?? []].sort((a, b) => a.startMs - b.startMs)
  }

  /** The spans of `traceId` at or under `rootSpanId`: one peer's part of a trace, to send back with a result. */
  subtree (traceId: TraceId, rootSpanId: string): TraceSpan[] {
    const spans = this.trace(traceId)
    const inside = new Set([rootSpanId])
    // Children start after their parent; one pass in start order finds them, ties aside, so repeat until stable.
    for (let grew = true; grew;) {
      grew = false
      for (const span of spans) {
        if (!inside.has(span.spanId) && span.parentId !== undefined && inside.has(span.parentId)) {
          inside.add(span.spanId)
          grew = true
        }
      }
    }
    return spans.filter(span => inside.has(span.spanId))
  }

  /** Adds spans another peer recorded (placed on this peer's timeline) to their trace. */
  addRemote (spans: readonly TraceSpan[]): void {
    for (const span of spans) this.keep(span)
  }

  /** Spans dropped because their trace already held maxSpansPerTrace. */
  get dropped (): number {
    return this.droppedSpans
  }

  /** The local time, by the recorder's clock: what remote spans are placed against. */
  time (): number {
    return this.now()
  }

  private keep (span: TraceSpan): void {
    let spans = this.traces.get(span.traceId)
    if (spans === undefined) {
      spans = []
      this.traces.set(span.traceId, spans)
      // A Map iterates in insertion order: the first key is the oldest trace.
      while (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value as TraceId)
    }
    if (spans.length >= this.maxSpansPerTrace) {
      this.droppedSpans++
      return
    }
    spans.push(span)
  }
}

function contextFor (parent: SpanParent): Context {
  if (parent === undefined) return ROOT_CONTEXT
  if ('spanContext' in parent) return trace.setSpan(ROOT_CONTEXT, parent)
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: parent.traceId,
    spanId: parent.parentId,
    traceFlags: parent.traceFlags & TRACE_FLAG_SAMPLED,
    isRemote: true
  })
}

function hrToMs ([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6
}

/**
 * Epoch ms as the SDK's HrTime, as the SDK itself converts an epoch number
 * (@opentelemetry/core millisToHrTime); handed over converted, the SDK does
 * not read performance.now() again to tell an epoch time from a relative one.
 */
function msToHr (epochMs: number): HrTime {
  return [Math.trunc(epochMs / 1000), Math.round((epochMs % 1000) * 1e6)]
}

function fromReadable (span: ReadableSpan, peer: string): TraceSpan {
  const { traceId, spanId } = span.spanContext()
  const attributes: Record<string, SpanAttributeValue> = {}
  // The SDK's attributes are a plain object of its own keys (SpanImpl.setAttribute).
  for (const key in span.attributes) {
    const value = span.attributes[key]
    if (key !== 'error.type' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) attributes[key] = value
  }
  const error = span.status.code === SpanStatusCode.ERROR ? String(span.attributes['error.type'] ?? 'Error') : undefined
  return {
    traceId,
    spanId,
    ...(span.parentSpanContext === undefined ? {} : { parentId: span.parentSpanContext.spanId }),
    name: span.name,
    peer,
    startMs: hrToMs(span.startTime),
    endMs: hrToMs(span.endTime),
    attributes,
    ...(error === undefined ? {} : { error })
  }
}

/** Ids cut from random bytes drawn ID_POOL_BYTES at a time; no byte is used twice. */
class IdPool {
  private readonly randomBytes: (length: number) => Uint8Array
  private bytes: Uint8Array = new Uint8Array(0)
  private used = 0

  constructor (randomBytes: (length: number) => Uint8Array) {
    this.randomBytes = randomBytes
  }

  /** `length` random bytes as hex, never all zeros (an invalid id, W3C Trace Context §3.2.2.3–4). */
  nonZeroHex (length: number): string {
    // All zeros from a working source is a 2^-64 event; a source that keeps giving them is broken: each
    // all-zero id is followed by a fresh draw, and eight in a row fail.
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt > 0 || this.used + length > this.bytes.length) this.refill()
      const id = this.bytes.subarray(this.used, this.used + length)
      this.used += length
      if (id.length === length && id.some(byte => byte !== 0)) return bytesToHex(id)
    }
    throw new RangeError(`the random source gave no usable ${length}-byte id in 8 attempts`)
  }

  private refill (): void {
    this.bytes = this.randomBytes(ID_POOL_BYTES)
    this.used = 0
  }
}
