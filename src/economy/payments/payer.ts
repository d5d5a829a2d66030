/**
 * The payer's side (party a): pays the executor of a receipt what it is
 * charged, on the open channel with it (opened, or replaced by a larger one,
 * as needed) — the receipts owed to one executor at once with one state —
 * and asks for a refund when witnesses dispute the receipt. The
 * signed state is stored as pending before it is sent, and adopted once the
 * payee co-signs it (pending.ts).
 */
import type { AbortOptions } from '@libp2p/interface'
import { receiptHash } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { Attestation } from '../../receipts/attestation/index.ts'
import { utf8ToBytes } from '../../core/index.ts'
import { RemoteRequestError } from '../../network/json-exchange.ts'
import { MAX_RECEIPTS_PER_STATE, openChannel, proposeBatchPayment, proposePayment, proposeSharePayment, receiptRefOf, signState, verifyOpening } from '../channel/index.ts'
import { splitRecordHash, verifySplitRecord } from '../shapley/index.ts'
import { paymentsOf, shareOf } from './records.ts'
import { sameState } from './channel-book.ts'
import type { Closing } from './closing.ts'
import { DEFAULT_CHANNEL_DEPOSIT, DEFAULT_PAYMENT_BATCH_WINDOW_MS, MAX_BATCH_RECEIPT_BYTES, MAX_CHANNEL_DEPOSIT } from './constants.ts'
import type { PaymentContext } from './context.ts'
import { PaymentAmountError, ReceiptPaidError, RefundRefusedError, ShareRefusedError, UnexpectedStateError, UnknownChannelError } from './errors.ts'
import type { PendingPayments } from './pending.ts'
import type { ChannelRecord, PaymentRecord } from './records.ts'

/** A receipt waiting for its payment, and how to tell its caller the outcome. */
interface Owed {
  receipt: Receipt
  amount: number
  /** UTF-8 bytes of the receipt's JSON, as a batch request carries it. */
  bytes: number
  traceparent?: string
  /** When it was owed (performance.now()): it waits for others at most the batch window from then. */
  since: number
  paid(record: PaymentRecord): void
  failed(err: unknown): void
}

function randomChannelId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return `ch_${Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')}`
}

export class Payer {
  private readonly context: PaymentContext
  private readonly pending: PendingPayments
  private readonly closing: Closing
  private readonly deposit: number
  private readonly batchWindowMs: number
  private readonly newChannelId: () => string
  /** Per payee, the receipts owed to it and not yet taken into a payment, oldest first. */
  private readonly owed = new Map<string, Owed[]>()
  /** Per payee, what ends the batch window being waited out early: a state's worth of receipts is owed. */
  private readonly windowEnds = new Map<string, () => void>()

  /**
   * Throws RangeError when the deposit of `context.init` is not an integer in
   * 1..MAX_CHANNEL_DEPOSIT, or its batch window not a finite number ≥ 0.
   */
  constructor (context: PaymentContext, pending: PendingPayments, closing: Closing) {
    this.context = context
    this.pending = pending
    this.closing = closing
    this.deposit = context.init.deposit ?? DEFAULT_CHANNEL_DEPOSIT
    if (!Number.isSafeInteger(this.deposit) || this.deposit <= 0 || this.deposit > MAX_CHANNEL_DEPOSIT) {
      throw new RangeError(`deposit must be an integer in 1..${MAX_CHANNEL_DEPOSIT}, got ${this.deposit}`)
    }
    this.batchWindowMs = context.init.batchWindowMs ?? DEFAULT_PAYMENT_BATCH_WINDOW_MS
    if (!Number.isFinite(this.batchWindowMs) || this.batchWindowMs < 0) {
      throw new RangeError(`the payment batch window must be a number of ms ≥ 0, got ${this.batchWindowMs}`)
    }
    this.newChannelId = context.init.newChannelId ?? randomChannelId
  }

