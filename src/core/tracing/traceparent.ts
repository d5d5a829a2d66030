/**
 * The W3C Trace Context `traceparent` value (https://www.w3.org/TR/trace-context/
 * §3.2): `version "-" trace-id "-" parent-id "-" trace-flags`, here version
 * 00 only, read strictly. A value that is not exactly that is refused with a
 * named error rather than repaired: it reaches this peer in a task offer, and a
 * trace that cannot be joined is better started afresh than joined wrongly.
 */
import { nameError } from '../errors.ts'

/** Lowercase hex of a 16-byte trace id (§3.2.2.3). */
export type TraceId = string
/** Lowercase hex of an 8-byte span id: the traceparent's parent-id (§3.2.2.4). */
export type SpanId = string

/** What a traceparent says: the trace, the span it was sent from, and its flags. */
export interface TraceContext {
  traceId: TraceId
  /** The sender's span: the parent of whatever the receiver records. */
  parentId: SpanId
  /** trace-flags (§3.2.2.5); bit 0 is `sampled`. */
  traceFlags: number
}

/** The `sampled` bit of trace-flags (§3.2.2.5.1). */
export const TRACE_FLAG_SAMPLED = 0x01

/** A version 00 traceparent is exactly this long: 2 + 1 + 32 + 1 + 16 + 1 + 2 characters (§3.2.2). */
export const TRACEPARENT_LENGTH = 55

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/
const ALL_ZERO = /^0+$/

/** Thrown when a traceparent, trace id or span id is not in the form W3C Trace Context requires (the message says which part). */
export class InvalidTraceparentError extends Error {
  static { nameError(this, 'InvalidTraceparentError') }
}

/** 32 lowercase hex digits, not all zero (§3.2.2.3: the all-zero trace id is invalid). */
export function isTraceId (value: unknown): value is TraceId {
  return typeof value === 'string' && TRACE_ID.test(value) && !ALL_ZERO.test(value)
}

/** 16 lowercase hex digits, not all zero (§3.2.2.4). */
export function isSpanId (value: unknown): value is SpanId {
  return typeof value === 'string' && SPAN_ID.test(value) && !ALL_ZERO.test(value)
}

/**
 * Reads a version 00 traceparent. Uppercase hex, other versions, other
 * lengths and all-zero ids are refused (§3.2.2: "Vendors MUST … lowercase";
 * §3.2.2.3–4: all-zero ids are invalid); InvalidTraceparentError otherwise.
 */
export function parseTraceparent (value: string): TraceContext {
  if (typeof value !== 'string') throw new InvalidTraceparentError('a traceparent must be a string')
  if (value.length !== TRACEPARENT_LENGTH) {
    throw new InvalidTraceparentError(`a version 00 traceparent is ${TRACEPARENT_LENGTH} characters, got ${value.length}`)
  }
  const match = TRACEPARENT.exec(value)
  if (match === null) {
    throw new InvalidTraceparentError('a traceparent must be "00-" then 32, 16 and 2 lowercase hex digits separated by "-"')
  }
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string]
  if (ALL_ZERO.test(traceId)) throw new InvalidTraceparentError('the trace id must not be all zeros')
  if (ALL_ZERO.test(parentId)) throw new InvalidTraceparentError('the parent id must not be all zeros')
  return { traceId, parentId, traceFlags: Number.parseInt(flags, 16) }
}

/** Writes a version 00 traceparent; InvalidTraceparentError for ids or flags it could not be read back from. */
export function formatTraceparent (context: TraceContext): string {
  if (!isTraceId(context.traceId)) throw new InvalidTraceparentError('the trace id must be 32 lowercase hex digits, not all zeros')
  if (!isSpanId(context.parentId)) throw new InvalidTraceparentError('the parent id must be 16 lowercase hex digits, not all zeros')
  if (!Number.isInteger(context.traceFlags) || context.traceFlags < 0 || context.traceFlags > 0xff) {
    throw new InvalidTraceparentError('the trace flags must be one byte')
  }
  return `00-${context.traceId}-${context.parentId}-${context.traceFlags.toString(16).padStart(2, '0')}`
}
