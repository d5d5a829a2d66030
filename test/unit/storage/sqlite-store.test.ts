/**
 * What the Node peer's SQLite store does beyond the PeerStore compliance
 * suite (peer-store.test.ts runs it there): it keeps everything across a
 * reopen, holds its directory against every other store, refuses a newer
 * schema, keeps the identity seed owner-only, stores only values it can give
 * back unchanged, and loses no acknowledged channel state to a SIGKILL.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/index.ts'
import { verifyState } from '../../../src/economy/channel/index.ts'
import type { ChannelRecord, PaymentRecord } from '../../../src/economy/payments/index.ts'
import type { Receipt } from '../../../src/receipts/index.ts'
import type { ZeroStateRecords } from '../../../src/peer/store.ts'
import { decodeRecord, encodeRecord } from '../../../src/storage/record-json.ts'
import {
  DATABASE_FILE, defaultStoreDir, IDENTITY_FILE, LOCK_FILE, openSqliteStore, SCHEMA_VERSION
} from '../../../src/storage/sqlite-store.node.ts'
import { rejection, thrown } from '../../support/rejection.ts'

const dirs: string[] = []
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'zerostate-sqlite-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const open = async (dir: string): Promise<ReturnType<typeof openSqliteStore<ZeroStateRecords>>> => openSqliteStore<ZeroStateRecords>(dir)

const FIXTURES = new URL('./fixtures/', import.meta.url)
/** Runs a fixture script in Node (this test's own Node: the project's Node 24) the way npm scripts run TypeScript. */
function runFixture (script: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', new URL(script, FIXTURES).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
}

/** Everything the child wrote to stdout and stderr, once it has exited. */
async function finished (child: ChildProcess): Promise<{ stdout: string, stderr: string, code: number | null, signal: string | null }> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ stdout, stderr, code, signal }))
  })
}

function channel (channelId: string, sequence: number, updatedAt: number): ChannelRecord {
  const state = { channelId, sequence } as unknown as ChannelRecord['latest']['state']
  return { channelId, peer: 'peer', side: 'a', latest: { state, signatures: {} }, status: 'open', updatedAt }
}

function payment (channelId: string, sequence: number, at: number): PaymentRecord {
  return { channelId, sequence, direction: 'out', amount: 5, receipt: { taskId: `t${sequence}` } as unknown as Receipt, kind: 'payment', state: channel(channelId, sequence, at).latest, at }
}

