/**
 * The trace of a forwarded task (docs/tracing.md §6). Each hop records a
 * `forward hop` span from reading the header to the moment the far side has
 * finished sending, and gets it to the origin in a ForwardTrailer appended
 * after the task conversation, before the hop closes its side towards the
 * origin. The bytes of the conversation itself pass byte for byte, never
 * decoded: a RESULT may be ~33 MiB, and a hop has no business reading it.
 * Trailers pile up in order (the hop nearest the target first, since it is
 * the first to see the end), and the origin reads them after the RESULT.
 *
 * Like an executor's spans, a trailer is a diagnostic, not evidence: not
 * signed, bounded, and refused whole (noted on the origin's `forward` span)
 * when it breaks the schema, without touching the task's result.
 */
import type { Span as OtelSpan } from '@opentelemetry/api'
import { TRACE_FLAG_SAMPLED, formatTraceparent, parseTraceparent, placeRemoteSpans, toRemoteSpans } from '../../core/tracing/index.ts'
import type { RemoteSpan } from '../../core/tracing/index.ts'
import { bytesToHex } from '../../core/encoding.ts'
import type { FramedStream } from '../../network/framed-stream.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'
import { readWireSpans, toWireSpans } from '../task-protocol/index.ts'
import { MAX_FORWARD_TRAILER_BYTES, MAX_HOPS, MAX_PEER_ID_LENGTH, MAX_TRAILER_SPANS, TRAILER_TIMEOUT_MS } from './constants.ts'
import { InvalidForwardHeaderError } from './errors.ts'
import { ForwardTrailer } from './pb/forward.ts'

/** One hop's `forward hop` span, from the header read to the trailer sent. */
export class HopTrace {
  private readonly recorder: TraceRecorder
  private readonly span: OtelSpan
  private readonly readAtMs: number
  private ended = false

  private constructor (recorder: TraceRecorder, span: OtelSpan, readAtMs: number) {
    this.recorder = recorder
    this.span = span
    this.readAtMs = readAtMs
  }

  /**
   * The hop's span of a header that carries a sampled traceparent, when this
   * hop records spans; undefined otherwise (the header's traceparent then
   * passes on unchanged, and no trailer is sent).
   */
  static open (recorder: TraceRecorder | undefined, traceparent: string | undefined, attributes: Record<string, string | number>, readAtMs: number): HopTrace | undefined {
    if (recorder === undefined || !recorder.enabled || traceparent === undefined) return undefined
    const parent = parseTraceparent(traceparent)
    if ((parent.traceFlags & TRACE_FLAG_SAMPLED) === 0) return undefined
    return new HopTrace(recorder, recorder.start('forward hop', parent, attributes, readAtMs), readAtMs)
  }

  /** The traceparent the next hop's header carries: this hop's span. */
  traceparent (): string {
    return formatTraceparent(this.recorder.contextOf(this.span))
  }

  /** Notes the next hop on the span. */
  via (next: string): void {
    this.span.setAttribute('zerostate.next', next)
  }

  /** Ends the span, failed with `error`; a second call does nothing. */
  fail (error: unknown): void {
    if (this.ended) return
    this.ended = true
    this.recorder.end(this.span, error)
  }

  /** Ends the span and returns the framed ForwardTrailer carrying it, timed in µs after the header was read. */
  trailer (peer: string): Uint8Array {
    if (!this.ended) {
      this.ended = true
      this.recorder.end(this.span)
    }
    const { traceId, spanId } = this.span.spanContext()
    const spans = toWireSpans(toRemoteSpans(this.recorder.subtree(traceId, spanId), this.readAtMs)).slice(0, MAX_TRAILER_SPANS)
    return frame(ForwardTrailer.encode({ peer, spans }))
  }
}

/** Checks a header's traceparent as the offer's is checked: W3C version 00, strictly. */
export function checkHeaderTraceparent (traceparent: string | undefined): void {
  if (traceparent === undefined) return
  try {
    parseTraceparent(traceparent)
  } catch (err) {
    throw new InvalidForwardHeaderError(`the header's traceparent: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/**
 * The origin's reading of the hops' trailers after a verified RESULT: at most
 * MAX_HOPS of them, within TRAILER_TIMEOUT_MS, until the stream ends. Their
 * spans join the trace, each hop's placed inside the window from the header
 * sent to its trailer read (core/tracing placeRemoteSpans). Never throws.
 */
export async function readTrailers (
  messages: FramedStream, recorder: TraceRecorder, forward: OtelSpan, sentMs: number, signal?: AbortSignal
): Promise<void> {
  const timeout = AbortSignal.timeout(TRAILER_TIMEOUT_MS)
  const read = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
  const received: Array<{ trailer: ForwardTrailer, receivedMs: number }> = []
  try {
    for (let i = 0; i < MAX_HOPS; i++) {
      const trailer = await messages.read(ForwardTrailer, {
        maxBytes: MAX_FORWARD_TRAILER_BYTES, signal: read, limits: { spans: MAX_TRAILER_SPANS, spans$: { attributes: 8 } }
      })
      received.push({ trailer, receivedMs: recorder.time() })
    }
  } catch {
    // The end of the stream (the usual way out), a timeout, or a malformed trailer: keep what was read.
  }
  if (received.length === 0) return
  const { traceId, spanId } = forward.spanContext()
  try {
    // Checked together: a hop's span hangs under the previous hop's, which arrives after it.
    const all = readWireSpans(received.flatMap(({ trailer }) => trailer.spans), spanId)
    const byId = new Map<string, RemoteSpan>(all.map(span => [span.spanId, span]))
    for (const { trailer, receivedMs } of received) {
      if (trailer.peer.length === 0 || trailer.peer.length > MAX_PEER_ID_LENGTH) throw new InvalidForwardHeaderError('a trailer must name its hop')
      const spans = trailer.spans.map(span => byId.get(bytesToHex(span.spanId))).filter(span => span !== undefined)
      recorder.addRemote(placeRemoteSpans(spans, { sentMs, receivedMs }, { traceId, peer: trailer.peer }))
    }
  } catch (err) {
    forward.setAttribute('zerostate.spans_refused', err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 256) : String(err))
  }
}

/** `message` behind its unsigned-varint length: the framing of every message on the stream. */
function frame (message: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let rest = message.byteLength
  do {
    const low = rest % 128
    rest = Math.floor(rest / 128)
    prefix.push(rest > 0 ? low | 0x80 : low)
  } while (rest > 0)
  const out = new Uint8Array(prefix.length + message.byteLength)
  out.set(prefix)
  out.set(message, prefix.length)
  return out
}
