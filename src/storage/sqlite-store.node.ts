/**
 * The Node peer's PeerStore: one SQLite database through Node's built-in
 * `node:sqlite`, in a directory (`~/.zerostate/` by default) that also holds
 * the identity seed (`identity.key`, mode 0600) and a `lock` file naming the
 * process that has it open.
 *
 * @example
 * const store = await openSqliteStore<ZeroStateRecords>(defaultStoreDir())
 * const identity = await loadOrCreateIdentity(store)
 * // … store.close() on the way out.
 *
 * Durability: write-ahead log with `synchronous=FULL`, so a write has been
 * synced when its promise resolves (https://sqlite.org/pragma.html#pragma_synchronous)
 * and a peer that acks a payment after `saveChannel` keeps it through a kill
 * or a power cut. The calls run synchronously under their promises: a
 * write blocks the event loop for its fsync.
 *
 * One process at a time: the database runs in exclusive locking mode
 * (https://sqlite.org/pragma.html#pragma_locking_mode), so the OS lock on the
 * file is held from open to close and dropped by the kernel when the process
 * dies, even by SIGKILL — no stale lock to clear. A second store on the same
 * directory, in this process or another, fails with StoreLockedError naming
 * the holder's pid from the `lock` file.
 *
 * Orders match the IndexedDB store: newest first, ties by primary key
 * descending. (Text keys compare by UTF-8 bytes here and by UTF-16 code units
 * in IndexedDB; the two differ only between characters above U+FFFF and
 * those from U+E000 to U+FFFF.)
 */
import { DatabaseSync } from 'node:sqlite'
import type { SQLInputValue, StatementSync } from 'node:sqlite'
import { join } from 'node:path'
import {
  checkAttestationRecord, checkChannelRecord, checkLimit, checkManifestHash, checkManifestRecord, checkMemoKey, checkModule, checkModuleHash,
  checkRecord, checkRunEvent, checkSeed, checkStateKey, checkTaskInput, RunLogConflictError, StoreClosedError
} from './checks.ts'
import { decodeRecord, encodeRecord } from './record-json.ts'
import { migrate } from './sqlite-schema.node.ts'
import { lockedMessage, makeStoreDir, readIdentityFile, removeLockFile, StoreLockedError, writeIdentityFile, writeLockFile } from './store-dir.node.ts'
import type { PeerStore, ReceiptRecord, RecordTypes, StoredAgentManifest } from './types.ts'

export { UnstorableValueError } from './record-json.ts'
export { SCHEMA_VERSION, StoreVersionError } from './sqlite-schema.node.ts'
export { defaultStoreDir, IDENTITY_FILE, IdentityFileError, LOCK_FILE, StoreLockedError } from './store-dir.node.ts'

/** The database's file name inside the store directory. */
export const DATABASE_FILE = 'peer.db'

// SQLite result codes (https://sqlite.org/rescode.html) that mean another connection holds the file.
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6

/**
 * Opens (creating or upgrading) the store in `dir`, creating the directory
 * (mode 0700) if needed. Rejects with StoreLockedError while another store
 * has `dir` open, StoreVersionError when a newer ZeroState wrote it.
 */
export async function openSqliteStore<R extends RecordTypes = RecordTypes> (dir: string): Promise<PeerStore<R>> {
  makeStoreDir(dir)
  const file = join(dir, DATABASE_FILE)
  const db = new DatabaseSync(file, { timeout: 0 })
  try {
    // Exclusive mode before the first access: WAL then keeps no shared-memory index, and the
    // first write below takes the file's lock until close (https://sqlite.org/wal.html#noshm).
    db.exec('PRAGMA locking_mode = EXCLUSIVE')
    db.exec('PRAGMA journal_mode = WAL')
    db.exec('PRAGMA synchronous = FULL')
    transaction(db, () => migrate(db, file))
  } catch (err) {
    db.close()
    const code = (err as { errcode?: unknown }).errcode
    if (code === SQLITE_BUSY || code === SQLITE_LOCKED) throw new StoreLockedError(lockedMessage(dir), { cause: err })
    throw err
  }
  writeLockFile(dir)
  return sqliteStore<R>(db, dir)
}

/** Runs `work` in one write transaction: all of it lands or none does. */
function transaction<T> (db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = work()
    db.exec('COMMIT')
    return result
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw err
  }
}

/** SQL's LIMIT for a checked limit: -1 is none. */
const sqlLimit = (max: number): number => max === Number.POSITIVE_INFINITY ? -1 : max

