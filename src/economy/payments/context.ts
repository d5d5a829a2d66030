/**
 * What the roles of a peer's payment channels (payer.ts, payee.ts,
 * closing.ts, pending.ts) share: who this peer is, its book of channels,
 * its client of the payment protocol, its clock and the caller's hooks;
 * and what PaymentChannels, which composes them, is built from.
 */
import type { AbortOptions, Connection } from '@libp2p/interface'
import type { PeerIdentity } from '../../crypto/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { ClosingChannel, Settlement } from '../channel/index.ts'
import type { ChannelBook } from './channel-book.ts'
import type { PaymentClient } from './client.ts'
import type { ChannelStore } from './records.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'

export interface PaymentChannelsComponents {
  identity: PeerIdentity
  store: ChannelStore
  /** A connection to `peer`, dialling it if needed. */
  connectionTo(peer: string, options: AbortOptions): Promise<Connection>
  /** Where a payee records the span of a payment it co-signs under the payer's traceparent (docs/tracing.md §2); none: no spans. */
  tracer?: TraceRecorder
}

export interface PaymentChannelsInit {
  /** What a receipt is charged, in micro-units: the payee accepts exactly this for it. */
  chargeOf(receipt: Receipt): number
  /**
   * How long a receipt owed to a payee with no payment under way waits for
   * others to be paid with it, in ms; 0 pays it at once. Default
   * DEFAULT_PAYMENT_BATCH_WINDOW_MS. A window ends early once a state's worth
   * of receipts (MAX_RECEIPTS_PER_STATE) is owed.
   */
  batchWindowMs?: number
  /** Deposit of a new channel, at least the first payment. Default DEFAULT_CHANNEL_DEPOSIT. */
  deposit?: number
  now?(): number
  /** A fresh channel id: 1–64 characters of [A-Za-z0-9_-]. */
  newChannelId?(): string
  /** A channel or payment changed (for the ledger view). */
  onChange?(): void
  /** A channel settled; the record is signed by this peer (both parties keep one) and is for the mesh. */
  onSettlement?(settlement: Settlement): void
  /** A unilateral close was started or challenged here: the closing record is for the mesh. */
  onClosing?(closing: ClosingChannel): void
}

/** One per PaymentChannels, handed to each of its roles. */
export interface PaymentContext {
  readonly identity: PeerIdentity
  /** This peer's PeerId. */
  readonly self: string
  readonly book: ChannelBook
  readonly client: PaymentClient
  /** What PaymentChannels was built with: the charge of a receipt and the hooks. */
  readonly init: PaymentChannelsInit
  readonly tracer?: TraceRecorder
  now(): number
}
