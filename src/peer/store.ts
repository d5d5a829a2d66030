/**
 * The store a tab opens: storage's PeerStore over the record types of the
 * domains that keep records (economy's channels and payments, trust's
 * attestations and announced inputs, orchestration's workflow runs).
 */
import type { ChannelRecord, StoredPaymentRecord } from '../economy/payments/index.ts'
import type { PeerStore } from '../storage/index.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import type { AttestationRecord, TaskInputRecord } from '../trust/witness/index.ts'

export interface ZeroStateRecords {
  channel: ChannelRecord
  /** One per co-signed state that moved money (a batch of receipts is one); read through paymentsOf. */
  payment: StoredPaymentRecord
  attestation: AttestationRecord
  taskInput: TaskInputRecord
  workflowRun: WorkflowRunRecord
}

export type ZeroStateStore = PeerStore<ZeroStateRecords>
