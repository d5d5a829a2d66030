/**
 * A payment request whose stream the payee resets under it rejects with the
 * reset — an Error with its name, which the payer's callers log and branch
 * on — never with the stream's close event (network/framed-stream.ts
 * closeError), and the broken stream is dropped so the next request opens
 * another. Between two real libp2p nodes (websockets on loopback, noise, yamux).
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAYMENT_STREAM_PROTOCOL } from '../../../src/economy/payments/index.ts'
import { PaymentStreams } from '../../../src/economy/payments/payment-stream.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'

describe('a payment stream reset while a request is being written', () => {
  let payer: Libp2p
  let payee: Libp2p
  let connection: Connection
  let opened = 0

  beforeAll(async () => {
    payee = await startTestNode({ listen: true })
    payer = await startTestNode({ listen: false })
    // The payee resets each stream as soon as a request starts to arrive, reading none of it.
    await payee.handle(PAYMENT_STREAM_PROTOCOL, async (stream) => {
      opened++
      stream.addEventListener('message', () => { stream.abort(new Error('the payee went away')) }, { once: true })
    }, { runOnLimitedConnection: true })
    connection = await payer.dial(payee.getMultiaddrs()[0]!)
  })

  afterAll(async () => {
    await payer?.stop()
    await payee?.stop()
  })

  it('rejects with the reset, an Error with its name, and the next request opens a new stream', async () => {
    const streams = new PaymentStreams()
    const peer = payee.peerId.toString()
    // Far more than the muxer's window: the write waits for `drain`, and the stream is reset meanwhile.
    const request = { type: 'sync', padding: 'x'.repeat(8 << 20) }
    const first: unknown = await rejection(streams.exchange(peer, connection, request, {}))
    expect(first).toBeInstanceOf(Error)
    expect((first as Error).name).toBe('StreamResetError')
    const second: unknown = await rejection(streams.exchange(peer, connection, request, {}))
    expect((second as Error).name).toBe('StreamResetError')
    expect(opened).toBe(2)
    streams.closeAll()
  })
})