  /**
   * Pays the executor of `receipt` what it is charged, on the open channel
   * with it (opened, or replaced by a larger one, as needed). Resolves with
   * the payment once co-signed and stored, or undefined when the charge is 0.
   *
   * Receipts owed to one payee within the batch window of the oldest of
   * them, or while its channel is busy, are paid together, by one state
   * (`paysForBatch`): one signature each side, one round trip and one write
   * per step of the order of writes for them all, so paying keeps up with a
   * submitter however fast its tasks come back. Each receipt still has
   * exactly one state, and the state a known list of receipts.
   */
  async pay (receipt: Receipt, options: AbortOptions & { traceparent?: string }): Promise<PaymentRecord | undefined> {
    const { book, init } = this.context
    if (receipt.submitter !== this.context.self) throw new PaymentAmountError(`receipt ${receipt.taskId} names another submitter`)
    const amount = init.chargeOf(receipt)
    if (amount === 0) return undefined
    const peer = receipt.executor
    const { traceparent, ...network } = options
    let entry: Owed | undefined
    const paid = new Promise<PaymentRecord>((resolve, reject) => {
      entry = {
        receipt, amount, bytes: utf8ToBytes(JSON.stringify(receipt)).length, ...(traceparent === undefined ? {} : { traceparent }), since: performance.now(), paid: resolve, failed: reject
      }
    })
    const queue = this.owed.get(peer) ?? []
    queue.push(entry!)
    this.owed.set(peer, queue)
    if (queue.length >= MAX_RECEIPTS_PER_STATE) this.windowEnds.get(peer)?.()
    // Its outcome may come while this call still waits for its own turn below: not an unhandled rejection.
    paid.catch(() => {})
    // One turn of the channel's lock per receipt: the first turn to run pays every receipt owed by then
    // (up to a batch); a later turn finds its receipt taken already and returns at once, without waiting
    // out a window for receipts owed after it.
    await book.locked(peer, async () => {
      if (!(this.owed.get(peer)?.includes(entry!) ?? false)) return
      await this.batchWindow(peer)
      await this.payOwed(peer, network)
    })
    return paid
  }

  /**
   * Pays `receipt` as `pay` does unless it was paid already: a receipt kept
   * in an earlier session and perhaps never paid (peer/owed-receipts.ts).
   * The payee is asked for its newest state first when a payment to it is
   * pending (`sync`, as at any next contact: that payment may be this one,
   * co-signed before its answer was lost); a payee that refuses the receipt
   * as paid already (ReceiptPaidError: it holds a payment this peer lost)
   * counts as paid. Resolves 'paid' when this call paid it, 'paid-before'
   * when a payment for it was on a channel already or the payee says so,
   * 'nothing-owed' when it is charged 0.
   */
  async payUnlessPaid (receipt: Receipt, options: AbortOptions): Promise<'paid' | 'paid-before' | 'nothing-owed'> {
    const { book, init } = this.context
    if (receipt.submitter !== this.context.self) throw new PaymentAmountError(`receipt ${receipt.taskId} names another submitter`)
    if (init.chargeOf(receipt) === 0) return 'nothing-owed'
    const peer = receipt.executor
    const hash = receiptHash(receipt)
    const paidBefore = await book.locked(peer, async () => {
      const channel = await book.payingChannel(peer)
      if (channel?.pending !== undefined) await this.pending.synced(channel, options)
      return book.receiptPaid(hash, 'out')
    })
    if (paidBefore) return 'paid-before'
    try {
      await this.pay(receipt, options)
      return 'paid'
    } catch (err) {
      if (err instanceof Error && err.name === RemoteRequestError.name && (err as RemoteRequestError).remoteName === ReceiptPaidError.name) return 'paid-before'
      throw err
    }
  }

  /** Whether a payment this peer made for the receipt whose receiptHash is `hash` is on a channel (a pending one is not). */
  async paidFor (hash: string): Promise<boolean> {
    return this.context.book.receiptPaid(hash, 'out')
  }

  /**
   * Resolves once the oldest receipt owed to `peer` has waited the batch
   * window, or a state's worth is owed, or none is (an earlier turn took
   * them); with `peer`'s lock held, so no payment to it is under way.
   */
  private async batchWindow (peer: string): Promise<void> {
    const oldest = this.owed.get(peer)?.[0]
    if (oldest === undefined || this.batchWindowMs === 0) return
    const left = oldest.since + this.batchWindowMs - performance.now()
    if (left <= 0 || this.owed.get(peer)!.length >= MAX_RECEIPTS_PER_STATE) return
    await new Promise<void>(resolve => {
      const timer = setTimeout(end, left)
      function end (): void {
        clearTimeout(timer)
        resolve()
      }
      this.windowEnds.set(peer, end)
    }).finally(() => this.windowEnds.delete(peer))
  }

