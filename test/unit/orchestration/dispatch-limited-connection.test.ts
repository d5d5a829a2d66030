/**
 * A relayed connection carries 128 KiB in all (circuit relay v2's default
 * data limit, which the relay keeps on purpose): a task whose module is
 * larger is cut off halfway over it, every time, and its executor taken for
 * lost — which is how a job's slices of lang-detect (156 KB) all failed on a
 * Node executor reached over the relay only, and the job finished on the
 * tabs without it. The dispatch now sends such a task over the direct
 * connection the mesh's upgrade opens, and a task that fits still goes over
 * the relayed one at once. Real libp2p nodes in Node (websockets on
 * loopback, noise, yamux), the real relay (src/server/relay.ts) and the
 * real sandbox; only the mesh's upgrade is a stand-in: a direct websocket
 * dial where a tab would dial WebRTC.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Connection } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { ConnectionBudgetError } from '../../../src/network/peer-mesh.ts'
import { FORWARD_PROTOCOL, createForwarder } from '../../../src/orchestration/forwarding/index.ts'
import { QRouter } from '../../../src/orchestration/routing/index.ts'
import { TASK_PROTOCOL, TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { startRelayedPair, stopAfterTest } from '../../support/relayed-pair.ts'
import type { RelayedNode } from '../../support/relayed-pair.ts'
import { testDispatch } from '../../support/test-dispatch.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const LANG_DETECT = resolve(import.meta.dirname, '../../../src/workloads/lang-detect/lang-detect.wasm')

interface RelayedPair {
  submitter: PeerIdentity
  executorId: string
  /** The submitter's connection to the executor through the relay: limited. */
  relayed: Connection
  /** Dials the executor straight, as the mesh's WebRTC upgrade would; counts its calls. */
  direct(): Promise<Connection>
  directDials(): number
}

/** Serves the task protocol on `node` (relayed connections too) with the real TaskExecutor and sandbox. */
async function serveTasks (node: RelayedNode | Awaited<ReturnType<typeof startTestNode>>, identity: PeerIdentity): Promise<TaskExecutor> {
  const pool = createNodeWorkerPool({ slots: 1 })
  stopAfterTest(() => { pool.stop() })
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: pool }, { isContributing: () => true })
  await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection), { runOnLimitedConnection: true })
  return executor
}

/** An executor (the real TaskExecutor and sandbox) serving the task protocol on relayed connections too, and a submitter connected to it through the relay only. */
async function relayedPair (): Promise<RelayedPair> {
  const { far, near, relayed, direct, directDials } = await startRelayedPair()
  await serveTasks(far.node, far.identity)
  return { submitter: near.identity, executorId: far.id, relayed, direct, directDials }
}

describe('a task on an executor reached through a relay', () => {
  it('with a module past the relayed connection\'s data limit, goes over the direct connection the upgrade opens', async () => {
    const { submitter, executorId, relayed, direct, directDials } = await relayedPair()
    expect(relayed.limits?.bytes).toBeDefined()
    const module = new Uint8Array(await readFile(LANG_DETECT))
    expect(BigInt(module.byteLength)).toBeGreaterThan(relayed.limits!.bytes!)
    const dispatch = testDispatch(submitter, [executorId], async () => relayed, direct)
    const offer = validateOffer(wireOffer(module, 'The quick brown fox jumps over the lazy dog near the river bank.\n', { args: ['--lines'] }))
    const { outcome } = await dispatch.runOnce(offer, module, { moduleHash: sha256Hex(module) }, { executor: executorId })
    expect(outcome.exitCode).toBe(0)
    expect(new TextDecoder().decode(outcome.stdout)).toMatch(/\S/)
    expect(outcome.receipt.executor).toBe(executorId)
    expect(directDials()).toBe(1)
    // The relayed connection carried none of it: the relay would have closed it past its limit.
    expect(relayed.status).toBe('open')
  }, 60_000)

  it('with such a module and no direct connection to be had, is lost as before: the relay cuts the module off', async () => {
    const { submitter, executorId, relayed } = await relayedPair()
    const module = new Uint8Array(await readFile(LANG_DETECT))
    const dispatch = testDispatch(submitter, [executorId], async () => relayed, async () => undefined)
    const offer = validateOffer(wireOffer(module, 'hello\n', { args: ['--lines'] }))
    const err = await rejection(dispatch.runOnce(offer, module, { moduleHash: sha256Hex(module) }, { executor: executorId }))
    expect(err.name).toBe('ExecutorLostError')
  }, 60_000)

  it('that fits the relayed connection goes over it at once, without waiting for a direct one', async () => {
    await ensureSamplesBuilt()
    const echo = await sampleBytes('echo')
    const { submitter, executorId, relayed, direct, directDials } = await relayedPair()
    const dispatch = testDispatch(submitter, [executorId], async () => relayed, direct)
    const offer = validateOffer(wireOffer(echo, 'over the relay'))
    const { outcome } = await dispatch.runOnce(offer, echo, { moduleHash: sha256Hex(echo) }, { executor: executorId })
    expect(new TextDecoder().decode(outcome.stdout)).toBe('over the relay')
    expect(directDials()).toBe(0)
  }, 60_000)
})

