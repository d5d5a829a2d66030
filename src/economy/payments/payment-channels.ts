/**
 * Payment channels on the wire: a submitter (party a) pays the executor
 * (party b) of each task with a new co-signed channel state tied to the
 * task's receipt, over /zerostate/payment/1.0.0.
 *
 * Order of writes (so a crash or reload loses nothing): the payer writes the
 * state it signed as `pending` before sending it; the payee writes the
 * co-signed state and the payment in one transaction before answering; the
 * payer then writes the co-signed state. A payer whose answer never came asks
 * for the payee's newest state at the next contact (`sync`) and adopts it if
 * it is the pending one, co-signed.
 *
 * PaymentChannels composes the roles: payer.ts, payee.ts, closing.ts and
 * pending.ts, over one book of channels (channel-book.ts: the store and the
 * per-peer lock) and one client of the protocol (client.ts).
 */
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import type { Receipt } from '../../receipts/index.ts'
import type { Attestation } from '../../receipts/attestation/index.ts'
import type { ClosingChannel, Settlement } from '../channel/index.ts'
import { ChannelBook } from './channel-book.ts'
import { PaymentClient } from './client.ts'
import { Closing } from './closing.ts'
import type { PaymentChannelsComponents, PaymentChannelsInit, PaymentContext } from './context.ts'
import { Payee } from './payee.ts'
import { Payer } from './payer.ts'
import { PendingPayments } from './pending.ts'
import type { PaymentRecord } from './records.ts'

export type { PaymentChannelsComponents, PaymentChannelsInit } from './context.ts'

/** Channels of this peer, as payer and as payee. */
export class PaymentChannels {
  private readonly payer: Payer
  private readonly payee: Payee
  private readonly closing: Closing
  private readonly client: PaymentClient

  /** Throws RangeError when `init.deposit` is not an integer in 1..MAX_CHANNEL_DEPOSIT. */
  constructor (components: PaymentChannelsComponents, init: PaymentChannelsInit) {
    this.client = new PaymentClient(components)
    const context: PaymentContext = {
      identity: components.identity,
      get self () {
        return components.identity.peerId.toString()
      },
      book: new ChannelBook(components.store),
      client: this.client,
      init,
      ...(components.tracer === undefined ? {} : { tracer: components.tracer }),
      now: init.now ?? Date.now
    }
    const pending = new PendingPayments(context)
    this.closing = new Closing(context, pending)
    this.payer = new Payer(context, pending, this.closing)
    this.payee = new Payee(context, this.closing)
  }

  /**
   * Pays the executor of `receipt` what it is charged, on the open channel
   * with it (opened, or replaced by a larger one, as needed). Resolves with
   * the payment once co-signed and stored, or undefined when the charge is 0.
   */
  async pay (receipt: Receipt, options: AbortOptions & { traceparent?: string } = {}): Promise<PaymentRecord | undefined> {
    return this.payer.pay(receipt, options)
  }

  /**
   * Pays `receipt` unless a payment for it is on a channel already (a
   * pending one settled with the payee first, `sync`) or the payee refuses
   * it as paid (ReceiptPaidError): for a receipt kept in an earlier session
   * and perhaps never paid. Resolves 'paid', 'paid-before' or 'nothing-owed'
   * (charged 0); rejects as `pay` does otherwise (the payee unreachable).
   */
  async payUnlessPaid (receipt: Receipt, options: AbortOptions = {}): Promise<'paid' | 'paid-before' | 'nothing-owed'> {
    return this.payer.payUnlessPaid(receipt, options)
  }

  /** Whether a payment this peer made for the receipt whose receiptHash is `hash` is on a channel (a pending one, not yet co-signed, is not). */
  async paidFor (hash: string): Promise<boolean> {
    return this.payer.paidFor(hash)
  }

  /**
   * Pays `payee` its payment under `record`, a split record this peer signed
   * (docs/shapley-split.md, "Paying the shares"); the payee recomputes the
   * record before it co-signs. Rejects with ShareRefusedError when nothing is
   * due (another signer, no payment to `payee`, paid already).
   */
  async payShare (record: unknown, payee: string, options: AbortOptions = {}): Promise<PaymentRecord> {
    return this.payer.payShare(record, payee, options)
  }

  /**
   * Asks the executor of `receipt` to pay back what was paid for it, with the
   * witnesses' disagreeing attestations as evidence. Resolves with the refund
   * once co-signed and stored; rejects with RemoteRequestError('RefundRefusedError') if refused.
   */
  async requestRefund (receipt: Receipt, attestations: Attestation[], options: AbortOptions = {}): Promise<PaymentRecord> {
    return this.payer.requestRefund(receipt, attestations, options)
  }

  /** Closes the channel with `peer` cooperatively: both sign a final state; resolves with this peer's settlement record. */
  async close (channelId: string, options: AbortOptions = {}): Promise<Settlement> {
    return this.closing.close(channelId, options)
  }

  /**
   * Closes without the other party, which may be gone for good: posts this
   * peer's newest co-signed state with a challenge period, during which the
   * other party may answer with a later co-signed state (onClosingNotice).
   * The channel settles when the period is over (settleDue).
   */
  async closeUnilaterally (channelId: string, challengePeriodMs: number): Promise<ClosingChannel> {
    return this.closing.closeUnilaterally(channelId, challengePeriodMs)
  }

  /**
   * A closing record heard from the mesh, about a channel of this peer's or
   * not. From the other party closing: challenged at once with this peer's
   * newer state if it holds one (the stale-state defence). From the other
   * party challenging this peer's close: adopted if it is a valid challenge.
   * Anything else is ignored.
   */
  async onClosingNotice (closing: ClosingChannel, from: string): Promise<void> {
    return this.closing.onClosingNotice(closing, from)
  }

  /**
   * Settles every unilateral close, started by either party, whose challenge
   * period is over, on the newest state posted; resolves with this peer's records.
   */
  async settleDue (): Promise<Settlement[]> {
    return this.closing.settleDue()
  }

  /** Serves one request of /zerostate/payment/1.0.0 from `connection`'s remote peer. */
  async handle (stream: Stream, connection: Connection): Promise<void> {
    return this.payee.handle(stream, connection)
  }

  /** Serves a payment stream (/zerostate/payment/1.1.0: the same requests, one after the other) from `connection`'s remote peer. */
  async handleStream (stream: Stream, connection: Connection): Promise<void> {
    return this.payee.handleStream(stream, connection)
  }

  /** Closes the streams this peer keeps to its payees. Safe to call twice. */
  stop (): void {
    this.client.stop()
  }
}
