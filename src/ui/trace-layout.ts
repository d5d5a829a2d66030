/**
 * The rows of a trace waterfall: spans in tree order (each parent before its
 * children, siblings by start), each with its depth and its place on the
 * trace's time axis as fractions of the whole. A span whose parent is not in
 * the trace (the executor's root, when its parent span was dropped) is a root.
 */
import type { TraceSpan } from '../app/index.ts'

export interface WaterfallRow {
  span: TraceSpan
  depth: number
  /** Where the bar starts and how wide it is, as fractions (0–1) of the trace's extent. */
  offset: number
  width: number
  durationMs: number
}

export interface WaterfallLayout {
  rows: WaterfallRow[]
  startMs: number
  totalMs: number
  /** The peers in the trace, in order of their first span (the submitter first). */
  peers: string[]
}

/** Deeper than this, rows are not indented further (a forwarded task's hops nest). */
const MAX_DEPTH = 8

export function waterfallLayout (spans: readonly TraceSpan[]): WaterfallLayout {
  if (spans.length === 0) return { rows: [], startMs: 0, totalMs: 0, peers: [] }
  const byStart = [...spans].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs)
  const startMs = byStart[0]!.startMs
  const endMs = Math.max(...spans.map(span => span.endMs))
  const totalMs = Math.max(endMs - startMs, 1e-6)
  const ids = new Set(spans.map(span => span.spanId))
  const children = new Map<string | undefined, TraceSpan[]>()
  for (const span of byStart) {
    const parent = span.parentId !== undefined && ids.has(span.parentId) ? span.parentId : undefined
    children.set(parent, [...children.get(parent) ?? [], span])
  }
  const rows: WaterfallRow[] = []
  const seen = new Set<string>()
  // Iterative depth-first walk, bounded by the span count (a cycle of parents is cut at the first repeat).
  const stack: Array<{ span: TraceSpan, depth: number }> = (children.get(undefined) ?? []).map(span => ({ span, depth: 0 })).reverse()
  while (stack.length > 0 && rows.length < spans.length) {
    const { span, depth } = stack.pop()!
    if (seen.has(span.spanId)) continue
    seen.add(span.spanId)
    rows.push({
      span,
      depth: Math.min(depth, MAX_DEPTH),
      offset: (span.startMs - startMs) / totalMs,
      width: Math.max(0, span.endMs - span.startMs) / totalMs,
      durationMs: Math.max(0, span.endMs - span.startMs)
    })
    for (const child of [...children.get(span.spanId) ?? []].reverse()) stack.push({ span: child, depth: depth + 1 })
  }
  const peers = [...new Set(byStart.map(span => span.peer))]
  return { rows, startMs, totalMs, peers }
}

/** `0.42 ms`, `3.1 ms`, `120 ms`, `2.50 s`: spans are often far under a millisecond. */
export function formatSpanDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1) return `${ms.toFixed(2)} ms`
  if (ms < 10) return `${ms.toFixed(1)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}
