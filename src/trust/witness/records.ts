/**
 * What a witness and a submitter keep of attestations and announced inputs,
 * and the store they keep them in (trust declares it; storage/ implements it).
 */
import type { Attestation } from '../../receipts/attestation/index.ts'
import type { Receipt } from '../../receipts/index.ts'

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

/** Where attestations and announced inputs are kept (storage's PeerStore is one). */
export interface AttestationStore {
  /** Keyed by (receiptHash, witness): the same witness's second word on a receipt replaces its first. */
  addAttestation(record: AttestationRecord): Promise<void>
  /** Newest `receivedAt` first; all when `limit` is undefined. */
  listAttestations(limit?: number): Promise<AttestationRecord[]>
  /** Keeps a task's input by receipt hash; past `keep` records the oldest go. */
  putTaskInput(record: TaskInputRecord, keep: number): Promise<void>
  getTaskInput(receiptHash: string): Promise<TaskInputRecord | undefined>
}
