/**
 * One compliance suite for every PeerStore: the in-memory twin, the
 * IndexedDB store (run here on fake-indexeddb, which only this test loads)
 * and the Node peer's SQLite store (each test in a fresh directory).
 */
import 'fake-indexeddb/auto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDB } from 'idb'
import type { IDBPDatabase } from 'idb'
import { afterAll, describe, expect, it } from 'vitest'
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../src/core/index.ts'
import { createMemoryStore, openIdbStore, RunLogConflictError, withModuleCache } from '../../../src/storage/index.ts'
import type { StoredAgentManifest } from '../../../src/storage/index.ts'
import { openSqliteStore } from '../../../src/storage/sqlite-store.node.ts'
import type { WorkflowRunRecord } from '../../../src/orchestration/workflow/records.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../../../src/peer/store.ts'
import type { ChannelRecord, PaymentRecord } from '../../../src/economy/payments/index.ts'
import type { ReceiptRecord } from '../../../src/receipts/index.ts'
import type { AttestationRecord, TaskInputRecord } from '../../../src/trust/witness/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'

let dbCounter = 0
const sqliteDirs: string[] = []
const sqliteDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'zerostate-compliance-'))
  sqliteDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of sqliteDirs) rmSync(dir, { recursive: true, force: true })
})

const backends: Array<[string, () => Promise<ZeroStateStore>]> = [
  ['memory', async () => createMemoryStore<ZeroStateRecords>()],
  ['indexeddb', async () => openIdbStore<ZeroStateRecords>(`peer-store-test-${++dbCounter}`)],
  ['indexeddb with a module cache', async () => withModuleCache(await openIdbStore<ZeroStateRecords>(`peer-store-test-${++dbCounter}`))],
  ['memory with a module cache too small for any module', async () => withModuleCache(createMemoryStore<ZeroStateRecords>(), 1)],
  ['sqlite', async () => openSqliteStore<ZeroStateRecords>(sqliteDir())]
]

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

function record (taskId: string, role: ReceiptRecord['role'], storedAt: number, label = taskId): ReceiptRecord {
  // The store treats the receipt as an opaque value keyed by its taskId.
  const receipt = { taskId, args: ['a'], exitCode: 0 } as unknown as Receipt
  return { receipt, role, label, stdoutPreview: `out of ${taskId}`, storedAt }
}

// The store checks only what keys and orders its records; the signed contents are the economy's to verify.
function channel (channelId: string, sequence: number, updatedAt: number): ChannelRecord {
  const state = { channelId, sequence } as unknown as ChannelRecord['latest']['state']
  return { channelId, peer: 'peer', side: 'a', latest: { state, signatures: {} }, status: 'open', updatedAt }
}

function payment (channelId: string, sequence: number, at: number): PaymentRecord {
  const of = channel(channelId, sequence, at)
  return { channelId, sequence, direction: 'out', amount: 5, receipt: { taskId: `t${sequence}` } as unknown as Receipt, kind: 'payment', state: of.latest, at }
}

/** A manifest-shaped record: the store checks only that it is filed under the hash of its canonical form. */
function manifestRecord (name: string, storedAt: number): StoredAgentManifest {
  const manifest = { kind: 'zerostate/agent-manifest/1', name, version: '1.0.0', signature: `sig-${name}` }
  return { hash: sha256Hex(utf8ToBytes(canonicalize(manifest))), manifest, storedAt }
}

function attestation (receiptHash: string, witness: string, receivedAt: number, verdict = 'agree'): AttestationRecord {
  return { attestation: { receiptHash, witness, verdict } as unknown as AttestationRecord['attestation'], receivedAt }
}

