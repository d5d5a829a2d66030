/**
 * Receipts owed to one executor at once, paid with one channel state
 * (`paysForBatch`), between two real libp2p nodes (websockets on loopback,
 * noise, yamux), each with its own store: the tie stays exact (each receipt
 * one state, the state a known list of receipts), a receipt of a batch is
 * refunded alone, and the crash-safe order of writes holds for a batch.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, sha256Hex } from '../../../src/core/index.ts'
import { formatTraceparent } from '../../../src/core/tracing/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { MAX_RECEIPTS_PER_STATE, proposeBatchPayment, receiptRefOf, signState } from '../../../src/economy/channel/index.ts'
import type { SignedChannelState } from '../../../src/economy/channel/index.ts'
import { MAX_CHANNEL_NOTICE_BYTES, MAX_PAYMENT_MESSAGE_BYTES, PAYMENT_PROTOCOL, PaymentChannels, paymentsOf, readNotice } from '../../../src/economy/payments/index.ts'
import type { ReceiptPaymentRecord } from '../../../src/economy/payments/index.ts'
import { requestJson } from '../../../src/network/json-exchange.ts'
import { TraceRecorder } from '../../../src/network/tracing/index.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import { signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { aboutReceipt, claimedRun, signAttestation } from '../../../src/receipts/attestation/index.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'
import { exampleUnsigned } from '../receipts/fixtures.ts'

const DEPOSIT = 1_000_000
const id = (p: PeerIdentity): string => p.peerId.toString()
/** Each receipt charges its own amount (1000 + its number), so a sum that is off by one receipt shows. */
const chargeOf = (receipt: Receipt): number => 1_000 + Number(receipt.taskId.split('_').at(-1))

interface Party {
  identity: PeerIdentity
  node: Libp2p
  store: ZeroStateStore
  channels: PaymentChannels
  tracer: TraceRecorder
}

let taskCounter = 0

