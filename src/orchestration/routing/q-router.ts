/**
 * Q-routing (Boyan & Littman, 1994, "Packet Routing in Dynamically Changing
 * Networks: A Reinforcement Learning Approach"), pure: no I/O, and the clock
 * and randomness are injected.
 *
 * Q(d, y) is this node's estimate of the time a task for destination `d`
 * takes to be completed when sent to neighbour `y`. In the mesh a destination
 * is a capability class, and a node that can execute the class locally may
 * list itself among the "neighbours" (its Q is then queueing + execution).
 *
 * Two additions to the paper, both needed in a mesh of browser tabs:
 *  - estimates not refreshed for `staleAfterMs` decay toward the prior with
 *    half-life `decayHalfLifeMs`, so a neighbour that was slow (or fast) long
 *    ago is tried again — the paper's network changed only through load, ours
 *    also through churn;
 *  - `seed` warm-starts unknown entries from the estimates a neighbour sends
 *    when the connection opens, without overwriting anything learnt. A seed
 *    not yet confirmed by an update fades toward the prior as this router
 *    learns (half-life `seedHalfLifeUpdates` updates): it is a claim made when
 *    the connection opened, and greedy choice only corrects the entries it
 *    tries, so stale-low seeds would otherwise lure task after task one hop
 *    further ("optimistic initial values" drive exploration: Sutton & Barto,
 *    Reinforcement Learning, 2nd ed., §2.6).
 */
import {
  DEFAULT_DECAY_HALF_LIFE_MS, DEFAULT_EXPLORATION_DECAY_UPDATES, DEFAULT_EXPLORATION_FLOOR, DEFAULT_EXPLORATION_START,
  DEFAULT_LEARNING_RATE, DEFAULT_PRIOR_MS, DEFAULT_SEED_HALF_LIFE_UPDATES, DEFAULT_STALE_AFTER_MS, MAX_Q_TABLE_ENTRIES, MAX_ROUTE_KEY_LENGTH,
  Q_TABLE_VERSION
} from './constants.ts'
import { InvalidDelayError, InvalidQTableError, InvalidRouteKeyError, InvalidRouterOptionsError, NoNeighboursError } from './errors.ts'

export interface QRouterOptions {
  /** η in Q ← Q + η·(observedDelay + remainingEstimate − Q), in (0, 1]. Default 0.5 (Boyan & Littman §3). */
  learningRate?: number
  /** Estimate in ms of a (destination, neighbour) pair never seen, and what stale estimates decay toward. Default 1000. */
  prior?: number
  /** ε, the probability that `choose` tries a neighbour other than the best, before any update. Default 0.2. */
  explorationStart?: number
  /** The floor ε decays toward as updates accumulate. Default 0.01. */
  explorationFloor?: number
  /** ε = floor + (start − floor)·exp(−updates / this). Default 1000. */
  explorationDecayUpdates?: number
  /** An estimate older than this (ms) starts decaying toward the prior. Default 30 000. */
  staleAfterMs?: number
  /** Half-life (ms) of a stale estimate's distance from the prior. Default 60 000. */
  decayHalfLifeMs?: number
  /** Half-life, in this router's updates since it was seeded, of an unconfirmed seed's distance from the prior. Default 32. */
  seedHalfLifeUpdates?: number
  /** Uniform random numbers in [0, 1). Required: the router has no randomness of its own. */
  random: () => number
  /** The current time in ms. Required: the router has no clock of its own. */
  now: () => number
}

/** One learnt or seeded estimate, as serialised. */
export interface QTableEntryJSON {
  dest: string
  via: string
  /** The estimate in ms when it was last written. */
  q: number
  /** `now()` when it was last written. */
  at: number
  /** True once `update` has written it; `seed` never overwrites a learnt entry. */
  learnt: boolean
  /** For a seeded entry: the router's update count when it was seeded (its age in updates is counted from there). Absent (tables saved before seeds faded): counted from update 0. */
  seededAtUpdate?: number
}

export interface QTableJSON {
  version: typeof Q_TABLE_VERSION
  /** Number of updates so far; drives the decay of ε. */
  updates: number
  entries: QTableEntryJSON[]
}

interface Entry {
  q: number
  at: number
  learnt: boolean
  /** `updates` when seeded; only for entries `update` has not written. */
  seededAtUpdate?: number
}

export class QRouter {
  private readonly learningRate: number
  private readonly prior: number
  private readonly explorationStart: number
  private readonly explorationFloor: number
  private readonly explorationDecayUpdates: number
  private readonly staleAfterMs: number
  private readonly decayHalfLifeMs: number
  private readonly seedHalfLifeUpdates: number
  private readonly random: () => number
  private readonly now: () => number
  private readonly table = new Map<string, Map<string, Entry>>()
  private updates = 0

