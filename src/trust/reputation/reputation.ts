/**
 * A peer's reputation as this node has observed it, pure: no I/O, and the
 * clock is injected.
 *
 * Each peer has a score in [0, 1], an exponential moving average of the
 * values of its outcomes (OUTCOME_VALUES), where an outcome of weight w
 * counts as w ordinary steps: s ← v + (s − v)·(1 − α)^w. Between
 * observations the distance from neutral halves every `halfLifeMs`
 * (s(t) = ½ + (s − ½)·2^(−Δt / halfLife)), so old sins and old merits fade
 * — the same stale-decay the Q-router uses (Boyan & Littman 1994 had none;
 * a mesh of browser tabs churns).
 *
 * A bad outcome that leaves the score below `blacklistThreshold` blacklists
 * the peer for `blacklistMs`. The blacklist expires by itself; afterwards the
 * peer earns its way back with good work, and is blacklisted again only by
 * another bad outcome while still below the threshold. Whitelisted peers are
 * never blacklisted.
 *
 * @example
 * const book = new ReputationBook({ now: () => Date.now() })
 * book.record(peerId, 'success')
 * if (!book.isBlacklisted(peerId)) offer(peerId, book.score(peerId))
 */
import {
  DEFAULT_BLACKLIST_MS, DEFAULT_BLACKLIST_THRESHOLD, DEFAULT_HALF_LIFE_MS, DEFAULT_HISTORY_LENGTH, DEFAULT_LEARNING_RATE,
  DEFAULT_MAX_PEERS, MAX_HISTORY_LENGTH, MAX_PEER_KEY_LENGTH, MAX_PEERS, MAX_WHITELIST, NEUTRAL_SCORE, OUTCOME_VALUES,
  OUTCOME_WEIGHTS, OUTCOMES, REPUTATION_BOOK_VERSION
} from './constants.ts'
import type { Outcome } from './constants.ts'
import {
  InvalidOutcomeError, InvalidPeerKeyError, InvalidReputationBookError, InvalidReputationOptionsError, WhitelistFullError
} from './errors.ts'

export interface ReputationBookOptions {
  /** The current time in ms. Required: the book has no clock of its own. */
  now: () => number
  /** α per unit of outcome weight, in (0, 1]. Default 0.1. */
  learningRate?: number
  /** Half-life (ms) of a score's distance from neutral. Default 7 days. */
  halfLifeMs?: number
  /** A bad outcome leaving the score below this blacklists the peer; in [0, 1]. Default 0.3. */
  blacklistThreshold?: number
  /** How long (ms) a blacklisting lasts. Default 24 h. */
  blacklistMs?: number
  /** Outcomes kept per peer, 1 to MAX_HISTORY_LENGTH. Default 20. */
  historyLength?: number
  /** Peers remembered, 1 to MAX_PEERS; beyond it the least recently observed peer not blacklisted is forgotten. Default 4096. */
  maxPeers?: number
}

/** One observed outcome. */
export interface OutcomeRecord {
  outcome: Outcome
  /** `now()` when it was recorded. */
  at: number
}

export interface PeerReputationJSON {
  peerId: string
  /** The score right after the last record, before decay. */
  score: number
  /** `now()` of the last record. */
  at: number
  /** End of the current or last blacklisting, or null if never blacklisted. */
  blacklistedUntil: number | null
  /** Oldest first. */
  history: OutcomeRecord[]
}

export interface ReputationBookJSON {
  version: typeof REPUTATION_BOOK_VERSION
  peers: PeerReputationJSON[]
  whitelist: string[]
}

interface Entry {
  score: number
  at: number
  blacklistedUntil: number | null
  history: OutcomeRecord[]
}

export class ReputationBook {
  private readonly now: () => number
  private readonly learningRate: number
  private readonly halfLifeMs: number
  private readonly blacklistThreshold: number
  private readonly blacklistMs: number
  private readonly historyLength: number
  private readonly maxPeers: number
  private readonly entries = new Map<string, Entry>()
  private readonly whitelist = new Set<string>()

