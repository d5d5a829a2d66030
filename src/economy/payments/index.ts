/**
 * Paying for tasks over payment channels: /zerostate/payment/1.0.0 between a
 * submitter (party a) and an executor (party b), with every state written
 * to the PeerStore before it is acknowledged.
 *
 * @example
 * const payments = new PaymentChannels({ identity, store, connectionTo }, { chargeOf: receipt => receipt.price.charge })
 * await node.handle(PAYMENT_PROTOCOL, (stream, connection) => payments.handle(stream, connection), { runOnLimitedConnection: true })
 * await payments.pay(receipt)
 */
export { DEFAULT_CHALLENGE_PERIOD_MS, DEFAULT_CHANNEL_DEPOSIT, MAX_CHANNEL_DEPOSIT, MAX_PAYMENT_MESSAGE_BYTES, MAX_REFUND_EVIDENCE } from './constants.ts'
export {
  InvalidPaymentMessageError, PaymentAmountError, PaymentNotAcknowledgedError, RefundRefusedError, UnexpectedStateError,
  UnknownChannelError
} from './errors.ts'
export { PaymentChannels } from './payment-channels.ts'
export type { PaymentChannelsComponents, PaymentChannelsInit } from './payment-channels.ts'
export { MAX_CHANNEL_NOTICE_BYTES, readNotice } from './notices.ts'
export type { ChannelNotice } from './notices.ts'
export type { ChannelRecord, ChannelStore, PaymentRecord, PaymentTerms } from './records.ts'
