/**
 * Argument checks and errors shared by every PeerStore implementation, so
 * each backend rejects exactly the same inputs in exactly the same way.
 */
import { assertSha256Hex, isSha256Hex } from '../core/index.ts'
import type { ReceiptRecord, StateKey } from './types.ts'

/** Thrown when a PeerStore method is called after `close()`, or after the browser closed the database under it. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError'
}

const SEED_LENGTH = 32

export function checkSeed (seed: unknown): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array)) throw new TypeError('seed must be a Uint8Array')
  if (seed.length !== SEED_LENGTH) throw new RangeError(`seed must be ${SEED_LENGTH} bytes, got ${seed.length}`)
}

export function checkModuleHash (hash: unknown): asserts hash is string {
  if (typeof hash !== 'string') throw new TypeError('module hash must be a string')
  if (!isSha256Hex(hash)) throw new RangeError('module hash must be 64 lowercase hex digits')
}

/** Modules are content-addressed: refuse to file bytes under a hash that is not theirs. */
export function checkModule (hash: unknown, bytes: unknown): asserts bytes is Uint8Array {
  checkModuleHash(hash)
  if (!(bytes instanceof Uint8Array)) throw new TypeError('module bytes must be a Uint8Array')
  assertSha256Hex(bytes, hash)
}

const STATE_KEYS: ReadonlySet<string> = new Set<StateKey>(['q-router', 'capability-index', 'agent-cards', 'reputation'])

export function checkStateKey (key: unknown): asserts key is StateKey {
  if (typeof key !== 'string' || !STATE_KEYS.has(key)) throw new RangeError(`unknown state key ${String(key)}`)
}

export function checkRecord (record: ReceiptRecord): void {
  if (typeof record !== 'object' || record === null) throw new TypeError('record must be an object')
  if (typeof record.receipt?.taskId !== 'string') throw new TypeError('record.receipt.taskId must be a string')
  if (record.role !== 'submitter' && record.role !== 'executor') throw new RangeError('record.role must be "submitter" or "executor"')
  if (!Number.isFinite(record.storedAt)) throw new RangeError('record.storedAt must be a finite number')
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