describe.each(backends)('PeerStore compliance: %s', (_, open) => {
  describe('identity seed', () => {
    it('is absent at first, then kept', async () => {
      const store = await open()
      expect(await store.loadIdentitySeed()).toBeUndefined()
      const seed = Uint8Array.from({ length: 32 }, (_, i) => i)
      await store.saveIdentitySeed(seed)
      seed.fill(0)
      const loaded = await store.loadIdentitySeed()
      expect(loaded).toBeInstanceOf(Uint8Array)
      expect(loaded).toEqual(Uint8Array.from({ length: 32 }, (_, i) => i))
      store.close()
    })

    it('stores exactly 32 bytes even when given a view into a larger buffer', async () => {
      const store = await open()
      const buffer = new Uint8Array(64).fill(7)
      await store.saveIdentitySeed(buffer.subarray(16, 48))
      expect((await store.loadIdentitySeed())?.length).toBe(32)
      store.close()
    })

    it('rejects seeds that are not 32 bytes', async () => {
      const store = await open()
      expect(await rejection(store.saveIdentitySeed(new Uint8Array(31)))).toBeInstanceOf(RangeError)
      expect(await rejection(store.saveIdentitySeed('seed' as unknown as Uint8Array))).toBeInstanceOf(TypeError)
      store.close()
    })
  })

  describe('modules', () => {
    const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0])
    const hash = sha256Hex(bytes)

    it('stores bytes under their SHA-256', async () => {
      const store = await open()
      expect(await store.hasModule(hash)).toBe(false)
      expect(await store.getModule(hash)).toBeUndefined()
      await store.putModule(hash, bytes)
      expect(await store.hasModule(hash)).toBe(true)
      const got = await store.getModule(hash)
      expect(got).toBeInstanceOf(Uint8Array)
      expect(got).toEqual(bytes)
      await store.putModule(hash, bytes)
      expect(await store.getModule(hash)).toEqual(bytes)
      store.close()
    })

    it('stores only the viewed bytes of a subarray', async () => {
      const store = await open()
      const big = new Uint8Array(100)
      big.set(bytes, 10)
      await store.putModule(hash, big.subarray(10, 10 + bytes.length))
      expect((await store.getModule(hash))?.length).toBe(bytes.length)
      store.close()
    })

    it('refuses bytes under a hash that is not theirs', async () => {
      const store = await open()
      const err = await rejection(store.putModule(sha256Hex(new Uint8Array(1)), bytes))
      expect(err.name).toBe('ModuleHashMismatchError')
      expect(await store.hasModule(sha256Hex(new Uint8Array(1)))).toBe(false)
      store.close()
    })

    it('rejects malformed hashes', async () => {
      const store = await open()
      expect(await rejection(store.getModule(hash.toUpperCase()))).toBeInstanceOf(RangeError)
      expect(await rejection(store.hasModule('abc'))).toBeInstanceOf(RangeError)
      expect(await rejection(store.putModule(42 as unknown as string, bytes))).toBeInstanceOf(TypeError)
      store.close()
    })
  })

  describe('receipts', () => {
    it('lists newest first, with an optional limit', async () => {
      const store = await open()
      expect(await store.listReceipts()).toEqual([])
      await store.addReceipt(record('t1', 'submitter', 100))
      await store.addReceipt(record('t3', 'executor', 300))
      await store.addReceipt(record('t2', 'submitter', 200))
      expect((await store.listReceipts()).map(r => r.receipt.taskId)).toEqual(['t3', 't2', 't1'])
      expect((await store.listReceipts(2)).map(r => r.receipt.taskId)).toEqual(['t3', 't2'])
      expect(await store.listReceipts(0)).toEqual([])
      expect((await store.listReceipts(10)).length).toBe(3)
      store.close()
    })

    it('keeps one record per (taskId, role): a tab that runs its own task keeps both', async () => {
      const store = await open()
      await store.addReceipt(record('self', 'submitter', 100))
      await store.addReceipt(record('self', 'executor', 100))
      const both = await store.listReceipts()
      expect(both.map(r => r.role)).toEqual(['submitter', 'executor'])
      await store.addReceipt(record('self', 'executor', 150, 'again'))
      const after = await store.listReceipts()
      expect(after).toHaveLength(2)
      expect(after[0]).toEqual(record('self', 'executor', 150, 'again'))
      store.close()
    })

    it('breaks storedAt ties by taskId then role, descending', async () => {
      const store = await open()
      for (const r of [record('b', 'executor', 5), record('a', 'submitter', 5), record('b', 'submitter', 5), record('c', 'executor', 1)]) {
        await store.addReceipt(r)
      }
      expect((await store.listReceipts()).map(r => `${r.receipt.taskId}/${r.role}`)).toEqual(['b/submitter', 'b/executor', 'a/submitter', 'c/executor'])
      store.close()
    })

    it('returns copies: changing a result or the input does not change the store', async () => {
      const store = await open()
      const input = record('t', 'submitter', 1)
      await store.addReceipt(input)
      input.label = 'changed'
      const [first] = await store.listReceipts()
      first!.label = 'changed too'
      expect((await store.listReceipts())[0]!.label).toBe('t')
      store.close()
    })

    it('rejects a bad role and a bad limit', async () => {
      const store = await open()
      const bad = { ...record('t', 'submitter', 1), role: 'watcher' } as unknown as ReceiptRecord
      expect(await rejection(store.addReceipt(bad))).toBeInstanceOf(RangeError)
      expect(await rejection(store.listReceipts(-1))).toBeInstanceOf(RangeError)
      expect(await rejection(store.listReceipts(1.5))).toBeInstanceOf(RangeError)
      store.close()
    })

    it('lists the records whose payment is owed, oldest first, and keeps several records in one write (version 7, SQLite 3)', async () => {
      const store = await open()
      const owed = (taskId: string, storedAt: number, payment: ReceiptRecord['payment']): ReceiptRecord => ({ ...record(taskId, 'submitter', storedAt), ...(payment === undefined ? {} : { payment }) })
      await store.addReceipt(owed('late', 30, 'owed'))
      await store.addReceipt(owed('b', 10, 'owed'))
      await store.addReceipt(owed('a', 10, 'owed'))
      await store.addReceipt(owed('paid', 5, 'paid'))
      await store.addReceipt(owed('older', 1, undefined))
      await store.addReceipt(record('ran', 'executor', 2))
      expect((await store.listOwedReceipts()).map(r => r.receipt.taskId)).toEqual(['a', 'b', 'late'])
      await store.addReceipts([owed('a', 10, 'paid'), owed('late', 30, 'withheld')])
      expect(await store.listOwedReceipts()).toEqual([owed('b', 10, 'owed')])
      expect((await store.listReceipts()).find(r => r.receipt.taskId === 'late')?.payment).toBe('withheld')
      expect(await rejection(store.addReceipt({ ...record('x', 'submitter', 1), payment: 'maybe' } as unknown as ReceiptRecord))).toBeInstanceOf(RangeError)
      // One bad record: none of them is written.
      expect(await rejection(store.addReceipts([owed('b', 10, 'paid'), { ...record('y', 'watcher' as never, 1) }]))).toBeInstanceOf(RangeError)
      expect((await store.listOwedReceipts()).map(r => r.receipt.taskId)).toEqual(['b'])
      store.close()
    })
  })

  describe('learnt state', () => {
    it('saves, loads, replaces and deletes a value by key, as a copy', async () => {
      const store = await open()
      expect(await store.loadState('q-router')).toBeUndefined()
      const table = { version: 1, entries: [['nlp', 'peer-a', 12.5]] }
      await store.saveState('q-router', table)
      table.version = 99
      expect(await store.loadState('q-router')).toEqual({ version: 1, entries: [['nlp', 'peer-a', 12.5]] })
      await store.saveState('capability-index', new Uint8Array([1, 2, 3]))
      expect(await store.loadState('capability-index')).toEqual(new Uint8Array([1, 2, 3]))
      await store.deleteState('q-router')
      expect(await store.loadState('q-router')).toBeUndefined()
      store.close()
    })

    it('rejects an unknown key', async () => {
      const store = await open()
      expect(await rejection(store.saveState('everything' as never, 1))).toBeInstanceOf(RangeError)
      store.close()
    })
  })

  describe('channels and payments', () => {
    it('writes a channel with its payment, replaces the channel, and lists both newest first', async () => {
      const store = await open()
      expect(await store.getChannel('c1')).toBeUndefined()
      await store.saveChannel(channel('c1', 0, 10))
      await store.saveChannel(channel('c1', 1, 20), payment('c1', 1, 20))
      await store.saveChannel(channel('c2', 0, 15))
      await store.saveChannel(channel('c2', 1, 30), payment('c2', 1, 30))
      await store.saveChannel(channel('c1', 2, 40), payment('c1', 2, 40))
      expect((await store.getChannel('c1'))?.latest.state.sequence).toBe(2)
      expect((await store.listChannels()).map(c => c.channelId)).toEqual(['c1', 'c2'])
      expect((await store.listPayments()).map(p => [p.channelId, p.sequence])).toEqual([['c1', 2], ['c2', 1], ['c1', 1]])
      expect((await store.listPayments(1)).map(p => p.sequence)).toEqual([2])
      store.close()
    })

    it('breaks time ties by key, descending, and returns copies', async () => {
      const store = await open()
      await store.saveChannel(channel('a', 1, 5), payment('a', 1, 5))
      await store.saveChannel(channel('b', 1, 5), payment('b', 1, 5))
      await store.saveChannel(channel('b', 2, 5), payment('b', 2, 5))
      expect((await store.listPayments()).map(p => [p.channelId, p.sequence])).toEqual([['b', 2], ['b', 1], ['a', 1]])
      const got = await store.getChannel('a')
      got!.status = 'settled'
      expect((await store.getChannel('a'))?.status).toBe('open')
      store.close()
    })

    it('refuses a payment of another channel, and writes neither', async () => {
      const store = await open()
      expect(await rejection(store.saveChannel(channel('c1', 1, 1), payment('c2', 1, 1)))).toBeInstanceOf(RangeError)
      expect(await store.getChannel('c1')).toBeUndefined()
      expect(await store.listPayments()).toEqual([])
      expect(await rejection(store.saveChannel({ ...channel('c1', 0, 1), status: 'lost' } as unknown as ChannelRecord))).toBeInstanceOf(RangeError)
      store.close()
    })
  })

  describe('workflow runs, their event logs, blobs and memoized outputs (version 5)', () => {
    const run = (runId: string, updatedAt: number): WorkflowRunRecord => ({
      runId, specText: 'version: 1', specHash: '00'.repeat(32), inputs: { text: 'a' }, seedHex: '00'.repeat(32), state: 'working', createdAt: 1, updatedAt
    })

    it('keeps runs by id and lists them newest first, as copies', async () => {
      const store = await open()
      await store.putRun(run('r1', 10))
      await store.putRun(run('r2', 20))
      await store.putRun({ ...run('r1', 30), state: 'completed' })
      expect((await store.listRuns()).map(r => [r.runId, r.state])).toEqual([['r1', 'completed'], ['r2', 'working']])
      expect(await store.listRuns(1)).toHaveLength(1)
      const got = await store.getRun('r2')
      got!.inputs.text = 'changed'
      expect((await store.getRun('r2'))!.inputs.text).toBe('a')
      expect(await store.getRun('nope')).toBeUndefined()
      store.close()
    })

    it('appends each run\'s events in order and refuses to overwrite one or to leave a gap', async () => {
      const store = await open()
      await store.appendRunEvent('r1', 0, { type: 'scheduled', at: 1 })
      await store.appendRunEvent('r2', 0, { type: 'canceled', at: 1 })
      await store.appendRunEvent('r1', 1, { type: 'started', at: 2 })
      expect(await store.listRunEvents('r1')).toEqual([{ type: 'scheduled', at: 1 }, { type: 'started', at: 2 }])
      expect(await store.listRunEvents('r2')).toEqual([{ type: 'canceled', at: 1 }])
      expect(await store.listRunEvents('r3')).toEqual([])
      expect((await rejection(store.appendRunEvent('r1', 1, { type: 'again' }))).name).toBe(RunLogConflictError.name)
      expect((await rejection(store.appendRunEvent('r1', 5, { type: 'gap' }))).name).toBe(RunLogConflictError.name)
      expect(await store.listRunEvents('r1')).toHaveLength(2)
      expect((await rejection(store.appendRunEvent('r1', -1, {}))).name).toBe('RangeError')
      store.close()
    })

    it('keeps blobs under their SHA-256 only, and memoized outputs by key', async () => {
      const store = await open()
      const bytes = new TextEncoder().encode('step output')
      await store.putBlob(sha256Hex(bytes), bytes)
      expect(await store.getBlob(sha256Hex(bytes))).toEqual(bytes)
      expect((await rejection(store.putBlob(sha256Hex(new Uint8Array([1])), bytes))).name).toBe('ModuleHashMismatchError')
      await store.putMemo('memo1:abc', { stdout: 'x', files: {} })
      expect(await store.getMemo('memo1:abc')).toEqual({ stdout: 'x', files: {} })
      expect(await store.getMemo('memo1:none')).toBeUndefined()
      store.close()
    })
  })

  describe('attestations', () => {
    it('keeps one per (receipt, witness), newest first', async () => {
      const store = await open()
      await store.addAttestation(attestation('r1', 'w1', 1))
      await store.addAttestation(attestation('r1', 'w2', 2))
      await store.addAttestation(attestation('r2', 'w1', 3))
      await store.addAttestation(attestation('r1', 'w1', 4, 'disagree'))
      const list = await store.listAttestations()
      expect(list.map(r => [r.attestation.receiptHash, r.attestation.witness, r.attestation.verdict])).toEqual([
        ['r1', 'w1', 'disagree'], ['r2', 'w1', 'agree'], ['r1', 'w2', 'agree']
      ])
      expect(await store.listAttestations(1)).toHaveLength(1)
      expect(await rejection(store.addAttestation({ receivedAt: 1 } as unknown as AttestationRecord))).toBeInstanceOf(TypeError)
      store.close()
    })
  })

  describe('task inputs', () => {
    const input = (n: number, storedAt: number): TaskInputRecord => ({
      receiptHash: sha256Hex(new Uint8Array([n])),
      receipt: { taskId: `t${n}` } as unknown as Receipt,
      stdin: new Uint8Array([n, n]),
      files: [['a.txt', new Uint8Array([n])]],
      storedAt
    })

    it('keeps the newest `keep` by receipt hash, as copies', async () => {
      const store = await open()
      for (let n = 0; n < 5; n++) await store.putTaskInput(input(n, 100 + n), 3)
      expect(await store.getTaskInput(input(0, 0).receiptHash)).toBeUndefined()
      expect(await store.getTaskInput(input(1, 0).receiptHash)).toBeUndefined()
      const kept = await store.getTaskInput(input(4, 0).receiptHash)
      expect(kept?.stdin).toEqual(new Uint8Array([4, 4]))
      expect(kept?.files).toEqual([['a.txt', new Uint8Array([4])]])
      kept!.stdin[0] = 9
      expect((await store.getTaskInput(input(4, 0).receiptHash))?.stdin[0]).toBe(4)
      expect(await rejection(store.putTaskInput({ ...input(5, 1), receiptHash: 'x' }, 3))).toBeInstanceOf(RangeError)
      expect(await rejection(store.putTaskInput(input(5, 1), 0))).toBeInstanceOf(RangeError)
      store.close()
    })
  })

  describe('agent manifests (IndexedDB version 6, SQLite version 2)', () => {
    it('keeps manifests by content hash, lists them oldest first (ties by hash), replaces, deletes, as copies', async () => {
      const store = await open()
      expect(await store.listManifests()).toEqual([])
      const [a, b, c] = [manifestRecord('a', 20), manifestRecord('b', 10), manifestRecord('c', 20)]
      for (const record of [a, b, c]) await store.putManifest(record)
      const byHash = [a, c].sort((x, y) => x.hash < y.hash ? -1 : 1)
      expect((await store.listManifests()).map(r => r.hash)).toEqual([b.hash, ...byHash.map(r => r.hash)])
      expect((await store.listManifests())[0]).toEqual(b)
      await store.putManifest({ ...b, storedAt: 30 })
      expect((await store.listManifests()).map(r => r.hash)).toEqual([...byHash.map(r => r.hash), b.hash])
      const listed = await store.listManifests();
      (listed[0]!.manifest as { name: string }).name = 'changed'
      expect(((await store.listManifests())[0]!.manifest as { name: string }).name).not.toBe('changed')
      await store.deleteManifest(a.hash)
      await store.deleteManifest(a.hash)
      expect((await store.listManifests()).map(r => r.hash)).toEqual([c.hash, b.hash])
      store.close()
    })

    it('refuses a record under a hash that is not its manifest\'s, a malformed hash, a missing manifest', async () => {
      const store = await open()
      const a = manifestRecord('a', 1)
      expect(await rejection(store.putManifest({ ...a, hash: manifestRecord('b', 1).hash }))).toBeInstanceOf(RangeError)
      expect(await rejection(store.putManifest({ ...a, hash: a.hash.toUpperCase() }))).toBeInstanceOf(RangeError)
      expect(await rejection(store.putManifest({ ...a, manifest: null }))).toBeInstanceOf(TypeError)
      expect(await rejection(store.putManifest({ ...a, storedAt: Number.NaN }))).toBeInstanceOf(RangeError)
      expect(await rejection(store.deleteManifest('x'))).toBeInstanceOf(RangeError)
      expect(await store.listManifests()).toEqual([])
      store.close()
    })
  })

  it('fails every call after close() with StoreClosedError; close() twice is safe', async () => {
    const store = await open()
    store.close()
    store.close()
    expect((await rejection(store.loadIdentitySeed())).name).toBe('StoreClosedError')
    expect((await rejection(store.listReceipts())).name).toBe('StoreClosedError')
    expect((await rejection(store.hasModule('0'.repeat(64)))).name).toBe('StoreClosedError')
    expect((await rejection(store.listManifests())).name).toBe('StoreClosedError')
  })
})

