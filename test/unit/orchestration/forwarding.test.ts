/**
 * /zerostate/forward/1.0.0 between real libp2p nodes in Node (websockets on
 * loopback, noise, yamux), with the real WASI runner: a task for a peer that
 * is not a neighbour goes hop by hop and comes back with the target's receipt.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { FORWARD_PROTOCOL } from '../../../src/orchestration/forwarding/index.ts'
import { TASK_PROTOCOL } from '../../../src/orchestration/task-protocol/index.ts'
import { createForwarder, forwardTask, MAX_HOPS } from '../../../src/orchestration/forwarding/index.ts'
import { ForwardHeader } from '../../../src/orchestration/forwarding/pb/forward.ts'
import { QRouter } from '../../../src/orchestration/routing/index.ts'
import { TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { ExecutorMessage, ModuleTransfer, TaskOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import type { TaskOffer as WireOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const nodeRunner = createNodeWorkerPool({ slots: 2 })

interface Peer {
  node: Libp2p
  id: string
  router: QRouter
}

/** Forwarding adds hops: a longer timeout and more fuel than the shared default. */
const forwardedOffer = (module: Uint8Array<ArrayBuffer>, stdin: string | Uint8Array<ArrayBuffer>): WireOffer =>
  wireOffer(module, stdin, { timeoutMs: 20_000, fuel: 50_000_000_000n })

const offerFor = (module: Uint8Array<ArrayBuffer>, stdin: string): ValidOffer =>
  validateOffer(forwardedOffer(module, stdin))

async function startPeer (): Promise<Peer> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  // Greedy (random() ≥ ε always): the route is deterministic.
  const router = new QRouter({ random: () => 0.999, now: Date.now })
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: nodeRunner }, { isContributing: () => true })
  const forwarder = createForwarder({
    peerId: node.peerId,
    router,
    executor,
    connections: (peer) => node.getConnections(peerIdFromString(peer)),
    neighbours: () => [...new Set(node.getConnections().map((c) => c.remotePeer.toString()))]
  })
  await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
  await node.handle(FORWARD_PROTOCOL, async (stream, connection) => forwarder.handle(stream, connection))
  return { node, id: node.peerId.toString(), router }
}

