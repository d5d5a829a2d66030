/**
 * Length-prefixed protobuf with a limit per read, between two real libp2p
 * nodes: the same frames as @libp2p/utils' pbStream (so old and new peers
 * interoperate), and an oversized message refused from its length prefix.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { pbStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MessageTooLargeError, framedStream } from '../../../src/network/framed-stream.ts'
import { ModuleTransfer } from '../../../src/orchestration/task-protocol/pb/task.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { lengthPrefixed, trickle } from '../../support/task-wire.ts'

const PROTOCOL = '/zerostate-test/framed/1.0.0'

describe('framedStream', () => {
  let server: Libp2p
  let client: Libp2p
  let connection: Connection
  const inbound: Stream[] = []
  let arrived: (() => void) | undefined

  beforeAll(async () => {
    server = await startTestNode({ listen: true })
    client = await startTestNode({ listen: false })
    await server.handle(PROTOCOL, async (stream) => { inbound.push(stream); arrived?.() })
    connection = await client.dial(server.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await client?.stop()
    await server?.stop()
  })

  /** A new stream; the other end arrives once the first message is written. */
  async function pair (): Promise<{ out: Stream, in: () => Promise<Stream> }> {
    const came = new Promise<void>(resolve => { arrived = resolve })
    const out = await connection.newStream(PROTOCOL)
    return { out, in: async () => { await came; return inbound.at(-1)! } }
  }

  it('reads what pbStream writes and pbStream reads what it writes, sizes from 0 to 300 bytes', async () => {
    const streams = await pair()
    const writer = pbStream(streams.out)
    await writer.write({ module: Uint8Array.of(7) }, ModuleTransfer)
    const reader = framedStream(await streams.in(), { maxBufferSize: 4096 })
    expect((await reader.read(ModuleTransfer, { maxBytes: 1024 })).module).toEqual(Uint8Array.of(7))
    for (const size of [0, 1, 127, 128, 300]) {
      const module = new Uint8Array(size).fill(size % 251)
      await writer.write({ module }, ModuleTransfer)
      expect((await reader.read(ModuleTransfer, { maxBytes: 1024 })).module).toEqual(module)
      await reader.write({ module }, ModuleTransfer)
      expect((await writer.read(ModuleTransfer)).module).toEqual(module)
    }
  })

  it('refuses a message over the limit of that read from its length prefix, and accepts one at the limit', async () => {
    const streams = await pair()
    const writer = pbStream(streams.out)
    const atLimit = ModuleTransfer.encode({ module: new Uint8Array(100) }).byteLength
    await writer.write({ module: new Uint8Array(100) }, ModuleTransfer)
    const reader = framedStream(await streams.in(), { maxBufferSize: 1 << 20 })
    expect((await reader.read(ModuleTransfer, { maxBytes: atLimit })).module).toHaveLength(100)
    await writer.write({ module: new Uint8Array(101) }, ModuleTransfer)
    const err = await rejection(reader.read(ModuleTransfer, { maxBytes: atLimit }))
    expect(err.name).toBe(MessageTooLargeError.name)
  })

  it('a write waiting for drain rejects with the error the stream was aborted with, not the stream\'s close event', async () => {
    const streams = await pair()
    const writer = framedStream(streams.out, { maxBufferSize: 4096 })
    // Far more than the muxer's window: the write waits for `drain`, and the other end never reads.
    const writing = writer.write({ module: new Uint8Array(8 << 20) }, ModuleTransfer)
    const reason = new Error('the executor was given up on')
    streams.out.abort(reason)
    const err = await rejection(writing)
    expect(err).toBeInstanceOf(Error)
    expect(err).toBe(reason)
  })

  it('an idle timeout ends a read only when no bytes come for that long, however long the whole message takes', async () => {
    const streams = await pair()
    const body = ModuleTransfer.encode({ module: new Uint8Array(64 * 1024).fill(9) })
    const frame = lengthPrefixed(body)
    // 16 pieces 60 ms apart: ~900 ms for the message, never 150 ms without bytes.
    const sending = trickle(streams.out, frame, 16, 60)
    const reader = framedStream(await streams.in(), { maxBufferSize: 1 << 20 })
    const started = performance.now()
    const message = await reader.read(ModuleTransfer, { maxBytes: 1 << 20, idleTimeoutMs: 150 })
    expect(performance.now() - started).toBeGreaterThan(150 * 3)
    expect(message.module).toEqual(new Uint8Array(64 * 1024).fill(9))
    await sending

    // Half a message, then silence: the read fails with a TimeoutError after the idle time.
    await trickle(streams.out, frame.subarray(0, 1000), 2, 10)
    const err = await rejection(reader.read(ModuleTransfer, { maxBytes: 1 << 20, idleTimeoutMs: 150 }))
    expect(err.name).toBe('TimeoutError')
  })

  it('an idle timeout leaves the caller\'s own signal in charge: aborting it ends the read with its reason', async () => {
    const streams = await pair()
    streams.out.send(Uint8Array.of(5))
    const reader = framedStream(await streams.in(), { maxBufferSize: 4096 })
    const controller = new AbortController()
    const reason = new Error('the caller gave up')
    setTimeout(() => { controller.abort(reason) }, 50)
    const err = await rejection(reader.read(ModuleTransfer, { maxBytes: 1024, idleTimeoutMs: 10_000, signal: controller.signal }))
    expect(err).toBe(reason)
  })
})
