/**
 * Task streams opened ahead (task-protocol/spare-streams.ts), between two
 * real libp2p nodes in Node with the real executor and sandbox: the next task
 * to an executor starts on a stream already open, a stale or broken spare is
 * never used, and the executor takes a spare that is reset unused for no task.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { SpareTaskStreams, TASK_PROTOCOL, TaskExecutor, submitTask, validateOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const nodeRunner = createNodeWorkerPool({ slots: 1 })

function offerFor (module: Uint8Array<ArrayBuffer>, stdin: string): ValidOffer {
  return validateOffer(wireOffer(module, stdin))
}

/** Counts the streams `connection` opens, and hands them out. */
function counting (connection: Connection): { connection: Connection, opened: Stream[] } {
  const opened: Stream[] = []
  const newStream = connection.newStream.bind(connection)
  const counted = Object.create(connection) as Connection
  counted.newStream = (async (protocols: string | string[], options?: object) => {
    const stream = await newStream(protocols, options)
    opened.push(stream)
    return stream
  }) as Connection['newStream']
  return { connection: counted, opened }
}

async function settle (): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise(resolve => setTimeout(resolve, 10))
}

describe('task streams opened ahead', () => {
  let executorIdentity: PeerIdentity
  let submitterIdentity: PeerIdentity
  let executorNode: Libp2p
  let submitterNode: Libp2p
  let echo: Uint8Array<ArrayBuffer>
  const handled: string[] = []

  beforeAll(async () => {
    await ensureSamplesBuilt()
    echo = new Uint8Array(await sampleBytes('echo'))
    executorIdentity = await createIdentity()
    submitterIdentity = await createIdentity()
    executorNode = await startTestNode({ identity: executorIdentity, listen: true })
    submitterNode = await startTestNode({ identity: submitterIdentity, listen: false })
    const executor = new TaskExecutor({ identity: executorIdentity, store: createMemoryStore(), runner: nodeRunner }, {
      isContributing: () => true,
      onExecuted: task => { handled.push(task.offer.taskId) }
    })
    await executorNode.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
  })

  afterAll(async () => {
    await submitterNode?.stop()
    await executorNode?.stop()
    nodeRunner.stop()
  })

  const submitter = (): string => submitterIdentity.peerId.toString()

  it('runs the next task to the same executor on the stream opened ahead, one new stream a task', async () => {
    const spares = new SpareTaskStreams()
    const { connection, opened } = counting(await submitterNode.dial(executorNode.getMultiaddrs()[0]!))
    try {
      const first = await submitTask(connection, submitter(), offerFor(echo, 'one'), echo, { streams: spares })
      expect(new TextDecoder().decode(first.stdout)).toBe('one')
      await settle()
      // The task's own stream, and the spare opened behind it.
      expect(opened.length).toBe(2)
      expect(spares.size).toBe(1)
      const spare = opened[1]!
      const second = await submitTask(connection, submitter(), offerFor(echo, 'two'), echo, { streams: spares })
      expect(new TextDecoder().decode(second.stdout)).toBe('two')
      // The second task went over the spare: its stream carried the task protocol, and is done with.
      expect(spare.protocol).toBe(TASK_PROTOCOL)
      expect(spare.status).not.toBe('open')
      await settle()
      expect(opened.length).toBe(3)
      expect(handled.length).toBeGreaterThanOrEqual(2)
    } finally {
      spares.stop()
    }
  })

  it('resets a spare nobody used in time, which the executor takes for no task, and opens a new stream for the next', async () => {
    const spares = new SpareTaskStreams({ idleMs: 1500 })
    const { connection, opened } = counting(await submitterNode.dial(executorNode.getMultiaddrs()[0]!))
    try {
      await submitTask(connection, submitter(), offerFor(echo, 'a'), echo, { streams: spares })
      await settle()
      expect(spares.size).toBe(1)
      const before = handled.length
      // Past its idle time: the timer resets it.
      await new Promise(resolve => setTimeout(resolve, 1500))
      expect(spares.size).toBe(0)
      expect(opened[1]!.status).not.toBe('open')
      const outcome = await submitTask(connection, submitter(), offerFor(echo, 'b'), echo, { streams: spares })
      expect(new TextDecoder().decode(outcome.stdout)).toBe('b')
      // One task more on the executor's side, not one for the reset spare.
      expect(handled.length).toBe(before + 1)
      expect(opened.length).toBeGreaterThanOrEqual(3)
    } finally {
      spares.stop()
    }
  })

  it('does not use a spare that is old by the clock, closed by the other end, or of an earlier connection', async () => {
    let now = 0
    const spares = new SpareTaskStreams({ idleMs: 60_000, now: () => now })
    const dialled = await submitterNode.dial(executorNode.getMultiaddrs()[0]!)
    const { connection, opened } = counting(dialled)
    try {
      await submitTask(connection, submitter(), offerFor(echo, 'x'), echo, { streams: spares })
      await settle()
      // Old by the clock (its timer has not fired yet): not taken.
      now += 60_001
      const stale = opened[1]!
      const taken = await spares.take(connection)
      expect(taken).not.toBe(stale)
      expect(stale.status).not.toBe('open')
      taken.abort(new Error('not used'))
      await settle()
      // Closed at the other end.
      now = 0
      const next = opened.at(-1)!
      expect(spares.size).toBe(1)
      next.abort(new Error('as if the executor had reset it'))
      const other = await spares.take(connection)
      expect(other).not.toBe(next)
      other.abort(new Error('not used'))
      await settle()
      // Of an earlier connection to the same peer: a connection with another id is not given its streams.
      const elsewhere = Object.create(connection) as Connection
      Object.defineProperty(elsewhere, 'id', { value: 'another connection' })
      const held = opened.at(-1)!
      const fresh = await spares.take(elsewhere)
      expect(fresh).not.toBe(held)
      fresh.abort(new Error('not used'))
    } finally {
      spares.stop()
    }
    // Stopped: the spares are reset, and none are opened after.
    expect(spares.size).toBe(0)
    expect(opened.every(stream => stream.status !== 'open' || stream.protocol !== TASK_PROTOCOL)).toBe(true)
  })

  it('keeps none on a connection with a data limit (a relayed one)', async () => {
    const spares = new SpareTaskStreams()
    const { connection, opened } = counting(await submitterNode.dial(executorNode.getMultiaddrs()[0]!))
    const limited = Object.create(connection) as Connection
    Object.defineProperty(limited, 'limits', { value: { bytes: 1n << 20n } })
    try {
      await submitTask(limited, submitter(), offerFor(echo, 'r'), echo, { streams: spares })
      await settle()
      expect(opened.length).toBe(1)
      expect(spares.size).toBe(0)
    } finally {
      spares.stop()
    }
  })
})
