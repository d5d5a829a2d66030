/**
 * A stream that dies before the executor accepted the task is offered again,
 * once: the executor never took the task, so it cannot run twice. One that
 * dies after the executor accepted it is not (the task may be running
 * there): the caller hears ExecutorLostError. A direct connection on which
 * no stream opens at all is closed as stalled, and the task offered again
 * over the next. Real libp2p nodes in Node (websockets on loopback, noise,
 * yamux) and the real sandbox.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { MAX_FUEL } from '../../../src/core/limits.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { TaskDispatch } from '../../../src/orchestration/dispatch/index.ts'
import { STALLED_CONNECTION_MS, TASK_PROTOCOL, TaskExecutor, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
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

/**
 * An executor node whose task handler is `handler(stream, connection, executor, index)`, index counting streams
 * from 0; and a TaskDispatch on a submitter node dialled to it.
 */
async function pair (handler: (stream: Stream, connection: Connection, executor: TaskExecutor, index: number) => Promise<void>): Promise<{ dispatch: TaskDispatch, executorId: string, streams: () => number }> {
  const pool = createNodeWorkerPool({ slots: 1 })
  started.push(pool)
  const identity = await createIdentity()
  const node: Libp2p = await startTestNode({ identity, listen: true })
  started.push(node)
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: pool }, { isContributing: () => true })
  let streams = 0
  await node.handle(TASK_PROTOCOL, async (stream, connection) => handler(stream, connection, executor, streams++))
  const submitterIdentity = await createIdentity()
  const submitter = await startTestNode({ identity: submitterIdentity, listen: false })
  started.push(submitter)
  const connection = await submitter.dial(node.getMultiaddrs()[0]!)
  const executorId = identity.peerId.toString()
  // The executor's task streams are counted (and told apart) as the offers it was sent: none opened ahead.
  const dispatch = testDispatch(submitterIdentity, [executorId], async () => connection, undefined, { spareStreams: false })
  return { dispatch, executorId, streams: () => streams }
}

describe('a task whose stream dies', () => {
  it('before the executor accepted it is offered again, and runs once', async () => {
    await ensureSamplesBuilt()
    const echo = await sampleBytes('echo')
    const { dispatch, executorId, streams } = await pair(async (stream, connection, executor, index) => {
      // The first stream dies at once, as one on a connection the executor is replacing does.
      if (index === 0) stream.abort(new Error('the connection is being replaced'))
      else await executor.handle(stream, connection)
    })
    const offer = validateOffer(wireOffer(echo, 'hello'))
    const { outcome } = await dispatch.runOnce(offer, echo, { moduleHash: sha256Hex(echo) }, { executor: executorId })
    expect(new TextDecoder().decode(outcome.stdout)).toBe('hello')
    expect(streams()).toBe(2)
  }, 30_000)

  it('before it was accepted, twice, fails with ExecutorLostError after one re-offer', async () => {
    await ensureSamplesBuilt()
    const echo = await sampleBytes('echo')
    const { dispatch, executorId, streams } = await pair(async stream => { stream.abort(new Error('gone')) })
    const offer = validateOffer(wireOffer(echo, 'hello'))
    const err = await rejection(dispatch.runOnce(offer, echo, { moduleHash: sha256Hex(echo) }, { executor: executorId }))
    expect(err.name).toBe('ExecutorLostError')
    expect(streams()).toBe(2)
  }, 30_000)

  it('after the executor accepted it is not offered again', async () => {
    await ensureSamplesBuilt()
    const forever = await sampleBytes('forever')
    const { dispatch, executorId, streams } = await pair(async (stream, connection, executor) => {
      // Let the executor accept and start the task, then cut the stream under it.
      setTimeout(() => { stream.abort(new Error('gone after accepting')) }, 1500)
      await executor.handle(stream, connection).catch(() => {})
    })
    // Fuel for far longer than the test: a fast machine burns wireOffer's 10^10 in about a second.
    const offer = validateOffer(wireOffer(forever, '', { timeoutMs: 20_000, fuel: BigInt(MAX_FUEL) }))
    const err = await rejection(dispatch.runOnce(offer, forever, { moduleHash: sha256Hex(forever) }, { executor: executorId }))
    expect(err.name).toBe('ExecutorLostError')
    expect(streams()).toBe(1)
  }, 30_000)

  it('on a direct connection where no stream opens is offered again over the next, once that one is closed as stalled', async () => {
    await ensureSamplesBuilt()
    const echo = await sampleBytes('echo')
    const executorIdentity = await createIdentity()
    const pool = createNodeWorkerPool({ slots: 1 })
    started.push(pool)
    const node: Libp2p = await startTestNode({ identity: executorIdentity, listen: true })
    started.push(node)
    const executor = new TaskExecutor({ identity: executorIdentity, store: createMemoryStore(), runner: pool }, { isContributing: () => true })
    await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
    const submitterIdentity = await createIdentity()
    const submitter = await startTestNode({ identity: submitterIdentity, listen: false })
    started.push(submitter)
    const live = await submitter.dial(node.getMultiaddrs()[0]!)
    // A direct connection whose other end has let it go: it reads as open, and no stream opens on it until its
    // opening's signal gives up (as a WebRTC connection the other end closed does until ICE notices).
    let opened = 0
    const dead = {
      remotePeer: live.remotePeer,
      limits: undefined,
      status: 'open',
      streams: [],
      aborted: undefined as Error | undefined,
      newStream: async (_protocol: string, options: { signal?: AbortSignal } = {}) => new Promise<Stream>((_resolve, reject) => {
        opened++
        options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
      }),
      abort (err: Error) {
        dead.aborted = err
        dead.status = 'closed'
      }
    }
    const connectionTo = async (): Promise<Connection> => (dead.status === 'open' ? dead : live) as unknown as Connection
    const dispatch = testDispatch(submitterIdentity, [executorIdentity.peerId.toString()], connectionTo, undefined, { spareStreams: false })
    const startedAt = performance.now()
    const offer = validateOffer(wireOffer(echo, 'hello'))
    const { outcome } = await dispatch.runOnce(offer, echo, { moduleHash: sha256Hex(echo) }, { executor: executorIdentity.peerId.toString() })
    expect(new TextDecoder().decode(outcome.stdout)).toBe('hello')
    expect(outcome.receipt.executor).toBe(executorIdentity.peerId.toString())
    // Two openings (the hedge's second beside the first) on the dead connection, then it was closed, saying why.
    expect(opened).toBe(2)
    expect(dead.aborted?.name).toBe('StalledConnectionError')
    // Well before the offer's own timeout (10 s) would have failed the task.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(STALLED_CONNECTION_MS)
    expect(performance.now() - startedAt).toBeLessThan(9000)
  }, 30_000)
})
