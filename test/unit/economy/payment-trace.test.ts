/**
 * A payment joins its task's trace (docs/tracing.md §2): the payer sends its
 * `pay` span's traceparent with the payment, and the payee records its
 * co-signing as a `co-sign payment` span under it, between two real libp2p
 * nodes; a malformed traceparent is refused before anything is signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatTraceparent } from '../../../src/core/tracing/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { proposePayment, receiptRefOf, signState } from '../../../src/economy/channel/index.ts'
import { MAX_PAYMENT_MESSAGE_BYTES, PAYMENT_PROTOCOL, PaymentChannels } from '../../../src/economy/payments/index.ts'
import { requestJson } from '../../../src/network/json-exchange.ts'
import { TraceRecorder } from '../../../src/network/tracing/index.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import { signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { exampleUnsigned } from '../receipts/fixtures.ts'

const CHARGE = 2_500
const id = (p: PeerIdentity): string => p.peerId.toString()

describe('a traced payment', () => {
  let payer: { identity: PeerIdentity, node: Awaited<ReturnType<typeof startTestNode>>, channels: PaymentChannels, tracer: TraceRecorder }
  let payee: { identity: PeerIdentity, node: Awaited<ReturnType<typeof startTestNode>>, channels: PaymentChannels, tracer: TraceRecorder, store: ZeroStateStore }
  let tasks = 0

  beforeAll(async () => {
    const make = async (listen: boolean) => {
      const identity = await createIdentity()
      const node = await startTestNode({ identity, listen })
      const store = createMemoryStore<ZeroStateRecords>()
      const tracer = new TraceRecorder({ peer: id(identity) })
      const channels = new PaymentChannels(
        { identity, store, tracer, connectionTo: async () => node.dial(payee.node.getMultiaddrs()[0]!) },
        { chargeOf: () => CHARGE, deposit: 10 * CHARGE }
      )
      return { identity, node, store, tracer, channels }
    }
    payee = await make(true)
    payer = await make(false)
    await payee.node.handle(PAYMENT_PROTOCOL, async (stream, connection) => payee.channels.handle(stream, connection), { runOnLimitedConnection: true })
  })

  afterAll(async () => {
    await payer?.node.stop()
    await payee?.node.stop()
  })

  const receipt = async (): Promise<Receipt> => signReceipt({ ...exampleUnsigned(payee.identity, payer.identity), taskId: `task_trace_${++tasks}` }, payee.identity)

  it('is co-signed by the payee as a span under the payer\'s `pay` span', async () => {
    const pay = payer.tracer.start('pay')
    const { traceId, parentId } = payer.tracer.contextOf(pay)
    const paid = await receipt()
    await payer.channels.pay(paid, { traceparent: formatTraceparent(payer.tracer.contextOf(pay)) })
    payer.tracer.end(pay)
    expect(payee.tracer.trace(traceId).map(span => ({ name: span.name, parentId: span.parentId, peer: span.peer, task: span.attributes['zerostate.task_id'] })))
      .toEqual([{ name: 'co-sign payment', parentId, peer: id(payee.identity), task: paid.taskId }])
    // Without a traceparent, the payee records nothing.
    const before = payee.tracer.trace(traceId).length
    await payer.channels.pay(await receipt())
    expect(payee.tracer.trace(traceId)).toHaveLength(before)
  })

  it('refuses a payment whose traceparent is malformed, before anything is signed', async () => {
    const latest = (await payee.store.listChannels())[0]!.latest
    const r = await receipt()
    const state = await signState(proposePayment(latest.state, id(payer.identity), CHARGE, receiptRefOf(r), Date.now()), payer.identity)
    const connection = await payer.node.dial(payee.node.getMultiaddrs()[0]!)
    const err = await rejection(requestJson(connection, PAYMENT_PROTOCOL, { type: 'pay', state, receipt: r, traceparent: '00-zz-yy-01' }, { maxBytes: MAX_PAYMENT_MESSAGE_BYTES }))
    expect((err as unknown as { remoteName?: string }).remoteName).toBe('InvalidPaymentMessageError')
    expect((await payee.store.listChannels())[0]!.latest).toEqual(latest)
  })
})