describe('forwarding a task hop by hop', () => {
  let a: Peer, b: Peer, c: Peer, d: Peer
  let sha256Module: Uint8Array<ArrayBuffer>

  beforeAll(async () => {
    await ensureSamplesBuilt()
    sha256Module = new Uint8Array(await sampleBytes('sha256'))
    ;[a, b, c, d] = await Promise.all([startPeer(), startPeer(), startPeer(), startPeer()])
    // The chain A – B – C – D.
    await a.node.dial(b.node.getMultiaddrs()[0]!)
    await b.node.dial(c.node.getMultiaddrs()[0]!)
    await c.node.dial(d.node.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await Promise.all([a, b, c, d].map(async (peer) => peer?.node.stop()))
    nodeRunner.stop()
  })

  const toB = (): import('@libp2p/interface').Connection => a.node.getConnections(b.node.peerId)[0]!

  it('runs A\'s task for C on C through B, with a receipt for A signed by C, and B learns', async () => {
    const outcome = await forwardTask(toB(), { target: c.id, origin: a.id }, offerFor(sha256Module, 'abc'), sha256Module)
    expect(new TextDecoder().decode(outcome.stdout).trim()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(outcome.receipt.executor).toBe(c.id)
    expect(outcome.receipt.submitter).toBe(a.id)
    // B's update runs once the splice has ended, just after A's result.
    await expect.poll(() => b.router.toJSON().entries.find((e) => e.dest === c.id && e.via === c.id)?.learnt).toBe(true)
  })

  it('crosses two forwarding hops (A → B → C → D), and B learns (D, C)', async () => {
    const outcome = await forwardTask(toB(), { target: d.id, origin: a.id }, offerFor(sha256Module, 'four'), sha256Module)
    expect(outcome.receipt.executor).toBe(d.id)
    expect(outcome.receipt.submitter).toBe(a.id)
    await expect.poll(() => b.router.toJSON().entries.find((e) => e.dest === d.id && e.via === c.id)?.learnt).toBe(true)
    await expect.poll(() => c.router.toJSON().entries.find((e) => e.dest === d.id && e.via === d.id)?.learnt).toBe(true)
  })

  it('reports HopLimitError at A when the hops run out', async () => {
    await expect(forwardTask(toB(), { target: d.id, origin: a.id, hopsLeft: 1 }, offerFor(sha256Module, 'x'), sha256Module))
      .rejects.toMatchObject({ name: 'HopLimitError' })
  })

  it('refuses a header with more than MAX_HOPS hops before sending it', async () => {
    await expect(forwardTask(toB(), { target: d.id, origin: a.id, hopsLeft: MAX_HOPS + 1 }, offerFor(sha256Module, 'x'), sha256Module))
      .rejects.toMatchObject({ name: 'HopLimitError' })
  })

  it('reports RoutingLoopError at A when a hop is already on the path', async () => {
    await expect(forwardTask(toB(), { target: d.id, origin: a.id, visited: [a.id, b.id] }, offerFor(sha256Module, 'x'), sha256Module))
      .rejects.toMatchObject({ name: 'RoutingLoopError' })
  })

  it('reports NoRouteError at A when a hop has no way on', async () => {
    const stranger = (await createIdentity()).peerId.toString()
    await expect(forwardTask(toB(), { target: stranger, origin: a.id }, offerFor(sha256Module, 'x'), sha256Module))
      .rejects.toMatchObject({ name: 'NoRouteError' })
  })

  it('passes 1 MiB of stdin and a module transfer through two hops unchanged', async () => {
    const stdin = new Uint8Array(1024 * 1024)
    for (let i = 0; i < stdin.length; i++) stdin[i] = (i * 31 + 7) & 0xff
    // A module D has not seen: the sha256 sample with a custom section appended
    // (id 0, name "x", one byte), so NEED_MODULE and ModuleTransfer cross the hops.
    const module = new Uint8Array([...sha256Module, 0, 3, 1, 0x78, 1])
    const outcome = await forwardTask(toB(), { target: d.id, origin: a.id }, validateOffer(forwardedOffer(module, stdin)), module)
    expect(new TextDecoder().decode(outcome.stdout).trim()).toBe(sha256Hex(stdin))
    expect(outcome.receipt.inputHash).toBe(sha256Hex(stdin))
  })

  it('loses nothing sent in the same write as the header (offer and module right behind it)', async () => {
    const module = new Uint8Array([...sha256Module, 0, 3, 1, 0x79, 2])
    const header = ForwardHeader.encode({ target: c.id, origin: a.id, hopsLeft: MAX_HOPS, visited: [a.id] })
    const stream = await toB().newStream(FORWARD_PROTOCOL)
    const lp = pbStream(stream, { maxDataLength: 64 * 1024 * 1024 })
    // One write: header, offer and module (the executor reads the module after asking for it).
    await lp.writeV([header, TaskOffer.encode(forwardedOffer(module, 'abc')), ModuleTransfer.encode({ module })], { encode: (x: Uint8Array) => x })
    const types: ExecutorMessage.Type[] = []
    for (;;) {
      const message = await lp.read(ExecutorMessage)
      types.push(message.type)
      if (message.type === ExecutorMessage.Type.RESULT || message.type === ExecutorMessage.Type.FAILURE) {
        expect(message.errorName).toBeUndefined()
        expect(new TextDecoder().decode(message.stdout).trim()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
        break
      }
    }
    expect(types[0]).toBe(ExecutorMessage.Type.NEED_MODULE)
    await stream.close()
  })
})
