/** Defaults and limits of payment channels on the wire. */
import { MAX_RECEIPT_BYTES } from '../../receipts/index.ts'
import { MAX_ATTESTATION_BYTES } from '../../receipts/attestation/index.ts'
import { MAX_SPLIT_RECORD_BYTES } from '../shapley/index.ts'

/**
 * How long a payer holds a receipt owed to a payee, when no payment to it is
 * under way, for more receipts to pay with the same state (`paysForBatch`):
 * a submitter whose tasks come back every few milliseconds then pays them a
 * state per window instead of a state each, and its next tasks do not
 * compete with two signatures, two verifications and three IndexedDB writes
 * per receipt on both peers' main threads. It is also how much longer a
 * receipt stays unpaid when its tab closes (docs/trust-and-payments.md).
 */
export const DEFAULT_PAYMENT_BATCH_WINDOW_MS = 100

/** Deposit a submitter puts into a new channel: one unit, in micro-units. */
export const DEFAULT_CHANNEL_DEPOSIT = 1_000_000

/** Largest deposit a payee accepts in an opening: 10^12 micro-units (a million units). */
export const MAX_CHANNEL_DEPOSIT = 1_000_000_000_000

/** Witnesses whose disagreement a refund request may carry. */
export const MAX_REFUND_EVIDENCE = 8

/**
 * Most bytes of receipt JSON one batch payment carries: a payer ends a batch
 * before the receipt that would pass it (a receipt alone may be up to
 * MAX_RECEIPT_BYTES; most are about 1.5 KiB, so 16 fit many times over).
 */
export const MAX_BATCH_RECEIPT_BYTES = 256 * 1024

/**
 * Largest payment-protocol frame: the largest of a refund request (a receipt
 * and its attestations), a share payment (a split record) and a batch
 * payment (its receipts and traceparents), with room for two signed states
 * and the JSON around them.
 */
export const MAX_PAYMENT_MESSAGE_BYTES = Math.max(MAX_RECEIPT_BYTES + MAX_REFUND_EVIDENCE * MAX_ATTESTATION_BYTES, MAX_SPLIT_RECORD_BYTES, MAX_BATCH_RECEIPT_BYTES) + 16 * 1024

/** How long the other party has to show a later state after a unilateral close: one day. */
export const DEFAULT_CHALLENGE_PERIOD_MS = 24 * 60 * 60 * 1000

/**
 * Payment channels between a submitter and an executor: open, pay for a
 * receipt (or several with one state), refund, pay a split share, sync
 * after a lost answer, close. One JSON request and
 * answer per stream (network/json-exchange.ts); see economy/payments.
 */
export const PAYMENT_PROTOCOL = '/zerostate/payment/1.0.0'

/**
 * The same requests, many on one stream (payment-stream.ts): a payer keeps
 * one stream to each payee instead of opening one per request.
 */
export const PAYMENT_STREAM_PROTOCOL = '/zerostate/payment/1.1.0'

/** A payment stream unused this long is closed by the payer (and, a request timeout later, by the payee). */
export const PAYMENT_STREAM_IDLE_MS = 10_000

/** Gossipsub topic of signed channel settlement records. */
export const SETTLEMENT_TOPIC = '/zerostate/settlements/1.0.0'

/** Payment streams served at once over all connections. */
export const MAX_INBOUND_PAYMENT_STREAMS = 16

/** Settlement records of other peers' channels kept for the ledger view. */
export const MAX_KEPT_SETTLEMENTS = 200

/** How often unilateral closes whose challenge period is over are settled. */
export const SETTLE_CHECK_MS = 10_000