describe('SQLite store: persistence', () => {
  it('finds everything it was given after a close and a reopen', async () => {
    const dir = freshDir()
    const first = await open(dir)
    const seed = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
    const module = new TextEncoder().encode('\0asm module')
    const blob = new TextEncoder().encode('a step output')
    await first.saveIdentitySeed(seed)
    await first.putModule(sha256Hex(module), module)
    await first.addReceipt({ receipt: { taskId: 't1' } as unknown as Receipt, role: 'executor', label: 'l', stdoutPreview: 'out', storedAt: 5 })
    await first.saveState('q-router', { version: 1, entries: [['nlp', 'peer', 1.5]] })
    await first.saveState('capability-index', new Uint8Array([1, 2, 3]))
    await first.saveChannel(channel('c1', 1, 10), payment('c1', 1, 10))
    await first.addAttestation({ attestation: { receiptHash: 'r', witness: 'w', verdict: 'agree' } as never, receivedAt: 3 })
    const receiptHash = sha256Hex(new Uint8Array([7]))
    await first.putTaskInput({ receiptHash, receipt: { taskId: 't1' } as unknown as Receipt, stdin: new Uint8Array([9]), files: [['f', new Uint8Array([8])]], storedAt: 1 }, 10)
    await first.putRun({ runId: 'r1', specText: 'version: 1', specHash: '00'.repeat(32), inputs: {}, seedHex: '00'.repeat(32), state: 'working', createdAt: 1, updatedAt: 2 })
    await first.appendRunEvent('r1', 0, { type: 'scheduled', at: 1 })
    await first.putBlob(sha256Hex(blob), blob)
    await first.putMemo('memo1:k', { stdout: 'x' })
    first.close()

    const second = await open(dir)
    expect(await second.loadIdentitySeed()).toEqual(seed)
    expect(await second.getModule(sha256Hex(module))).toEqual(module)
    expect((await second.listReceipts()).map(r => r.receipt.taskId)).toEqual(['t1'])
    expect(await second.loadState('q-router')).toEqual({ version: 1, entries: [['nlp', 'peer', 1.5]] })
    expect(await second.loadState('capability-index')).toEqual(new Uint8Array([1, 2, 3]))
    expect(await second.getChannel('c1')).toEqual(channel('c1', 1, 10))
    expect(await second.listPayments()).toEqual([payment('c1', 1, 10)])
    expect((await second.listAttestations()).map(r => r.attestation.witness)).toEqual(['w'])
    expect((await second.getTaskInput(receiptHash))?.files).toEqual([['f', new Uint8Array([8])]])
    expect((await second.getRun('r1'))?.state).toBe('working')
    expect(await second.listRunEvents('r1')).toEqual([{ type: 'scheduled', at: 1 }])
    await second.appendRunEvent('r1', 1, { type: 'started', at: 2 })
    expect(await second.getBlob(sha256Hex(blob))).toEqual(blob)
    expect(await second.getMemo('memo1:k')).toEqual({ stdout: 'x' })
    second.close()
  })

  it('keeps the seed in identity.key, owner-only, and refuses a damaged one rather than making a new identity', async () => {
    const dir = join(freshDir(), 'nested', '.zerostate')
    const store = await open(dir)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    await store.saveIdentitySeed(new Uint8Array(32).fill(3))
    const file = join(dir, IDENTITY_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file)).toEqual(Buffer.from(new Uint8Array(32).fill(3)))
    chmodSync(file, 0o644)
    await store.saveIdentitySeed(new Uint8Array(32).fill(4))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    writeFileSync(file, new Uint8Array(31))
    expect((await rejection(store.loadIdentitySeed())).name).toBe('IdentityFileError')
    store.close()
  })

  it('refuses a database of a newer schema, and leaves it and the lock alone', async () => {
    const dir = freshDir()
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    const err = await rejection(open(dir))
    expect(err.name).toBe('StoreVersionError')
    expect(err.message).toContain(`version ${SCHEMA_VERSION + 1}`)
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
    const again = new DatabaseSync(join(dir, DATABASE_FILE))
    expect(again.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION + 1 })
    again.close()
  })

  it('refuses a value it could not give back unchanged, and writes nothing of it', async () => {
    const store = await open(freshDir())
    expect((await rejection(store.saveState('reputation', { at: new Date(0) }))).name).toBe('UnstorableValueError')
    expect(await store.loadState('reputation')).toBeUndefined()
    const bad = { ...channel('c', 1, 1), extra: new Map() } as unknown as ChannelRecord
    expect((await rejection(store.saveChannel(bad, payment('c', 1, 1)))).name).toBe('UnstorableValueError')
    expect(await store.getChannel('c')).toBeUndefined()
    expect(await store.listPayments()).toEqual([])
    store.close()
  })
})

describe('SQLite store: schema version 2', () => {
  it('upgrades a version 1 database, keeping its rows, and adds the agent manifest table', async () => {
    const dir = freshDir()
    const first = await open(dir)
    await first.saveState('q-router', { kept: true })
    first.close()
    // Back to what version 1 left: no agent_manifests table, no receipts.payment (version 3), user_version 1.
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    db.exec('DROP TABLE agent_manifests; DROP INDEX receipts_by_payment; ALTER TABLE receipts DROP COLUMN payment; PRAGMA user_version = 1')
    db.close()
    const second = await open(dir)
    expect(await second.loadState('q-router')).toEqual({ kept: true })
    const manifest = { name: 'kept', signature: 'x' }
    const record = { hash: sha256Hex(new TextEncoder().encode(JSON.stringify(manifest))), manifest, storedAt: 1 }
    await second.putManifest(record)
    second.close()
    const third = await open(dir)
    expect(await third.listManifests()).toEqual([record])
    third.close()
    const check = new DatabaseSync(join(dir, DATABASE_FILE))
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION })
    check.close()
  })
})

