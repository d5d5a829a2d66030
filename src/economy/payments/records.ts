/**
 * What a peer keeps of its payment channels, and the store it keeps them in
 * (economy declares it; storage/ implements it in IndexedDB and in memory).
 */
import type { Receipt } from '../../receipts/index.ts'
import type { SplitRecord } from '../shapley/index.ts'
import type { ClosingChannel, Settlement, SignedChannelState } from '../channel/index.ts'

/** This peer's view of one payment channel; replaced as a whole on every change. */
export interface ChannelRecord {
  channelId: string
  /** PeerId of the other party. */
  peer: string
  /** Which party of the channel this peer is. */
  side: 'a' | 'b'
  /** The newest fully co-signed state. */
  latest: SignedChannelState
  /**
   * A payment this peer signed and sent but has not seen co-signed: it may or
   * may not be in force, so the next contact asks the other party for its
   * newest state before anything else.
   */
  pending?: StoredPaymentTerms & { state: SignedChannelState }
  status: 'open' | 'closing' | 'settled'
  /** Set while a unilateral close waits out its challenge period. */
  closing?: ClosingChannel
  settlement?: Settlement
  updatedAt: number
}

/** A member's payment under a signed Shapley split record (docs/shapley-split.md, "Paying the shares"). */
export interface SharePaid {
  runId: string
  /** splitRecordHash of `record`: what the channel state names (`paysShare`). */
  recordHash: string
  /** The whole signed record, so that either party can recompute it later. */
  record: SplitRecord
}

/**
 * What a payment is for: a receipt (paid, or refunded: a refund carries the
 * receipt it refunds), or a member's share of a workflow's payment.
 */
export type PaymentReason =
  | { kind: 'payment' | 'refund', receipt: Receipt }
  | { kind: 'share', share: SharePaid }

/** What a payment is: which way, how much, of which kind, for what. */
export type PaymentTerms = PaymentReason & {
  /** 'out': this peer paid; 'in': it was paid. */
  direction: 'in' | 'out'
  /** Micro-units moved by this state. */
  amount: number
}

/** Where on its channel a payment was made: the co-signed state that made it. */
export interface PaymentPlace {
  channelId: string
  /** Sequence of the state that made the payment. */
  sequence: number
  state: SignedChannelState
  at: number
}

/** One co-signed payment on a channel and what it pays for (a receipt of a batch is one too: see paymentsOf). */
export type PaymentRecord = PaymentTerms & PaymentPlace

/** One receipt of a batch payment and its charge: what the state moved for it. */
export interface BatchedReceipt {
  receipt: Receipt
  amount: number
}

/**
 * Several receipts paid by one state (`paysForBatch`), in the state's order;
 * `amount` is the sum of theirs. Only payments are batched, never refunds:
 * a refund names the one receipt it pays back.
 */
export interface BatchTerms {
  kind: 'batch'
  receipts: BatchedReceipt[]
  direction: 'in' | 'out'
  amount: number
}

/** What a state moved, as kept: one receipt's payment or refund, a share, or a batch. */
export type StoredPaymentTerms = PaymentTerms | BatchTerms

/**
 * What the store keeps: one record per co-signed state that moved money
 * (the store's key is the channel and sequence), a batch as one record.
 * Read it through paymentsOf, which gives one PaymentRecord per receipt.
 */
export type StoredPaymentRecord = StoredPaymentTerms & PaymentPlace

/**
 * The payments a stored record holds, one per receipt (or share): a batch
 * becomes one `payment` per receipt, each with its own charge, all on the
 * batch's state. So a receipt paid in a batch is found, refunded and shown
 * like any other, and the amounts still sum to what the state moved.
 */
export function paymentsOf (record: StoredPaymentRecord): PaymentRecord[] {
  const { channelId, sequence, state, at, direction } = record
  if (record.kind !== 'batch') return [record]
  return record.receipts.map(({ receipt, amount }) => ({ kind: 'payment', receipt, direction, amount, channelId, sequence, state, at }))
}

/** What a verified split record pays `member` (a payment of 0 is no payment), or undefined: the payer's and the payee's one rule. */
export function shareOf (record: SplitRecord, member: string): { amount: number } | undefined {
  const share = record.shares.find(entry => entry.member === member)
  return share === undefined || share.payment <= 0 ? undefined : { amount: share.payment }
}

/** A payment for a receipt, or its refund. */
export type ReceiptPaymentRecord = Extract<PaymentRecord, { kind: 'payment' | 'refund' }>

/** Where channels and payments are kept (storage's PeerStore is one). */
export interface ChannelStore {
  /**
   * Writes the channel and, when given, the payment that moved it to its
   * newest state, in one transaction: both land or neither does. A peer acks
   * a payment only after this resolves, so a reload never loses one.
   */
  saveChannel(channel: ChannelRecord, payment?: StoredPaymentRecord): Promise<void>
  getChannel(channelId: string): Promise<ChannelRecord | undefined>
  /** Every channel, most recently updated first. */
  listChannels(): Promise<ChannelRecord[]>
  /** Newest `at` first; all when `limit` is undefined. */
  listPayments(limit?: number): Promise<StoredPaymentRecord[]>
}
