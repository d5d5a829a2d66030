/**
 * What a peer keeps across reloads — its identity seed, modules by hash, and
 * receipt history — behind the PeerStore interface: IndexedDB in the browser,
 * an in-memory twin for tests and Node.
 */
export { StoreClosedError } from './checks.ts'
export { openIdbStore } from './idb-store.ts'
export { createMemoryStore } from './memory-store.ts'
export { withModuleCache } from './module-cache.ts'
export type { AttestationRecord, ChannelRecord, PaymentRecord, PaymentTerms, PeerStore, ReceiptRecord, StateKey, TaskInputRecord } from './types.ts'