/**
 * The origin's budget is spent, so a task for an executor it holds no
 * connection to goes through a neighbour (orchestration/forwarding) — one
 * reached only through the relay: the whole task crosses that connection.
 */
describe('a task forwarded through a neighbour reached through a relay', () => {
  /** origin ─relay─ hop ─direct─ target: the hop (the pair's far peer) passes the task on to the target, which runs it. */
  async function forwardingPath (): Promise<{ origin: PeerIdentity, hop: string, target: string, relayed: Connection, direct(): Promise<Connection>, directDials(): number }> {
    const { far, near, relayed, direct, directDials } = await startRelayedPair()
    const targetIdentity = await createIdentity()
    const targetNode = await startTestNode({ listen: true, identity: targetIdentity })
    stopAfterTest(async () => { await targetNode.stop() })
    for (const [node, identity] of [[targetNode, targetIdentity], [far.node, far.identity]] as const) {
      const forwarder = createForwarder({
        peerId: node.peerId,
        router: new QRouter({ random: () => 0.999, now: Date.now }),
        executor: await serveTasks(node, identity),
        connections: peer => node.getConnections(peerIdFromString(peer)),
        neighbours: () => [...new Set(node.getConnections().map(c => c.remotePeer.toString()))]
      })
      await node.handle(FORWARD_PROTOCOL, async (stream, connection) => forwarder.handle(stream, connection), { runOnLimitedConnection: true })
    }
    await far.node.dial(targetNode.getMultiaddrs()[0]!)
    return { origin: near.identity, hop: far.id, target: targetIdentity.peerId.toString(), relayed, direct, directDials }
  }

  /** The origin reaches the hop over the relay only, and the target not at all: the connection budget is spent. */
  const overTheHop = (path: Awaited<ReturnType<typeof forwardingPath>>, direct?: () => Promise<Connection | undefined>) =>
    testDispatch(path.origin, [path.target], async peer => {
      if (peer !== path.hop) throw new ConnectionBudgetError('already connected to as many peers as this tab keeps')
      return path.relayed
    }, direct, { neighbours: [path.hop] })

  it('with a module past the relayed connection\'s data limit, goes over the direct connection to the hop', async () => {
    const path = await forwardingPath()
    const module = new Uint8Array(await readFile(LANG_DETECT))
    const dispatch = overTheHop(path, path.direct)
    const offer = validateOffer(wireOffer(module, 'The quick brown fox jumps over the lazy dog near the river bank.\n', { args: ['--lines'] }))
    const { outcome } = await dispatch.runOnce(offer, module, { moduleHash: sha256Hex(module) }, { executor: path.target })
    expect(outcome.exitCode).toBe(0)
    expect(outcome.receipt.executor).toBe(path.target)
    expect(path.directDials()).toBe(1)
    expect(path.relayed.status).toBe('open')
  }, 60_000)

  it('with such a module and no direct connection to the hop, is cut off on the relay', async () => {
    const path = await forwardingPath()
    const module = new Uint8Array(await readFile(LANG_DETECT))
    const dispatch = overTheHop(path, async () => undefined)
    const offer = validateOffer(wireOffer(module, 'hello\n', { args: ['--lines'] }))
    // Whichever side hears the cut first (a closed muxer, an early end of stream), the origin hears a lost
    // executor, which it may dispatch again elsewhere: the relay closed the hop's connection.
    const err = await rejection(dispatch.runOnce(offer, module, { moduleHash: sha256Hex(module) }, { executor: path.target }))
    expect(err.name).toBe('ExecutorLostError')
    expect(path.relayed.status).not.toBe('open')
  }, 60_000)
})