function sqliteStore<R extends RecordTypes> (db: DatabaseSync, dir: string): PeerStore<R> {
  let closed = false
  const open = (): DatabaseSync => {
    if (closed) throw new StoreClosedError('the store has been closed')
    return db
  }

  const statements = new Map<string, StatementSync>()
  /** The statement for `sql`, prepared once. */
  const sql = (text: string): StatementSync => {
    const database = open()
    let statement = statements.get(text)
    if (statement === undefined) {
      statement = database.prepare(text)
      statements.set(text, statement)
    }
    return statement
  }
  const run = (text: string, ...values: SQLInputValue[]): void => {
    sql(text).run(...values)
  }
  /** The decoded `column` of the first row, or undefined. */
  const one = (text: string, column: string, ...values: SQLInputValue[]): unknown => {
    const row = sql(text).get(...values)
    return row === undefined ? undefined : decodeRecord(row[column] as string | null)
  }
  const all = (text: string, column: string, ...values: SQLInputValue[]): unknown[] =>
    sql(text).all(...values).map(row => decodeRecord(row[column] as string | null))
  const putReceipt = (record: ReceiptRecord, json = encodeRecord(record)): void => {
    run('INSERT OR REPLACE INTO receipts (task_id, role, stored_at, payment, record) VALUES (?, ?, ?, ?, ?)',
      record.receipt.taskId, record.role, record.storedAt, record.payment ?? null, json)
  }
  const bytes = (text: string, ...values: SQLInputValue[]): Uint8Array | undefined => {
    const row = sql(text).get(...values)
    return row === undefined ? undefined : Uint8Array.from(row.bytes as Uint8Array)
  }

  return {
    async loadIdentitySeed () {
      open()
      return readIdentityFile(dir)
    },
    async saveIdentitySeed (seed) {
      open()
      checkSeed(seed)
      writeIdentityFile(dir, seed)
    },
    async getModule (hash) {
      checkModuleHash(hash)
      return bytes('SELECT bytes FROM modules WHERE hash = ?', hash)
    },
    async hasModule (hash) {
      checkModuleHash(hash)
      return sql('SELECT 1 FROM modules WHERE hash = ?').get(hash) !== undefined
    },
    async putModule (hash, value) {
      checkModule(hash, value)
      run('INSERT OR REPLACE INTO modules (hash, bytes) VALUES (?, ?)', hash, value)
    },
    async addReceipt (record) {
      checkRecord(record)
      putReceipt(record)
    },
    async addReceipts (records) {
      records.forEach(checkRecord)
      // Encoded before the transaction: a record that cannot be stored leaves none of them written.
      const encoded = records.map(record => [record, encodeRecord(record)] as const)
      transaction(open(), () => { for (const [record, json] of encoded) putReceipt(record, json) })
    },
    async listReceipts (limit) {
      const max = sqlLimit(checkLimit(limit))
      return all('SELECT record FROM receipts ORDER BY stored_at DESC, task_id DESC, role DESC LIMIT ?', 'record', max) as ReceiptRecord[]
    },
    async listOwedReceipts () {
      return all('SELECT record FROM receipts WHERE payment = \'owed\' ORDER BY stored_at, task_id, role', 'record') as ReceiptRecord[]
    },
    async saveChannel (channel, payment) {
      checkChannelRecord(channel, payment)
      // Encoded before the transaction: a value that cannot be stored leaves nothing half written.
      const channelJson = encodeRecord(channel)
      const paymentJson = payment === undefined ? undefined : encodeRecord(payment)
      // Both rows in one transaction: a payment is never on disk without the state it made, nor the reverse.
      transaction(open(), () => {
        run('INSERT OR REPLACE INTO channels (channel_id, status, updated_at, record) VALUES (?, ?, ?, ?)',
          channel.channelId, channel.status, channel.updatedAt, channelJson)
        if (payment !== undefined) {
          run('INSERT OR REPLACE INTO payments (channel_id, sequence, at, record) VALUES (?, ?, ?, ?)',
            payment.channelId, payment.sequence, payment.at, paymentJson ?? null)
        }
      })
    },
    async getChannel (channelId) {
      return one('SELECT record FROM channels WHERE channel_id = ?', 'record', channelId) as R['channel'] | undefined
    },
    async listChannels () {
      return all('SELECT record FROM channels ORDER BY updated_at DESC, channel_id DESC', 'record') as Array<R['channel']>
    },
    async listPayments (limit) {
      const max = sqlLimit(checkLimit(limit))
      return all('SELECT record FROM payments ORDER BY at DESC, channel_id DESC, sequence DESC LIMIT ?', 'record', max) as Array<R['payment']>
    },
    async addAttestation (record) {
      checkAttestationRecord(record)
      run('INSERT OR REPLACE INTO attestations (receipt_hash, witness, received_at, record) VALUES (?, ?, ?, ?)',
        record.attestation.receiptHash, record.attestation.witness, record.receivedAt, encodeRecord(record))
    },
    async listAttestations (limit) {
      const max = sqlLimit(checkLimit(limit))
      return all('SELECT record FROM attestations ORDER BY received_at DESC, receipt_hash DESC, witness DESC LIMIT ?', 'record', max) as Array<R['attestation']>
    },
    async putTaskInput (record, keep) {
      checkTaskInput(record, keep)
      const json = encodeRecord(record)
      transaction(open(), () => {
        run('INSERT OR REPLACE INTO task_inputs (receipt_hash, stored_at, record) VALUES (?, ?, ?)', record.receiptHash, record.storedAt, json)
        // The newest `keep` stay; ties by key, as the IndexedDB store walks its storedAt index oldest first.
        run(`DELETE FROM task_inputs WHERE receipt_hash NOT IN
          (SELECT receipt_hash FROM task_inputs ORDER BY stored_at DESC, receipt_hash DESC LIMIT ?)`, keep)
      })
    },
    async getTaskInput (receiptHash) {
      return one('SELECT record FROM task_inputs WHERE receipt_hash = ?', 'record', receiptHash) as R['taskInput'] | undefined
    },
    async loadState (key) {
      checkStateKey(key)
      return one('SELECT value FROM state WHERE key = ?', 'value', key)
    },
    async saveState (key, value) {
      checkStateKey(key)
      run('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)', key, encodeRecord(value))
    },
    async deleteState (key) {
      checkStateKey(key)
      run('DELETE FROM state WHERE key = ?', key)
    },
    async putRun (record) {
      checkRunEvent(record.runId, 0)
      const updatedAt = typeof record.updatedAt === 'number' && !Number.isNaN(record.updatedAt) ? record.updatedAt : null
      run('INSERT OR REPLACE INTO workflow_runs (run_id, updated_at, record) VALUES (?, ?, ?)', record.runId, updatedAt, encodeRecord(record))
    },
    async getRun (runId) {
      return one('SELECT record FROM workflow_runs WHERE run_id = ?', 'record', runId) as R['workflowRun'] | undefined
    },
    async listRuns (limit) {
      const max = sqlLimit(checkLimit(limit))
      return all('SELECT record FROM workflow_runs WHERE updated_at IS NOT NULL ORDER BY updated_at DESC, run_id DESC LIMIT ?', 'record', max) as Array<R['workflowRun']>
    },
    async appendRunEvent (runId, seq, event) {
      checkRunEvent(runId, seq)
      const json = encodeRecord(event)
      // Counted and added in one transaction: no other writer can slip an event in between.
      transaction(open(), () => {
        const { count } = sql('SELECT count(*) AS count FROM run_events WHERE run_id = ?').get(runId) as { count: number }
        if (count !== seq) throw new RunLogConflictError(`run ${runId} has ${count} events; event ${seq} cannot be appended`)
        run('INSERT INTO run_events (run_id, seq, event) VALUES (?, ?, ?)', runId, seq, json)
      })
    },
    async listRunEvents (runId) {
      checkRunEvent(runId, 0)
      return all('SELECT event FROM run_events WHERE run_id = ? ORDER BY seq', 'event', runId)
    },
    async putBlob (hash, value) {
      checkModule(hash, value)
      run('INSERT OR REPLACE INTO blobs (hash, bytes) VALUES (?, ?)', hash, value)
    },
    async getBlob (hash) {
      checkModuleHash(hash)
      return bytes('SELECT bytes FROM blobs WHERE hash = ?', hash)
    },
    async putMemo (key, value) {
      checkMemoKey(key)
      run('INSERT OR REPLACE INTO memo (key, value) VALUES (?, ?)', key, encodeRecord(value))
    },
    async getMemo (key) {
      checkMemoKey(key)
      return one('SELECT value FROM memo WHERE key = ?', 'value', key)
    },
    async putManifest (record) {
      checkManifestRecord(record)
      run('INSERT OR REPLACE INTO agent_manifests (hash, stored_at, record) VALUES (?, ?, ?)', record.hash, record.storedAt, encodeRecord(record))
    },
    async deleteManifest (hash) {
      checkManifestHash(hash)
      run('DELETE FROM agent_manifests WHERE hash = ?', hash)
    },
    async listManifests () {
      return all('SELECT record FROM agent_manifests ORDER BY stored_at, hash', 'record') as StoredAgentManifest[]
    },
    close () {
      if (closed) return
      closed = true
      // The lock file goes first, while the database lock still keeps any next holder out.
      removeLockFile(dir)
      db.close()
    }
  }
}