  constructor (options: QRouterOptions) {
    this.learningRate = options.learningRate ?? DEFAULT_LEARNING_RATE
    this.prior = options.prior ?? DEFAULT_PRIOR_MS
    this.explorationStart = options.explorationStart ?? DEFAULT_EXPLORATION_START
    this.explorationFloor = options.explorationFloor ?? DEFAULT_EXPLORATION_FLOOR
    this.explorationDecayUpdates = options.explorationDecayUpdates ?? DEFAULT_EXPLORATION_DECAY_UPDATES
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS
    this.decayHalfLifeMs = options.decayHalfLifeMs ?? DEFAULT_DECAY_HALF_LIFE_MS
    this.seedHalfLifeUpdates = options.seedHalfLifeUpdates ?? DEFAULT_SEED_HALF_LIFE_UPDATES
    if (typeof options.random !== 'function' || typeof options.now !== 'function') {
      throw new InvalidRouterOptionsError('random and now must be functions')
    }
    this.random = options.random
    this.now = options.now
    if (!(this.learningRate > 0 && this.learningRate <= 1)) throw new InvalidRouterOptionsError('learningRate must be in (0, 1]')
    if (!isDelay(this.prior)) throw new InvalidRouterOptionsError('prior must be a finite number ≥ 0')
    if (!(this.explorationFloor >= 0 && this.explorationFloor <= this.explorationStart && this.explorationStart <= 1)) {
      throw new InvalidRouterOptionsError('need 0 ≤ explorationFloor ≤ explorationStart ≤ 1')
    }
    if (!(this.explorationDecayUpdates > 0)) throw new InvalidRouterOptionsError('explorationDecayUpdates must be > 0')
    if (!isDelay(this.staleAfterMs)) throw new InvalidRouterOptionsError('staleAfterMs must be a finite number ≥ 0')
    if (!(this.decayHalfLifeMs > 0)) throw new InvalidRouterOptionsError('decayHalfLifeMs must be > 0')
    if (!(this.seedHalfLifeUpdates > 0)) throw new InvalidRouterOptionsError('seedHalfLifeUpdates must be > 0')
  }

  /**
   * The neighbour to send a task for `dest` to: the one with the lowest Q
   * (the first in `neighbours` on a tie), or, with probability ε, one of the
   * others chosen uniformly (ε-greedy; Boyan & Littman always send greedily,
   * exploration is what lets a once-slow path be noticed when it speeds up).
   */
  choose (dest: string, neighbours: readonly string[]): string {
    checkKey(dest)
    const best = this.bestIndex(dest, neighbours)
    const n = neighbours.length
    if (n > 1 && this.random() < this.exploration()) {
      let j = Math.min(n - 2, Math.floor(this.random() * (n - 1)))
      if (j >= best) j++
      return neighbours[j] as string
    }
    return neighbours[best] as string
  }

  /** min over `neighbours` of Q(dest, n): this node's own estimate, the `t` it reports to whoever sent it the task (§2). */
  estimate (dest: string, neighbours: readonly string[]): number {
    checkKey(dest)
    const row = this.table.get(dest)
    const now = this.now()
    return this.q(row, neighbours[this.bestIndex(dest, neighbours)] as string, now)
  }

  /**
   * The Q-routing update (Boyan & Littman §2, their q + s is our
   * `observedDelay`, t is `remainingEstimate`):
   *   Q(dest, via) ← Q(dest, via) + η·(observedDelay + remainingEstimate − Q(dest, via))
   * where the old Q is the current (possibly stale-decayed) estimate.
   */
  update (dest: string, via: string, observedDelay: number, remainingEstimate: number): void {
    checkKey(dest)
    checkKey(via)
    checkDelay(observedDelay, 'observedDelay')
    checkDelay(remainingEstimate, 'remainingEstimate')
    const now = this.now()
    const row = this.rowOf(dest)
    const old = this.q(row, via, now)
    row.set(via, { q: old + this.learningRate * (observedDelay + remainingEstimate - old), at: now, learnt: true })
    this.updates++
  }

  /**
   * Warm start: set Q(dest, via) to `estimate` (typically the link delay plus
   * the estimate `via` announced when the connection opened) unless `update`
   * has already written it. Returns whether the entry was written. Until an
   * update confirms it, the seed fades toward the prior as the router learns
   * (`seedHalfLifeUpdates`).
   */
  seed (dest: string, via: string, estimate: number): boolean {
    checkKey(dest)
    checkKey(via)
    checkDelay(estimate, 'estimate')
    const row = this.rowOf(dest)
    if (row.get(via)?.learnt === true) return false
    row.set(via, { q: estimate, at: this.now(), learnt: false, seededAtUpdate: this.updates })
    return true
  }

