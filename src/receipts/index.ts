/**
 * Trust: signed execution receipts (format version 3, docs/receipt-format.md)
 * and their verification.
 */
export {
  MAX_RECEIPT_ARG_BYTES, MAX_RECEIPT_ARGS, MAX_RECEIPT_ARGS_AND_ENV_BYTES, MAX_RECEIPT_BYTES, MAX_RECEIPT_ENV_ENTRIES,
  MAX_RECEIPT_ENV_NAME_BYTES, MAX_RECEIPT_ENV_VALUE_BYTES, MAX_TASK_ID_LENGTH, MIN_RECEIPT_MEMORY_BYTES, RECEIPT_SEED_BYTES,
  RECEIPT_STATUSES, RECEIPT_VERSION
} from './constants.ts'
export type { ReceiptStatus } from './constants.ts'
export {
  InvalidReceiptError, ReceiptKeyMismatchError, ReceiptMismatchError, ReceiptSignatureError, ReceiptTooLargeError
} from './errors.ts'
export { DuplicateFilePathError, filesHash } from './files-hash.ts'
export { parseReceipt, receiptHash, receiptToJson, signReceipt, verifyReceipt } from './receipt.ts'
export type { Receipt, ReceiptExpectations, ReceiptLimits, ReceiptPrice, UnsignedReceipt } from './types.ts'
export type { ReceiptHistory, ReceiptPayment, ReceiptRecord } from './history.ts'