describe('batch payments between two libp2p nodes', () => {
  let submitter: Party
  let executor: Party
  let stranger: PeerIdentity
  /** When set, the executor's handler runs this instead of answering (to play a payee that vanishes). */
  let executorMisbehaves: ((stream: Parameters<PaymentChannels['handle']>[0], connection: Connection) => Promise<void>) | undefined

  const channelsOf = (identity: PeerIdentity, store: ZeroStateStore, node: Libp2p, tracer: TraceRecorder): PaymentChannels => new PaymentChannels(
    { identity, store, tracer, connectionTo: async (peer) => node.dial(peer === id(executor.identity) ? executor.node.getMultiaddrs()[0]! : submitter.node.getMultiaddrs()[0]!) },
    { chargeOf, deposit: DEPOSIT }
  )
  const party = async (listen: boolean): Promise<Party> => {
    const identity = await createIdentity()
    const node = await startTestNode({ identity, listen })
    const store = createMemoryStore<ZeroStateRecords>()
    const tracer = new TraceRecorder({ peer: id(identity) })
    return { identity, node, store, tracer, channels: channelsOf(identity, store, node, tracer) }
  }

  beforeAll(async () => {
    executor = await party(true)
    submitter = await party(false)
    stranger = await createIdentity()
    await executor.node.handle(PAYMENT_PROTOCOL, async (stream, connection) => {
      if (executorMisbehaves !== undefined) return executorMisbehaves(stream, connection)
      return executor.channels.handle(stream, connection)
    }, { runOnLimitedConnection: true })
  })

  afterAll(async () => {
    await submitter?.node.stop()
    await executor?.node.stop()
  })

  /** A receipt signed by `by` (the executor unless given) for a task of the submitter. */
  const receipt = async (by: PeerIdentity = executor.identity): Promise<Receipt> => ({
    ...await signReceipt({ ...exampleUnsigned(by, submitter.identity), taskId: `task_${++taskCounter}` }, by),
    // Signed by another key, it still names the executor: a forgery the executor must refuse.
    executor: id(executor.identity)
  })
  const receipts = async (count: number): Promise<Receipt[]> => Promise.all(Array.from({ length: count }, async () => receipt()))

  const openChannel = async (store: ZeroStateStore) => (await store.listChannels()).find(c => c.status === 'open')!

  /** Sends a raw request to the executor, as a submitter that does not follow the protocol would. */
  const raw = async (request: unknown): Promise<unknown> => {
    const connection = await submitter.node.dial(executor.node.getMultiaddrs()[0]!)
    return requestJson(connection, PAYMENT_PROTOCOL, request, { maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
  }
  const remoteName = async (request: unknown): Promise<unknown> => (await rejection(raw(request))).remoteName

  /** A batch state signed by the submitter over the executor's newest state. */
  const batchOf = async (listed: Receipt[], amount = listed.reduce((sum, r) => sum + chargeOf(r), 0)): Promise<SignedChannelState> => {
    const { latest } = await openChannel(executor.store)
    return signState(proposeBatchPayment(latest.state, id(submitter.identity), amount, listed.map(receiptRefOf), Date.now()), submitter.identity)
  }

  it('pays the receipts owed at once with one state moving the sum of their charges, stored as one record on both sides', async () => {
    // All four are owed before the first turn of the channel's lock runs: it opens the channel and pays them together.
    const first = await receipt()
    const owed = await receipts(3)
    const paid = await Promise.all([first, ...owed].map(async r => submitter.channels.pay(r) as Promise<ReceiptPaymentRecord | undefined>))
    expect(paid.map(p => p?.receipt.taskId)).toEqual([first, ...owed].map(r => r.taskId))
    expect(paid.map(p => p?.amount)).toEqual([first, ...owed].map(chargeOf))
    const sequences = new Set(paid.map(p => p?.sequence))
    expect(sequences.size).toBe(1)
    const mine = await openChannel(submitter.store)
    const theirs = await openChannel(executor.store)
    expect(mine.latest).toEqual(theirs.latest)
    const total = [first, ...owed].reduce((sum, r) => sum + chargeOf(r), 0)
    expect(mine.latest.state).toMatchObject({ sequence: 1, balanceA: DEPOSIT - total, balanceB: total })
    expect(mine.latest.state.paysForBatch).toEqual([first, ...owed].map(receiptRefOf))
    expect(mine.pending).toBeUndefined()
    for (const store of [submitter.store, executor.store]) {
      const records = await store.listPayments()
      expect(records).toHaveLength(1)
      expect(records[0]).toMatchObject({ kind: 'batch', amount: total, sequence: 1 })
      // Read per receipt, each with its own charge, summing to what the state moved.
      const perReceipt = paymentsOf(records[0]!) as ReceiptPaymentRecord[]
      expect(perReceipt.map(p => [p.receipt.taskId, p.amount, p.sequence])).toEqual([first, ...owed].map(r => [r.taskId, chargeOf(r), 1]))
    }
  })

  it('pays a receipt owed alone with a single `paysFor` state, as before', async () => {
    const r = await receipt()
    const paid = await submitter.channels.pay(r)
    expect(paid).toMatchObject({ kind: 'payment', amount: chargeOf(r), sequence: 2 })
    expect((await openChannel(executor.store)).latest.state.paysFor).toEqual(receiptRefOf(r))
  })

  it('refuses a forged batch, a receipt it did not sign, a wrong sum, another list than the state\'s, and a replay', async () => {
    const current = (await openChannel(executor.store)).latest
    const [r1, r2] = await receipts(2) as [Receipt, Receipt]
    const payments = [{ receipt: r1 }, { receipt: r2 }]
    const forged = await batchOf([r1, r2])
    forged.signatures.a = { ...forged.signatures.a!, signature: forged.signatures.a!.signature.replace(/^./, c => c === 'A' ? 'B' : 'A') }
    expect(await remoteName({ type: 'pay-batch', state: forged, payments })).toBe('ForgedSignatureError')
    // A receipt signed by another key than the executor's, in the middle of good ones.
    const notMine = await receipt(stranger)
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r1, notMine, r2]), payments: [{ receipt: r1 }, { receipt: notMine }, { receipt: r2 }] })).toBe('ReceiptKeyMismatchError')
    // One micro-unit short, or one too many.
    const sum = chargeOf(r1) + chargeOf(r2)
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r1, r2], sum - 1), payments })).toBe('PaymentAmountError')
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r1, r2], sum + 1), payments })).toBe('PaymentAmountError')
    // The state names the receipts in another order, or another receipt, than those sent.
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r2, r1]), payments })).toBe('PaymentAmountError')
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r1, await receipt()]), payments })).toBe('PaymentAmountError')
    // Malformed requests: one receipt is a `pay`; too many for one state.
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r1, r2]), payments: [{ receipt: r1 }] })).toBe('InvalidPaymentMessageError')
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([r1, r2]), payments: Array.from({ length: 17 }, () => ({ receipt: r1 })) })).toBe('InvalidPaymentMessageError')
    expect((await openChannel(executor.store)).latest).toEqual(current)
    // The proper batch is taken; the very same request again is refused, and nothing moves twice.
    const proper = { type: 'pay-batch', state: await batchOf([r1, r2]), payments }
    await raw(proper)
    const after = (await openChannel(executor.store)).latest
    expect(after.state.sequence).toBe(current.state.sequence + 1)
    expect(await remoteName(proper)).toBe('ReceiptPaidError')
    expect((await openChannel(executor.store)).latest).toEqual(after)
    // The submitter did not follow the protocol here: it adopts the payee's state at the next contact (sync).
    const mine = await openChannel(submitter.store)
    await submitter.store.saveChannel({ ...mine, pending: { state: proper.state, kind: 'batch', receipts: [r1, r2].map(r => ({ receipt: r, amount: chargeOf(r) })), direction: 'out', amount: sum } })
  })

  it('refuses a receipt paid already, in a later batch or alone; the others of a refused batch are paid one by one', async () => {
    const paidBefore = (await executor.store.listPayments()).flatMap(paymentsOf) as ReceiptPaymentRecord[]
    const old = paidBefore.at(-1)!.receipt
    const [fresh1, fresh2] = await receipts(2) as [Receipt, Receipt]
    expect(await remoteName({ type: 'pay-batch', state: await batchOf([fresh1, old]), payments: [{ receipt: fresh1 }, { receipt: old }] })).toBe('ReceiptPaidError')
    // Through the payer: the batch [fresh1, old, fresh2] is refused as a whole, then each is offered alone.
    const outcomes = await Promise.allSettled([fresh1, old, fresh2].map(async r => submitter.channels.pay(r)))
    expect(outcomes.map(o => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(((outcomes[1] as PromiseRejectedResult).reason as { remoteName?: string }).remoteName).toBe('ReceiptPaidError')
    const mine = await openChannel(submitter.store)
    expect(mine.latest).toEqual((await openChannel(executor.store)).latest)
    expect(mine.pending).toBeUndefined()
    // Every receipt paid exactly once, on both sides.
    for (const store of [submitter.store, executor.store]) {
      const hashes = ((await store.listPayments()).flatMap(paymentsOf) as ReceiptPaymentRecord[]).filter(p => p.kind === 'payment').map(p => receiptRefOf(p.receipt).receiptHash)
      expect(new Set(hashes).size).toBe(hashes.length)
    }
  })

  it('a payee reloaded from its store still knows which receipts were paid in a batch', async () => {
    const batched = ((await executor.store.listPayments()).find(p => p.kind === 'batch'))!
    const reloaded = channelsOf(executor.identity, executor.store, executor.node, executor.tracer)
    const old = paymentsOf(batched)[1] as ReceiptPaymentRecord
    const fresh = await receipt()
    executorMisbehaves = async (stream, connection) => reloaded.handle(stream, connection)
    try {
      expect(await remoteName({ type: 'pay-batch', state: await batchOf([fresh, old.receipt]), payments: [{ receipt: fresh }, { receipt: old.receipt }] })).toBe('ReceiptPaidError')
    } finally {
      executorMisbehaves = undefined
    }
  })

  it('refunds one receipt of a batch, exactly its charge, once', async () => {
    const batched = (await submitter.store.listPayments()).find(p => p.kind === 'batch')!
    const r = (paymentsOf(batched)[1] as ReceiptPaymentRecord).receipt
    const witness = await createIdentity()
    const attestation = await signAttestation({
      ...aboutReceipt(r), witness: id(witness), publicKey: bytesToBase64Url(witness.publicKey), verdict: 'disagree',
      observed: { ...claimedRun(r), outputHash: sha256Hex(new Uint8Array([9])) }, at: Date.now()
    }, witness)
    const before = (await openChannel(submitter.store)).latest.state
    const refund = await submitter.channels.requestRefund(r, [attestation])
    expect(refund).toMatchObject({ kind: 'refund', direction: 'in', amount: chargeOf(r) })
    const after = (await openChannel(executor.store)).latest.state
    expect(after.balanceA).toBe(before.balanceA + chargeOf(r))
    expect(after.paysFor).toEqual(receiptRefOf(r))
    expect((await rejection(submitter.channels.requestRefund(r, [attestation]))).name).toBe('RefundRefusedError')
  })

  it('a batch whose answer is lost stays pending and is adopted whole at the next contact', async () => {
    // The executor co-signs and stores the batch (it has been paid), then its connection drops before it answers.
    let dropAnswer: (() => void) | undefined
    const store = executor.store
    const lossyStore: ZeroStateStore = Object.create(store, {
      saveChannel: { value: async (...args: Parameters<ZeroStateStore['saveChannel']>) => { await store.saveChannel(...args); dropAnswer?.() } }
    })
    const lossy = channelsOf(executor.identity, lossyStore, executor.node, executor.tracer)
    executorMisbehaves = async (stream, connection) => {
      dropAnswer = () => { stream.abort(new Error('gone')) }
      await lossy.handle(stream, connection)
    }
    const before = (await openChannel(submitter.store)).latest.state.sequence
    const lost = await receipts(3)
    // All three go in one state, whose answer is lost.
    const outcomes = await Promise.allSettled(lost.map(async r => submitter.channels.pay(r)))
    expect(outcomes.map(o => o.status === 'rejected' ? (o.reason as Error).name : o.status)).toEqual(['PaymentNotAcknowledgedError', 'PaymentNotAcknowledgedError', 'PaymentNotAcknowledgedError'])
    executorMisbehaves = undefined
    const pending = (await openChannel(submitter.store)).pending
    expect(pending?.kind === 'batch' ? pending.receipts.map(p => p.receipt.taskId) : undefined).toEqual(lost.map(r => r.taskId))
    // The next payment syncs first: the payee's newest state is the batch, co-signed, and is adopted with its record.
    await submitter.channels.pay(await receipt())
    const mine = await openChannel(submitter.store)
    expect(mine.latest).toEqual((await openChannel(executor.store)).latest)
    expect(mine.pending).toBeUndefined()
    const outs = (await submitter.store.listPayments()).map(p => [p.sequence, p.kind])
    const ins = (await executor.store.listPayments()).map(p => [p.sequence, p.kind])
    expect(outs).toEqual(ins)
    // Newest first: the payment that found it, then the batch.
    expect(outs.filter(([sequence]) => (sequence as number) > before).map(([, kind]) => kind)).toEqual(['payment', 'batch'])
  })

  it('a batch the payee never co-signed is dropped at the next contact, and its receipts can still be paid', async () => {
    executorMisbehaves = async (stream) => { stream.abort(new Error('gone')) }
    const before = (await openChannel(submitter.store)).latest
    const dropped = await receipts(3)
    const outcomes = await Promise.allSettled(dropped.map(async r => submitter.channels.pay(r)))
    expect(outcomes.every(o => o.status === 'rejected')).toBe(true)
    executorMisbehaves = undefined
    const again = await Promise.all(dropped.map(async r => submitter.channels.pay(r)))
    expect(new Set(again.map(p => p?.sequence)).size).toBe(1)
    const after = (await openChannel(submitter.store)).latest
    expect(after.state.sequence).toBe(before.state.sequence + 1)
    expect(after.state.balanceA).toBe(before.state.balanceA - dropped.reduce((sum, r) => sum + chargeOf(r), 0))
    expect(after).toEqual((await openChannel(executor.store)).latest)
  })

  it('records one `co-sign payment` span per traced receipt of a batch, under each receipt\'s `pay` span', async () => {
    const spans = await Promise.all([0, 1, 2].map(async () => submitter.tracer.start('pay')))
    const traced = await receipts(3)
    await Promise.all(traced.map(async (r, i) => submitter.channels.pay(r, { traceparent: formatTraceparent(submitter.tracer.contextOf(spans[i]!)) })))
    for (const [i, span] of spans.entries()) {
      const { traceId, parentId } = submitter.tracer.contextOf(span)
      expect(executor.tracer.trace(traceId).map(s => ({ name: s.name, parentId: s.parentId, task: s.attributes['zerostate.task_id'] })))
        .toEqual([{ name: 'co-sign payment', parentId, task: traced[i]!.taskId }])
    }
  })

  it('a closing notice holding a full batch state, with the longest task ids, fits the settlements topic', async () => {
    const { latest } = await openChannel(executor.store)
    const longest = Array.from({ length: 16 }, (_, i) => ({ taskId: `${'t'.repeat(62)}${String(i).padStart(2, '0')}`, receiptHash: sha256Hex(new Uint8Array([i])) }))
    const state = await signState(proposeBatchPayment(latest.state, id(submitter.identity), 16, longest, Date.now()), submitter.identity)
    const cosigned = { state: state.state, signatures: { ...state.signatures, b: (await signState(state.state, executor.identity)).signatures.b } }
    const notice = { type: 'closing', closing: { channelId: latest.state.channelId, state: cosigned, closer: id(submitter.identity), startedAt: 1, challengeEndsAt: 2 } }
    expect(new TextEncoder().encode(JSON.stringify(notice)).length).toBeLessThan(MAX_CHANNEL_NOTICE_BYTES)
    expect(readNotice(JSON.parse(JSON.stringify(notice))).type).toBe('closing')
  })
})

