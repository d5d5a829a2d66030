/**
 * A finished span as this project keeps, shows and sends it, and the rule
 * that places a remote peer's spans on the local timeline. Pure: no clock.
 */
import type { SpanId, TraceId } from './traceparent.ts'

/** A span attribute's value, as the waterfall shows it. */
export type SpanAttributeValue = string | number | boolean

/** One finished span of a task's trace. */
export interface TraceSpan {
  traceId: TraceId
  spanId: SpanId
  /** Absent for the trace's root span. */
  parentId?: SpanId
  /** What was done: one of the span names in docs/tracing.md. */
  name: string
  /** PeerId of the peer that recorded the span. */
  peer: string
  /** Unix epoch ms on the timeline of the peer holding the trace (a remote peer's spans are placed on it, see placeRemoteSpans). */
  startMs: number
  endMs: number
  attributes: Record<string, SpanAttributeValue>
  /** Set when the work the span covers failed: the error's name. */
  error?: string
}

/** A span as another peer reports it: its times in µs from that peer's own zero, on that peer's clock. */
export interface RemoteSpan {
  spanId: SpanId
  parentId?: SpanId
  name: string
  startUs: number
  endUs: number
  attributes: Record<string, string>
  error?: string
}

/** When the local peer sent the request the remote spans answer, and when their answer arrived, on the local clock. */
export interface ExchangeWindow {
  sentMs: number
  receivedMs: number
}

/**
 * Places `spans`, timed on another peer's clock, on the local timeline.
 *
 * Two peers' clocks may differ by seconds (no clock is shared in the mesh),
 * so the remote times are never read as epoch times. What is known is that
 * everything the remote peer recorded for this exchange happened after the
 * local peer sent its request (`sentMs`) and before its answer arrived
 * (`receivedMs`), and how long the remote work took by the remote clock (its
 * spans' extent; clock *rates* agree closely over seconds). The remote
 * extent is centred in the local window: the rest of the window is the two
 * network crossings, assumed equal, as NTP assumes for its offset estimate
 * (RFC 5905 §8). Should the remote extent exceed the window (a clock running
 * fast), it starts at `sentMs`.
 */
export function placeRemoteSpans (spans: readonly RemoteSpan[], window: ExchangeWindow, trace: { traceId: TraceId, peer: string }): TraceSpan[] {
  if (spans.length === 0) return []
  const firstUs = Math.min(...spans.map(span => span.startUs))
  const lastUs = Math.max(...spans.map(span => span.endUs))
  const extentMs = (lastUs - firstUs) / 1000
  const slackMs = Math.max(0, window.receivedMs - window.sentMs - extentMs)
  const zeroMs = window.sentMs + slackMs / 2 - firstUs / 1000
  return spans.map(span => ({
    traceId: trace.traceId,
    spanId: span.spanId,
    ...(span.parentId === undefined ? {} : { parentId: span.parentId }),
    name: span.name,
    peer: trace.peer,
    startMs: zeroMs + span.startUs / 1000,
    endMs: zeroMs + span.endUs / 1000,
    attributes: { ...span.attributes },
    ...(span.error === undefined ? {} : { error: span.error })
  }))
}

/**
 * `spans` as another peer will receive them: µs after `zeroMs` (the local
 * time the remote request arrived), attribute values as strings.
 */
export function toRemoteSpans (spans: readonly TraceSpan[], zeroMs: number): RemoteSpan[] {
  return spans.map(span => ({
    spanId: span.spanId,
    ...(span.parentId === undefined ? {} : { parentId: span.parentId }),
    name: span.name,
    startUs: Math.max(0, Math.round((span.startMs - zeroMs) * 1000)),
    endUs: Math.max(0, Math.round((span.endMs - zeroMs) * 1000)),
    attributes: Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, String(value)])),
    ...(span.error === undefined ? {} : { error: span.error })
  }))
}
