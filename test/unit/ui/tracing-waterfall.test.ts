/** The waterfall's rows: tree order, depth, place on the time axis; span durations as the card writes them. */
import { describe, expect, it } from 'vitest'
import type { TraceSpan } from '../../../src/app/index.ts'
import { formatSpanDuration, waterfallLayout } from '../../../src/ui/trace-layout.ts'

const span = (spanId: string, name: string, startMs: number, endMs: number, parentId?: string, peer = 'a'): TraceSpan =>
  ({ traceId: 'f'.repeat(32), spanId, name, peer, startMs, endMs, attributes: {}, ...(parentId === undefined ? {} : { parentId }) })

describe('waterfallLayout', () => {
  it('orders rows parent first, siblings by start, with depth and fractions of the extent', () => {
    const { rows, totalMs, peers } = waterfallLayout([
      span('3', 'execute', 20, 60, '2', 'b'),
      span('1', 'task', 0, 100),
      span('4', 'run', 30, 50, '3', 'b'),
      span('2', 'submit', 10, 70, '1'),
      span('5', 'pay', 80, 100, '1')
    ])
    expect(rows.map(row => [row.span.name, row.depth])).toEqual([['task', 0], ['submit', 1], ['execute', 2], ['run', 3], ['pay', 1]])
    expect(totalMs).toBe(100)
    expect(rows[2]).toMatchObject({ offset: 0.2, width: 0.4, durationMs: 40 })
    expect(peers).toEqual(['a', 'b'])
  })

  it('treats a span whose parent is missing as a root, and survives a cycle of parents', () => {
    const { rows } = waterfallLayout([span('1', 'orphan', 0, 1, '9'), span('2', 'x', 1, 2, '3'), span('3', 'y', 1, 2, '2')])
    expect(rows.map(row => row.span.name)).toEqual(['orphan'])
    expect(waterfallLayout([]).rows).toEqual([])
  })

  it('writes sub-millisecond durations', () => {
    expect(formatSpanDuration(0.423)).toBe('0.42 ms')
    expect(formatSpanDuration(3.14)).toBe('3.1 ms')
    expect(formatSpanDuration(120.4)).toBe('120 ms')
    expect(formatSpanDuration(2500)).toBe('2.50 s')
  })
})