  constructor (options: ReputationBookOptions) {
    if (typeof options?.now !== 'function') throw new InvalidReputationOptionsError('now must be a function')
    this.now = options.now
    this.learningRate = options.learningRate ?? DEFAULT_LEARNING_RATE
    this.halfLifeMs = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS
    this.blacklistThreshold = options.blacklistThreshold ?? DEFAULT_BLACKLIST_THRESHOLD
    this.blacklistMs = options.blacklistMs ?? DEFAULT_BLACKLIST_MS
    this.historyLength = options.historyLength ?? DEFAULT_HISTORY_LENGTH
    this.maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS
    if (!(this.learningRate > 0 && this.learningRate <= 1)) throw new InvalidReputationOptionsError('learningRate must be in (0, 1]')
    if (!(this.halfLifeMs > 0 && Number.isFinite(this.halfLifeMs))) throw new InvalidReputationOptionsError('halfLifeMs must be finite and > 0')
    if (!(this.blacklistThreshold >= 0 && this.blacklistThreshold <= 1)) {
      throw new InvalidReputationOptionsError('blacklistThreshold must be in [0, 1]')
    }
    if (!(this.blacklistMs >= 0 && Number.isFinite(this.blacklistMs))) throw new InvalidReputationOptionsError('blacklistMs must be finite and ≥ 0')
    if (!isCount(this.historyLength, MAX_HISTORY_LENGTH)) throw new InvalidReputationOptionsError(`historyLength must be 1 to ${MAX_HISTORY_LENGTH}`)
    if (!isCount(this.maxPeers, MAX_PEERS)) throw new InvalidReputationOptionsError(`maxPeers must be 1 to ${MAX_PEERS}`)
  }

  /**
   * Records one outcome of `peerId`'s work and returns its new score. A
   * `proven` wrong result — a signed receipt that independent re-executions
   * contradict — is fraud rather than bad luck, so it blacklists at once
   * whatever the score (unless the peer is whitelisted).
   */
  record (peerId: string, outcome: Outcome, options: { proven?: boolean } = {}): number {
    checkKey(peerId)
    if (!(OUTCOMES as readonly unknown[]).includes(outcome)) throw new InvalidOutcomeError(`unknown outcome ${String(outcome)}`)
    const now = this.now()
    const entry = this.entries.get(peerId)
    const before = entry === undefined ? NEUTRAL_SCORE : this.decayed(entry, now)
    const value = OUTCOME_VALUES[outcome]
    const score = value + (before - value) * (1 - this.learningRate) ** OUTCOME_WEIGHTS[outcome]
    const history = entry?.history ?? []
    history.push({ outcome, at: now })
    if (history.length > this.historyLength) history.splice(0, history.length - this.historyLength)
    let blacklistedUntil = entry?.blacklistedUntil ?? null
    // Only an outcome that lowered the score blacklists: good work after an expiry is recovery, not a new offence.
    const fraud = options.proven === true && outcome === 'wrong-result'
    if (((score < before && score < this.blacklistThreshold) || fraud) && !this.whitelist.has(peerId)) blacklistedUntil = now + this.blacklistMs
    if (entry === undefined) this.makeRoom(now)
    this.entries.set(peerId, { score, at: now, blacklistedUntil, history })
    return score
  }

  /** The score of `peerId` now, in [0, 1]; NEUTRAL_SCORE (0.5) for a peer never observed. */
  score (peerId: string): number {
    checkKey(peerId)
    const entry = this.entries.get(peerId)
    return entry === undefined ? NEUTRAL_SCORE : this.decayed(entry, this.now())
  }

  /**
   * What `aggregateReports` should take as this node's trust in `peerId`:
   * undefined for a peer never observed nor whitelisted (its reports count for
   * nothing), 0 while it is blacklisted, its score otherwise.
   */
  trustOf (peerId: string): number | undefined {
    checkKey(peerId)
    if (!this.entries.has(peerId) && !this.whitelist.has(peerId)) return undefined
    return this.isBlacklisted(peerId) ? 0 : this.score(peerId)
  }

  /** Whether `peerId` is blacklisted now. */
  isBlacklisted (peerId: string): boolean {
    checkKey(peerId)
    if (this.whitelist.has(peerId)) return false
    const until = this.entries.get(peerId)?.blacklistedUntil
    return until !== undefined && until !== null && this.now() < until
  }

  /** The last outcomes of `peerId` (at most `historyLength`), oldest first. */
  history (peerId: string): OutcomeRecord[] {
    checkKey(peerId)
    return (this.entries.get(peerId)?.history ?? []).map(record => ({ ...record }))
  }

  /** Whitelists `peerId`: it is never blacklisted, and a current blacklisting is lifted. */
  allow (peerId: string): void {
    checkKey(peerId)
    if (!this.whitelist.has(peerId) && this.whitelist.size >= MAX_WHITELIST) {
      throw new WhitelistFullError(`the whitelist holds at most ${MAX_WHITELIST} peers`)
    }
    this.whitelist.add(peerId)
    const entry = this.entries.get(peerId)
    if (entry !== undefined) entry.blacklistedUntil = null
  }

  /** Removes `peerId` from the whitelist. */
  disallow (peerId: string): void {
    checkKey(peerId)
    this.whitelist.delete(peerId)
  }

