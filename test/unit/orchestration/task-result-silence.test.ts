/**
 * What the submitter counts as an executor gone silent: no bytes at all for
 * HEARTBEAT_TIMEOUT_MS after ACCEPTED. A large RESULT still arriving over a
 * slow link is not silence, however long the whole of it takes (an 8 MB
 * stdout over a busy WebRTC connection took over 5 s in the end-to-end suite
 * and was taken for a lost executor). Hand-written executors on real libp2p
 * nodes in Node (websockets on loopback, noise, yamux).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { framedStream } from '../../../src/network/framed-stream.ts'
import {
  HEARTBEAT_TIMEOUT_MS, MAX_EXECUTOR_BUFFER_BYTES, MAX_OFFER_BYTES, TASK_PROTOCOL, submitTask, validateOffer
} from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { ExecutorMessage, TaskOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { lengthPrefixed, signedReceiptFor } from '../../support/task-receipt.ts'

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

/** `frame` sent in `pieces` parts `gapMs` apart, waiting for `drain` when the muxer's window is full. */
async function trickle (stream: Stream, frame: Uint8Array, pieces: number, gapMs: number): Promise<void> {
  const size = Math.ceil(frame.byteLength / pieces)
  for (let at = 0; at < frame.byteLength; at += size) {
    if (at > 0) await new Promise(resolve => setTimeout(resolve, gapMs))
    if (!stream.send(frame.subarray(at, at + size))) {
      await new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) })
    }
  }
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
