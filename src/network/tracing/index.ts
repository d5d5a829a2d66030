/**
 * A peer's span recorder (recorder.ts): OpenTelemetry spans timed by the
 * peer's clock and kept in memory by trace. The formats it records in are
 * core/tracing's.
 */
export { DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_MAX_TRACES, TraceRecorder } from './recorder.ts'
export type { SpanParent, TraceRecorderInit } from './recorder.ts'
