/**
 * Trust: signed execution receipts (format version 1, docs/receipt-format.md)
 * and their verification.
 */
export { MAX_RECEIPT_ARG_BYTES, MAX_RECEIPT_ARGS, MAX_RECEIPT_BYTES, MAX_TASK_ID_LENGTH, RECEIPT_VERSION } from './constants.ts'
export {
  InvalidReceiptError, ReceiptKeyMismatchError, ReceiptMismatchError, ReceiptSignatureError, ReceiptTooLargeError,
  parseReceipt, receiptToJson, signReceipt, verifyReceipt
} from './receipt.ts'
export type { Receipt, ReceiptExpectations, UnsignedReceipt } from './receipt.ts'
