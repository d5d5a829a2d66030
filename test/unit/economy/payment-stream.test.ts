/**
 * A payer's requests to one payee on one stream (/zerostate/payment/1.1.0),
 * between two real libp2p nodes: many payments, refusals answered on it, a
 * stream that breaks mid-request (the payment stays pending and is settled
 * at the next contact, on a new stream). A payee serving only the
 * one-request protocol is covered by payments.test.ts, whose executor serves
 * only that.
 */
import type { Libp2p, Stream } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { PAYMENT_PROTOCOL, PAYMENT_STREAM_PROTOCOL, PaymentChannels } from '../../../src/economy/payments/index.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import { signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { exampleUnsigned } from '../receipts/fixtures.ts'

const CHARGE = 2_500

describe('payments on one stream', () => {
  let payer: { identity: PeerIdentity, node: Libp2p, store: ZeroStateStore, channels: PaymentChannels }
  let payee: { identity: PeerIdentity, node: Libp2p, store: ZeroStateStore, channels: PaymentChannels }
  let streamsServed = 0
  let oneShotServed = 0
  /** When set, the payee breaks the stream of the next request instead of answering it. */
  let breakNext = false
  let tasks = 0

  beforeAll(async () => {
    const make = async (listen: boolean) => {
      const identity = await createIdentity()
      const node = await startTestNode({ identity, listen })
      const store = createMemoryStore<ZeroStateRecords>()
      const channels = new PaymentChannels({ identity, store, connectionTo: async () => node.dial(payee.node.getMultiaddrs()[0]!) }, { chargeOf: () => CHARGE, deposit: 100 * CHARGE })
      return { identity, node, store, channels }
    }
    payee = await make(true)
    payer = await make(false)
    await payee.node.handle(PAYMENT_PROTOCOL, async (stream, connection) => {
      oneShotServed++
      return payee.channels.handle(stream, connection)
    }, { runOnLimitedConnection: true })
    await payee.node.handle(PAYMENT_STREAM_PROTOCOL, async (stream: Stream, connection) => {
      streamsServed++
      if (!breakNext) return payee.channels.handleStream(stream, connection)
      // Reads the request, then breaks the stream without answering (nothing was co-signed).
      breakNext = false
      stream.addEventListener('message', () => { stream.abort(new Error('gone')) }, { once: true })
    }, { runOnLimitedConnection: true })
  })

  afterAll(async () => {
    payer?.channels.stop()
    await payer?.node.stop()
    await payee?.node.stop()
  })

  const receipt = async (): Promise<Receipt> => signReceipt({ ...exampleUnsigned(payee.identity, payer.identity), taskId: `task_stream_${++tasks}` }, payee.identity)
  const latest = async (store: ZeroStateStore) => (await store.listChannels()).find(c => c.status === 'open')!.latest

  it('opens the channel and pays one receipt after another on a single stream', async () => {
    for (let i = 0; i < 5; i++) await payer.channels.pay(await receipt())
    expect(streamsServed).toBe(1)
    expect(oneShotServed).toBe(0)
    const mine = await latest(payer.store)
    expect(mine.state).toMatchObject({ sequence: 5, balanceB: 5 * CHARGE })
    expect(await latest(payee.store)).toEqual(mine)
  })

  it('answers a refusal on the stream and goes on using it', async () => {
    const r = await receipt()
    await payer.channels.pay(r)
    const refused = await rejection(payer.channels.pay(r))
    expect(refused.remoteName).toBe('ReceiptPaidError')
    await payer.channels.pay(await receipt())
    expect(streamsServed).toBe(1)
    const { state } = await latest(payer.store)
    expect(state.sequence).toBe(7)
    expect(await latest(payee.store)).toEqual(await latest(payer.store))
  })

  it('a stream that breaks before the answer: the payment stays pending, and the next contact settles it on a new stream', async () => {
    // The payee's side of the current stream goes: the next request opens another, which breaks mid-request.
    const before = await latest(payer.store)
    payer.channels.stop()
    breakNext = true
    expect((await rejection(payer.channels.pay(await receipt()))).name).toBe('PaymentNotAcknowledgedError')
    expect((await payer.store.listChannels()).find(c => c.status === 'open')?.pending).toBeDefined()
    await payer.channels.pay(await receipt())
    const after = await latest(payer.store)
    expect(after.state.sequence).toBe(before.state.sequence + 1)
    expect(after).toEqual(await latest(payee.store))
    expect((await payer.store.listChannels()).find(c => c.status === 'open')?.pending).toBeUndefined()
    expect(streamsServed).toBe(3)
    expect(oneShotServed).toBe(0)
  })
})
