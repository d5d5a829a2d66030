/**
 * The in-memory twin of the IndexedDB store, for unit tests and Node. It
 * copies values in and out as structured clone does, so callers see the same
 * aliasing behaviour from both.
 */
import {
  attestationKey, checkAttestationRecord, checkChannelRecord, checkLimit, checkManifestHash, checkManifestRecord, checkModule, checkModuleHash,
  checkRecord, checkSeed, checkMemoKey, checkRunEvent, checkStateKey, checkTaskInput, compareNewestFirst, compareOldestFirst, compareOldestManifestFirst, newestFirst,
  paymentKey, RunLogConflictError, StoreClosedError
} from './checks.ts'
import type { PeerStore, ReceiptRecord, RecordTypes, StateKey, StoredAgentManifest } from './types.ts'

export function createMemoryStore<R extends RecordTypes = RecordTypes> (): PeerStore<R> {
  let seed: Uint8Array | undefined
  const modules = new Map<string, Uint8Array>()
  // Keyed like the IndexedDB store, by (taskId, role): a tab that runs its own task keeps both records.
  const receipts = new Map<string, ReceiptRecord>()
  const state = new Map<StateKey, unknown>()
  const channels = new Map<string, R['channel']>()
  const payments = new Map<string, R['payment']>()
  const attestations = new Map<string, R['attestation']>()
  const taskInputs = new Map<string, R['taskInput']>()
  const runs = new Map<string, R['workflowRun']>()
  const runEvents = new Map<string, unknown[]>()
  const blobs = new Map<string, Uint8Array>()
  const memo = new Map<string, unknown>()
  const manifests = new Map<string, StoredAgentManifest>()
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
    async addReceipts (records) {
      open()
      records.forEach(checkRecord)
      for (const record of records) receipts.set(JSON.stringify([record.receipt.taskId, record.role]), structuredClone(record))
    },
    async listOwedReceipts () {
      open()
      return [...receipts.values()].filter(r => r.payment === 'owed').sort(compareOldestFirst).map(r => structuredClone(r))
    },
    async saveChannel (channel, payment) {
      open()
      checkChannelRecord(channel, payment)
      channels.set(channel.channelId, structuredClone(channel))
      if (payment !== undefined) payments.set(JSON.stringify(paymentKey(payment)), structuredClone(payment))
    },
    async getChannel (channelId) {
      open()
      const channel = channels.get(channelId)
      return channel === undefined ? undefined : structuredClone(channel)
    },
    async listChannels () {
      open()
      return [...channels.values()].sort(newestFirst(c => c.updatedAt, c => [c.channelId, ''])).map(c => structuredClone(c))
    },
    async listPayments (limit) {
      open()
      const max = checkLimit(limit)
      return [...payments.values()].sort(newestFirst(p => p.at, paymentKey)).slice(0, max).map(p => structuredClone(p))
    },
    async addAttestation (record) {
      open()
      checkAttestationRecord(record)
      attestations.set(JSON.stringify(attestationKey(record)), structuredClone(record))
    },
    async listAttestations (limit) {
      open()
      const max = checkLimit(limit)
      return [...attestations.values()].sort(newestFirst(r => r.receivedAt, attestationKey)).slice(0, max).map(r => structuredClone(r))
    },
    async putTaskInput (record, keep) {
      open()
      checkTaskInput(record, keep)
      taskInputs.set(record.receiptHash, structuredClone(record))
      // Oldest storedAt first, ties by key ascending: the order of the IndexedDB index walked forwards.
      const byAge = [...taskInputs.values()].sort((x, y) => x.storedAt - y.storedAt || (x.receiptHash < y.receiptHash ? -1 : 1))
      for (const old of byAge.slice(0, Math.max(0, byAge.length - keep))) taskInputs.delete(old.receiptHash)
    },
    async getTaskInput (receiptHash) {
      open()
      const record = taskInputs.get(receiptHash)
      return record === undefined ? undefined : structuredClone(record)
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
    async putRun (record) {
      open()
      checkRunEvent(record.runId, 0)
      runs.set(record.runId, structuredClone(record))
    },
    async getRun (runId) {
      open()
      const record = runs.get(runId)
      return record === undefined ? undefined : structuredClone(record)
    },
    async listRuns (limit) {
      open()
      const max = checkLimit(limit)
      return [...runs.values()].sort(newestFirst(r => r.updatedAt, r => [r.runId, ''])).slice(0, max).map(r => structuredClone(r))
    },
    async appendRunEvent (runId, seq, event) {
      open()
      checkRunEvent(runId, seq)
      const log = runEvents.get(runId) ?? []
      if (seq !== log.length) throw new RunLogConflictError(`run ${runId} has ${log.length} events; event ${seq} cannot be appended`)
      log.push(structuredClone(event))
      runEvents.set(runId, log)
    },
    async listRunEvents (runId) {
      open()
      checkRunEvent(runId, 0)
      return (runEvents.get(runId) ?? []).map(event => structuredClone(event))
    },
    async putBlob (hash, bytes) {
      open()
      checkModule(hash, bytes)
      blobs.set(hash, bytes.slice())
    },
    async getBlob (hash) {
      open()
      checkModuleHash(hash)
      return blobs.get(hash)?.slice()
    },
    async putMemo (key, value) {
      open()
      checkMemoKey(key)
      memo.set(key, structuredClone(value))
    },
    async getMemo (key) {
      open()
      checkMemoKey(key)
      return memo.has(key) ? structuredClone(memo.get(key)) : undefined
    },
    async putManifest (record) {
      open()
      checkManifestRecord(record)
      manifests.set(record.hash, structuredClone(record))
    },
    async deleteManifest (hash) {
      open()
      checkManifestHash(hash)
      manifests.delete(hash)
    },
    async listManifests () {
      open()
      return [...manifests.values()].sort(compareOldestManifestFirst).map(record => structuredClone(record))
    },
    close () {
      closed = true
    }
  }
}
