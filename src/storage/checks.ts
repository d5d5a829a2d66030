/**
 * Argument checks and errors shared by every PeerStore implementation, so
 * each backend rejects exactly the same inputs in exactly the same way.
 */
import { assertBytes, assertSha256Hex, canonicalize, isSha256Hex, nameError, sha256Hex, utf8ToBytes } from '../core/index.ts'
import type { ReceiptPayment } from '../receipts/history.ts'
import type { ReceiptRecord, StateKey, StoredAgentManifest, StoredAttestation, StoredChannel, StoredPayment, StoredTaskInput } from './types.ts'

/** Thrown when a PeerStore method is called after `close()`, or after the browser closed the database under it. */
export class StoreClosedError extends Error {
  static { nameError(this, 'StoreClosedError') }
}

const SEED_LENGTH = 32

export function checkSeed (seed: unknown): asserts seed is Uint8Array {
  assertBytes(seed, 'seed', SEED_LENGTH)
}

export function checkModuleHash (hash: unknown): asserts hash is string {
  if (typeof hash !== 'string') throw new TypeError('module hash must be a string')
  if (!isSha256Hex(hash)) throw new RangeError('module hash must be 64 lowercase hex digits')
}

/** Modules are content-addressed: refuse to file bytes under a hash that is not theirs. */
export function checkModule (hash: unknown, bytes: unknown): asserts bytes is Uint8Array {
  checkModuleHash(hash)
  assertBytes(bytes, 'module bytes')
  assertSha256Hex(bytes, hash)
}

const STATE_KEYS: ReadonlySet<string> = new Set<StateKey>(['q-router', 'capability-index', 'agent-cards', 'reputation', 'reputation-policy', 'checked-work'])

export function checkStateKey (key: unknown): asserts key is StateKey {
  if (typeof key !== 'string' || !STATE_KEYS.has(key)) throw new RangeError(`unknown state key ${String(key)}`)
}

export function checkRecord (record: ReceiptRecord): void {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object')
  if (typeof record.receipt?.taskId !== 'string') throw new TypeError('record.receipt.taskId must be a string')
  if (record.role !== 'submitter' && record.role !== 'executor') throw new RangeError('record.role must be "submitter" or "executor"')
  if (!Number.isFinite(record.storedAt)) throw new RangeError('record.storedAt must be a finite number')
  if (record.payment !== undefined && !RECEIPT_PAYMENTS.has(record.payment)) throw new RangeError(`record.payment must be one of ${[...RECEIPT_PAYMENTS].join(', ')}`)
}

const RECEIPT_PAYMENTS: ReadonlySet<string> = new Set<ReceiptPayment>(['owed', 'paid', 'withheld'])

/** Oldest first; ties by storedAt fall back to (taskId, role), ascending: listOwedReceipts' order. */
export function compareOldestFirst (a: ReceiptRecord, b: ReceiptRecord): number {
  return compareNewestFirst(b, a)
}

/** `listReceipts` limit: a non-negative integer, or undefined for all records. */
export function checkLimit (limit: unknown): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError('limit must be a non-negative integer')
  }
  return limit
}

/**
 * Newest first; ties by storedAt fall back to (taskId, role), descending.
 * This is the order of an IndexedDB cursor walking the storedAt index
 * backwards ('prev'), which the in-memory store reproduces with it.
 */
export function compareNewestFirst (a: ReceiptRecord, b: ReceiptRecord): number {
  return compareDesc(a.storedAt, b.storedAt) || compareDesc(a.receipt.taskId, b.receipt.taskId) || compareDesc(a.role, b.role)
}

function compareDesc<T extends number | string> (a: T, b: T): number {
  return a < b ? 1 : a > b ? -1 : 0
}

const CHANNEL_STATUSES: ReadonlySet<string> = new Set<StoredChannel['status']>(['open', 'closing', 'settled'])