  toJSON (): QTableJSON {
    const entries: QTableEntryJSON[] = []
    for (const [dest, row] of this.table) {
      for (const [via, e] of row) {
        entries.push({ dest, via, q: e.q, at: e.at, learnt: e.learnt, ...(e.seededAtUpdate === undefined ? {} : { seededAtUpdate: e.seededAtUpdate }) })
      }
    }
    return { version: Q_TABLE_VERSION, updates: this.updates, entries }
  }

  /** Rebuilds a router from `toJSON()` output; throws InvalidQTableError on anything else. */
  static fromJSON (json: unknown, options: QRouterOptions): QRouter {
    if (typeof json !== 'object' || json === null) throw new InvalidQTableError('not an object')
    const { version, updates, entries } = json as Partial<Record<keyof QTableJSON, unknown>>
    if (version !== Q_TABLE_VERSION) throw new InvalidQTableError(`unsupported version ${String(version)}`)
    if (!Number.isSafeInteger(updates) || (updates as number) < 0) throw new InvalidQTableError('bad updates count')
    if (!Array.isArray(entries)) throw new InvalidQTableError('entries is not an array')
    if (entries.length > MAX_Q_TABLE_ENTRIES) throw new InvalidQTableError(`more than ${MAX_Q_TABLE_ENTRIES} entries`)
    const router = new QRouter(options)
    router.updates = updates as number
    for (const raw of entries as unknown[]) {
      if (typeof raw !== 'object' || raw === null) throw new InvalidQTableError('entry is not an object')
      const e = raw as Partial<Record<keyof QTableEntryJSON, unknown>>
      if (!isKey(e.dest) || !isKey(e.via)) throw new InvalidQTableError('bad dest or via')
      if (!isDelay(e.q)) throw new InvalidQTableError('bad q')
      if (typeof e.at !== 'number' || !Number.isFinite(e.at)) throw new InvalidQTableError('bad at')
      if (typeof e.learnt !== 'boolean') throw new InvalidQTableError('bad learnt')
      // Optional (tables saved before seeds faded lack it); a learnt entry has none.
      const seededAtUpdate = e.seededAtUpdate
      if (seededAtUpdate !== undefined &&
        (e.learnt || !Number.isSafeInteger(seededAtUpdate) || (seededAtUpdate as number) < 0 || (seededAtUpdate as number) > router.updates)) {
        throw new InvalidQTableError('bad seededAtUpdate')
      }
      const row = router.rowOf(e.dest)
      if (row.has(e.via)) throw new InvalidQTableError('duplicate entry')
      row.set(e.via, { q: e.q, at: e.at, learnt: e.learnt, ...(seededAtUpdate === undefined ? {} : { seededAtUpdate: seededAtUpdate as number }) })
    }
    return router
  }

  /** ε after `updates` updates. */
  private exploration (): number {
    return this.explorationFloor + (this.explorationStart - this.explorationFloor) * Math.exp(-this.updates / this.explorationDecayUpdates)
  }

  private bestIndex (dest: string, neighbours: readonly string[]): number {
    if (!Array.isArray(neighbours) || neighbours.length === 0) throw new NoNeighboursError('no neighbours to route to')
    const row = this.table.get(dest)
    const now = this.now()
    let best = 0
    let bestQ = Infinity
    for (let i = 0; i < neighbours.length; i++) {
      const via = neighbours[i] as string
      checkKey(via)
      const q = this.q(row, via, now)
      if (q < bestQ) {
        bestQ = q
        best = i
      }
    }
    return best
  }

  /**
   * The current estimate: the stored one — for an unconfirmed seed, faded
   * toward the prior by the updates since it was seeded — further decayed
   * toward the prior if stale; or the prior if unknown.
   */
  private q (row: Map<string, Entry> | undefined, via: string, now: number): number {
    const e = row?.get(via)
    if (e === undefined) return this.prior
    let q = e.q
    if (!e.learnt) {
      const age = this.updates - (e.seededAtUpdate ?? 0)
      if (age > 0) q = this.prior + (q - this.prior) * Math.pow(2, -age / this.seedHalfLifeUpdates)
    }
    const overdue = now - e.at - this.staleAfterMs
    if (overdue <= 0) return q
    return this.prior + (q - this.prior) * Math.pow(2, -overdue / this.decayHalfLifeMs)
  }

  private rowOf (dest: string): Map<string, Entry> {
    let row = this.table.get(dest)
    if (row === undefined) {
      row = new Map()
      this.table.set(dest, row)
    }
    return row
  }
}

function isDelay (x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0
}

function checkDelay (x: number, what: string): void {
  if (!isDelay(x)) throw new InvalidDelayError(`${what} must be a finite number ≥ 0, got ${String(x)}`)
}

function isKey (x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_ROUTE_KEY_LENGTH
}

function checkKey (x: unknown): void {
  if (!isKey(x)) throw new InvalidRouteKeyError(`route keys must be strings of 1 to ${MAX_ROUTE_KEY_LENGTH} characters`)
}