describe('IndexedDB store persistence', () => {
  it('keeps data across close and reopen of the same database', async () => {
    const name = `peer-store-persist-${++dbCounter}`
    const first = await openIdbStore<ZeroStateRecords>(name)
    const seed = new Uint8Array(32).fill(9)
    await first.saveIdentitySeed(seed)
    await first.addReceipt(record('kept', 'executor', 1))
    first.close()
    const second = await openIdbStore<ZeroStateRecords>(name)
    expect(await second.loadIdentitySeed()).toEqual(seed)
    expect((await second.listReceipts()).map(r => r.receipt.taskId)).toEqual(['kept'])
    expect(await second.listChannels()).toEqual([])
    second.close()
  })
})

describe('IndexedDB schema migration', () => {
  it('opens a version 1 database, keeps its identity and receipts, and adds the state store', async () => {
    const name = `peer-store-v1-${++dbCounter}`
    // A database as version 1 of the app left it.
    const v1 = await openDB(name, 1, {
      upgrade (database) {
        database.createObjectStore('identity')
        database.createObjectStore('modules')
        database.createObjectStore('receipts', { keyPath: ['receipt.taskId', 'role'] }).createIndex('by-storedAt', 'storedAt')
      }
    })
    await v1.put('identity', new Uint8Array(32).fill(4), 'self')
    await v1.put('receipts', record('old', 'submitter', 1))
    v1.close()

    const store = await openIdbStore<ZeroStateRecords>(name)
    expect(await store.loadIdentitySeed()).toEqual(new Uint8Array(32).fill(4))
    expect((await store.listReceipts()).map(r => r.receipt.taskId)).toEqual(['old'])
    await store.saveState('agent-cards', [])
    expect(await store.loadState('agent-cards')).toEqual([])
    await store.saveChannel(channel('c', 0, 1))
    expect((await store.listChannels()).map(c => c.channelId)).toEqual(['c'])
    await store.appendRunEvent('r', 0, { type: 'canceled', at: 1 })
    expect(await store.listRunEvents('r')).toEqual([{ type: 'canceled', at: 1 }])
    store.close()
  })
})