  /** Pays the receipts owed to `peer` (as many as one state takes), reporting to each its own outcome; never throws. */
  private async payOwed (peer: string, options: AbortOptions): Promise<void> {
    const batch = this.takeOwed(peer)
    if (batch.length === 0) return
    try {
      if (batch.length === 1) {
        batch[0]!.paid(await this.payOne(peer, batch[0]!, options))
        return
      }
      let records: PaymentRecord[]
      try {
        records = await this.payBatch(peer, batch, options)
      } catch (err) {
        if (!(err instanceof Error && err.name === RemoteRequestError.name)) throw err
        // Refused as a whole (a receipt the payee will not take, or a payee that does not know batches):
        // each is offered alone, so the others are still paid. The refused state stays pending until the
        // next contact's `sync` drops it, as a refused single payment's does.
        for (const entry of batch) await this.payOne(peer, entry, options).then(entry.paid, entry.failed)
        return
      }
      batch.forEach((entry, i) => { entry.paid(records[i]!) })
    } catch (err) {
      // Settled promises ignore this: only the receipts not yet told are.
      for (const entry of batch) entry.failed(err)
    }
  }

  /** The oldest receipts owed to `peer`, at most MAX_RECEIPTS_PER_STATE and MAX_BATCH_RECEIPT_BYTES of them (at least one). */
  private takeOwed (peer: string): Owed[] {
    const queue = this.owed.get(peer) ?? []
    let count = 0
    let bytes = 0
    while (count < queue.length && count < MAX_RECEIPTS_PER_STATE && (count === 0 || bytes + queue[count]!.bytes <= MAX_BATCH_RECEIPT_BYTES)) {
      bytes += queue[count]!.bytes
      count++
    }
    const taken = queue.splice(0, count)
    if (queue.length === 0) this.owed.delete(peer)
    return taken
  }

  /** Pays one receipt with a state of its own (`paysFor`), with `peer`'s lock held. */
  private async payOne (peer: string, { receipt, amount, traceparent }: Owed, options: AbortOptions): Promise<PaymentRecord> {
    const { book, client, identity } = this.context
    let channel = await this.openChannelWith(peer, amount, options)
    const proposal = proposePayment(channel.latest.state, this.context.self, amount, receiptRefOf(receipt), this.context.now())
    const signed = await signState(proposal, identity)
    channel = { ...channel, pending: { state: signed, receipt, kind: 'payment', direction: 'out', amount }, updatedAt: this.context.now() }
    await book.save(channel)
    const request = { type: 'pay' as const, state: signed, receipt, ...(traceparent === undefined ? {} : { traceparent }) }
    return paymentsOf(await this.pending.complete(channel, await client.send(peer, request, options)))[0]!
  }

  /**
   * Pays 2 or more receipts with one state (`paysForBatch`) moving the sum of
   * their charges, with `peer`'s lock held; resolves with each receipt's
   * payment, in `batch`'s order. The order of writes is a single payment's.
   */
  private async payBatch (peer: string, batch: Owed[], options: AbortOptions): Promise<PaymentRecord[]> {
    const { book, client, identity } = this.context
    const total = batch.reduce((sum, entry) => sum + entry.amount, 0)
    let channel = await this.openChannelWith(peer, total, options)
    const refs = batch.map(entry => receiptRefOf(entry.receipt))
    const proposal = proposeBatchPayment(channel.latest.state, this.context.self, total, refs, this.context.now())
    const signed = await signState(proposal, identity)
    const receipts = batch.map(({ receipt, amount }) => ({ receipt, amount }))
    channel = { ...channel, pending: { state: signed, kind: 'batch', receipts, direction: 'out', amount: total }, updatedAt: this.context.now() }
    await book.save(channel)
    const payments = batch.map(({ receipt, traceparent }) => ({ receipt, ...(traceparent === undefined ? {} : { traceparent }) }))
    return paymentsOf(await this.pending.complete(channel, await client.send(peer, { type: 'pay-batch', state: signed, payments }, options)))
  }

