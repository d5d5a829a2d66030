/** The receipts a peer keeps as its history, and the store it keeps them in (storage's PeerStore is one). */
import type { Receipt } from './types.ts'

/** One task seen by this peer, as submitter or executor, kept for the history view. */
export interface ReceiptRecord {
  receipt: Receipt
  role: 'submitter' | 'executor'
  /** Name of the sample or uploaded file, for display. */
  label: string
  /** First bytes of stdout, for the history view (the hash in the receipt covers all of it). */
  stdoutPreview: string
  /** Unix epoch milliseconds when the record was stored. */
  storedAt: number
}

export interface ReceiptHistory {
  /**
   * Records are keyed by (receipt.taskId, role): a tab that runs its own task
   * keeps one record per role, and adding a record with the same key replaces it.
   */
  addReceipt(record: ReceiptRecord): Promise<void>
  /** Newest `storedAt` first (ties: taskId, then role, descending); all records when `limit` is undefined. */
  listReceipts(limit?: number): Promise<ReceiptRecord[]>
}
