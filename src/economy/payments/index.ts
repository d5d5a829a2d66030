/**
 * Paying for tasks over payment channels: /zerostate/payment/1.0.0 between a
 * submitter (party a) and an executor (party b), with every state written
 * to the ChannelStore before it is acknowledged. PaymentService runs a peer's
 * channels on the mesh (serves the protocol, publishes and hears settlement
 * and closing records on SETTLEMENT_TOPIC, settles closes that are due);
 * its `channels` (PaymentChannels) pay, refund and close.
 *
 * @example
 * const payments = new PaymentService({ identity, store, registrar, pubsub, connectionTo, logger }, {
 *   chargeOf: receipt => receipt.price.charge
 * })
 * await payments.start()
 * await payments.channels.pay(receipt)
 * await payments.stop()
 */
export {
  DEFAULT_CHALLENGE_PERIOD_MS, DEFAULT_CHANNEL_DEPOSIT, MAX_BATCH_RECEIPT_BYTES, MAX_CHANNEL_DEPOSIT, MAX_PAYMENT_MESSAGE_BYTES, MAX_REFUND_EVIDENCE, PAYMENT_PROTOCOL,
  PAYMENT_STREAM_IDLE_MS, PAYMENT_STREAM_PROTOCOL, SETTLEMENT_TOPIC
} from './constants.ts'
export {
  InvalidPaymentMessageError, PaymentAmountError, PaymentNotAcknowledgedError, ReceiptPaidError, RefundRefusedError, ShareRefusedError,
  UnexpectedStateError, UnknownChannelError
} from './errors.ts'
export { PaymentChannels } from './payment-channels.ts'
export type { PaymentChannelsComponents, PaymentChannelsInit } from './context.ts'
export { MAX_CHANNEL_NOTICE_BYTES, readNotice } from './notices.ts'
export type { ChannelNotice } from './notices.ts'
export { paymentsOf } from './records.ts'
export type {
  BatchedReceipt, BatchTerms, ChannelRecord, ChannelStore, PaymentPlace, PaymentReason, PaymentRecord, PaymentTerms, ReceiptPaymentRecord, SharePaid,
  StoredPaymentRecord, StoredPaymentTerms
} from './records.ts'
export { PaymentService } from './payment-service.ts'
export type { PaymentServiceComponents, PaymentServiceInit } from './payment-service.ts'
