/**
 * The in-memory twin of the IndexedDB store, for unit tests and Node. It
 * copies values in and out as structured clone does, so callers see the same
 * aliasing behaviour from both.
 */
import { checkLimit, checkModule, checkModuleHash, checkRecord, checkSeed, checkStateKey, compareNewestFirst, StoreClosedError } from './checks.ts'
import type { PeerStore, ReceiptRecord, StateKey } from './types.ts'

export function createMemoryStore (): PeerStore {
  let seed: Uint8Array | undefined
  const modules = new Map<string, Uint8Array>()
  // Keyed like the IndexedDB store, by (taskId, role): a tab that runs its own task keeps both records.
  const receipts = new Map<string, ReceiptRecord>()
  const state = new Map<StateKey, unknown>()
  let closed = false

  const open = (): void => {
    if (closed) throw new StoreClosedError('the store has been closed')
  }

  return {
    async loadIdentitySeed () {
      open()
      return seed?.slice()
    },
    async saveIdentitySeed (value) {
      open()
      checkSeed(value)
      seed = value.slice()
    },
    async getModule (hash) {
      open()
      checkModuleHash(hash)
      return modules.get(hash)?.slice()
    },
    async hasModule (hash) {
      open()
      checkModuleHash(hash)
      return modules.has(hash)
    },
    async putModule (hash, bytes) {
      open()
      checkModule(hash, bytes)
      modules.set(hash, bytes.slice())
    },
    async addReceipt (record) {
      open()
      checkRecord(record)
      receipts.set(JSON.stringify([record.receipt.taskId, record.role]), structuredClone(record))
    },
    async listReceipts (limit) {
      open()
      const max = checkLimit(limit)
      return [...receipts.values()].sort(compareNewestFirst).slice(0, max).map(r => structuredClone(r))
    },
    async loadState (key) {
      open()
      checkStateKey(key)
      return state.has(key) ? structuredClone(state.get(key)) : undefined
    },
    async saveState (key, value) {
      open()
      checkStateKey(key)
      state.set(key, structuredClone(value))
    },
    async deleteState (key) {
      open()
      checkStateKey(key)
      state.delete(key)
    },
    close () {
      closed = true
    }
  }
}
