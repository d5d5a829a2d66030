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
  /**
   * What this peer owes for the receipt as its submitter (docs/trust-and-payments.md §2, "When a task is
   * paid"): 'owed' — its executor is paid this receipt's charge by a channel state naming it, made behind
   * the kept record, so a tab closed meanwhile leaves it owed and the peer's next start pays it
   * (peer/owed-receipts.ts); 'paid' — a later start found it paid (or nothing charged); 'withheld' — this
   * peer's own re-run showed it wrong (a witness's dispute), or its check showed it wrong or could not confirm it
   * while its payment was held (orchestration/dispatch/verification.ts), so it is never paid. Absent on an executor's
   * records, on receipts paid otherwise (a guild's step: with its run, by the split) and on records kept
   * before the store recorded it (IndexedDB version 7, SQLite version 3): those are never paid from the history.
   */
  payment?: ReceiptPayment
}

/** What a submitter's kept receipt is owed, as ReceiptRecord.payment records it. */
export type ReceiptPayment = 'owed' | 'paid' | 'withheld'

export interface ReceiptHistory {
  /**
   * Records are keyed by (receipt.taskId, role): a tab that runs its own task
   * keeps one record per role, and adding a record with the same key replaces it.
   */
  addReceipt(record: ReceiptRecord): Promise<void>
  /** Newest `storedAt` first (ties: taskId, then role, descending); all records when `limit` is undefined. */
  listReceipts(limit?: number): Promise<ReceiptRecord[]>
}
