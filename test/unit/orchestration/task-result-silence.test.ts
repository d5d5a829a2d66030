/**
 * What each side of the task protocol counts as the other gone silent: no
 * bytes at all for a while, not a large message that takes long to arrive.
 * The submitter gives up on an executor after HEARTBEAT_TIMEOUT_MS without
 * bytes once it accepted: a large RESULT still arriving over a slow link is
 * not silence, however long the whole of it takes (an 8 MB stdout over a busy
 * WebRTC connection took over 5 s in the end-to-end suite and was taken for a
 * lost executor). The executor reads an offer (stdin and input files, up to
 * ~20 MiB) the same way. Hand-written peers on real libp2p nodes in Node
 * (websockets on loopback, noise, yamux).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { framedStream } from '../../../src/network/framed-stream.ts'
import {
  HEARTBEAT_TIMEOUT_MS, MAX_EXECUTOR_BUFFER_BYTES, MAX_OFFER_BYTES, MAX_RESULT_BYTES, OFFER_RESPONSE_TIMEOUT_MS, TASK_PROTOCOL,
  TaskExecutor, submitTask, validateOffer
} from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { ExecutorMessage, ModuleTransfer, TaskOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { lengthPrefixed, signedReceiptFor, trickle } from '../../support/task-wire.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const started: Libp2p[] = []
afterEach(async () => {
  for (const node of started.splice(0)) await node.stop()
})

const module = new TextEncoder().encode('any module: the executors here run nothing')

/**
 * An executor node that reads the offer, answers ACCEPTED, then hands the stream to `after`;
 * and a submitter node dialled to it.
 */
async function executorThat (after: (stream: Stream, offer: ValidOffer, identity: PeerIdentity, connection: Connection) => Promise<void>): Promise<{ connection: Connection, submitter: string }> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  started.push(node)
  await node.handle(TASK_PROTOCOL, async (stream, connection) => {
    const messages = framedStream(stream, { maxBufferSize: MAX_EXECUTOR_BUFFER_BYTES })
    const offer = validateOffer(await messages.read(TaskOffer, { maxBytes: MAX_OFFER_BYTES }))
    await messages.write({ type: ExecutorMessage.Type.ACCEPTED, files: [], spans: [] }, ExecutorMessage)
    await after(stream, offer, identity, connection)
  })
  const submitterIdentity = await createIdentity()
  const submitterNode = await startTestNode({ identity: submitterIdentity, listen: false })
  started.push(submitterNode)
  return { connection: await submitterNode.dial(node.getMultiaddrs()[0]!), submitter: submitterIdentity.peerId.toString() }
}

describe('an executor gone silent', { timeout: 20_000 }, () => {
  it('a RESULT that takes longer than the heartbeat timeout to arrive, bytes arriving all along, is taken', async () => {
    const stdout = new Uint8Array(2 * 1024 * 1024).fill(0x61)
    const pieces = 40
    const gapMs = Math.ceil(HEARTBEAT_TIMEOUT_MS * 1.3 / pieces)
    const { connection, submitter } = await executorThat(async (stream, offer, identity, connection) => {
      const receipt = await signedReceiptFor(identity, offer, connection.remotePeer.toString(), { stdout })
      const result = ExecutorMessage.encode({
        type: ExecutorMessage.Type.RESULT, stdout, stderr: new Uint8Array(0), files: [], spans: [], receipt: JSON.stringify(receipt)
      })
      await trickle(stream, lengthPrefixed(result), pieces, gapMs)
      await stream.close()
    })
    const startedAt = performance.now()
    const outcome = await submitTask(connection, submitter, validateOffer(wireOffer(module, 'x')), module)
    expect(performance.now() - startedAt).toBeGreaterThan(HEARTBEAT_TIMEOUT_MS)
    expect(outcome.stdout).toEqual(stdout)
    expect(outcome.receipt.status).toBe('ok')
  })

  it('an executor that accepts and then sends nothing is lost after the heartbeat timeout', async () => {
    const { connection, submitter } = await executorThat(async (stream) => {
      // Holds the stream open and says nothing (a tab whose page froze, say).
      await new Promise(resolve => setTimeout(resolve, HEARTBEAT_TIMEOUT_MS * 2))
      stream.abort(new Error('the test is over'))
    })
    const startedAt = performance.now()
    const err = await rejection(submitTask(connection, submitter, validateOffer(wireOffer(module, 'x')), module))
    expect(err.name).toBe('ExecutorLostError')
    expect(err.message).toContain(`went silent for ${HEARTBEAT_TIMEOUT_MS} ms`)
    expect(performance.now() - startedAt).toBeLessThan(HEARTBEAT_TIMEOUT_MS * 2)
  })
})

describe('a submitter whose offer arrives slowly', { timeout: 40_000 }, () => {
  it('an offer that takes longer than an answer is given to arrive, bytes arriving all along, is read and run', async () => {
    await ensureSamplesBuilt()
    const echo = await sampleBytes('echo')
    const pool = createNodeWorkerPool({ slots: 1 })
    const identity = await createIdentity()
    const node = await startTestNode({ identity, listen: true })
    started.push(node)
    try {
      const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: pool }, { isContributing: () => true })
      await node.handle(TASK_PROTOCOL, async (stream, connection) => executor.handle(stream, connection))
      const submitterNode = await startTestNode({ listen: false })
      started.push(submitterNode)
      const connection = await submitterNode.dial(node.getMultiaddrs()[0]!)
      const stream = await connection.newStream(TASK_PROTOCOL)
      const stdin = new Uint8Array(1024 * 1024).fill(0x62)
      const offer = wireOffer(echo, stdin)
      const pieces = 30
      const startedAt = performance.now()
      await trickle(stream, lengthPrefixed(TaskOffer.encode(offer)), pieces, Math.ceil(OFFER_RESPONSE_TIMEOUT_MS * 1.15 / pieces))
      expect(performance.now() - startedAt).toBeGreaterThan(OFFER_RESPONSE_TIMEOUT_MS)

      const messages = framedStream(stream, { maxBufferSize: MAX_RESULT_BYTES })
      const read = async (): Promise<ExecutorMessage> => messages.read(ExecutorMessage, { maxBytes: MAX_RESULT_BYTES })
      expect((await read()).type).toBe(ExecutorMessage.Type.NEED_MODULE)
      await messages.write({ module: echo }, ModuleTransfer)
      let message = await read()
      while (message.type !== ExecutorMessage.Type.RESULT && message.type !== ExecutorMessage.Type.FAILURE) message = await read()
      expect(message.errorMessage).toBeUndefined()
      expect(message.stdout).toEqual(stdin)
      expect(JSON.parse(message.receipt ?? '{}')).toMatchObject({ status: 'ok', outputHash: sha256Hex(stdin) })
    } finally {
      pool.stop()
    }
  })
})