describe('SQLite store: schema version 3', () => {
  it('upgrades a version 2 database: its receipts stay out of the owed ones (nothing says what they were owed), new ones do not', async () => {
    const dir = freshDir()
    const first = await open(dir)
    const receipt = (taskId: string) => ({ taskId, submitter: 's', executor: 'e' }) as unknown as Receipt
    await first.addReceipt({ receipt: receipt('kept'), role: 'submitter', label: 'kept', stdoutPreview: '', storedAt: 1 })
    first.close()
    // Back to what version 2 left: no payment column, user_version 2.
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    db.exec('DROP INDEX receipts_by_payment; ALTER TABLE receipts DROP COLUMN payment; PRAGMA user_version = 2')
    db.close()
    const second = await open(dir)
    expect((await second.listReceipts()).map(r => r.receipt.taskId)).toEqual(['kept'])
    expect(await second.listOwedReceipts()).toEqual([])
    await second.addReceipts([{ receipt: receipt('new'), role: 'submitter', label: 'new', stdoutPreview: '', storedAt: 2, payment: 'owed' }])
    expect((await second.listOwedReceipts()).map(r => r.receipt.taskId)).toEqual(['new'])
    second.close()
    const check = new DatabaseSync(join(dir, DATABASE_FILE))
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION })
    check.close()
    expect(SCHEMA_VERSION).toBe(3)
  })
})

describe('SQLite store: record JSON', () => {
  it('gives back bytes at any depth, and objects, arrays and strings as they were', () => {
    const value = { a: [1, 'two', null, true, { b: new Uint8Array([0, 255]) }], c: new Uint8Array(0), lone: '\ud800', skipped: undefined }
    const back = decodeRecord(encodeRecord(value))
    expect(back).toEqual({ a: [1, 'two', null, true, { b: new Uint8Array([0, 255]) }], c: new Uint8Array(0), lone: '\ud800' })
    expect((back as { c: unknown }).c).toBeInstanceOf(Uint8Array)
    expect(decodeRecord(encodeRecord(Buffer.from([1, 2])))).toEqual(new Uint8Array([1, 2]))
    expect(encodeRecord(undefined)).toBeNull()
    expect(decodeRecord(null)).toBeUndefined()
    // An object with more than the reserved key is just an object.
    expect(decodeRecord(encodeRecord({ $bytes: 'AA', other: 1 }))).toEqual({ $bytes: 'AA', other: 1 })
  })

  it('refuses what JSON would change: non-finite numbers, undefined in arrays, Map, Set, Date, other typed arrays, cycles, bigint, functions, the reserved key', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    for (const value of [Number.NaN, [undefined], new Map(), new Set(), new Date(0), new Uint16Array(1), new ArrayBuffer(1), cycle, 1n, () => 1, { $bytes: 'AA' }]) {
      expect(thrown(() => encodeRecord({ x: value })).name).toBe('UnstorableValueError')
    }
    // The same object twice, not in a cycle, is two copies.
    const shared = { n: 1 }
    expect(decodeRecord(encodeRecord([shared, shared]))).toEqual([{ n: 1 }, { n: 1 }])
  })
})

