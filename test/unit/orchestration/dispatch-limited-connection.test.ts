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
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, Libp2p } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { TASK_PROTOCOL, TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { startRelay } from '../../../src/server/relay.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { testDispatch } from '../../support/test-dispatch.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'
import { waitFor } from '../server/relay-peers.ts'

const LANG_DETECT = resolve(import.meta.dirname, '../../../src/workloads/lang-detect/lang-detect.wasm')

const started: Array<{ stop(): Promise<void> | void }> = []
afterEach(async () => {
  for (const thing of started.splice(0).reverse()) await thing.stop()
})

/** A node with the relay transport; with `reserve`, it listens on loopback and holds a reservation on the relay, as a tab does. */
async function startNode (identity: PeerIdentity, relayAddr: string, options: { reserve: boolean }): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: identity.privateKey,
    addresses: { listen: options.reserve ? ['/ip4/127.0.0.1/tcp/0/ws', `${relayAddr}/p2p-circuit`] : [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  started.push(node)
  return node
}

interface RelayedPair {
  submitter: PeerIdentity
  executorId: string
  /** The submitter's connection to the executor through the relay: limited. */
  relayed: Connection
  /** Dials the executor straight, as the mesh's WebRTC upgrade would; counts its calls. */
  direct(): Promise<Connection>
  directDials(): number
}

/** An executor (the real TaskExecutor and sandbox) serving the task protocol on relayed connections too, and a submitter connected to it through the relay only. */
async function relayedPair (): Promise<RelayedPair> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0 })
  started.push(relay)
  const relayAddr = relay.multiaddrs[0]!
  const executorIdentity = await createIdentity()
  const executorNode = await startNode(executorIdentity, relayAddr, { reserve: true })
  await waitFor(() => executorNode.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit')), 10_000, 'a reservation on the relay')
  const pool = createNodeWorkerPool({ slots: 1 })
  started.push(pool)
  const executor = new TaskExecutor({ identity: executorIdentity, store: createMemoryStore(), runner: pool }, { isContributing: () => true })
  await executorNode.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection), { runOnLimitedConnection: true })
  const submitter = await createIdentity()
  const submitterNode = await startNode(submitter, relayAddr, { reserve: false })
  const executorId = executorIdentity.peerId.toString()
  const relayed = await submitterNode.dial(multiaddr(`${relayAddr}/p2p-circuit/p2p/${executorId}`))
  const directAddr = executorNode.getMultiaddrs().find(ma => !ma.toString().includes('/p2p-circuit'))!
  let dials = 0
  return {
    submitter,
    executorId,
    relayed,
    direct: async () => { dials++; return submitterNode.dial(directAddr) },
    directDials: () => dials
  }
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