  isWhitelisted (peerId: string): boolean {
    checkKey(peerId)
    return this.whitelist.has(peerId)
  }

  /** Peers with a record, in no particular order. */
  peers (): string[] {
    return [...this.entries.keys()]
  }

  toJSON (): ReputationBookJSON {
    const peers: PeerReputationJSON[] = []
    for (const [peerId, e] of this.entries) {
      peers.push({ peerId, score: e.score, at: e.at, blacklistedUntil: e.blacklistedUntil, history: e.history.map(h => ({ ...h })) })
    }
    return { version: REPUTATION_BOOK_VERSION, peers, whitelist: [...this.whitelist] }
  }

  /** Rebuilds a book from `toJSON()` output under `options`; throws InvalidReputationBookError on anything else. */
  static fromJSON (json: unknown, options: ReputationBookOptions): ReputationBook {
    const book = new ReputationBook(options)
    const fail = (message: string): never => { throw new InvalidReputationBookError(message) }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not an object')
    const { version, peers, whitelist } = json as Partial<Record<keyof ReputationBookJSON, unknown>>
    if (version !== REPUTATION_BOOK_VERSION) fail(`unsupported version ${String(version)}`)
    if (!Array.isArray(peers)) return fail('peers is not an array')
    if (peers.length > book.maxPeers) fail(`more than ${book.maxPeers} peers`)
    if (!Array.isArray(whitelist)) return fail('whitelist is not an array')
    if (whitelist.length > MAX_WHITELIST) fail(`more than ${MAX_WHITELIST} whitelisted peers`)
    for (const peerId of whitelist as unknown[]) {
      if (!isKey(peerId)) fail('bad whitelisted peer')
      if (book.whitelist.has(peerId as string)) fail('duplicate whitelisted peer')
      book.whitelist.add(peerId as string)
    }
    for (const raw of peers as unknown[]) {
      if (typeof raw !== 'object' || raw === null) fail('peer is not an object')
      const p = raw as Partial<Record<keyof PeerReputationJSON, unknown>>
      if (!isKey(p.peerId)) fail('bad peerId')
      if (book.entries.has(p.peerId as string)) fail('duplicate peer')
      if (typeof p.score !== 'number' || !(p.score >= 0 && p.score <= 1)) fail('bad score')
      if (!isTime(p.at)) fail('bad at')
      if (p.blacklistedUntil !== null && !isTime(p.blacklistedUntil)) fail('bad blacklistedUntil')
      if (!Array.isArray(p.history)) return fail('history is not an array')
      if (p.history.length > book.historyLength) fail(`more than ${book.historyLength} history entries`)
      const history: OutcomeRecord[] = []
      for (const h of p.history as unknown[]) {
        if (typeof h !== 'object' || h === null) fail('history entry is not an object')
        const { outcome, at } = h as Partial<Record<keyof OutcomeRecord, unknown>>
        if (!(OUTCOMES as readonly unknown[]).includes(outcome)) fail('bad outcome')
        if (!isTime(at)) fail('bad history time')
        history.push({ outcome: outcome as Outcome, at: at as number })
      }
      book.entries.set(p.peerId as string, {
        score: p.score as number, at: p.at as number, blacklistedUntil: p.blacklistedUntil as number | null, history
      })
    }
    return book
  }

  /** The entry's score at `now`: its distance from neutral halves every halfLifeMs. */
  private decayed (entry: Entry, now: number): number {
    const elapsed = Math.max(0, now - entry.at) // a clock that stepped back does not un-decay
    return NEUTRAL_SCORE + (entry.score - NEUTRAL_SCORE) * 2 ** (-elapsed / this.halfLifeMs)
  }

  /** Forgets the least recently observed peer not blacklisted (any peer, if all are) when the book is full. */
  private makeRoom (now: number): void {
    if (this.entries.size < this.maxPeers) return
    let victim: string | undefined
    let victimAt = Infinity
    let fallback: string | undefined
    let fallbackAt = Infinity
    for (const [peerId, e] of this.entries) {
      if (e.at < fallbackAt) { fallback = peerId; fallbackAt = e.at }
      const blacklisted = e.blacklistedUntil !== null && now < e.blacklistedUntil
      if (!blacklisted && e.at < victimAt) { victim = peerId; victimAt = e.at }
    }
    const gone = victim ?? fallback
    if (gone !== undefined) this.entries.delete(gone)
  }
}

function isKey (value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_PEER_KEY_LENGTH
}

function checkKey (value: unknown): void {
  if (!isKey(value)) throw new InvalidPeerKeyError(`peer key must be a string of 1 to ${MAX_PEER_KEY_LENGTH} characters`)
}

function isTime (value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function isCount (value: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= 1 && value <= max
}
