/**
 * What a peer keeps across reloads — its identity seed, modules by hash,
 * receipt history, channels, attestations and learnt state — behind the
 * PeerStore interface: IndexedDB in the browser, an in-memory twin for tests
 * and Node. The record types belong to the domains that use them.
 */
export { RunLogConflictError, StoreClosedError } from './checks.ts'
export { openIdbStore } from './idb-store.ts'
export { createMemoryStore } from './memory-store.ts'
export { withModuleCache } from './module-cache.ts'
export type {
  ModuleStore, PeerStore, ReceiptRecord, RecordTypes, StateKey, StateStore, StoredAttestation, StoredChannel, StoredPayment, StoredTaskInput,
  StoredWorkflowRun, WorkflowStore
} from './types.ts'