  /**
   * Pays `payee` its payment under the split record `record`, which this peer
   * signed: verified and recomputed first (a record that does not recompute is
   * never paid on), once per record and payee (ShareRefusedError the second
   * time). Resolves with the payment once co-signed and stored.
   */
  async payShare (record: unknown, payee: string, options: AbortOptions): Promise<PaymentRecord> {
    const { book, client, identity } = this.context
    const verified = verifySplitRecord(record)
    if (verified.signer !== this.context.self) throw new ShareRefusedError(`split record of run ${verified.runId} is signed by ${verified.signer}, not this peer`)
    const due = shareOf(verified, payee)
    if (due === undefined) throw new ShareRefusedError(`split record of run ${verified.runId} pays nothing to ${payee}`)
    const recordHash = splitRecordHash(verified)
    return book.locked(payee, async () => {
      if (await book.sharePaymentFor(recordHash, 'out', payee) !== undefined) throw new ShareRefusedError(`${payee}'s share of run ${verified.runId} was paid already`)
      let channel = await this.openChannelWith(payee, due.amount, options)
      const proposal = proposeSharePayment(channel.latest.state, this.context.self, due.amount, { runId: verified.runId, recordHash }, this.context.now())
      const signed = await signState(proposal, identity)
      const share = { runId: verified.runId, recordHash, record: verified }
      channel = { ...channel, pending: { state: signed, share, kind: 'share', direction: 'out', amount: due.amount }, updatedAt: this.context.now() }
      await book.save(channel)
      return paymentsOf(await this.pending.complete(channel, await client.send(payee, { type: 'share', state: signed, record: verified }, options)))[0]!
    })
  }

  /**
   * Asks the executor of `receipt` to pay back what was paid for it, with the
   * witnesses' disagreeing attestations as evidence. Resolves with the refund
   * once co-signed and stored; rejects with RemoteRequestError('RefundRefusedError') if refused.
   */
  async requestRefund (receipt: Receipt, attestations: Attestation[], options: AbortOptions): Promise<PaymentRecord> {
    const { book, client, identity } = this.context
    const peer = receipt.executor
    return book.locked(peer, async () => {
      const paid = await book.paymentFor(receipt, 'out')
      if (paid === undefined) throw new RefundRefusedError(`nothing was paid for ${receipt.taskId}`)
      if (await book.paymentFor(receipt, 'in', 'refund') !== undefined) throw new RefundRefusedError(`${receipt.taskId} was refunded already`)
      let channel = await this.pending.synced(await book.channelOf(paid.channelId, peer), options)
      if (channel.status !== 'open') throw new UnknownChannelError(`channel ${channel.channelId} is ${channel.status}`)
      const proposal = proposePayment(channel.latest.state, peer, paid.amount, receiptRefOf(receipt), this.context.now())
      const signed = await signState(proposal, identity)
      channel = { ...channel, pending: { state: signed, receipt, kind: 'refund', direction: 'in', amount: paid.amount }, updatedAt: this.context.now() }
      await book.save(channel)
      return paymentsOf(await this.pending.complete(channel, await client.send(peer, { type: 'refund', state: signed, receipt, attestations }, options)))[0]!
    })
  }

  /** The open channel this peer pays `peer` on, synced, holding at least `amount`; opens one (closing a spent one) if needed. */
  private async openChannelWith (peer: string, amount: number, options: AbortOptions): Promise<ChannelRecord> {
    const { book, client, identity } = this.context
    const current = await book.payingChannel(peer)
    if (current !== undefined) {
      const channel = await this.pending.synced(current, options)
      if (channel.latest.state.balanceA >= amount) return channel
      await this.closing.closeLocked(channel.channelId, peer, options)
    }
    const opening = openChannel({ channelId: this.newChannelId(), a: this.context.self, b: peer, depositA: Math.max(this.deposit, amount), depositB: 0, at: this.context.now() })
    const answer = await client.send(peer, { type: 'open', state: await signState(opening, identity) }, options)
    const cosigned = verifyOpening(answer)
    if (!sameState(cosigned.state, opening)) throw new UnexpectedStateError(`${peer} co-signed another opening than ${opening.channelId}`)
    const channel: ChannelRecord = { channelId: opening.channelId, peer, side: 'a', latest: cosigned, status: 'open', updatedAt: this.context.now() }
    await book.save(channel)
    book.payOn(peer, channel.channelId)
    this.context.init.onChange?.()
    return channel
  }
}