describe('SQLite store: one process per directory', () => {
  it('refuses a second store on the directory in this process, naming it, until the first closes', async () => {
    const dir = freshDir()
    const first = await open(dir)
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid))
    const err = await rejection(open(dir))
    expect(err.name).toBe('StoreLockedError')
    expect(err.message).toContain(`${dir} is in use by process ${process.pid}`)
    // The refused open did not disturb the first.
    await first.saveState('reputation', { n: 1 })
    first.close()
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
    const second = await open(dir)
    expect(await second.loadState('reputation')).toEqual({ n: 1 })
    second.close()
  })

  it('refuses another process while this one holds the directory', async () => {
    const dir = freshDir()
    const store = await open(dir)
    const { stdout, stderr } = await finished(runFixture('open-store.ts', dir))
    expect(stderr).toBe('')
    expect(JSON.parse(stdout)).toEqual({ name: 'StoreLockedError', message: `${dir} is in use by process ${process.pid}` })
    store.close()
    expect(JSON.parse((await finished(runFixture('open-store.ts', dir))).stdout)).toEqual({ opened: true })
  }, 30_000)

  it('takes over a lock file its holder left behind: the OS lock died with it', async () => {
    const dir = freshDir()
    // A pid that is no longer alive: a child that has exited.
    const child = spawn(process.execPath, ['-e', ''])
    await new Promise(resolve => child.on('close', resolve))
    writeFileSync(join(dir, LOCK_FILE), `${child.pid}\n`)
    const store = await open(dir)
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid))
    store.close()
    // Nor does a live pid in the file keep anyone out (a reused pid, or a copied directory): only the OS lock does.
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`)
    const again = await open(dir)
    again.close()
  }, 30_000)
})

describe('SQLite store: a SIGKILL mid-payment', () => {
  const CHANNEL_ID = 'kill-9'

  /** Runs the channel writer until it has acked `acks` more payments (and a little longer), kills it, and returns the last payment it acked. */
  async function killMidPayment (dir: string, acks: number, extraMs: number): Promise<number> {
    const child = runFixture('channel-writer.ts', dir)
    const done = finished(child)
    let start: number | undefined
    let last = -1
    let buffered = ''
    let killing = false
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const [word, n] = line.split(' ')
        if (word === 'ready') start = Number(n)
        if (word === 'acked') last = Number(n)
      }
      if (start !== undefined && last >= start + acks && !killing) {
        killing = true
        setTimeout(() => child.kill('SIGKILL'), extraMs)
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const { stdout, stderr, signal } = await done
    clearTimeout(timer)
    expect(stderr).toBe('')
    expect(signal).toBe('SIGKILL')
    // Every line the child printed, read to the end of the pipe: the last ack is in it.
    const acked = stdout.split('\n').filter(line => line.startsWith('acked ')).map(line => Number(line.slice(6)))
    expect(acked.length).toBeGreaterThanOrEqual(acks)
    return acked.at(-1)!
  }

  it('keeps the last acknowledged state and payment, signed and whole, through three kills', async () => {
    const dir = freshDir()
    for (const extraMs of [0, 3, 7]) {
      const lastAcked = await killMidPayment(dir, 20, extraMs)
      const store = await open(dir)
      const stored = await store.getChannel(CHANNEL_ID)
      const sequence = stored!.latest.state.sequence
      // The next payment may have been written but not yet printed when the kill came; never one less.
      expect(sequence === lastAcked || sequence === lastAcked + 1).toBe(true)
      expect(() => verifyState(stored!.latest)).not.toThrow()
      const payments = await store.listPayments()
      expect(payments.map(p => p.sequence)).toEqual(Array.from({ length: sequence }, (_, i) => sequence - i))
      expect(payments[0]!.state).toEqual(stored!.latest)
      // A pending payment, if the kill came between its two writes, is the one after the latest.
      if (stored!.pending !== undefined) expect(stored!.pending.state.state.sequence).toBe(sequence + 1)
      store.close()
      const db = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true })
      expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
      db.close()
    }
  }, 120_000)
})

describe('defaultStoreDir', () => {
  it('is ~/.zerostate unless ZEROSTATE_HOME names another directory', () => {
    expect(defaultStoreDir({})).toBe(join(homedir(), '.zerostate'))
    expect(defaultStoreDir({ ZEROSTATE_HOME: '' })).toBe(join(homedir(), '.zerostate'))
    expect(defaultStoreDir({ ZEROSTATE_HOME: '/srv/peer' })).toBe('/srv/peer')
    expect(defaultStoreDir({ ZEROSTATE_HOME: 'relative/peer' })).toBe(resolve('relative/peer'))
  })
})
