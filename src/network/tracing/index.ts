/**
 * A peer's span recorder (recorder.ts): OpenTelemetry spans timed by the
 * peer's clock and kept in memory by trace. The formats it records in are
 * core/tracing's.
 */
export { DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_MAX_TRACES, ID_POOL_BYTES, TraceRecorder } from './recorder.ts'
export type { SpanParent, TraceRecorderInit } from './recorder.ts'
export {
  InvalidCollectorUrlError, MAX_COLLECTOR_URL_LENGTH, OTLP_EXPORT_DELAY_MS, OTLP_EXPORT_TIMEOUT_MS, OTLP_MAX_BATCH_SPANS, OTLP_MAX_QUEUED_SPANS,
  OtlpExport, checkCollectorUrl
} from './otlp-export.ts'
export type { OtlpExportInit } from './otlp-export.ts'
