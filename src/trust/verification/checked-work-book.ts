/**
 * What a submitter has checked of each executor's work, pure: no I/O, the
 * clock injected. Only checks are recorded — a confirmation or a
 * contradiction — and there is deliberately no way to record an unchecked
 * success: a cheat that was never checked looks exactly like honest work,
 * so counting it would let a cheater buy trust with the very results it
 * falsifies. The ReputationBook (trust/reputation) still keeps every outcome,
 * and its failures count against a peer; this book is what verification
 * (policy.ts), the choice of checkers and the ranking of executors
 * (standing.ts) trust a peer by.
 *
 * @example
 * const book = new CheckedWorkBook({ now: () => Date.now() })
 * const decision = decideVerification(book.record(executor), { value }, Math.random(), Date.now())
 * // …after the check landed:
 * agreed ? book.confirm(executor) : book.contradict(executor)
 */
import { CHECKED_WORK_BOOK_VERSION, DEFAULT_MAX_CHECKED_PEERS, MAX_CHECKED_PEER_KEY_LENGTH, MAX_CHECKED_PEERS } from './constants.ts'
import { InvalidCheckedPeerKeyError, InvalidCheckedWorkBookError, InvalidVerificationPolicyError } from './errors.ts'
import type { CheckedRecord } from './policy.ts'

export interface CheckedWorkBookOptions {
  /** The current time in ms. Required: the book has no clock of its own. */
  now: () => number
  /** Peers remembered, 1 to MAX_CHECKED_PEERS; beyond it the least recently checked peer never contradicted is forgotten. Default 4096. */
  maxPeers?: number
}

export interface CheckedWorkBookJSON {
  version: typeof CHECKED_WORK_BOOK_VERSION
  peers: Array<{ peerId: string, confirmed: number, contradicted: number, lastCheckedAt: number }>
}

interface Entry {
  confirmed: number
  contradicted: number
  lastCheckedAt: number
}

export class CheckedWorkBook {
  private readonly now: () => number
  private readonly maxPeers: number
  private readonly entries = new Map<string, Entry>()

  constructor (options: CheckedWorkBookOptions) {
    if (typeof options?.now !== 'function') throw new InvalidVerificationPolicyError('now must be a function')
    this.now = options.now
    this.maxPeers = options.maxPeers ?? DEFAULT_MAX_CHECKED_PEERS
    if (!Number.isSafeInteger(this.maxPeers) || this.maxPeers < 1 || this.maxPeers > MAX_CHECKED_PEERS) {
      throw new InvalidVerificationPolicyError(`maxPeers must be 1 to ${MAX_CHECKED_PEERS}`)
    }
  }

  /** A check confirmed `peerId`'s result. */
  confirm (peerId: string): CheckedRecord {
    return this.add(peerId, 1, 0)
  }

  /** A check (and the arbitration after it) contradicted `peerId`'s result. */
  contradict (peerId: string): CheckedRecord {
    return this.add(peerId, 0, 1)
  }

  /** What has been checked of `peerId`: zero counts for a peer never checked. */
  record (peerId: string): CheckedRecord {
    checkKey(peerId)
    const entry = this.entries.get(peerId)
    return entry === undefined ? { confirmed: 0, contradicted: 0 } : { ...entry }
  }

  /** Peers with a record, in no particular order. */
  peers (): string[] {
    return [...this.entries.keys()]
  }

  toJSON (): CheckedWorkBookJSON {
    return { version: CHECKED_WORK_BOOK_VERSION, peers: [...this.entries].map(([peerId, e]) => ({ peerId, ...e })) }
  }

  /** Rebuilds a book from `toJSON()` output; throws InvalidCheckedWorkBookError on anything else. */
  static fromJSON (json: unknown, options: CheckedWorkBookOptions): CheckedWorkBook {
    const book = new CheckedWorkBook(options)
    const fail = (message: string): never => { throw new InvalidCheckedWorkBookError(message) }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not an object')
    const { version, peers } = json as Partial<Record<keyof CheckedWorkBookJSON, unknown>>
    if (version !== CHECKED_WORK_BOOK_VERSION) fail(`unsupported version ${String(version)}`)
    if (!Array.isArray(peers)) return fail('peers is not an array')
    if (peers.length > book.maxPeers) fail(`more than ${book.maxPeers} peers`)
    const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0
    for (const raw of peers as unknown[]) {
      if (typeof raw !== 'object' || raw === null) fail('peer is not an object')
      const p = raw as Record<string, unknown>
      if (!isKey(p.peerId)) fail('bad peerId')
      if (book.entries.has(p.peerId as string)) fail('duplicate peer')
      if (!count(p.confirmed) || !count(p.contradicted)) fail('bad counts')
      if (typeof p.lastCheckedAt !== 'number' || !Number.isFinite(p.lastCheckedAt)) fail('bad lastCheckedAt')
      book.entries.set(p.peerId as string, { confirmed: p.confirmed as number, contradicted: p.contradicted as number, lastCheckedAt: p.lastCheckedAt as number })
    }
    return book
  }

  private add (peerId: string, confirmed: number, contradicted: number): CheckedRecord {
    checkKey(peerId)
    const entry = this.entries.get(peerId)
    if (entry === undefined) this.makeRoom()
    const next = {
      confirmed: (entry?.confirmed ?? 0) + confirmed,
      contradicted: (entry?.contradicted ?? 0) + contradicted,
      lastCheckedAt: this.now()
    }
    // Re-inserted: the map's order is the order of the last check, oldest first.
    this.entries.delete(peerId)
    this.entries.set(peerId, next)
    return { ...next }
  }

  /** Forgets the least recently checked peer never contradicted (a caught cheat is remembered longest) when the book is full. */
  private makeRoom (): void {
    if (this.entries.size < this.maxPeers) return
    let victim: string | undefined
    for (const [peerId, e] of this.entries) {
      if (e.contradicted === 0) { victim = peerId; break }
    }
    this.entries.delete(victim ?? this.entries.keys().next().value as string)
  }
}

function isKey (value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_CHECKED_PEER_KEY_LENGTH
}

function checkKey (value: unknown): void {
  if (!isKey(value)) throw new InvalidCheckedPeerKeyError(`peer key must be a string of 1 to ${MAX_CHECKED_PEER_KEY_LENGTH} characters`)
}