describe('the batch window of a payer', () => {
  const parties: Array<{ node: Libp2p }> = []
  afterAll(async () => { for (const { node } of parties) await node.stop() })

  /** A payee serving payments (each once `gate()` resolves, when given), and a payer to it with `batchWindowMs`. */
  const pair = async (batchWindowMs: number, gate?: () => Promise<void>) => {
    const payee = await createIdentity()
    const payeeNode = await startTestNode({ identity: payee, listen: true })
    const payeeStore = createMemoryStore<ZeroStateRecords>()
    const payeeChannels = new PaymentChannels({ identity: payee, store: payeeStore, connectionTo: async () => { throw new Error('the payee dials no one') } }, { chargeOf, deposit: DEPOSIT })
    await payeeNode.handle(PAYMENT_PROTOCOL, async (stream, connection) => {
      await gate?.()
      return payeeChannels.handle(stream, connection)
    }, { runOnLimitedConnection: true })
    const payer = await createIdentity()
    const payerNode = await startTestNode({ identity: payer, listen: false })
    parties.push({ node: payeeNode }, { node: payerNode })
    const channels = new PaymentChannels(
      { identity: payer, store: createMemoryStore<ZeroStateRecords>(), connectionTo: async () => payerNode.dial(payeeNode.getMultiaddrs()[0]!) },
      { chargeOf, deposit: DEPOSIT, batchWindowMs }
    )
    const receipt = async (): Promise<Receipt> => signReceipt({ ...exampleUnsigned(payee, payer), taskId: `task_${++taskCounter}` }, payee)
    return { channels, payeeStore, receipt }
  }
  /** Three receipts owed 30 ms apart, as a submitter's sequential tasks come back, none waiting for its payment; resolves with their payments. */
  const payOneAfterAnother = async (channels: PaymentChannels, receipt: () => Promise<Receipt>): Promise<{ owed: Receipt[], paid: ReceiptPaymentRecord[] }> => {
    const owed = [await receipt(), await receipt(), await receipt()]
    const payments: Array<Promise<unknown>> = []
    for (const r of owed) {
      payments.push(channels.pay(r))
      await new Promise(resolve => setTimeout(resolve, 30))
    }
    return { owed, paid: await Promise.all(payments) as ReceiptPaymentRecord[] }
  }

  it('pays receipts owed one after the other within the window with one state', async () => {
    const { channels, payeeStore, receipt } = await pair(1_000)
    const { owed, paid } = await payOneAfterAnother(channels, receipt)
    expect(new Set(paid.map(p => p.sequence))).toEqual(new Set([1]))
    const records = await payeeStore.listPayments()
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ kind: 'batch', amount: owed.reduce((sum, r) => sum + chargeOf(r), 0) })
  })

  it('with a window of 0 pays the first receipt at once, alone', async () => {
    const { channels, receipt } = await pair(0)
    const { paid } = await payOneAfterAnother(channels, receipt)
    expect(paid[0]).toMatchObject({ kind: 'payment', sequence: 1 })
    expect(new Set(paid.map(p => p.sequence)).size).toBeGreaterThan(1)
  })

  it('ends the window once a state\'s worth of receipts is owed', async () => {
    // A window of ten minutes: only a full state can end it within the test's time.
    const { channels, receipt } = await pair(600_000)
    const owed = await Promise.all(Array.from({ length: MAX_RECEIPTS_PER_STATE }, receipt))
    const paid = await Promise.all(owed.map(async r => channels.pay(r))) as ReceiptPaymentRecord[]
    expect(new Set(paid.map(p => p.sequence))).toEqual(new Set([1]))
  }, 20_000)

  it('resolves a receipt\'s payment once its state is co-signed, not after a window of receipts owed after it', async () => {
    let release!: () => void
    const held = new Promise<void>(resolve => { release = resolve })
    let requests = 0
    // The payee answers the first request (the opening) at once and holds the next (the first batch) until released.
    const { channels, receipt } = await pair(600_000, async () => { if (++requests === 2) await held })
    const first = await Promise.all(Array.from({ length: MAX_RECEIPTS_PER_STATE }, receipt))
    const firstPaid = first.map(async r => channels.pay(r))
    await expect.poll(() => requests).toBe(2)
    // Owed while the first batch is under way: it waits out its own window (ten minutes, unless a state's worth comes).
    const later = channels.pay(await receipt())
    release()
    const paid = await Promise.all(firstPaid) as ReceiptPaymentRecord[]
    expect(new Set(paid.map(p => p.sequence)).size).toBe(1)
    // A state's worth owed ends the later window too, so nothing is left waiting when the test ends.
    const rest = await Promise.all(Array.from({ length: MAX_RECEIPTS_PER_STATE - 1 }, receipt))
    const all = await Promise.all([later, ...rest.map(async r => channels.pay(r))]) as ReceiptPaymentRecord[]
    expect(new Set(all.map(p => p.sequence))).toEqual(new Set([paid[0]!.sequence + 1]))
  }, 20_000)

  it('refuses a window that is not a number of ms ≥ 0', async () => {
    for (const batchWindowMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const identity = await createIdentity()
      expect(() => new PaymentChannels({ identity, store: createMemoryStore<ZeroStateRecords>(), connectionTo: async () => { throw new Error('unused') } }, { chargeOf, batchWindowMs })).toThrow(RangeError)
    }
  })
})
