import type { IdentitySeedStore } from '../crypto/index.ts'
import type { ReceiptHistory, ReceiptRecord } from '../receipts/history.ts'

export type { ReceiptRecord }

/**
 * The least the store itself reads of each kind of record: its key, its time
 * (for the newest-first order) and what the argument checks look at. The
 * domains that own the records declare them in full (economy/payments
 * ChannelRecord and PaymentRecord, trust/witness AttestationRecord and
 * TaskInputRecord) together with the narrow store interface they use; the
 * composition root opens a store over their record types.
 */
export interface StoredChannel {
  channelId: string
  latest: { state: { channelId: string } }
  status: 'open' | 'closing' | 'settled'
  updatedAt: number
}
export interface StoredPayment { channelId: string, sequence: number, at: number }
export interface StoredAttestation { attestation: { receiptHash: string, witness: string }, receivedAt: number }
export interface StoredTaskInput { receiptHash: string, stdin: Uint8Array, files: Array<[string, Uint8Array]>, storedAt: number }
export interface StoredWorkflowRun { runId: string, updatedAt: number }

/** The record types a store holds; each extends the shape the store reads. */
export interface RecordTypes {
  channel: StoredChannel
  payment: StoredPayment
  attestation: StoredAttestation
  taskInput: StoredTaskInput
  workflowRun: StoredWorkflowRun
}

/**
 * Named pieces of a peer's learnt state, each kept as one value: the
 * Q-router's table, the serialised capability index, the Agent Card cache.
 * Values come back as `unknown`: their owners validate them on load (a store
 * written by another version, or damaged, must not be trusted blindly).
 */
export type StateKey = 'q-router' | 'capability-index' | 'agent-cards' | 'reputation' | 'reputation-policy' | 'checked-work'

/** Module bytes by SHA-256: the executor's cache, what a witness fetches and serves. */
export interface ModuleStore {
  /** Module bytes by lowercase hex SHA-256 (RangeError for any other spelling of a hash). */
  getModule(hash: string): Promise<Uint8Array | undefined>
  hasModule(hash: string): Promise<boolean>
  /** Rejects with ModuleHashMismatchError unless SHA-256(bytes) is `hash`. Stores a copy. */
  putModule(hash: string, bytes: Uint8Array): Promise<void>
}

/**
 * A verified agent manifest as kept across reloads (docs/agent-manifest.md),
 * filed under `hash`: the SHA-256 of its RFC 8785 canonical form
 * (agentManifestHash), so, like a module, it is content-addressed. The store
 * reads nothing else of it; discovery verifies `manifest` again when it loads it.
 */
export interface StoredAgentManifest {
  /** Lowercase hex SHA-256 of the manifest's canonical JSON, signature included. */
  hash: string
  manifest: unknown
  /** When this peer took it (Unix epoch ms). */
  storedAt: number
}

/** The agent manifests this peer holds (IndexedDB version 6, SQLite version 2). */
export interface ManifestStore {
  /** Keeps the record under its hash (a second put of the same hash replaces it); RangeError when `hash` is not the manifest's. */
  putManifest(record: StoredAgentManifest): Promise<void>
  /** Forgets the manifest with this hash; nothing when it is not held. */
  deleteManifest(hash: string): Promise<void>
  /** Every record, oldest `storedAt` first, ties by hash ascending: the order they were taken in, to offer them again in it. */
  listManifests(): Promise<StoredAgentManifest[]>
}

/**
 * What a workflow run keeps so that a reload loses nothing (version 5): the
 * run's record, its append-only event log (checkpoints), its steps' outputs
 * as content-addressed blobs, and verified outputs by memo key.
 */
export interface WorkflowStore<Run extends StoredWorkflowRun = StoredWorkflowRun> {
  putRun(record: Run): Promise<void>
  getRun(runId: string): Promise<Run | undefined>
  /** Newest `updatedAt` first; all when `limit` is undefined. */
  listRuns(limit?: number): Promise<Run[]>
  /**
   * Appends the run's event number `seq` (0, 1, 2 …). Append-only: an event
   * already at `seq`, or a gap before it, rejects with RunLogConflictError —
   * two tabs resuming one run cannot both write its log.
   */
  appendRunEvent(runId: string, seq: number, event: unknown): Promise<void>
  /** The run's events in order. */
  listRunEvents(runId: string): Promise<unknown[]>
  /** Bytes by lowercase hex SHA-256; rejects with ModuleHashMismatchError unless the hash is theirs. */
  putBlob(hash: string, bytes: Uint8Array): Promise<void>
  getBlob(hash: string): Promise<Uint8Array | undefined>
  putMemo(key: string, value: unknown): Promise<void>
  getMemo(key: string): Promise<unknown>
}

/** Learnt state by name. */
export interface StateStore {
  loadState(key: StateKey): Promise<unknown>
  saveState(key: StateKey, value: unknown): Promise<void>
  deleteState(key: StateKey): Promise<void>
}

/**
 * Everything a peer keeps across reloads. The browser implementation is
 * IndexedDB (via idb); a Node peer's is SQLite (sqlite-store.node.ts); an
 * in-memory twin serves unit tests.
 */
export interface PeerStore<R extends RecordTypes = RecordTypes> extends IdentitySeedStore, ModuleStore, ReceiptHistory, StateStore, WorkflowStore<R['workflowRun']>, ManifestStore {
  /**
   * Writes the channel and, when given, the payment that moved it to its
   * newest state, in one transaction: both land or neither does. A peer acks
   * a payment only after this resolves, so a reload never loses one.
   */
  saveChannel(channel: R['channel'], payment?: R['payment']): Promise<void>
  getChannel(channelId: string): Promise<R['channel'] | undefined>
  /** Every channel, most recently updated first. */
  listChannels(): Promise<Array<R['channel']>>
  /** Newest `at` first; all when `limit` is undefined. */
  listPayments(limit?: number): Promise<Array<R['payment']>>
  /** Keyed by (receiptHash, witness): the same witness's second word on a receipt replaces its first. */
  addAttestation(record: R['attestation']): Promise<void>
  /** Newest `receivedAt` first; all when `limit` is undefined. */
  listAttestations(limit?: number): Promise<Array<R['attestation']>>
  /** Keeps a task's input by receipt hash; past `keep` records the oldest go. */
  putTaskInput(record: R['taskInput'], keep: number): Promise<void>
  getTaskInput(receiptHash: string): Promise<R['taskInput'] | undefined>
  /**
   * The submitter's records whose payment is 'owed' (ReceiptRecord.payment), oldest `storedAt` first (ties:
   * taskId, then role, ascending): what a peer's start checks is paid (peer/owed-receipts.ts). An index walk
   * (IndexedDB version 7, SQLite version 3), so it costs what is owed, not the whole history.
   */
  listOwedReceipts(): Promise<ReceiptRecord[]>
  /** Keeps each record as addReceipt does, all in one transaction: what a start found of many owed receipts, in one write. */
  addReceipts(records: ReceiptRecord[]): Promise<void>
  /** Idempotent. Every later call rejects with StoreClosedError. */
  close(): void
}
