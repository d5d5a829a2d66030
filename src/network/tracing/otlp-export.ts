/**
 * OTLP/HTTP export of a peer's spans to a collector (docs/tracing.md §8),
 * off by default. A span processor the recorder always holds, whose target
 * is set at run time: none, or a collector URL, where the spans go in
 * batches through OpenTelemetry's own exporter (OTLP/HTTP with JSON bodies,
 * POST to the URL as given — a collector's traces endpoint is usually
 * `…/v1/traces`).
 *
 * A tab exports from its own origin: the collector must allow it (CORS).
 * Export never touches the spans the peer keeps for itself, and a collector
 * that is down loses only what it was sent (the exporter's bounded queue).
 *
 * @example
 * const otlp = new OtlpExport()
 * const recorder = new TraceRecorder({ peer, processors: [otlp] })
 * await otlp.configure('http://127.0.0.1:4318/v1/traces')
 */
import type { Context } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { nameError } from '../../core/errors.ts'

/** How often a batch goes to the collector, and how much is held for it: a tab's spans, not a server's. */
export const OTLP_EXPORT_DELAY_MS = 2000
export const OTLP_MAX_QUEUED_SPANS = 2048
export const OTLP_MAX_BATCH_SPANS = 256
/** A collector that does not answer within this is given up on for that batch. */
export const OTLP_EXPORT_TIMEOUT_MS = 10_000
export const MAX_COLLECTOR_URL_LENGTH = 2048

/** Thrown when a collector URL is not an absolute http(s) URL without credentials, or is too long. */
export class InvalidCollectorUrlError extends Error {
  static { nameError(this, 'InvalidCollectorUrlError') }
}

/** The collector URL as it will be used; InvalidCollectorUrlError when it cannot be one. */
export function checkCollectorUrl (value: string): string {
  if (value.length > MAX_COLLECTOR_URL_LENGTH) throw new InvalidCollectorUrlError(`a collector URL is at most ${MAX_COLLECTOR_URL_LENGTH} characters`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidCollectorUrlError(`"${value.slice(0, 80)}" is not an absolute URL (e.g. http://127.0.0.1:4318/v1/traces)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidCollectorUrlError(`a collector URL is http or https, not ${url.protocol}`)
  // Credentials in a URL end up in logs and settings; a collector that needs them takes a header, which this does not send.
  if (url.username !== '' || url.password !== '') throw new InvalidCollectorUrlError('a collector URL must not carry a user name or password')
  return url.href
}

export interface OtlpExportInit {
  /** The exporter for a URL; OpenTelemetry's OTLP/HTTP one unless given (a test may pass another). */
  exporter?(url: string): SpanExporter
}

export class OtlpExport implements SpanProcessor {
  private inner: BatchSpanProcessor | undefined
  private target: string | undefined
  private readonly exporter: (url: string) => SpanExporter

  constructor (init: OtlpExportInit = {}) {
    this.exporter = init.exporter ?? (url => new OTLPTraceExporter({ url, timeoutMillis: OTLP_EXPORT_TIMEOUT_MS }))
  }

  /** The collector spans go to now, or undefined when export is off. */
  get url (): string | undefined {
    return this.target
  }

  /** Sends later spans to `url` (checked: InvalidCollectorUrlError), or nowhere when undefined; what was queued for the old target is flushed to it. */
  async configure (url: string | undefined): Promise<void> {
    const next = url === undefined ? undefined : checkCollectorUrl(url)
    if (next === this.target) return
    const old = this.inner
    this.target = next
    this.inner = next === undefined
      ? undefined
      : new BatchSpanProcessor(this.exporter(next), {
        scheduledDelayMillis: OTLP_EXPORT_DELAY_MS,
        maxQueueSize: OTLP_MAX_QUEUED_SPANS,
        maxExportBatchSize: OTLP_MAX_BATCH_SPANS,
        exportTimeoutMillis: OTLP_EXPORT_TIMEOUT_MS
      })
    await old?.shutdown()
  }

  onStart (span: Span, parentContext: Context): void {
    this.inner?.onStart(span, parentContext)
  }

  onEnd (span: ReadableSpan): void {
    this.inner?.onEnd(span)
  }

  async forceFlush (): Promise<void> {
    await this.inner?.forceFlush()
  }

  async shutdown (): Promise<void> {
    await this.configure(undefined)
  }
}