export function checkChannelRecord (channel: StoredChannel, payment: StoredPayment | undefined): void {
  if (typeof channel !== 'object' || channel === null) throw new TypeError('channel must be an object')
  if (typeof channel.channelId !== 'string' || channel.channelId === '') throw new TypeError('channel.channelId must be a non-empty string')
  if (channel.latest?.state?.channelId !== channel.channelId) throw new RangeError('channel.latest must be a state of channel.channelId')
  if (!CHANNEL_STATUSES.has(channel.status)) throw new RangeError('channel.status must be open, closing or settled')
  if (!Number.isFinite(channel.updatedAt)) throw new RangeError('channel.updatedAt must be a finite number')
  if (payment === undefined) return
  if (payment.channelId !== channel.channelId) throw new RangeError('payment.channelId must be the channel\'s')
  if (!Number.isSafeInteger(payment.sequence) || payment.sequence < 0) throw new RangeError('payment.sequence must be a non-negative integer')
  if (!Number.isFinite(payment.at)) throw new RangeError('payment.at must be a finite number')
}

export function checkAttestationRecord (record: StoredAttestation): void {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object')
  if (typeof record.attestation?.receiptHash !== 'string' || typeof record.attestation?.witness !== 'string') {
    throw new TypeError('record.attestation must name a receiptHash and a witness')
  }
  if (!Number.isFinite(record.receivedAt)) throw new RangeError('record.receivedAt must be a finite number')
}

/**
 * Newest first by `timeOf`; ties by the record's primary key, descending —
 * the order of an IndexedDB cursor walking a time index backwards ('prev'),
 * which the in-memory store reproduces with it. Keys here are pairs of
 * strings or of a string and a number, compared member by member.
 */
export function newestFirst<T> (timeOf: (value: T) => number, keyOf: (value: T) => [string, string | number]): (a: T, b: T) => number {
  return (a, b) => {
    const [ka, kb] = [keyOf(a), keyOf(b)]
    return compareDesc(timeOf(a), timeOf(b)) || compareDesc(ka[0], kb[0]) || compareDesc(ka[1], kb[1])
  }
}

export const paymentKey = (payment: StoredPayment): [string, number] => [payment.channelId, payment.sequence]
export const attestationKey = (record: StoredAttestation): [string, string] => [record.attestation.receiptHash, record.attestation.witness]

export function checkTaskInput (record: StoredTaskInput, keep: number): void {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object')
  if (!isSha256Hex(record.receiptHash)) throw new RangeError('record.receiptHash must be 64 lowercase hex digits')
  if (!(record.stdin instanceof Uint8Array) || !Array.isArray(record.files)) throw new TypeError('record.stdin must be bytes and record.files a list')
  if (!Number.isFinite(record.storedAt)) throw new RangeError('record.storedAt must be a finite number')
  if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError('keep must be a positive integer')
}

/** Thrown when a run's event would not follow the last one stored: one already at its place, or a gap. */
export class RunLogConflictError extends Error {
  static { nameError(this, 'RunLogConflictError') }
}

export function checkRunEvent (runId: unknown, seq: unknown): void {
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 128) throw new TypeError('runId must be a string of 1–128 characters')
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) throw new RangeError('an event\'s seq must be a whole number from 0')
}

export function checkMemoKey (key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) throw new TypeError('a memo key must be a string of 1–256 characters')
}

/**
 * A manifest record is content-addressed: its `hash` must be the SHA-256 of
 * the manifest's RFC 8785 canonical form (what agentManifestHash computes),
 * so no record can be filed under another manifest's hash.
 */
export function checkManifestRecord (record: StoredAgentManifest): void {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object')
  checkManifestHash(record.hash)
  if (typeof record.manifest !== 'object' || record.manifest === null) throw new TypeError('record.manifest must be an object')
  if (!Number.isFinite(record.storedAt)) throw new RangeError('record.storedAt must be a finite number')
  if (sha256Hex(utf8ToBytes(canonicalize(record.manifest))) !== record.hash) {
    throw new RangeError('record.hash must be the SHA-256 of the manifest\'s canonical form')
  }
}

export function checkManifestHash (hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || !isSha256Hex(hash)) throw new RangeError('a manifest hash must be 64 lowercase hex digits')
}

/** Oldest storedAt first, ties by hash ascending. */
export function compareOldestManifestFirst (a: StoredAgentManifest, b: StoredAgentManifest): number {
  return a.storedAt - b.storedAt || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)
}
