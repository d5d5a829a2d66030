/**
 * The trace of a forwarded task (docs/tracing.md §6) between real libp2p
 * nodes in Node (websockets on loopback) with the real WASI runner: on the
 * chain A – B – C – D, A's task for D holds A's spans, a `forward hop` from
 * B and from C (each under the previous hop's, carried back in trailers), and
 * D's executor spans, all under one trace id; a hop that records nothing
 * passes the traceparent on unchanged; a bad header traceparent is refused.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { TraceRecorder } from '../../../src/network/tracing/index.ts'
import { FORWARD_PROTOCOL, checkHeader, createForwarder, forwardTask } from '../../../src/orchestration/forwarding/index.ts'
import { QRouter } from '../../../src/orchestration/routing/index.ts'
import { TASK_PROTOCOL, TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const nodeRunner = createNodeWorkerPool({ slots: 2 })

interface Peer {
  node: Libp2p
  id: string
  recorder: TraceRecorder
}

const offerFor = (module: Uint8Array<ArrayBuffer>, stdin: string): ValidOffer =>
  validateOffer(wireOffer(module, stdin, { timeoutMs: 20_000, fuel: 50_000_000_000n }))

async function startPeer (): Promise<Peer> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  const recorder = new TraceRecorder({ peer: node.peerId.toString() })
  const router = new QRouter({ random: () => 0.999, now: Date.now })
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: nodeRunner }, { isContributing: () => true, tracer: recorder })
  const forwarder = createForwarder({
    peerId: node.peerId,
    router,
    executor,
    connections: (peer) => node.getConnections(peerIdFromString(peer)),
    neighbours: () => [...new Set(node.getConnections().map((c) => c.remotePeer.toString()))]
  }, { tracer: recorder })
  await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
  await node.handle(FORWARD_PROTOCOL, async (stream, connection) => forwarder.handle(stream, connection))
  return { node, id: node.peerId.toString(), recorder }
}

describe('the trace of a forwarded task', () => {
  let a: Peer, b: Peer, c: Peer, d: Peer
  let sha256Module: Uint8Array<ArrayBuffer>

  beforeAll(async () => {
    await ensureSamplesBuilt()
    sha256Module = new Uint8Array(await sampleBytes('sha256'))
    ;[a, b, c, d] = await Promise.all([startPeer(), startPeer(), startPeer(), startPeer()])
    await a.node.dial(b.node.getMultiaddrs()[0]!)
    await b.node.dial(c.node.getMultiaddrs()[0]!)
    await c.node.dial(d.node.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await Promise.all([a, b, c, d].map(async (peer) => peer?.node.stop()))
    nodeRunner.stop()
  })

  const toB = (): Connection => a.node.getConnections(b.node.peerId)[0]!

  it('holds every hop of A → B → C → D under one trace id, each hop under the one before', async () => {
    const task = a.recorder.start('task')
    const outcome = await forwardTask(toB(), { target: d.id, origin: a.id }, offerFor(sha256Module, 'four'), sha256Module, {
      trace: { recorder: a.recorder, parent: task }
    })
    a.recorder.end(task)
    const { traceId } = a.recorder.contextOf(task)
    expect(outcome.receipt.executor).toBe(d.id)
    expect(outcome.receipt.traceId).toBe(traceId)

    const spans = a.recorder.trace(traceId)
    expect(new Set(spans.map(span => span.traceId))).toEqual(new Set([traceId]))
    expect(new Set(spans.map(span => span.peer))).toEqual(new Set([a.id, b.id, c.id, d.id]))
    const one = (peer: string, name: string) => {
      const found = spans.filter(span => span.peer === peer && span.name === name)
      expect(found, `${name} of ${peer}`).toHaveLength(1)
      return found[0]!
    }
    const forward = one(a.id, 'forward')
    const hopB = one(b.id, 'forward hop')
    const hopC = one(c.id, 'forward hop')
    const submit = one(a.id, 'submit')
    const execute = one(d.id, 'execute')
    expect(forward.parentId).toBe(one(a.id, 'task').spanId)
    expect(hopB.parentId).toBe(forward.spanId)
    expect(hopC.parentId).toBe(hopB.spanId)
    expect(submit.parentId).toBe(forward.spanId)
    expect(execute.parentId).toBe(submit.spanId)
    expect(hopB.attributes['zerostate.next']).toBe(c.id)
    expect(hopC.attributes['zerostate.next']).toBe(d.id)
    // Each hop's span is placed on A's timeline inside A's `forward`.
    for (const hop of [hopB, hopC]) {
      expect(hop.startMs).toBeGreaterThanOrEqual(forward.startMs)
      expect(hop.endMs).toBeLessThanOrEqual(forward.endMs)
    }
    expect(forward.attributes['zerostate.spans_refused']).toBeUndefined()
    // Each hop keeps its own span too.
    expect(b.recorder.trace(traceId).map(span => span.name)).toEqual(['forward hop'])
  })

  it('passes the traceparent on unchanged through a hop that records nothing', async () => {
    b.recorder.enabled = false
    try {
      const task = a.recorder.start('task')
      await forwardTask(toB(), { target: d.id, origin: a.id }, offerFor(sha256Module, 'quiet'), sha256Module, {
        trace: { recorder: a.recorder, parent: task }
      })
      a.recorder.end(task)
      const spans = a.recorder.trace(a.recorder.contextOf(task).traceId)
      expect(spans.some(span => span.peer === b.id)).toBe(false)
      const forward = spans.find(span => span.name === 'forward')!
      expect(spans.find(span => span.peer === c.id && span.name === 'forward hop')?.parentId).toBe(forward.spanId)
      expect(spans.some(span => span.peer === d.id && span.name === 'execute')).toBe(true)
    } finally {
      b.recorder.enabled = true
    }
  })

  it('still forwards an untraced task, whose receipt names no trace', async () => {
    const outcome = await forwardTask(toB(), { target: d.id, origin: a.id }, offerFor(sha256Module, 'untraced'), sha256Module)
    expect(outcome.receipt.traceId).toBeUndefined()
  })

  it('refuses a header whose traceparent is not W3C version 00', () => {
    expect(() => checkHeader({ target: d.id, origin: a.id, hopsLeft: 2, visited: [a.id], traceparent: '00-XYZ' }))
      .toThrow(expect.objectContaining({ name: 'InvalidForwardHeaderError' }))
  })
})
