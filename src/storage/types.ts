import type { Receipt } from '../trust/receipt.ts'

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

/**
 * Named pieces of a peer's learnt state, each kept as one value: the
 * Q-router's table, the serialised capability index, the Agent Card cache.
 * Values come back as `unknown`: their owners validate them on load (a store
 * written by another version, or damaged, must not be trusted blindly).
 */
export type StateKey = 'q-router' | 'capability-index' | 'agent-cards' | 'reputation'

/**
 * Everything a peer keeps across reloads. The browser implementation is
 * IndexedDB (via idb); an in-memory twin serves unit tests and Node.
 */
export interface PeerStore {
  /** The 32-byte Ed25519 secret seed of this peer, if one was saved. */
  loadIdentitySeed(): Promise<Uint8Array | undefined>
  saveIdentitySeed(seed: Uint8Array): Promise<void>
  /** Module bytes by lowercase hex SHA-256 (RangeError for any other spelling of a hash). */
  getModule(hash: string): Promise<Uint8Array | undefined>
  hasModule(hash: string): Promise<boolean>
  /** Rejects with ModuleHashMismatchError unless SHA-256(bytes) is `hash`. Stores a copy. */
  putModule(hash: string, bytes: Uint8Array): Promise<void>
  /**
   * Records are keyed by (receipt.taskId, role): a tab that runs its own task
   * keeps one record per role, and adding a record with the same key replaces it.
   */
  addReceipt(record: ReceiptRecord): Promise<void>
  /** Newest `storedAt` first (ties: taskId, then role, descending); all records when `limit` is undefined. */
  listReceipts(limit?: number): Promise<ReceiptRecord[]>
  loadState(key: StateKey): Promise<unknown>
  saveState(key: StateKey, value: unknown): Promise<void>
  deleteState(key: StateKey): Promise<void>
  /** Idempotent. Every later call rejects with StoreClosedError. */
  close(): void
}