/** The object stores (and indexes) a database of schema `version` (5 or 6) had, as the app of that version made them. */
function createOldSchema (database: IDBPDatabase, version: 5 | 6): void {
  for (const store of ['identity', 'modules', 'state', 'runEvents', 'blobs', 'memo']) database.createObjectStore(store)
  database.createObjectStore('receipts', { keyPath: ['receipt.taskId', 'role'] }).createIndex('by-storedAt', 'storedAt')
  database.createObjectStore('channels', { keyPath: 'channelId' }).createIndex('by-updatedAt', 'updatedAt')
  database.createObjectStore('payments', { keyPath: ['channelId', 'sequence'] }).createIndex('by-at', 'at')
  database.createObjectStore('attestations', { keyPath: ['attestation.receiptHash', 'attestation.witness'] }).createIndex('by-receivedAt', 'receivedAt')
  database.createObjectStore('taskInputs', { keyPath: 'receiptHash' }).createIndex('by-storedAt', 'storedAt')
  database.createObjectStore('workflowRuns', { keyPath: 'runId' }).createIndex('by-updatedAt', 'updatedAt')
  if (version >= 6) database.createObjectStore('agentManifests', { keyPath: 'hash' })
}

describe('IndexedDB schema migration to version 6', () => {
  it('opens a version 5 database, keeps its data, and adds the agent manifest store', async () => {
    // A database as version 5 of the app left it.
    const old = `peer-store-v5-${++dbCounter}`
    const db = await openDB(old, 5, {
      upgrade: database => { createOldSchema(database, 5) }
    })
    expect([...db.objectStoreNames]).not.toContain('agentManifests')
    await db.put('identity', new Uint8Array(32).fill(5), 'self')
    await db.put('receipts', record('kept', 'submitter', 1))
    await db.put('state', { version: 1 }, 'q-router')
    db.close()

    const store = await openIdbStore<ZeroStateRecords>(old)
    expect(await store.loadIdentitySeed()).toEqual(new Uint8Array(32).fill(5))
    expect((await store.listReceipts()).map(r => r.receipt.taskId)).toEqual(['kept'])
    expect(await store.loadState('q-router')).toEqual({ version: 1 })
    const manifest = manifestRecord('new', 1)
    await store.putManifest(manifest)
    expect(await store.listManifests()).toEqual([manifest])
    store.close()
  })
})

