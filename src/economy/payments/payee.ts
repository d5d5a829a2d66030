/**
 * The payee's side (party b): serves /zerostate/payment/1.0.0. It co-signs
 * an opening, a payment for a receipt it signed (or for several at once),
 * each receipt once, a refund the evidence makes
 * due, its share under a split record that recomputes, or a final state, and stores each before answering with it; it
 * answers `sync` with its newest co-signed state.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { parseTraceparent } from '../../core/tracing/index.ts'
import { serveJson } from '../../network/json-exchange.ts'
import { receiptHash, verifyReceipt } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import {
  assertNextSequence, assertSameChannel, checkOpening, cosign, proposeBatchPayment, proposeFinal, proposePayment, proposeSharePayment, receiptRefOf
} from '../channel/index.ts'
import { splitRecordHash, verifySplitRecord } from '../shapley/index.ts'
import { shareOf } from './records.ts'
import type { ChannelState, SignedChannelState } from '../channel/index.ts'
import { sameState } from './channel-book.ts'
import type { Closing } from './closing.ts'
import { DEFAULT_CHALLENGE_PERIOD_MS, MAX_CHANNEL_DEPOSIT, MAX_PAYMENT_MESSAGE_BYTES } from './constants.ts'
import type { PaymentContext } from './context.ts'
import { InvalidPaymentMessageError, PaymentAmountError, ReceiptPaidError, RefundRefusedError, ShareRefusedError, UnexpectedStateError } from './errors.ts'
import { readRequest } from './messages.ts'
import { servePaymentStream } from './payment-stream.ts'
import type { BatchedPayment, Request } from './messages.ts'
import type { ChannelRecord, StoredPaymentTerms } from './records.ts'
import { checkRefundEvidence } from './refund-evidence.ts'

export class Payee {
  private readonly context: PaymentContext
  private readonly closing: Closing

  constructor (context: PaymentContext, closing: Closing) {
    this.context = context
    this.closing = closing
  }

  /** Serves one request of /zerostate/payment/1.0.0 from `connection`'s remote peer. */
  async handle (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    await serveJson(stream, async (request) => this.answer(from, readRequest(request)), { maxBytes: MAX_PAYMENT_MESSAGE_BYTES })
  }

  /** Serves the requests of a payment stream (PAYMENT_STREAM_PROTOCOL) from `connection`'s remote peer, one after the other. */
  async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    await servePaymentStream(stream, async (request) => this.answer(from, readRequest(request)))
  }

  private async answer (from: string, request: Request): Promise<unknown> {
    const { book } = this.context
    switch (request.type) {
      case 'open': return { state: await this.acceptOpening(from, request.state) }
      case 'sync': return { state: (await book.channelOf(request.channelId, from)).latest }
      case 'pay': return book.locked(from, async () => ({ state: await this.traced([request], async () => this.acceptPayment(from, request.state, request.receipt)) }))
      case 'pay-batch': return book.locked(from, async () => ({ state: await this.traced(request.payments, async () => this.acceptBatch(from, request.state, request.payments)) }))
      case 'refund': return book.locked(from, async () => ({ state: await this.acceptRefund(from, request) }))
      case 'close': return book.locked(from, async () => ({ state: await this.acceptClose(from, request.state) }))
      case 'share': return book.locked(from, async () => ({ state: await this.acceptShare(from, request.state, request.record) }))
    }
  }

  /**
   * The co-signing of a payment as a span under the payer's `pay` span of
   * each receipt it pays for, when it sent their traceparents and this peer
   * traces (docs/tracing.md §2): kept by this peer, not sent back (the
   * payer's own span covers the round trip). A batch's receipts share its work.
   */
  private async traced<T> (payments: readonly BatchedPayment[], work: () => Promise<T>): Promise<T> {
    const { tracer } = this.context
    const traced = tracer?.enabled === true ? payments.filter(p => p.traceparent !== undefined) : []
    if (tracer === undefined || traced.length === 0) return work()
    const batch = payments.length > 1 ? { 'zerostate.batch_size': payments.length } : {}
    const spans = traced.map(p => tracer.start('co-sign payment', parseTraceparent(p.traceparent!), { 'zerostate.task_id': p.receipt.taskId, ...batch }))
    try {
      const result = await work()
      for (const span of spans) tracer.end(span)
      return result
    } catch (err) {
      for (const span of spans) tracer.end(span, err)
      throw err
    }
  }

  private async acceptOpening (from: string, proposed: SignedChannelState): Promise<SignedChannelState> {
    const { book, identity } = this.context
    const { state } = proposed
    checkOpening(state)
    if (state.a !== from || state.b !== this.context.self) throw new InvalidPaymentMessageError('an opening names its sender as a and this peer as b')
    if (state.depositB !== 0) throw new InvalidPaymentMessageError('a payee puts no deposit into a channel it is paid on')
    if (state.depositA > MAX_CHANNEL_DEPOSIT) throw new InvalidPaymentMessageError(`deposit above ${MAX_CHANNEL_DEPOSIT}`)
    if (await book.get(state.channelId) !== undefined) throw new InvalidPaymentMessageError(`channel ${state.channelId} exists`)
    const cosigned = await cosign(proposed, identity)
    // One open channel per payer: an older one (its payer lost track of it, or never closed it) is closed
    // on this peer's newest co-signed state, which the payer may still challenge with a later one.
    const older = (await book.list()).filter(c => c.peer === from && c.side === 'b' && c.status === 'open')
    await book.save({ channelId: state.channelId, peer: from, side: 'b', latest: cosigned, status: 'open', updatedAt: this.context.now() })
    this.context.init.onChange?.()
    for (const channel of older) await this.closing.closeUnilaterally(channel.channelId, DEFAULT_CHALLENGE_PERIOD_MS)
    return cosigned
  }

  /**
   * Co-signs a payment for a receipt this peer signed for the sender and was
   * not paid for yet, moving exactly its charge from a to b in the very next
   * state, and stores it before answering.
   */
  private async acceptPayment (from: string, proposed: SignedChannelState, receipt: Receipt): Promise<SignedChannelState> {
    const channel = await this.context.book.openChannelOf(proposed.state.channelId, from, 'b')
    const amount = await this.dueFor(from, receipt)
    this.checkTransfer(channel.latest.state, proposed.state, receipt, amount, 'a')
    return this.acceptTransfer(channel, proposed, { receipt, kind: 'payment', direction: 'in', amount })
  }

  /**
   * Co-signs one state paying for several receipts (`paysForBatch`): each
   * one this peer signed for the sender, none paid before, listed in the
   * request's order, and the balances moved by exactly the sum of their
   * charges. Stored, as one payment record of the batch, before answering.
   */
  private async acceptBatch (from: string, proposed: SignedChannelState, payments: readonly BatchedPayment[]): Promise<SignedChannelState> {
    const channel = await this.context.book.openChannelOf(proposed.state.channelId, from, 'b')
    const receipts = []
    for (const { receipt } of payments) receipts.push({ receipt, amount: await this.dueFor(from, receipt) })
    const { state: current } = channel.latest
    assertSameChannel(current, proposed.state)
    assertNextSequence(current, proposed.state)
    const total = receipts.reduce((sum, entry) => sum + entry.amount, 0)
    // Rebuilt from the receipts: a state naming other receipts, in another order, or moving another sum is not this one.
    const expected = proposeBatchPayment(current, current.a, total, receipts.map(entry => receiptRefOf(entry.receipt)), proposed.state.at)
    if (!sameState(expected, proposed.state)) {
      throw new PaymentAmountError(`state ${proposed.state.sequence} of ${current.channelId} does not move exactly ${total} for the ${receipts.length} receipts sent with it`)
    }
    return this.acceptTransfer(channel, proposed, { kind: 'batch', receipts, direction: 'in', amount: total })
  }

  /**
   * What `from` owes for `receipt`: its charge, once the receipt verifies as
   * this peer's, signed for `from`, charging something, and not paid yet
   * (ReceiptPaidError: one receipt, one state).
   */
  private async dueFor (from: string, receipt: Receipt): Promise<number> {
    await verifyReceipt(receipt, { executor: this.context.self, submitter: from })
    const amount = this.context.init.chargeOf(receipt)
    if (amount <= 0) throw new PaymentAmountError(`receipt ${receipt.taskId} charges nothing`)
    if (await this.context.book.receiptPaid(receiptHash(receipt), 'in')) throw new ReceiptPaidError(`receipt ${receipt.taskId} was paid already`)
    return amount
  }

  /**
   * Co-signs a refund of a payment this peer received, when the evidence
   * makes it due: witnesses other than the submitter re-ran the task, signed
   * that the receipt is wrong, and agree with each other on what the right
   * result is. Never refunds a receipt twice.
   */
  private async acceptRefund (from: string, request: Extract<Request, { type: 'refund' }>): Promise<SignedChannelState> {
    const { book } = this.context
    const { receipt, attestations, state: proposed } = request
    const channel = await book.openChannelOf(proposed.state.channelId, from, 'b')
    await verifyReceipt(receipt, { executor: this.context.self, submitter: from })
    const paid = await book.paymentFor(receipt, 'in')
    if (paid === undefined || paid.channelId !== channel.channelId) throw new RefundRefusedError(`no payment for ${receipt.taskId} on ${channel.channelId}`)
    if (await book.paymentFor(receipt, 'out', 'refund') !== undefined) throw new RefundRefusedError(`${receipt.taskId} was refunded already`)
    await checkRefundEvidence(receipt, attestations, from, this.context.now())
    this.checkTransfer(channel.latest.state, proposed.state, receipt, paid.amount, 'b')
    return this.acceptTransfer(channel, proposed, { receipt, kind: 'refund', direction: 'out', amount: paid.amount })
  }

  /**
   * Co-signs the payment of this peer's share under a split record the
   * sender signed: the record verifies and recomputes to the micro-unit
   * (verifySplitRecord), names a payment to this peer, and was not paid on
   * before; the state moves exactly that payment and names the record.
   */
  private async acceptShare (from: string, proposed: SignedChannelState, value: unknown): Promise<SignedChannelState> {
    const { book } = this.context
    const channel = await book.openChannelOf(proposed.state.channelId, from, 'b')
    const record = verifySplitRecord(value)
    if (record.signer !== from) throw new ShareRefusedError(`a split record is paid on by its signer, ${record.signer}, not ${from}`)
    const due = shareOf(record, this.context.self)
    if (due === undefined) throw new ShareRefusedError(`split record of run ${record.runId} pays nothing to ${this.context.self}`)
    const recordHash = splitRecordHash(record)
    if (await book.sharePaymentFor(recordHash, 'in', from) !== undefined) throw new ShareRefusedError(`this peer's share of run ${record.runId} was paid already`)
    const { state: current } = channel.latest
    assertSameChannel(current, proposed.state)
    assertNextSequence(current, proposed.state)
    const expected = proposeSharePayment(current, current.a, due.amount, { runId: record.runId, recordHash }, proposed.state.at)
    if (!sameState(expected, proposed.state)) {
      throw new PaymentAmountError(`state ${proposed.state.sequence} of ${current.channelId} does not move exactly ${due.amount} for the share of run ${record.runId}`)
    }
    return this.acceptTransfer(channel, proposed, { share: { runId: record.runId, recordHash, record }, kind: 'share', direction: 'in', amount: due.amount })
  }

  /** Throws unless `next` follows `current` by moving exactly `amount` from `payer` to the other party for `receipt`. */
  private checkTransfer (current: ChannelState, next: ChannelState, receipt: Receipt, amount: number, payer: 'a' | 'b'): void {
    assertSameChannel(current, next)
    assertNextSequence(current, next)
    const expected = proposePayment(current, current[payer], amount, receiptRefOf(receipt), next.at)
    if (!sameState(expected, next)) {
      throw new PaymentAmountError(`state ${next.sequence} of ${current.channelId} does not move exactly ${amount} for ${receipt.taskId}`)
    }
  }

  /** Co-signs `proposed` and stores it with its payment record before it is answered with. */
  private async acceptTransfer (channel: ChannelRecord, proposed: SignedChannelState, payment: StoredPaymentTerms): Promise<SignedChannelState> {
    const cosigned = await cosign(proposed, this.context.identity)
    const { state } = cosigned
    await this.context.book.save(
      { ...channel, latest: cosigned, updatedAt: this.context.now() },
      { channelId: channel.channelId, sequence: state.sequence, ...payment, state: cosigned, at: state.at }
    )
    this.context.init.onChange?.()
    return cosigned
  }

  /** Co-signs a final state that keeps the balances of the newest one, and settles on it before answering. */
  private async acceptClose (from: string, proposed: SignedChannelState): Promise<SignedChannelState> {
    const channel = await this.context.book.openChannelOf(proposed.state.channelId, from, 'b')
    if (!sameState(proposeFinal(channel.latest.state, proposed.state.at), proposed.state)) {
      throw new UnexpectedStateError(`a final state of ${channel.channelId} keeps the balances of state ${channel.latest.state.sequence}`)
    }
    const final = await cosign(proposed, this.context.identity)
    await this.closing.settleOn(channel, final)
    return final
  }
}
