/** The span recorder over the OpenTelemetry SDK: the peer's clock, bounded memory, subtrees, remote spans. */
import { describe, expect, it } from 'vitest'
import { ID_POOL_BYTES, TraceRecorder } from '../../../src/network/tracing/index.ts'

// Epoch-like times: the SDK reads small numbers as performance.now() offsets.
const T0 = 1_767_225_600_000

function clock (): { now: () => number, advance: (ms: number) => void } {
  let t = T0
  return { now: () => t, advance: ms => { t += ms } }
}

describe('TraceRecorder', () => {
  it('times spans by the clock it is given and keeps them by trace, parents linked', async () => {
    const { now, advance } = clock()
    const recorder = new TraceRecorder({ peer: 'me', now })
    const task = recorder.start('task')
    advance(5)
    await recorder.within('store', task, async () => { advance(2) })
    await expect(recorder.within('pay', task, async () => { advance(1); throw new RangeError('no channel') })).rejects.toThrow('no channel')
    recorder.end(task)
    const { traceId, parentId } = recorder.contextOf(task)
    const spans = recorder.trace(traceId)
    expect(spans.map(span => [span.name, span.startMs - T0, span.endMs - T0])).toEqual([['task', 0, 8], ['store', 5, 7], ['pay', 7, 8]])
    expect(spans[1]).toMatchObject({ parentId, peer: 'me', traceId })
    expect(spans[0]!.parentId).toBeUndefined()
    expect(spans[2]!.error).toBe('RangeError')
    expect(traceId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('hangs spans under a remote traceparent, and gives back one subtree', () => {
    const recorder = new TraceRecorder({ peer: 'executor', now: clock().now })
    const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', traceFlags: 1 }
    const root = recorder.start('execute', remote)
    recorder.end(recorder.start('run', root))
    recorder.end(root)
    recorder.end(recorder.start('elsewhere', remote))
    const subtree = recorder.subtree(remote.traceId, root.spanContext().spanId)
    expect(subtree.map(span => span.name).sort()).toEqual(['execute', 'run'])
    expect(subtree.find(span => span.name === 'execute')!.parentId).toBe(remote.parentId)
  })

  it('records nothing under a remote parent that is not sampled (trace-flags bit 0)', () => {
    const recorder = new TraceRecorder({ peer: 'executor', now: clock().now })
    const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', traceFlags: 0 }
    recorder.end(recorder.start('execute', remote))
    expect(recorder.trace(remote.traceId)).toEqual([])
  })

  it('keeps at most maxTraces traces and maxSpansPerTrace spans each', () => {
    const recorder = new TraceRecorder({ peer: 'me', now: clock().now, maxTraces: 2, maxSpansPerTrace: 3 })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const root = recorder.start('task')
      for (let j = 0; j < 4; j++) recorder.end(recorder.start('child', root))
      recorder.end(root)
      ids.push(recorder.contextOf(root).traceId)
    }
    expect(recorder.trace(ids[0]!)).toEqual([])
    expect(recorder.trace(ids[2]!)).toHaveLength(3)
    expect(recorder.dropped).toBe(6)
  })

  it('takes ids from the random source it is given, never all zeros', () => {
    let calls = 0
    const recorder = new TraceRecorder({ peer: 'me', now: clock().now, randomBytes: n => { calls++; return new Uint8Array(n).fill(calls === 1 ? 0 : 7) } })
    const span = recorder.start('task')
    expect(span.spanContext().traceId).toBe('07'.repeat(16))
    const broken = new TraceRecorder({ peer: 'me', now: clock().now, randomBytes: n => new Uint8Array(n) })
    expect(() => broken.start('task')).toThrow(RangeError)
  })

  it('cuts ids from random bytes drawn ID_POOL_BYTES at a time, using no byte twice', () => {
    const drawn: Uint8Array[] = []
    const recorder = new TraceRecorder({
      peer: 'me',
      now: clock().now,
      randomBytes: n => { drawn.push(crypto.getRandomValues(new Uint8Array(n))); return drawn.at(-1)! }
    })
    // A root span takes its span id, then its trace id.
    const ids = Array.from({ length: 40 }, () => recorder.start('task').spanContext()).flatMap(({ spanId, traceId }) => [spanId, traceId])
    // 40 × (8 + 16) bytes: four draws of 256, where one draw per id would be 80.
    expect(drawn.map(bytes => bytes.length)).toEqual([ID_POOL_BYTES, ID_POOL_BYTES, ID_POOL_BYTES, ID_POOL_BYTES])
    // Each id is the next unused bytes of the current draw; one that does not fit in what is left takes a new draw.
    let pool = 0
    let used = 0
    for (const id of ids) {
      const length = id.length / 2
      if (used + length > ID_POOL_BYTES) [pool, used] = [pool + 1, 0]
      expect(id).toBe(Buffer.from(drawn[pool]!.subarray(used, used + length)).toString('hex'))
      used += length
    }
  })

  it('adds another peer\'s spans to the trace', () => {
    const recorder = new TraceRecorder({ peer: 'me', now: clock().now })
    const root = recorder.start('task')
    recorder.end(root)
    const { traceId, parentId } = recorder.contextOf(root)
    recorder.addRemote([{ traceId, spanId: '1111111111111111', parentId, name: 'execute', peer: 'other', startMs: T0, endMs: T0 + 1, attributes: {} }])
    expect(recorder.trace(traceId).map(span => span.peer).sort()).toEqual(['me', 'other'])
  })
})
