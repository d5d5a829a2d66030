/**
 * A traced task over /zerostate/task/1.0.0 between two real libp2p nodes
 * (the real WASI runner): one trace id on both sides, the executor's spans
 * back with the result and placed inside the submitter's window, the
 * receipt naming the trace; and the pb Span's schema and limits.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../src/core/encoding.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { TraceRecorder } from '../../../src/network/tracing/index.ts'
import {
  MAX_SPAN_ATTRIBUTES, MAX_SPAN_NAME_BYTES, MAX_TRACE_SPANS, TASK_PROTOCOL, TaskExecutor, submitTask, validateOffer
} from '../../../src/orchestration/task-protocol/index.ts'
import { ExecutorMessage, TaskOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import type { Span } from '../../../src/orchestration/task-protocol/pb/task.ts'
import { readWireSpans, toWireSpans } from '../../../src/orchestration/task-protocol/trace.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const nodeRunner = createNodeWorkerPool({ slots: 1 })
const PARENT = '00f067aa0ba902b7'

describe('a traced task between two libp2p nodes', () => {
  let executorIdentity: PeerIdentity
  let submitterIdentity: PeerIdentity
  let executorNode: Libp2p
  let submitterNode: Libp2p
  let executorRecorder: TraceRecorder
  let sha256Module: Uint8Array<ArrayBuffer>

  beforeAll(async () => {
    await ensureSamplesBuilt()
    sha256Module = new Uint8Array(await sampleBytes('sha256'))
    executorIdentity = await createIdentity()
    submitterIdentity = await createIdentity()
    executorNode = await startTestNode({ identity: executorIdentity, listen: true })
    submitterNode = await startTestNode({ identity: submitterIdentity, listen: false })
    executorRecorder = new TraceRecorder({ peer: executorIdentity.peerId.toString() })
    const executor = new TaskExecutor(
      { identity: executorIdentity, store: createMemoryStore(), runner: nodeRunner },
      { isContributing: () => true, tracer: executorRecorder }
    )
    await executorNode.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
  })

  afterAll(async () => {
    await submitterNode?.stop()
    await executorNode?.stop()
    nodeRunner.stop()
  })

  it('holds the spans of both peers under one trace id, which the receipt names', async () => {
    const recorder = new TraceRecorder({ peer: submitterIdentity.peerId.toString() })
    const task = recorder.start('task')
    const connection = await submitterNode.dial(executorNode.getMultiaddrs()[0]!)
    const offer = validateOffer(wireOffer(sha256Module, 'abc'))
    const outcome = await submitTask(connection, submitterIdentity.peerId.toString(), offer, sha256Module, { trace: { recorder, parent: task } })
    recorder.end(task)
    const { traceId } = recorder.contextOf(task)
    expect(outcome.receipt.traceId).toBe(traceId)

    const spans = recorder.trace(traceId)
    const executor = executorIdentity.peerId.toString()
    const submitter = submitterIdentity.peerId.toString()
    const byName = new Map(spans.filter(span => span.peer === submitter).map(span => [span.name, span]))
    expect(new Set(spans.map(span => span.traceId))).toEqual(new Set([traceId]))
    for (const name of ['task', 'submit', 'offer', 'module transfer', 'wait for result', 'verify']) expect(byName.get(name)?.peer, name).toBe(submitter)
    for (const name of ['execute', 'module transfer', 'queue', 'run', 'sign']) {
      expect(spans.some(span => span.name === name && span.peer === executor), name).toBe(true)
    }
    const submit = byName.get('submit')!
    const execute = spans.find(span => span.name === 'execute')!
    expect(execute.parentId).toBe(submit.spanId)
    // Placed on the submitter's timeline, inside its window from offer to result.
    expect(execute.startMs).toBeGreaterThanOrEqual(byName.get('offer')!.startMs)
    expect(execute.endMs).toBeLessThanOrEqual(byName.get('verify')!.startMs)
    for (const span of spans.filter(s => s.peer === executor && s !== execute)) {
      expect(span.parentId).toBe(execute.spanId)
      expect(span.startMs).toBeGreaterThanOrEqual(execute.startMs - 0.001)
      expect(span.endMs).toBeLessThanOrEqual(execute.endMs + 0.001)
    }
    // The executor kept its part too.
    expect(executorRecorder.trace(traceId).map(span => span.name).sort()).toEqual(['execute', 'module transfer', 'queue', 'run', 'sign'])
  })

  it('an untraced task carries no traceparent, its receipt no traceId', async () => {
    const connection = await submitterNode.dial(executorNode.getMultiaddrs()[0]!)
    const outcome = await submitTask(connection, submitterIdentity.peerId.toString(), validateOffer(wireOffer(sha256Module, 'x')), sha256Module)
    expect(Object.hasOwn(outcome.receipt, 'traceId')).toBe(false)
  })

  it('refuses an offer whose traceparent is malformed', () => {
    for (const traceparent of ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', 'x'.repeat(4000), '']) {
      expect(() => validateOffer(wireOffer(sha256Module, '', { traceparent }))).toThrow(expect.objectContaining({ name: 'InvalidTaskMessageError' }))
    }
    const offer = validateOffer(wireOffer(sha256Module, '', { traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${PARENT}-01` }))
    expect(offer.traceparent).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: PARENT, traceFlags: 1 })
  })
})

describe('pb Span schema and limits', () => {
  const span = (overrides: Partial<Span> = {}): Span => ({
    name: 'run',
    spanId: hexToBytes('1111111111111111'),
    parentSpanId: hexToBytes(PARENT),
    startUs: 0n,
    endUs: 10n,
    attributes: [],
    ...overrides
  })

  it('reads well-formed spans', () => {
    const read = readWireSpans([span({ attributes: [{ key: 'k', value: 'v' }], error: 'TaskTrapError' })], PARENT)
    expect(read).toEqual([{ spanId: '1111111111111111', parentId: PARENT, name: 'run', startUs: 0, endUs: 10, attributes: { k: 'v' }, error: 'TaskTrapError' }])
  })

  it('refuses spans that break the schema, with InvalidTraceSpanError', () => {
    const bad: Span[][] = [
      [span({ name: '' })], [span({ name: 'x'.repeat(MAX_SPAN_NAME_BYTES + 1) })],
      [span({ spanId: new Uint8Array(8) })], [span({ spanId: new Uint8Array(7).fill(1) })],
      [span({ parentSpanId: hexToBytes('2222222222222222') })], [span({ parentSpanId: new Uint8Array(0) })],
      [span({ startUs: 11n })], [span({ endUs: 86_400_000_001n })],
      [span(), span()],
      [span({ attributes: Array.from({ length: MAX_SPAN_ATTRIBUTES + 1 }, (_, i) => ({ key: `k${i}`, value: '' })) })],
      [span({ attributes: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })],
      [span({ attributes: [{ key: 'a', value: 'v'.repeat(257) }] })],
      Array.from({ length: MAX_TRACE_SPANS + 1 }, (_, i) => span({ spanId: hexToBytes((i + 1).toString(16).padStart(16, '0')) }))
    ]
    for (const spans of bad) expect(() => readWireSpans(spans, PARENT)).toThrow(expect.objectContaining({ name: 'InvalidTraceSpanError' }))
  })

  it('counts bytes of UTF-8, not characters, on both sides of the length shortcut', () => {
    // 21 × '€' is 63 bytes (taken by its length alone), 22 × '€' is 66, 16 × '😀' is 64 in 32 UTF-16 units.
    for (const name of ['€'.repeat(21), '😀'.repeat(16), 'x'.repeat(MAX_SPAN_NAME_BYTES)]) {
      expect(readWireSpans([span({ name })], PARENT)[0]!.name).toBe(name)
      expect(toWireSpans([{ spanId: '1111111111111111', name, startUs: 0, endUs: 1, attributes: {} }])[0]!.name).toBe(name)
    }
    expect(() => readWireSpans([span({ name: '€'.repeat(22) })], PARENT)).toThrow(expect.objectContaining({ name: 'InvalidTraceSpanError' }))
    expect(() => readWireSpans([span({ name: '😀'.repeat(17) })], PARENT)).toThrow(expect.objectContaining({ name: 'InvalidTraceSpanError' }))
    const cut = toWireSpans([{ spanId: '1111111111111111', name: '€'.repeat(22), startUs: 0, endUs: 1, attributes: { k: '😀'.repeat(65) } }])[0]!
    expect(cut.name).toBe('€'.repeat(21))
    expect(cut.attributes).toEqual([{ key: 'k', value: '😀'.repeat(64) }])
  })

  it('writes at most MAX_TRACE_SPANS, cut to their limits, and protons refuses more on read', () => {
    const many = Array.from({ length: MAX_TRACE_SPANS + 5 }, (_, i) => ({
      spanId: (i + 1).toString(16).padStart(16, '0'), parentId: PARENT, name: 'é'.repeat(100), startUs: i, endUs: i + 1,
      attributes: Object.fromEntries(Array.from({ length: 12 }, (_, j) => [`k${j}`, 'v'.repeat(300)]))
    }))
    const wire = toWireSpans(many)
    expect(wire).toHaveLength(MAX_TRACE_SPANS)
    expect(readWireSpans(wire, PARENT)).toHaveLength(MAX_TRACE_SPANS)
    const encoded = ExecutorMessage.encode({ type: ExecutorMessage.Type.RESULT, files: [], spans: [...wire, ...wire] })
    expect(() => ExecutorMessage.decode(encoded, { limits: { spans: MAX_TRACE_SPANS } })).toThrow()
    expect(TaskOffer.decode(TaskOffer.encode(wireOffer(new Uint8Array(8), '', { traceparent: 'x' }))).traceparent).toBe('x')
  })
})
