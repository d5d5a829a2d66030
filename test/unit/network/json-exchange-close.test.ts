/**
 * A request whose stream closes under it rejects with the error the stream
 * closed with — an Error with a name (StreamResetError…) — never with the
 * stream's close event, which libp2p 3 rejects a write waiting for `drain`
 * with (framed-stream.ts closeError) and which prints as "[object Event]".
 * Between two real libp2p nodes (websockets on loopback, noise, yamux).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestJson } from '../../../src/network/json-exchange.ts'
import { lengthPrefixedStream } from '../../../src/network/framed-stream.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'

const PROTOCOL = '/zerostate-test/json-close/1.0.0'

/** Far more than the muxer's window: the write waits for `drain`, which never comes. */
const LARGE = 'x'.repeat(8 << 20)

describe('a length-prefixed request whose stream closes under it', () => {
  let server: Libp2p
  let client: Libp2p
  let connection: Connection
  const inbound: Stream[] = []

  beforeAll(async () => {
    server = await startTestNode({ listen: true })
    client = await startTestNode({ listen: false })
    // The other end resets the stream as soon as the request starts to arrive, reading none of it.
    await server.handle(PROTOCOL, async (stream) => {
      inbound.push(stream)
      stream.addEventListener('message', () => { stream.abort(new Error('the payee went away')) }, { once: true })
    })
    connection = await client.dial(server.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await client?.stop()
    await server?.stop()
  })

  it('requestJson rejects with the reset, an Error with its name', async () => {
    const err: unknown = await rejection(requestJson(connection, PROTOCOL, { large: LARGE }, { maxBytes: 1024 }))
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).name).toBe('StreamResetError')
  })

  it('lengthPrefixedStream: a write rejects with the error the stream was aborted with', async () => {
    const stream = await connection.newStream(PROTOCOL)
    const frames = lengthPrefixedStream(stream, { maxDataLength: 1024 })
    const writing = frames.write(new TextEncoder().encode(LARGE))
    const reason = new Error('given up on')
    stream.abort(reason)
    expect(await rejection(writing)).toBe(reason)
  })
})
