import type { ClosingChannel, Settlement, SignedChannelState } from '../economy/channel/index.ts'
import type { Receipt } from '../receipts/receipt.ts'
import type { Attestation } from '../receipts/attestation/index.ts'

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

/** This peer's view of one payment channel; replaced as a whole on every change. */
export interface ChannelRecord {
  channelId: string
  /** PeerId of the other party. */
  peer: string
  /** Which party of the channel this peer is. */
  side: 'a' | 'b'
  /** The newest fully co-signed state. */
  latest: SignedChannelState
  /**
   * A payment this peer signed and sent but has not seen co-signed: it may or
   * may not be in force, so the next contact asks the other party for its
   * newest state before anything else.
   */
  pending?: PaymentTerms & { state: SignedChannelState }
  status: 'open' | 'closing' | 'settled'
  /** Set while a unilateral close waits out its challenge period. */
  closing?: ClosingChannel
  settlement?: Settlement
  updatedAt: number
}

/** What a payment is: which way, how much, of which kind, for which receipt. */
export type PaymentTerms = Pick<PaymentRecord, 'receipt' | 'kind' | 'direction' | 'amount'>

/** One co-signed payment on a channel and the receipt it pays for. */
export interface PaymentRecord {
  channelId: string
  /** Sequence of the state that made the payment. */
  sequence: number
  /** 'out': this peer paid; 'in': it was paid. */
  direction: 'in' | 'out'
  /** Micro-units moved by this state. */
  amount: number
  /** The receipt paid for; a refund carries the receipt it refunds. */
  receipt: Receipt
  kind: 'payment' | 'refund'
  state: SignedChannelState
  at: number
}

/** A verified attestation this peer received or signed, with what it made of it. */
export interface AttestationRecord {
  attestation: Attestation
  receivedAt: number
  /** For a disagreement on this peer's own task, once settled: who was shown wrong. */
  resolution?: 'executor-wrong' | 'witness-wrong'
}

/** The input of a task this peer announced to witnesses, kept so that a dispute about it can be settled after a reload. */
export interface TaskInputRecord {
  /** receiptHash() of the announced receipt. */
  receiptHash: string
  receipt: Receipt
  stdin: Uint8Array
  files: Array<[string, Uint8Array]>
  storedAt: number
}

/**
 * Named pieces of a peer's learnt state, each kept as one value: the
 * Q-router's table, the serialised capability index, the Agent Card cache.
 * Values come back as `unknown`: their owners validate them on load (a store
 * written by another version, or damaged, must not be trusted blindly).
 */
export type StateKey = 'q-router' | 'capability-index' | 'agent-cards' | 'reputation' | 'reputation-policy'

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
  /**
   * Writes the channel and, when given, the payment that moved it to its
   * newest state, in one transaction: both land or neither does. A peer acks
   * a payment only after this resolves, so a reload never loses one.
   */
  saveChannel(channel: ChannelRecord, payment?: PaymentRecord): Promise<void>
  getChannel(channelId: string): Promise<ChannelRecord | undefined>
  /** Every channel, most recently updated first. */
  listChannels(): Promise<ChannelRecord[]>
  /** Newest `at` first; all when `limit` is undefined. */
  listPayments(limit?: number): Promise<PaymentRecord[]>
  /** Keyed by (receiptHash, witness): the same witness's second word on a receipt replaces its first. */
  addAttestation(record: AttestationRecord): Promise<void>
  /** Newest `receivedAt` first; all when `limit` is undefined. */
  listAttestations(limit?: number): Promise<AttestationRecord[]>
  /** Keeps a task's input by receipt hash; past `keep` records the oldest go. */
  putTaskInput(record: TaskInputRecord, keep: number): Promise<void>
  getTaskInput(receiptHash: string): Promise<TaskInputRecord | undefined>
  loadState(key: StateKey): Promise<unknown>
  saveState(key: StateKey, value: unknown): Promise<void>
  deleteState(key: StateKey): Promise<void>
  /** Idempotent. Every later call rejects with StoreClosedError. */
  close(): void
}
