/**
 * Payment channels on the wire between two real libp2p nodes (websockets on
 * loopback, noise, yamux), each with its own store: payments tied to
 * receipts, refunds on evidence, cooperative close, and the attacks the
 * protocol must turn away.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, sha256Hex } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { proposePayment, receiptRefOf, signState, verifySettlement } from '../../../src/economy/channel/index.ts'
import type { ClosingChannel, SignedChannelState } from '../../../src/economy/channel/index.ts'
import { MAX_PAYMENT_MESSAGE_BYTES, PaymentChannels } from '../../../src/economy/payments/index.ts'
import { PAYMENT_PROTOCOL } from '../../../src/economy/payments/index.ts'
import type { ReceiptPaymentRecord } from '../../../src/economy/payments/index.ts'
import { requestJson } from '../../../src/network/json-exchange.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import { signReceipt } from '../../../src/receipts/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import { aboutReceipt, claimedRun, signAttestation } from '../../../src/receipts/attestation/index.ts'
import type { Attestation } from '../../../src/receipts/attestation/index.ts'
import { exampleUnsigned } from '../receipts/fixtures.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'

const CHARGE = 2_500
const DEPOSIT = 10_000
const id = (p: PeerIdentity): string => p.peerId.toString()

interface Party {
  identity: PeerIdentity
  node: Libp2p
  store: ZeroStateStore
  channels: PaymentChannels
}

let taskCounter = 0

describe('payment channels between two libp2p nodes', () => {
  let submitter: Party
  let executor: Party
  let stranger: PeerIdentity
  let settlements = 0
  /** Added to both parties' clocks, to reach the end of a challenge period. */
  let skew = 0
  const closings: Array<{ by: string, closing: ClosingChannel }> = []
  /** When set, the executor's handler runs this instead of answering (to play a payee that vanishes). */
  let executorMisbehaves: ((stream: Parameters<PaymentChannels['handle']>[0], connection: Connection) => Promise<void>) | undefined

  const party = async (listen: boolean): Promise<Party> => {
    const identity = await createIdentity()
    const node = await startTestNode({ identity, listen })
    const store = createMemoryStore<ZeroStateRecords>()
    const channels = new PaymentChannels(
      { identity, store, connectionTo: async (peer) => node.dial(peer === id(executor.identity) ? executor.node.getMultiaddrs()[0]! : submitter.node.getMultiaddrs()[0]!) },
      {
        chargeOf: () => CHARGE,
        deposit: DEPOSIT,
        now: () => Date.now() + skew,
        onSettlement: () => { settlements++ },
        onClosing: closing => { closings.push({ by: id(identity), closing }) }
      }
    )
    return { identity, node, store, channels }
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
  const receipt = async (by: PeerIdentity = executor.identity, overrides: Partial<Receipt> = {}): Promise<Receipt> => {
    const unsigned = { ...exampleUnsigned(by, submitter.identity), taskId: `task_${++taskCounter}`, ...overrides }
    return signReceipt(unsigned, by)
  }

  const latestOf = async (store: ZeroStateStore): Promise<SignedChannelState> => (await store.listChannels())[0]!.latest

  /** Sends a raw request to the executor, as a submitter that does not follow the protocol would. */
  const raw = async (request: unknown): Promise<unknown> => {
    const connection = await submitter.node.dial(executor.node.getMultiaddrs()[0]!)
    return requestJson(connection, PAYMENT_PROTOCOL, request, { maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
  }
  const remoteNameOf = (err: Error): unknown => (err as unknown as { remoteName?: string }).remoteName
  const remoteName = async (request: unknown): Promise<unknown> => remoteNameOf(await rejection(raw(request)))

  it('opens a channel on the first payment and pays for each receipt with the next co-signed state, stored on both sides', async () => {
    const first = await receipt()
    const paid = await submitter.channels.pay(first)
    expect(paid).toMatchObject({ direction: 'out', amount: CHARGE, kind: 'payment', sequence: 1 })
    await submitter.channels.pay(await receipt())
    const mine = await latestOf(submitter.store)
    const theirs = await latestOf(executor.store)
    expect(mine).toEqual(theirs)
    expect(mine.state).toMatchObject({ sequence: 2, balanceA: DEPOSIT - 2 * CHARGE, balanceB: 2 * CHARGE, depositA: DEPOSIT, depositB: 0 })
    const received = await executor.store.listPayments()
    expect(received.map(p => [p.direction, p.sequence, (p as ReceiptPaymentRecord).receipt.taskId])).toEqual([['in', 2, `task_${taskCounter}`], ['in', 1, first.taskId]])
    expect(mine.state.paysFor).toEqual(receiptRefOf(((await submitter.store.listPayments())[0] as ReceiptPaymentRecord).receipt))
  })

  it('rejects a replayed state, a stale one, a skipped one and a forged one', async () => {
    const current = await latestOf(executor.store)
    const r = await receipt()
    const next = async (from: SignedChannelState['state'], by = submitter.identity): Promise<SignedChannelState> =>
      signState(proposePayment(from, id(submitter.identity), CHARGE, receiptRefOf(r), Date.now()), by)
    // The current state again, as if it paid for this receipt: a replay.
    expect(await remoteName({ type: 'pay', state: await signState({ ...current.state }, submitter.identity), receipt: r })).toBe('ReplayedStateError')
    const older = { ...current.state, sequence: current.state.sequence - 2, balanceA: current.state.balanceA + CHARGE, balanceB: current.state.balanceB - CHARGE }
    expect(await remoteName({ type: 'pay', state: await next(older), receipt: r })).toBe('StaleStateError')
    const skipped = { ...current.state, sequence: current.state.sequence + 3 }
    expect(await remoteName({ type: 'pay', state: await next(skipped), receipt: r })).toBe('SequenceGapError')
    const forged = await next(current.state)
    forged.signatures.a = { ...forged.signatures.a!, signature: forged.signatures.a!.signature.replace(/^./, c => c === 'A' ? 'B' : 'A') }
    expect(await remoteName({ type: 'pay', state: forged, receipt: r })).toBe('ForgedSignatureError')
    // Signed by a key that is not a's.
    const byStranger = await next(current.state)
    const strangerSig = await signState({ ...byStranger.state, a: id(stranger), b: byStranger.state.b }, stranger)
    expect(await remoteName({ type: 'pay', state: { state: byStranger.state, signatures: { a: strangerSig.signatures.a } }, receipt: r })).toBe('SignerKeyMismatchError')
    expect(await latestOf(executor.store)).toEqual(current)
  })

  it('rejects balances that do not sum to the deposits, and a payment of another amount than the charge', async () => {
    const current = await latestOf(executor.store)
    const r = await receipt()
    const proper = proposePayment(current.state, id(submitter.identity), CHARGE, receiptRefOf(r), Date.now())
    const minted = { ...proper, balanceB: proper.balanceB + 1 }
    expect(await remoteName({ type: 'pay', state: { state: minted, signatures: {} }, receipt: r })).toBe('BalanceSumError')
    const short = await signState(proposePayment(current.state, id(submitter.identity), CHARGE - 1, receiptRefOf(r), Date.now()), submitter.identity)
    expect(await remoteName({ type: 'pay', state: short, receipt: r })).toBe('PaymentAmountError')
    const wrongReceipt = await signState(proposePayment(current.state, id(submitter.identity), CHARGE, receiptRefOf(await receipt()), Date.now()), submitter.identity)
    expect(await remoteName({ type: 'pay', state: wrongReceipt, receipt: r })).toBe('PaymentAmountError')
  })

  it('refuses payment for a receipt signed by a key that is not the executor\'s, or issued to someone else', async () => {
    const current = await latestOf(executor.store)
    const notMine = await receipt(stranger)
    const state = await signState(proposePayment(current.state, id(submitter.identity), CHARGE, receiptRefOf(notMine), Date.now()), submitter.identity)
    expect(await remoteName({ type: 'pay', state, receipt: notMine })).toBe('ReceiptMismatchError')
    const forged = { ...notMine, executor: id(executor.identity) }
    expect(await remoteName({ type: 'pay', state, receipt: forged })).toBe('ReceiptKeyMismatchError')
    const tampered = { ...(await receipt()), outputHash: sha256Hex(new Uint8Array([1])) }
    expect(await remoteName({ type: 'pay', state, receipt: tampered })).toBe('ReceiptSignatureError')
  })

  it('an executor that takes the payment and vanishes before answering: the payment stays pending, then is adopted at the next contact', async () => {
    executorMisbehaves = async (stream, connection) => {
      // Co-signs and stores (it has been paid) but drops the stream instead of answering.
      const swallowed = executor.channels.handle(stream, connection)
      stream.abort(new Error('gone'))
      await swallowed.catch(() => {})
    }
    const before = (await latestOf(submitter.store)).state.sequence
    const r = await receipt()
    expect((await rejection(submitter.channels.pay(r))).name).toBe('PaymentNotAcknowledgedError')
    const stored = (await submitter.store.listChannels())[0]!
    expect((stored.pending as ReceiptPaymentRecord | undefined)?.receipt.taskId).toBe(r.taskId)
    executorMisbehaves = undefined
    await submitter.channels.pay(await receipt())
    const after = await latestOf(submitter.store)
    expect(after).toEqual(await latestOf(executor.store))
    // Whatever happened to the lost answer, nothing is counted twice or lost: both sides agree on every payment.
    const outs = (await submitter.store.listPayments()).map(p => p.sequence)
    const ins = (await executor.store.listPayments()).map(p => p.sequence)
    expect(outs).toEqual(ins)
    expect(after.state.sequence).toBe(before + outs.filter(s => s > before).length)
    expect((await submitter.store.listChannels())[0]!.pending).toBeUndefined()
  })

  it('a payee that vanishes before co-signing: the pending payment is dropped at the next contact', async () => {
    executorMisbehaves = async (stream) => { stream.abort(new Error('gone')) }
    const before = await latestOf(submitter.store)
    expect((await rejection(submitter.channels.pay(await receipt()))).name).toBe('PaymentNotAcknowledgedError')
    executorMisbehaves = undefined
    await submitter.channels.pay(await receipt())
    const after = await latestOf(submitter.store)
    expect(after.state.sequence).toBe(before.state.sequence + 1)
    expect(after.state.balanceA).toBe(before.state.balanceA - CHARGE)
  })

  it('refunds a payment when a third-party witness disputes the receipt, once, and never on the submitter\'s word alone', async () => {
    const r = await receipt()
    await submitter.channels.pay(r)
    const attest = async (witness: PeerIdentity): Promise<Attestation> => signAttestation({
      ...aboutReceipt(r), witness: id(witness), publicKey: bytesToBase64Url(witness.publicKey), verdict: 'disagree',
      observed: { ...claimedRun(r), outputHash: sha256Hex(new Uint8Array([9])) }, at: Date.now()
    }, witness)
    const selfAttested = await attest(submitter.identity)
    const refused = await rejection(submitter.channels.requestRefund(r, [selfAttested]))
    expect(remoteNameOf(refused)).toBe('RefundRefusedError')
    const agreeing = await signAttestation({ ...aboutReceipt(r), witness: id(stranger), publicKey: bytesToBase64Url(stranger.publicKey), verdict: 'agree', observed: claimedRun(r), at: Date.now() }, stranger)
    expect(remoteNameOf(await rejection(submitter.channels.requestRefund(r, [agreeing])))).toBe('RefundRefusedError')
    const before = await latestOf(submitter.store)
    const refund = await submitter.channels.requestRefund(r, [await attest(stranger), selfAttested])
    expect(refund).toMatchObject({ kind: 'refund', direction: 'in', amount: CHARGE })
    const after = await latestOf(executor.store)
    expect(after.state.balanceA).toBe(before.state.balanceA + CHARGE)
    expect((await rejection(submitter.channels.requestRefund(r, [await attest(stranger)]))).name).toBe('RefundRefusedError')
  })

  it('closes cooperatively with settlement records on both sides; the next payment opens a new channel', async () => {
    const open = (await submitter.store.listChannels())[0]!
    const settledBefore = settlements
    const settlement = await submitter.channels.close(open.channelId)
    verifySettlement(settlement)
    expect(settlement.mode).toBe('cooperative')
    const theirs = await executor.store.getChannel(open.channelId)
    expect(theirs?.status).toBe('settled')
    verifySettlement(theirs!.settlement!)
    expect(theirs!.settlement!.finalState).toEqual(settlement.finalState)
    expect(settlements - settledBefore).toBe(2)
    const r = await receipt()
    const late = await signState(proposePayment(open.latest.state, id(submitter.identity), CHARGE, receiptRefOf(r), Date.now()), submitter.identity)
    expect(await remoteName({ type: 'pay', state: late, receipt: r })).toBe('UnknownChannelError')
    const paid = await submitter.channels.pay(r)
    expect(paid?.channelId).not.toBe(open.channelId)
    expect(paid?.sequence).toBe(1)
  })

  it('a reloaded payer continues its channel where the store left it', async () => {
    const reloaded = new PaymentChannels(
      { identity: submitter.identity, store: submitter.store, connectionTo: async () => submitter.node.dial(executor.node.getMultiaddrs()[0]!) },
      { chargeOf: () => CHARGE, deposit: DEPOSIT }
    )
    const before = await latestOf(submitter.store)
    await reloaded.pay(await receipt())
    expect((await latestOf(submitter.store)).state.sequence).toBe(before.state.sequence + 1)
    expect(await latestOf(executor.store)).toEqual(await latestOf(submitter.store))
  })

  it('replaces a channel that cannot cover the next payment, and refuses malformed requests', async () => {
    const spent = (await submitter.store.listChannels())[0]!
    for (let i = spent.latest.state.balanceA; i >= CHARGE; i -= CHARGE) await submitter.channels.pay(await receipt())
    const next = await submitter.channels.pay(await receipt())
    expect(next?.channelId).not.toBe(spent.channelId)
    expect((await submitter.store.getChannel(spent.channelId))?.status).toBe('settled')
    expect(await remoteName({ type: 'mint' })).toBe('InvalidPaymentMessageError')
    expect(await remoteName('pay')).toBe('InvalidPaymentMessageError')
    expect(await remoteName({ type: 'sync', channelId: spent.channelId + 'x' })).toBe('UnknownChannelError')
  })

  it('a stale state posted at a unilateral close loses to the later co-signed state shown during the challenge period', async () => {
    await submitter.channels.pay(await receipt())
    await submitter.channels.pay(await receipt())
    const channel = (await submitter.store.listChannels()).find(c => c.side === 'a' && c.status === 'open')!
    const newest = channel.latest.state.sequence
    // The payer rolls its store back to an older co-signed state, in which it had paid less, and closes on it.
    const older = (await submitter.store.listPayments()).find(p => p.channelId === channel.channelId && p.sequence === newest - 1)!
    await submitter.store.saveChannel({ ...channel, latest: older.state })
    const closing = await submitter.channels.closeUnilaterally(channel.channelId, 60_000)
    expect(closing.state.state.sequence).toBe(newest - 1)
    await executor.channels.onClosingNotice(closing, id(submitter.identity))
    const challenged = closings.findLast(c => c.by === id(executor.identity))!.closing
    expect(challenged.state.state.sequence).toBe(newest)
    await submitter.channels.onClosingNotice(challenged, id(executor.identity))
    // No payment on a closing channel, and no settlement before the period is over.
    const r = await receipt()
    const late = await signState(proposePayment(challenged.state.state, id(submitter.identity), CHARGE, receiptRefOf(r), Date.now()), submitter.identity)
    expect(await remoteName({ type: 'pay', state: late, receipt: r })).toBe('UnknownChannelError')
    expect(await submitter.channels.settleDue()).toEqual([])
    skew += 60_001
    const [mine] = await submitter.channels.settleDue()
    const [theirs] = await executor.channels.settleDue()
    verifySettlement(mine!)
    expect(mine!.mode).toBe('unilateral')
    expect(mine!.finalState.state.sequence).toBe(newest)
    expect(theirs!.finalState).toEqual(mine!.finalState)
    // A challenge after the period changes nothing: the channel is settled.
    await executor.channels.onClosingNotice(closing, id(submitter.identity))
    expect((await executor.store.getChannel(channel.channelId))?.settlement?.finalState.state.sequence).toBe(newest)
  })

  it('keeps one open channel per payer: a payer that lost track of its channel opens anew, and the old one is closed on the payee\'s newest state', async () => {
    const forgetful = new PaymentChannels(
      { identity: submitter.identity, store: createMemoryStore<ZeroStateRecords>(), connectionTo: async () => submitter.node.dial(executor.node.getMultiaddrs()[0]!) },
      { chargeOf: () => CHARGE, deposit: DEPOSIT, now: () => Date.now() + skew }
    )
    await submitter.channels.pay(await receipt())
    const before = (await executor.store.listChannels()).filter(c => c.peer === id(submitter.identity) && c.status === 'open')
    expect(before).toHaveLength(1)
    await forgetful.pay(await receipt())
    const after = await executor.store.listChannels()
    expect(after.filter(c => c.peer === id(submitter.identity) && c.status === 'open')).toHaveLength(1)
    const old = after.find(c => c.channelId === before[0]!.channelId)!
    expect(old.status).toBe('closing')
    expect(old.closing?.state).toEqual(before[0]!.latest)
  })
})
