/**
 * No task lost (issue 16): a task whose executor is lost after it accepted
 * (ExecutorLostError) is dispatched again by its origin to an executor it has
 * not tried — unless the submitter named the executor — and the caller hears
 * how it was lost when nobody is left. Real libp2p nodes in Node (websockets
 * on loopback, noise, yamux) and the real sandbox.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { SandboxOutOfMemoryError } from '../../../src/execution/errors.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { MAX_REDISPATCHES } from '../../../src/orchestration/dispatch/constants.ts'
import { TASK_PROTOCOL, TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { testDispatch } from '../../support/test-dispatch.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const started: Array<{ stop(): Promise<void> | void }> = []
afterEach(async () => {
  for (const thing of started.splice(0).reverse()) await thing.stop()
})

type Behaviour = 'runs' | 'dies after accepting' | 'is out of wasm memory'

/** Executor nodes, each running tasks or losing them after accepting; a submitter dialled to each. */
async function mesh (behaviours: Behaviour[]): Promise<{ runOnce: (named?: string) => Promise<string>, ids: string[], streams: number[] }> {
  const pool = createNodeWorkerPool({ slots: 2 })
  started.push(pool)
  const submitterIdentity = await createIdentity()
  const submitter = await startTestNode({ identity: submitterIdentity, listen: false })
  const ids: string[] = []
  const streams: number[] = []
  const connections = new Map<string, Connection>()
  for (const [i, behaviour] of behaviours.entries()) {
    const identity = await createIdentity()
    const node: Libp2p = await startTestNode({ identity, listen: true })
    started.push(node)
    // An engine that cannot allocate the task's memory even on a fresh worker (worker-pool.ts): the pool rejects.
    const runner = behaviour === 'is out of wasm memory'
      ? { run: async () => { throw new SandboxOutOfMemoryError('WebAssembly.instantiate(): Out of memory: Cannot allocate Wasm memory for new instance') } }
      : pool
    const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner }, { isContributing: () => true })
    streams.push(0)
    await node.handle(TASK_PROTOCOL, async (stream: Stream, connection: Connection) => {
      streams[i]!++
      // Accepted and running when the stream is cut under it, as when its tab closes.
      if (behaviour === 'dies after accepting') {
        const cut = setInterval(() => {
          if (executor.load.running === 0) return
          clearInterval(cut)
          stream.abort(new Error('the tab closed'))
        }, 5)
      }
      await executor.handle(stream, connection).catch(() => {})
    })
    const peerId = identity.peerId.toString()
    ids.push(peerId)
    connections.set(peerId, await submitter.dial(node.getMultiaddrs()[0]!))
  }
  started.push(submitter)
  // Each executor's task streams are counted as the offers it was sent: none opened ahead.
  const dispatch = testDispatch(submitterIdentity, ids, async peerId => connections.get(peerId)!, undefined, { spareStreams: false })
  await ensureSamplesBuilt()
  const primes = await sampleBytes('primes')
  return {
    ids,
    streams,
    runOnce: async (named?: string) => {
      // A sieve up to 10⁸ runs for a second or more: the cut lands while it runs.
      const offer = validateOffer(wireOffer(primes, '100000000', { timeoutMs: 20_000 }))
      const { outcome } = await dispatch.runOnce(offer, primes, { moduleHash: sha256Hex(primes) }, named === undefined ? {} : { executor: named })
      return outcome.receipt.executor
    }
  }
}

describe('a task whose executor is lost after accepting it', () => {
  it('is dispatched again to an executor not tried yet, and completes there', async () => {
    const { runOnce, ids, streams } = await mesh(['dies after accepting', 'dies after accepting', 'runs'])
    expect(MAX_REDISPATCHES).toBeGreaterThanOrEqual(2)
    expect(await runOnce()).toBe(ids[2])
    expect(streams).toEqual([1, 1, 1])
  }, 60_000)

  it('is not moved when the submitter named its executor', async () => {
    const { runOnce, ids, streams } = await mesh(['dies after accepting', 'runs'])
    const err = await rejection(runOnce(ids[0]))
    expect(err.name).toBe('ExecutorLostError')
    expect(streams).toEqual([1, 0])
  }, 60_000)

  it('fails with ExecutorLostError once every executor lost it', async () => {
    const { runOnce, streams } = await mesh(['dies after accepting', 'dies after accepting'])
    const err = await rejection(runOnce())
    expect(err.name).toBe('ExecutorLostError')
    expect(streams).toEqual([1, 1])
  }, 60_000)
})

describe('a task whose executor\'s engine is out of wasm memory', () => {
  // It never ran there and no receipt was signed: another executor may run it.
  it('is dispatched again to an executor not tried yet, and completes there', async () => {
    const { runOnce, ids, streams } = await mesh(['is out of wasm memory', 'runs'])
    expect(await runOnce()).toBe(ids[1])
    expect(streams).toEqual([1, 1])
  }, 60_000)
})
