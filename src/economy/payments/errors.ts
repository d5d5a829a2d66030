/** Failures of the payment protocol; the channel state machine's own errors come from economy/channel. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a payment-protocol message is not of the expected shape; `field` names what is wrong. */
export class InvalidPaymentMessageError extends Error {
  static { nameError(this, 'InvalidPaymentMessageError') }
}

/** Thrown when a request names a channel this peer does not hold with the sender, or one no longer open. */
export class UnknownChannelError extends Error {
  static { nameError(this, 'UnknownChannelError') }
}

/** Thrown when a payment moves another amount than the receipt it pays for is charged. */
export class PaymentAmountError extends Error {
  static { nameError(this, 'PaymentAmountError') }
}

/**
 * Thrown when a payment names a receipt that was paid for already (alone or
 * in a batch): each receipt is paid by exactly one state.
 */
export class ReceiptPaidError extends Error {
  static { nameError(this, 'ReceiptPaidError') }
}

/** Thrown when a state the other party sent back is not the one that was proposed. */
export class UnexpectedStateError extends Error {
  static { nameError(this, 'UnexpectedStateError') }
}

/**
 * Thrown when a payment was signed and sent but its co-signed state never
 * came back (the payee went away). The payment stays pending and is settled
 * with the payee's newest state at the next contact.
 */
export class PaymentNotAcknowledgedError extends Error {
  static { nameError(this, 'PaymentNotAcknowledgedError') }
}

/** Thrown when a refund request does not carry the evidence that makes a refund due. */
export class RefundRefusedError extends Error {
  static { nameError(this, 'RefundRefusedError') }
}

/** Thrown when a split share is not due: the record is not the payer's, names no payment to the payee, or was paid on already. */
export class ShareRefusedError extends Error {
  static { nameError(this, 'ShareRefusedError') }
}
