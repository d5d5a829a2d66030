/**
 * Tracing without a domain: the W3C Trace Context `traceparent`
 * (traceparent.ts), the span a trace is made of, and how another peer's
 * spans are placed on this peer's timeline (span.ts). Pure; the recorder
 * that makes spans (with a clock and random ids) is network/tracing.
 */
export {
  InvalidTraceparentError, TRACEPARENT_LENGTH, TRACE_FLAG_SAMPLED, formatTraceparent, isSpanId, isTraceId, parseTraceparent
} from './traceparent.ts'
export type { SpanId, TraceContext, TraceId } from './traceparent.ts'
export { placeRemoteSpans, toRemoteSpans } from './span.ts'
export type { ExchangeWindow, RemoteSpan, SpanAttributeValue, TraceSpan } from './span.ts'
