/**
 * What this tab believes about the peers that announced themselves: the
 * newest announcement of each, for PRESENCE_TTL_MS after it arrived.
 *
 * Pure (the clock is given) and bounded: an announcement is only a claim —
 * anyone can sign one for an identity no node runs — so the directory holds
 * at most `maxEntries` peers, of which at most `maxUnproven` have never been
 * shown real (a connection authenticated to their PeerId). A new unproven
 * peer past that bound replaces the unproven peer heard from least recently;
 * proven peers are never pushed out by claims. Silent peers expire.
 *
 * @example
 * const directory = new PresenceDirectory({ now: Date.now })
 * if (directory.offer(record, { proven: isConnected(record.peerId) }) === 'accepted') upgrade(record.peerId)
 * setInterval(() => { directory.prune() }, PRESENCE_INTERVAL_MS)
 */
import { MAX_DIRECTORY_ENTRIES, MAX_UNPROVEN_ENTRIES, PRESENCE_TTL_MS } from './constants.ts'
import type { PresenceRecord } from './index.ts'

export interface PresenceDirectoryInit {
  /** Unix epoch milliseconds: when an announcement arrives and when it expires are read from it. */
  now(): number
  /** Most peers held; default MAX_DIRECTORY_ENTRIES. */
  maxEntries?: number
  /** Most peers held that were never shown real; default MAX_UNPROVEN_ENTRIES. */
  maxUnproven?: number
  /** A peer not heard from for longer is forgotten; default PRESENCE_TTL_MS. */
  ttlMs?: number
}

/** `stale`: not newer than the announcement held; `capacity`: full of proven peers. */
export type DirectoryOffer = 'accepted' | 'stale' | 'capacity'

export interface PresenceDirectoryStats {
  size: number
  unproven: number
  max: number
  maxUnproven: number
  accepted: number
  stale: number
  capacity: number
  /** Unproven peers pushed out by newer claims. */
  evicted: number
  /** Peers forgotten after going silent. */
  expired: number
}

interface Entry {
  record: PresenceRecord
  proven: boolean
}

export class PresenceDirectory {
  /** In order of the last announcement heard, oldest first. */
  private readonly entries = new Map<string, Entry>()
  private readonly now: () => number
  private readonly maxEntries: number
  private readonly maxUnproven: number
  private readonly ttlMs: number
  private unprovenCount = 0
  private readonly counters = { accepted: 0, stale: 0, capacity: 0, evicted: 0, expired: 0 }

  constructor (init: PresenceDirectoryInit) {
    this.now = init.now
    this.maxEntries = positiveInteger(init.maxEntries ?? MAX_DIRECTORY_ENTRIES, 'maxEntries')
    this.maxUnproven = positiveInteger(init.maxUnproven ?? MAX_UNPROVEN_ENTRIES, 'maxUnproven')
    this.ttlMs = init.ttlMs ?? PRESENCE_TTL_MS
  }

  /**
   * Keeps `record` if it is newer than what is held for its peer. `proven`:
   * the peer is connected now (its PeerId authenticated), so it is real.
   */
  offer (record: PresenceRecord, options: { proven: boolean }): DirectoryOffer {
    const held = this.entries.get(record.peerId)
    if (held !== undefined && this.fresh(held) && held.record.sentAt >= record.sentAt) {
      this.counters.stale++
      return 'stale'
    }
    if (held === undefined) {
      this.prune()
      const proven = options.proven
      const full = this.entries.size >= this.maxEntries
      const unprovenFull = !proven && this.unprovenCount >= this.maxUnproven
      if ((full || unprovenFull) && !this.evictOneUnproven()) {
        this.counters.capacity++
        return 'capacity'
      }
    } else {
      this.entries.delete(record.peerId)
    }
    const proven = options.proven || (held?.proven ?? false)
    if (!proven) this.unprovenCount++
    if (held !== undefined && !held.proven) this.unprovenCount--
    this.entries.set(record.peerId, { record, proven })
    this.counters.accepted++
    return 'accepted'
  }

  /** The peer's last announcement, while fresh. */
  get (peerId: string): PresenceRecord | undefined {
    const entry = this.entries.get(peerId)
    return entry !== undefined && this.fresh(entry) ? entry.record : undefined
  }

  /** Whether the peer was shown real since it was first heard. */
  isProven (peerId: string): boolean {
    return this.entries.get(peerId)?.proven === true
  }

  /** The peer completed an authenticated connection: it exists. */
  markProven (peerId: string): void {
    const entry = this.entries.get(peerId)
    if (entry === undefined || entry.proven) return
    entry.proven = true
    this.unprovenCount--
  }

  /** Every fresh announcement, oldest first. */
  records (): PresenceRecord[] {
    return [...this.entries.values()].filter(entry => this.fresh(entry)).map(entry => entry.record)
  }

  /** Forgets peers silent for longer than the TTL; returns their PeerIds. */
  prune (): string[] {
    const gone: string[] = []
    for (const [peerId, entry] of this.entries) {
      if (this.fresh(entry)) continue
      this.remove(peerId, entry)
      gone.push(peerId)
    }
    this.counters.expired += gone.length
    return gone
  }

  get size (): number {
    return this.entries.size
  }

  stats (): PresenceDirectoryStats {
    return {
      size: this.entries.size,
      unproven: this.unprovenCount,
      max: this.maxEntries,
      maxUnproven: this.maxUnproven,
      ...this.counters
    }
  }

  private fresh (entry: Entry): boolean {
    return this.now() - entry.record.receivedAt <= this.ttlMs
  }

  /** Drops the unproven peer heard from least recently; false when every peer held is proven. */
  private evictOneUnproven (): boolean {
    for (const [peerId, entry] of this.entries) {
      if (entry.proven) continue
      this.remove(peerId, entry)
      this.counters.evicted++
      return true
    }
    return false
  }

  private remove (peerId: string, entry: Entry): void {
    this.entries.delete(peerId)
    if (!entry.proven) this.unprovenCount--
  }
}

function positiveInteger (value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`)
  return value
}