describe('IndexedDB schema migration to version 7', () => {
  it('opens a version 6 database: its receipts stay out of the owed index (nothing says what they were owed), new ones do not', async () => {
    const old = `peer-store-v6-${++dbCounter}`
    const db = await openDB(old, 6, {
      upgrade: database => { createOldSchema(database, 6) }
    })
    await db.put('receipts', record('kept', 'submitter', 1))
    db.close()

    const store = await openIdbStore<ZeroStateRecords>(old)
    expect((await store.listReceipts()).map(r => r.receipt.taskId)).toEqual(['kept'])
    expect(await store.listOwedReceipts()).toEqual([])
    await store.addReceipt({ ...record('new', 'submitter', 2), payment: 'owed' })
    expect((await store.listOwedReceipts()).map(r => r.receipt.taskId)).toEqual(['new'])
    store.close()
  })
})

describe('module cache', () => {
  it('serves a module it has seen without asking the store, and evicts the least recently used past its budget', async () => {
    const inner = createMemoryStore<ZeroStateRecords>()
    let reads = 0
    const counting: ZeroStateStore = { ...inner, getModule: async (hash) => { reads++; return inner.getModule(hash) } }
    const store = withModuleCache(counting, 10)
    const a = new Uint8Array(6).fill(1)
    const b = new Uint8Array(6).fill(2)
    const hashA = sha256Hex(a)
    const hashB = sha256Hex(b)
    await store.putModule(hashA, a)
    expect(await store.getModule(hashA)).toEqual(a)
    expect(reads).toBe(0)
    await store.putModule(hashB, b)
    expect(await store.getModule(hashB)).toEqual(b)
    expect(await store.getModule(hashA)).toEqual(a)
    expect(reads).toBe(1)
    const copy = await store.getModule(hashA)
    copy![0] = 9
    expect((await store.getModule(hashA))![0]).toBe(1)
  })
})
