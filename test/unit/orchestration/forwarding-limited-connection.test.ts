/**
 * A hop that holds only a relayed connection to the next peer: a forwarded
 * task larger than the relay's data limit (circuit relay v2: 128 KiB in all)
 * is cut off on it every time, so the hop waits for the direct connection
 * (ForwarderComponents.bulkConnectionTo, PeerMesh.bulkConnectionTo). Real
 * libp2p nodes, the real relay and the real sandbox; only the mesh's upgrade
 * is a stand-in (test/support/relayed-pair.ts).
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import type { BulkConnectionTo } from '../../../src/network/components.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { FORWARD_PROTOCOL, createForwarder, forwardTask } from '../../../src/orchestration/forwarding/index.ts'
import type { ForwarderComponents } from '../../../src/orchestration/forwarding/index.ts'
import { QRouter } from '../../../src/orchestration/routing/index.ts'
import { TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { startRelayedPair, stopAfterTest } from '../../support/relayed-pair.ts'
import type { RelayedPair } from '../../support/relayed-pair.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'

const LANG_DETECT = resolve(import.meta.dirname, '../../../src/workloads/lang-detect/lang-detect.wasm')

/** Serves /zerostate/forward/1.0.0 on `node` (relayed connections too). */
async function serveForwarding (node: Libp2p, executor: ForwarderComponents['executor'], bulkConnectionTo?: BulkConnectionTo): Promise<void> {
  const forwarder = createForwarder({
    peerId: node.peerId,
    router: new QRouter({ random: () => 0.999, now: Date.now }),
    executor,
    connections: peer => node.getConnections(peerIdFromString(peer)),
    neighbours: () => [...new Set(node.getConnections().map(c => c.remotePeer.toString()))],
    ...(bulkConnectionTo === undefined ? {} : { bulkConnectionTo })
  })
  await node.handle(FORWARD_PROTOCOL, async (stream, connection) => forwarder.handle(stream, connection), { runOnLimitedConnection: true })
}

/**
 * origin ─direct─ hop ─relay─ target: the hop (the pair's near peer) holds
 * only the relayed connection to the target (the far peer), which runs the
 * task; `bulk` is the hop's way to a connection for it.
 */
async function pathThroughRelay (bulk: (pair: RelayedPair) => BulkConnectionTo): Promise<{ pair: RelayedPair, run(): ReturnType<typeof forwardTask> }> {
  const pair = await startRelayedPair({ nearListens: true })
  const pool = createNodeWorkerPool({ slots: 1 })
  stopAfterTest(() => { pool.stop() })
  await serveForwarding(pair.far.node, new TaskExecutor({ identity: pair.far.identity, store: createMemoryStore(), runner: pool }, { isContributing: () => true }))
  await serveForwarding(pair.near.node, { handle: async () => {} }, bulk(pair))
  const originNode = await startTestNode({ listen: false })
  stopAfterTest(async () => { await originNode.stop() })
  const origin = originNode.peerId.toString()
  const toHop = await originNode.dial(pair.near.node.getMultiaddrs()[0]!)
  const module = new Uint8Array(await readFile(LANG_DETECT))
  const offer = validateOffer(wireOffer(module, 'Le renard brun rapide saute par-dessus le chien paresseux.\n', { args: ['--lines'], timeoutMs: 20_000 }))
  return { pair, run: async () => forwardTask(toHop, { target: pair.far.id, origin }, offer, module) }
}

describe('a hop forwarding a task to a peer it reaches through a relay', () => {
  it('sends a module past the relayed connection\'s data limit over the direct connection', async () => {
    const { pair, run } = await pathThroughRelay(pair => pair.bulkConnectionTo)
    const outcome = await run()
    expect(outcome.exitCode).toBe(0)
    expect(outcome.receipt.executor).toBe(pair.far.id)
    expect(pair.directDials()).toBe(1)
    expect(pair.relayed.status).toBe('open')
  }, 60_000)

  it('with no direct connection to be had, the relay cuts the task off', async () => {
    const { pair, run } = await pathThroughRelay(pair => pair.relayedOnly)
    await rejection(run())
    expect(pair.relayed.status).not.toBe('open')
  }, 60_000)
})
