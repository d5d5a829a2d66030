/**
 * What a relay keeps of the mesh figures it hears: the newest figures of each
 * peer, and a retired total of everything it no longer holds per peer, so
 * that the sums it exposes are counters that never go down (Prometheus
 * counters; a drop would read as a reset). Pure: the clock is given.
 *
 * - A peer's newer report of the same run (`since`) replaces its older one;
 *   its counters must not have gone down (`regressed`, kept as it was).
 * - A report of a newer run (a restart) retires the old run's last figures.
 * - A report of an older run, or an older `seq`, is a replay (`replay`); the
 *   same report again (another relay of the process heard it too) changes
 *   nothing (`duplicate`).
 * - A peer counts as reporting for MESH_FIGURES_EXPIRY_PERIODS of its periods
 *   after its last report; its figures stay in the sums after that, and it is
 *   forgotten (folded into the retired total) only once no replay of its
 *   reports could still be fresh (MAX_MESH_FIGURES_AGE_MS plus the clock
 *   skew), so a replay after it was forgotten is refused as stale.
 * - At most `maxPeers` are kept: past it, the peer heard from least recently
 *   is folded into the retired total.
 */
import { DEFAULT_MAX_MESH_FIGURES_PEERS, MAX_MESH_FIGURES_AGE_MS, MAX_MESH_FIGURES_CLOCK_SKEW_MS, MESH_FIGURES_EXPIRY_PERIODS } from './constants.ts'
import { InvalidMeshFiguresOptionsError } from './errors.ts'
import { addCounters, countersGrew, countersOf, zeroCounters } from './figures.ts'
import type { MeshCounters, MeshFigures } from './figures.ts'

/** What the board did with a report: took it (`new`, `updated`, `restarted`) or not. */
export type MeshFiguresVerdict = 'new' | 'updated' | 'restarted' | 'duplicate' | 'replay' | 'regressed'

export interface MeshFiguresBoardInit {
  /** Peers kept; default DEFAULT_MAX_MESH_FIGURES_PEERS. */
  maxPeers?: number
}

/** The sums over the mesh, read now. */
export interface MeshTotals {
  /** Every peer's newest figures plus the retired ones: only ever grows. */
  counters: MeshCounters
  /** Peers whose last report is within MESH_FIGURES_EXPIRY_PERIODS of their period. */
  reportingPeers: number
  /** Peers the board holds figures of (reporting or not yet forgotten). */
  peers: number
}

interface Entry {
  since: number
  seq: number
  signature: string
  periodMs: number
  heardAt: number
  counters: MeshCounters
}

/** The time after which a peer's replayed reports are all stale: it is safe to forget. */
const REPLAY_HORIZON_MS = MAX_MESH_FIGURES_AGE_MS + MAX_MESH_FIGURES_CLOCK_SKEW_MS

export class MeshFiguresBoard {
  readonly #maxPeers: number
  /** By PeerId, least recently heard first (an update re-inserts). */
  readonly #entries = new Map<string, Entry>()
  #retired: MeshCounters = zeroCounters()

  constructor (init: MeshFiguresBoardInit = {}) {
    const maxPeers = init.maxPeers ?? DEFAULT_MAX_MESH_FIGURES_PEERS
    if (!Number.isSafeInteger(maxPeers) || maxPeers < 1) throw new InvalidMeshFiguresOptionsError(`maxPeers must be a positive integer, got ${String(maxPeers)}`)
    this.#maxPeers = maxPeers
  }

  /** Takes verified figures heard at `now` (ms) and says what it did with them. */
  offer (figures: MeshFigures, now: number): MeshFiguresVerdict {
    this.#forget(now)
    const known = this.#entries.get(figures.peerId)
    const entry: Entry = {
      since: figures.since, seq: figures.seq, signature: figures.signature, periodMs: figures.periodMs, heardAt: now, counters: countersOf(figures)
    }
    let verdict: MeshFiguresVerdict
    if (known === undefined) {
      verdict = 'new'
    } else if (figures.since < known.since) {
      return 'replay'
    } else if (figures.since > known.since) {
      this.#retired = addCounters(this.#retired, known.counters)
      verdict = 'restarted'
    } else if (figures.seq < known.seq) {
      return 'replay'
    } else if (figures.seq === known.seq) {
      // The same report heard again (by another relay of this process, or replayed): nothing new. A different report under the same seq is not taken either.
      return figures.signature === known.signature ? 'duplicate' : 'replay'
    } else if (!countersGrew(known.counters, entry.counters)) {
      return 'regressed'
    } else {
      verdict = 'updated'
    }
    this.#entries.delete(figures.peerId)
    this.#entries.set(figures.peerId, entry)
    while (this.#entries.size > this.#maxPeers) {
      const [oldest, dropped] = this.#entries.entries().next().value as [string, Entry]
      this.#retire(oldest, dropped)
    }
    return verdict
  }

  /** The sums now, `now` in ms. */
  totals (now: number): MeshTotals {
    this.#forget(now)
    let counters = this.#retired
    let reportingPeers = 0
    for (const entry of this.#entries.values()) {
      counters = addCounters(counters, entry.counters)
      if (now - entry.heardAt <= MESH_FIGURES_EXPIRY_PERIODS * entry.periodMs) reportingPeers++
    }
    return { counters, reportingPeers, peers: this.#entries.size }
  }

  /** Folds into the retired total the peers silent for longer than they can be replayed (and than they count as reporting). */
  #forget (now: number): void {
    for (const [peerId, entry] of this.#entries) {
      if (now - entry.heardAt > Math.max(REPLAY_HORIZON_MS, MESH_FIGURES_EXPIRY_PERIODS * entry.periodMs)) this.#retire(peerId, entry)
    }
  }

  #retire (peerId: string, entry: Entry): void {
    this.#retired = addCounters(this.#retired, entry.counters)
    this.#entries.delete(peerId)
  }
}
