/**
 * W3C Trace Context traceparent (https://www.w3.org/TR/trace-context/ §3.2),
 * with the spec's own example, and the placement of a remote peer's spans.
 */
import { describe, expect, it } from 'vitest'
import { formatTraceparent, parseTraceparent, placeRemoteSpans, toRemoteSpans } from '../../../src/core/tracing/index.ts'
import type { RemoteSpan, TraceSpan } from '../../../src/core/tracing/index.ts'

// §3.2.2.5.1's example.
const EXAMPLE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

function thrown (fn: () => unknown): Error {
  try { fn() } catch (err) { return err as Error }
  throw new Error('did not throw')
}

describe('traceparent', () => {
  it('reads and writes the spec example', () => {
    const context = parseTraceparent(EXAMPLE)
    expect(context).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', traceFlags: 1 })
    expect(formatTraceparent(context)).toBe(EXAMPLE)
    expect(formatTraceparent({ ...context, traceFlags: 0 })).toBe(EXAMPLE.replace(/01$/, '00'))
  })

  it('refuses every malformed value with InvalidTraceparentError', () => {
    const bad = [
      '', EXAMPLE.toUpperCase(), EXAMPLE.replace('4bf9', '4BF9'), EXAMPLE.replace(/^00/, '01'), EXAMPLE.replace(/^00/, 'ff'),
      `${EXAMPLE}-extra`, EXAMPLE.slice(0, -1), EXAMPLE.replace('-00f0', '_00f0'),
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-010', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01',
      ' 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0'
    ]
    for (const value of bad) expect(thrown(() => parseTraceparent(value)).name, value).toBe('InvalidTraceparentError')
    expect(thrown(() => parseTraceparent(42 as unknown as string)).name).toBe('InvalidTraceparentError')
  })

  it('refuses to write what it could not read back', () => {
    const good = parseTraceparent(EXAMPLE)
    for (const context of [
      { ...good, traceId: '0'.repeat(32) }, { ...good, traceId: good.traceId.toUpperCase() }, { ...good, parentId: 'abc' },
      { ...good, traceFlags: 256 }, { ...good, traceFlags: -1 }, { ...good, traceFlags: 1.5 }
    ]) {
      expect(thrown(() => formatTraceparent(context)).name).toBe('InvalidTraceparentError')
    }
  })
})

describe('placeRemoteSpans', () => {
  const remote: RemoteSpan[] = [
    { spanId: '1111111111111111', parentId: 'aaaaaaaaaaaaaaaa', name: 'execute', startUs: 0, endUs: 40_000, attributes: {} },
    { spanId: '2222222222222222', parentId: '1111111111111111', name: 'run', startUs: 10_000, endUs: 30_000, attributes: { k: 'v' } }
  ]
  const trace = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', peer: 'executor' }

  it('centres the remote extent in the local window, whatever the remote clock read', () => {
    // 100 ms window, 40 ms of remote work: 30 ms each way.
    const placed = placeRemoteSpans(remote, { sentMs: 1_000_000, receivedMs: 1_000_100 }, trace)
    expect(placed.map(span => [span.name, span.startMs, span.endMs])).toEqual([['execute', 1_000_030, 1_000_070], ['run', 1_000_040, 1_000_060]])
    expect(placed[1]).toMatchObject({ traceId: trace.traceId, peer: 'executor', parentId: '1111111111111111', attributes: { k: 'v' } })
  })

  it('starts at the send when the remote extent is longer than the window (a fast clock)', () => {
    const placed = placeRemoteSpans(remote, { sentMs: 500, receivedMs: 520 }, trace)
    expect(placed[0]!.startMs).toBe(500)
    expect(placed[0]!.endMs).toBe(540)
  })

  it('round-trips through toRemoteSpans', () => {
    const local: TraceSpan[] = [{ ...trace, spanId: '3333333333333333', name: 'queue', startMs: 2000.5, endMs: 2003.25, attributes: { n: 3, ok: true } }]
    expect(toRemoteSpans(local, 2000)).toEqual([{ spanId: '3333333333333333', name: 'queue', startUs: 500, endUs: 3250, attributes: { n: '3', ok: 'true' } }])
    expect(placeRemoteSpans([], { sentMs: 0, receivedMs: 1 }, trace)).toEqual([])
  })
})
