/**
 * The browser PeerStore: one IndexedDB database, through idb.
 *
 * Rules kept here: schema changes happen only in `upgrade`, one step per
 * `oldVersion`; nothing but IndexedDB work is awaited inside a transaction
 * (anything else lets it auto-commit); every write awaits `tx.done`.
 */
import { openDB } from 'idb'
import type { DBSchema, IDBPDatabase } from 'idb'
import {
  checkAttestationRecord, checkChannelRecord, checkLimit, checkManifestHash, checkManifestRecord, checkMemoKey, checkModule, checkModuleHash,
  checkRecord, checkRunEvent, checkSeed, checkStateKey, checkTaskInput, compareOldestFirst, compareOldestManifestFirst, RunLogConflictError, StoreClosedError
} from './checks.ts'
import type { PeerStore, ReceiptRecord, RecordTypes, StateKey, StoredAgentManifest } from './types.ts'

interface ZeroStateSchema<R extends RecordTypes = RecordTypes> extends DBSchema {
  /** One entry, under IDENTITY_KEY: the 32-byte Ed25519 seed. */
  identity: { key: string, value: Uint8Array }
  /** Module bytes by lowercase hex SHA-256. */
  modules: { key: string, value: Uint8Array }
  /** Keyed by [receipt.taskId, role]: a tab that runs its own task stores it as submitter and as executor. */
  receipts: {
    key: [string, ReceiptRecord['role']]
    value: ReceiptRecord
    /** 'by-payment' (version 7): the submitter's records by ReceiptRecord.payment; a record without one is not in it. */
    indexes: { 'by-storedAt': number, 'by-payment': string }
  }
  /** Learnt state by name (version 2): routing table, capability index, card cache. */
  state: { key: StateKey, value: unknown }
  /** Payment channels by channelId (version 3). */
  channels: { key: string, value: R['channel'], indexes: { 'by-updatedAt': number } }
  /** Payments keyed by [channelId, sequence] (version 3). */
  payments: { key: [string, number], value: R['payment'], indexes: { 'by-at': number } }
  /** Attestations keyed by [receiptHash, witness] (version 3). */
  attestations: { key: [string, string], value: R['attestation'], indexes: { 'by-receivedAt': number } }
  /** Inputs of announced tasks by receipt hash (version 4). */
  taskInputs: { key: string, value: R['taskInput'], indexes: { 'by-storedAt': number } }
  /** Workflow runs by runId (version 5). */
  workflowRuns: { key: string, value: R['workflowRun'], indexes: { 'by-updatedAt': number } }
  /** Each run's append-only event log, keyed by [runId, seq] (version 5). */
  runEvents: { key: [string, number], value: unknown }
  /** Step outputs by lowercase hex SHA-256 (version 5). */
  blobs: { key: string, value: Uint8Array }
  /** Verified step outputs by memo key (version 5). */
  memo: { key: string, value: unknown }
  /** Verified agent manifests by the SHA-256 of their canonical form (version 6). */
  agentManifests: { key: string, value: StoredAgentManifest }
}

const DB_VERSION = 7
const IDENTITY_KEY = 'self'

/**
 * Opens (creating or upgrading) the database `name`. `R` names the domains'
 * record types; the store reads only their StoredX shapes and gives back
 * exactly what was put.
 */
