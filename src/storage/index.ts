/**
 * What a peer keeps across reloads — its identity seed, modules by hash,
 * receipt history, channels, attestations, agent manifests and learnt state — behind the
 * PeerStore interface: IndexedDB in the browser, an in-memory twin for tests.
 * The record types belong to the domains that use them.
 *
 * A Node peer keeps its store on disk with `openSqliteStore` from
 * `./sqlite-store.node.ts` (node:sqlite, `~/.zerostate/` by default), imported
 * from there and not re-exported here: this entry point is the browser's.
 */
export { RunLogConflictError, StoreClosedError } from './checks.ts'
export { openIdbStore } from './idb-store.ts'
export { createMemoryStore } from './memory-store.ts'
export { withModuleCache } from './module-cache.ts'
export type {
  ManifestStore, ModuleStore, PeerStore, ReceiptRecord, RecordTypes, StateKey, StateStore, StoredAgentManifest, StoredAttestation, StoredChannel, StoredPayment, StoredTaskInput,
  StoredWorkflowRun, WorkflowStore
} from './types.ts'
