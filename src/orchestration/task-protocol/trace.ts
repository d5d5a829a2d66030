/**
 * The spans of a traced task on the wire (pb/task.proto Span): what an
 * executor or a forwarding hop sends back with a RESULT, bounded both ways.
 * Spans are diagnostics, not evidence: they are not signed, and spans that
 * break the schema are refused (InvalidTraceSpanError) without touching the
 * result, which its receipt alone vouches for.
 */
import { bytesToHex, hexToBytes } from '../../core/encoding.ts'
import { isSpanId } from '../../core/tracing/index.ts'
import type { RemoteSpan, SpanId } from '../../core/tracing/index.ts'
import {
  MAX_SPAN_ATTRIBUTES, MAX_SPAN_ATTRIBUTE_KEY_BYTES, MAX_SPAN_ATTRIBUTE_VALUE_BYTES, MAX_SPAN_ERROR_BYTES, MAX_SPAN_NAME_BYTES,
  MAX_SPAN_OFFSET_US, MAX_TRACE_SPANS
} from './constants.ts'
import { InvalidTraceSpanError } from './errors.ts'
import type { Span } from './pb/task.ts'

const utf8 = new TextEncoder()

/** Read limits for a RESULT's repeated span fields (protons `limits`). */
export const SPAN_READ_LIMITS = { spans: MAX_TRACE_SPANS, spans$: { attributes: MAX_SPAN_ATTRIBUTES } }

/**
 * Checks spans received with a result and returns them as RemoteSpans:
 * at most MAX_TRACE_SPANS, distinct non-zero 8-byte ids, each parent either
 * `parentId` (the span the offer's traceparent named) or another of these
 * spans, start ≤ end ≤ MAX_SPAN_OFFSET_US, bounded names, attributes and errors.
 */
export function readWireSpans (spans: readonly Span[], parentId: SpanId): RemoteSpan[] {
  if (spans.length > MAX_TRACE_SPANS) throw new InvalidTraceSpanError(`${spans.length} spans; the limit is ${MAX_TRACE_SPANS}`)
  const read = spans.map((span, i) => readSpan(span, i))
  const ids = new Set(read.map(span => span.spanId))
  if (ids.size !== read.length) throw new InvalidTraceSpanError('two spans share a span id')
  for (const span of read) {
    if (span.parentId !== parentId && (span.parentId === undefined || !ids.has(span.parentId))) {
      throw new InvalidTraceSpanError(`span "${span.name}" hangs under neither the offer's span nor another span of the result`)
    }
  }
  return read
}

/**
 * Spans as the wire carries them: the first MAX_TRACE_SPANS by start (a
 * parent starts before its children, so no child outlives its parent), names,
 * attributes and errors cut to their limits.
 */
export function toWireSpans (spans: readonly RemoteSpan[]): Span[] {
  return [...spans].sort((a, b) => a.startUs - b.startUs).slice(0, MAX_TRACE_SPANS).map(span => ({
    name: cut(span.name, MAX_SPAN_NAME_BYTES),
    spanId: hexToBytes(span.spanId),
    parentSpanId: span.parentId === undefined ? new Uint8Array(0) : hexToBytes(span.parentId),
    startUs: BigInt(Math.min(span.startUs, MAX_SPAN_OFFSET_US)),
    endUs: BigInt(Math.min(span.endUs, MAX_SPAN_OFFSET_US)),
    attributes: Object.entries(span.attributes).slice(0, MAX_SPAN_ATTRIBUTES)
      .map(([key, value]) => ({ key: cut(key, MAX_SPAN_ATTRIBUTE_KEY_BYTES), value: cut(value, MAX_SPAN_ATTRIBUTE_VALUE_BYTES) })),
    ...(span.error === undefined ? {} : { error: cut(span.error, MAX_SPAN_ERROR_BYTES) })
  }))
}

function readSpan (span: Span, i: number): RemoteSpan {
  const name = text(span.name, `span ${i}'s name`, 1, MAX_SPAN_NAME_BYTES)
  const spanId = spanIdOf(span.spanId, `span "${name}"'s id`)
  const parentId = span.parentSpanId.byteLength === 0 ? undefined : spanIdOf(span.parentSpanId, `span "${name}"'s parent id`)
  if (span.startUs > span.endUs || span.endUs > BigInt(MAX_SPAN_OFFSET_US)) {
    throw new InvalidTraceSpanError(`span "${name}" must start before it ends, within ${MAX_SPAN_OFFSET_US} µs`)
  }
  if (span.attributes.length > MAX_SPAN_ATTRIBUTES) throw new InvalidTraceSpanError(`span "${name}" has more than ${MAX_SPAN_ATTRIBUTES} attributes`)
  const attributes: Record<string, string> = {}
  for (const { key, value } of span.attributes) {
    const k = text(key, `an attribute key of span "${name}"`, 1, MAX_SPAN_ATTRIBUTE_KEY_BYTES)
    if (Object.hasOwn(attributes, k)) throw new InvalidTraceSpanError(`span "${name}" names attribute "${k}" twice`)
    attributes[k] = text(value, `attribute "${k}" of span "${name}"`, 0, MAX_SPAN_ATTRIBUTE_VALUE_BYTES)
  }
  return {
    spanId,
    ...(parentId === undefined ? {} : { parentId }),
    name,
    startUs: Number(span.startUs),
    endUs: Number(span.endUs),
    attributes,
    ...(span.error === undefined ? {} : { error: text(span.error, `span "${name}"'s error`, 1, MAX_SPAN_ERROR_BYTES) })
  }
}

function spanIdOf (bytes: Uint8Array, what: string): SpanId {
  const id = bytes.byteLength === 8 ? bytesToHex(bytes) : ''
  if (!isSpanId(id)) throw new InvalidTraceSpanError(`${what} must be 8 bytes, not all zero`)
  return id
}

function text (value: string, what: string, min: number, max: number): string {
  if (fitsUtf8(value, min, max)) return value
  const bytes = utf8.encode(value).byteLength
  if (bytes < min || bytes > max) throw new InvalidTraceSpanError(`${what} must be ${min}–${max} bytes of UTF-8`)
  return value
}

/**
 * Whether `value` is surely `min`–`max` bytes of UTF-8 by its length alone:
 * each UTF-16 unit takes 1–3 bytes (a surrogate pair, two units, takes 4).
 * Spans' names, keys and values are short; encoding each to count its bytes
 * was most of the cost of checking and cutting them.
 */
function fitsUtf8 (value: string, min: number, max: number): boolean {
  return value.length >= min && value.length * 3 <= max
}

/** At most `max` bytes of UTF-8, cut at a character boundary. */
function cut (value: string, max: number): string {
  if (fitsUtf8(value, 0, max) || utf8.encode(value).byteLength <= max) return value
  let out = ''
  let bytes = 0
  for (const char of value) {
    const size = utf8.encode(char).byteLength
    if (bytes + size > max) break
    out += char
    bytes += size
  }
  return out
}