export async function openIdbStore<R extends RecordTypes = RecordTypes> (name = 'zerostate'): Promise<PeerStore<R>> {
  let closed = false
  const db: IDBPDatabase<ZeroStateSchema<R>> = await openDB<ZeroStateSchema<R>>(name, DB_VERSION, {
    upgrade (database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore('identity')
        database.createObjectStore('modules')
        const receipts = database.createObjectStore('receipts', { keyPath: ['receipt.taskId', 'role'] })
        receipts.createIndex('by-storedAt', 'storedAt')
      }
      if (oldVersion < 2) {
        database.createObjectStore('state')
      }
      if (oldVersion < 3) {
        database.createObjectStore('channels', { keyPath: 'channelId' }).createIndex('by-updatedAt', 'updatedAt')
        database.createObjectStore('payments', { keyPath: ['channelId', 'sequence'] }).createIndex('by-at', 'at')
        database.createObjectStore('attestations', { keyPath: ['attestation.receiptHash', 'attestation.witness'] })
          .createIndex('by-receivedAt', 'receivedAt')
      }
      if (oldVersion < 4) {
        database.createObjectStore('taskInputs', { keyPath: 'receiptHash' }).createIndex('by-storedAt', 'storedAt')
      }
      if (oldVersion < 5) {
        database.createObjectStore('workflowRuns', { keyPath: 'runId' }).createIndex('by-updatedAt', 'updatedAt')
        database.createObjectStore('runEvents')
        database.createObjectStore('blobs')
        database.createObjectStore('memo')
      }
      if (oldVersion < 6) {
        database.createObjectStore('agentManifests', { keyPath: 'hash' })
      }
      if (oldVersion < 7) {
        // Records kept before have no `payment` and stay out of the index: nothing tells what they were owed.
        transaction.objectStore('receipts').createIndex('by-payment', 'payment')
      }
    },
    // A newer version of the app opened in another tab is waiting for this
    // connection to go away; holding on would block its upgrade indefinitely.
    blocking () {
      closed = true
      db.close()
    },
    terminated () {
      closed = true
    }
  })

  const open = (): IDBPDatabase<ZeroStateSchema<R>> => {
    if (closed) throw new StoreClosedError('the store has been closed')
    return db
  }

  return {
    async loadIdentitySeed () {
      return open().get('identity', IDENTITY_KEY)
    },
    async saveIdentitySeed (seed) {
      checkSeed(seed)
      // slice(): structured clone would otherwise store the whole buffer behind a view.
      await open().put('identity', seed.slice(), IDENTITY_KEY)
    },
    async getModule (hash) {
      checkModuleHash(hash)
      return open().get('modules', hash)
    },
    async hasModule (hash) {
      checkModuleHash(hash)
      return (await open().count('modules', hash)) > 0
    },
    async putModule (hash, bytes) {
      // Hashed before the transaction opens; awaiting nothing but IndexedDB inside it.
      checkModule(hash, bytes)
      await open().put('modules', bytes.slice(), hash)
    },
    async addReceipt (record) {
      checkRecord(record)
      await open().put('receipts', record)
    },
    async listReceipts (limit) {
      return newestByIndex(open(), 'receipts', 'by-storedAt', checkLimit(limit))
    },
    async addReceipts (records) {
      records.forEach(checkRecord)
      const tx = open().transaction('receipts', 'readwrite')
      await Promise.all([...records.map(async record => tx.store.put(record)), tx.done])
    },
    async listOwedReceipts () {
      const owed: ReceiptRecord[] = await open().getAllFromIndex('receipts', 'by-payment', 'owed')
      return owed.sort(compareOldestFirst)
    },
    async saveChannel (channel, payment) {
      checkChannelRecord(channel, payment)
      const tx = open().transaction(['channels', 'payments'], 'readwrite')
      // Both puts in one transaction: a payment is never on disk without the state it made, nor the reverse.
      await Promise.all([
        tx.objectStore('channels').put(channel),
        payment === undefined ? undefined : tx.objectStore('payments').put(payment),
        tx.done
      ])
    },
    async getChannel (channelId) {
      return open().get('channels', channelId)
    },
    async listChannels () {
      return newestByIndex(open(), 'channels', 'by-updatedAt', Number.POSITIVE_INFINITY)
    },
    async listPayments (limit) {
      return newestByIndex(open(), 'payments', 'by-at', checkLimit(limit))
    },
    async addAttestation (record) {
      checkAttestationRecord(record)
      await open().put('attestations', record)
    },
    async listAttestations (limit) {
      return newestByIndex(open(), 'attestations', 'by-receivedAt', checkLimit(limit))
    },
    async putTaskInput (record, keep) {
      checkTaskInput(record, keep)
      const tx = open().transaction('taskInputs', 'readwrite')
      await tx.store.put({ ...record, stdin: record.stdin.slice(), files: record.files.map(([path, bytes]) => [path, bytes.slice()]) })
      // Oldest first over the storedAt index: delete until `keep` remain.
      let excess = (await tx.store.count()) - keep
      let cursor = excess > 0 ? await tx.store.index('by-storedAt').openCursor() : null
      while (cursor !== null && excess > 0) {
        await cursor.delete()
        excess--
        cursor = excess > 0 ? await cursor.continue() : null
      }
      await tx.done
    },
    async getTaskInput (receiptHash) {
      return open().get('taskInputs', receiptHash)
    },
    async loadState (key) {
      checkStateKey(key)
      return open().get('state', key)
    },
    async saveState (key, value) {
      checkStateKey(key)
      await open().put('state', value, key)
    },
    async deleteState (key) {
      checkStateKey(key)
      await open().delete('state', key)
    },
    async putRun (record) {
      checkRunEvent(record.runId, 0)
      await open().put('workflowRuns', record)
    },
    async getRun (runId) {
      return open().get('workflowRuns', runId)
    },
    async listRuns (limit) {
      return newestByIndex(open(), 'workflowRuns', 'by-updatedAt', checkLimit(limit))
    },
    async appendRunEvent (runId, seq, event) {
      checkRunEvent(runId, seq)
      const tx = open().transaction('runEvents', 'readwrite')
      // Counted and added in one transaction: no other writer can slip an event in between.
      const count = await tx.store.count(IDBKeyRange.bound([runId, 0], [runId, Number.MAX_SAFE_INTEGER]))
      if (count !== seq) {
        tx.abort()
        await tx.done.catch(() => {})
        throw new RunLogConflictError(`run ${runId} has ${count} events; event ${seq} cannot be appended`)
      }
      await Promise.all([tx.store.add(event, [runId, seq]), tx.done])
    },
    async listRunEvents (runId) {
      checkRunEvent(runId, 0)
      return open().getAll('runEvents', IDBKeyRange.bound([runId, 0], [runId, Number.MAX_SAFE_INTEGER]))
    },
    async putBlob (hash, bytes) {
      checkModule(hash, bytes)
      await open().put('blobs', bytes.slice(), hash)
    },
    async getBlob (hash) {
      checkModuleHash(hash)
      return open().get('blobs', hash)
    },
    async putMemo (key, value) {
      checkMemoKey(key)
      await open().put('memo', value, key)
    },
    async getMemo (key) {
      checkMemoKey(key)
      return open().get('memo', key)
    },
    async putManifest (record) {
      // Hashed before the transaction opens, as modules are.
      checkManifestRecord(record)
      await open().put('agentManifests', record)
    },
    async deleteManifest (hash) {
      checkManifestHash(hash)
      await open().delete('agentManifests', hash)
    },
    async listManifests () {
      // At most a few thousand small records (the registry's limits): sorted here rather than kept in an index.
      return (await open().getAll('agentManifests')).sort(compareOldestManifestFirst)
    },
    close () {
      closed = true
      db.close()
    }
  }
}

type TimeIndexed = {
  workflowRuns: 'by-updatedAt'
  receipts: 'by-storedAt'
  channels: 'by-updatedAt'
  payments: 'by-at'
  attestations: 'by-receivedAt'
}

/** Up to `max` values walking `index` backwards: newest first, ties by primary key descending. */
async function newestByIndex<R extends RecordTypes, S extends keyof TimeIndexed> (
  db: IDBPDatabase<ZeroStateSchema<R>>, store: S, index: TimeIndexed[S], max: number
): Promise<Array<ZeroStateSchema<R>[S]['value']>> {
  const out: Array<ZeroStateSchema<R>[S]['value']> = []
  if (max === 0) return out
  const tx = db.transaction(store, 'readonly')
  let cursor = await tx.store.index(index as never).openCursor(null, 'prev')
  while (cursor !== null && out.length < max) {
    out.push(cursor.value as ZeroStateSchema<R>[S]['value'])
    cursor = out.length < max ? await cursor.continue() : null
  }
  await tx.done
  return out
}
