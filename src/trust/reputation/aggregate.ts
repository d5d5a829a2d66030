/**
 * Weighing second-hand reputation reports, in the spirit of EigenTrust
 * (Kamvar, Schlosser & Garcia-Molina 2003, "The EigenTrust Algorithm for
 * Reputation Management in P2P Networks"). Pure: no I/O, no clock.
 *
 * 1. Reports from reporters we have never observed (or trust at 0, e.g.
 *    blacklisted) are dropped: a flood from fresh identities weighs nothing.
 *    At most `maxReportsPerPair` per (reporter, subject) count — the newest,
 *    one per task — so one reporter cannot outvote others by repetition.
 * 2. A reporter's opinion of a subject is the mean value of its reports,
 *    capped at our own trust in the reporter: nobody vouches for others
 *    higher than it is itself trusted, so a clique cannot lift its members
 *    above what we saw of the clique's own work.
 * 3. Global trust over {self} ∪ reporters by power iteration (§4.3, §4.5):
 *    t ← (1 − a)·Cᵀt + a·p, with p all on ourselves (the pre-trusted set),
 *    our row of C our normalised local trust in each reporter, and each
 *    reporter's row its normalised vouching (opinion above neutral, EigenTrust's
 *    max(s_ij, 0)) for the other reporters. A row with no vouching goes to p,
 *    as EigenTrust sends peers that trust nobody to the pre-trusted peers.
 *    So our own weight t_self is at least a, and slander from everyone else
 *    together can move a subject at most 1 − a of the way.
 * 4. A subject's score is the t-weighted mean of our own trust in it (neutral
 *    if unknown), weighted t_self, and each reporter's capped opinion.
 *
 * Pass only reports that verifyReport accepted.
 */
import {
  DEFAULT_DAMPING, DEFAULT_ITERATIONS, DEFAULT_MAX_REPORTS_PER_PAIR, MAX_AGGREGATED_REPORTS, NEUTRAL_SCORE, OUTCOME_VALUES
} from './constants.ts'
import { InvalidAggregationError } from './errors.ts'
import type { Report } from './reports.ts'

export interface AggregateOptions {
  /** Our own trust in a peer, in [0, 1], or undefined if we never observed it (e.g. ReputationBook#trustOf). */
  trustOf: (peerId: string) => number | undefined
  /** Our own PeerId: reports we signed are dropped, our observations already come in through trustOf. */
  self?: string
  /** EigenTrust's a, in (0, 1]: the least weight our own observations keep. Default 0.5. */
  damping?: number
  /** Power iterations, 1 to 100. Default 10. */
  iterations?: number
  /** Newest reports counted per (reporter, subject), 1 to 1000. Default 8. */
  maxReportsPerPair?: number
}

export interface AggregateResult {
  /** Score in [0, 1] of every subject of an accepted report. */
  scores: Map<string, number>
  /** Global trust t of each reporter whose reports were accepted. */
  weights: Map<string, number>
  /** Global trust t_self of our own observations; ≥ damping. */
  selfWeight: number
  /** Reports that counted. */
  accepted: number
  /** Reports that did not: unknown or zero-trust reporter, signed by ourselves, beyond the per-pair bound or a repeated task. */
  dropped: { untrusted: number, self: number, excess: number }
}

/** Weighs `reports` (already verified) by their reporters' trust; see the module comment. */
export function aggregateReports (reports: readonly Report[], options: AggregateOptions): AggregateResult {
  const { trustOf, self } = options
  const damping = options.damping ?? DEFAULT_DAMPING
  const iterations = options.iterations ?? DEFAULT_ITERATIONS
  const maxPerPair = options.maxReportsPerPair ?? DEFAULT_MAX_REPORTS_PER_PAIR
  if (typeof trustOf !== 'function') throw new InvalidAggregationError('trustOf must be a function')
  if (!(damping > 0 && damping <= 1)) throw new InvalidAggregationError('damping must be in (0, 1]')
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 100) throw new InvalidAggregationError('iterations must be 1 to 100')
  if (!Number.isSafeInteger(maxPerPair) || maxPerPair < 1 || maxPerPair > 1000) throw new InvalidAggregationError('maxReportsPerPair must be 1 to 1000')
  if (!Array.isArray(reports)) throw new InvalidAggregationError('reports must be an array')
  if (reports.length > MAX_AGGREGATED_REPORTS) throw new InvalidAggregationError(`more than ${MAX_AGGREGATED_REPORTS} reports`)

  const dropped = { untrusted: 0, self: 0, excess: 0 }
  const direct = new Map<string, number>()
  const trust = (peerId: string): number | undefined => {
    const t = trustOf(peerId)
    return typeof t === 'number' && t > 0 ? Math.min(1, t) : undefined // NaN fails `t > 0` too
  }

  // 1. Drop, then group by reporter and subject.
  const pairs = new Map<string, Map<string, Report[]>>()
  for (const report of reports) {
    if (self !== undefined && report.reporter === self) { dropped.self++; continue }
    let t = direct.get(report.reporter)
    if (t === undefined) {
      t = trust(report.reporter)
      if (t === undefined) { dropped.untrusted++; continue }
      direct.set(report.reporter, t)
    }
    let bySubject = pairs.get(report.reporter)
    if (bySubject === undefined) pairs.set(report.reporter, bySubject = new Map())
    const list = bySubject.get(report.subject)
    if (list === undefined) bySubject.set(report.subject, [report])
    else list.push(report)
  }

  // 2. Opinions: newest first, one per task, at most maxPerPair, capped at our trust in the reporter.
  const opinions = new Map<string, Map<string, number>>()
  let accepted = 0
  for (const [reporter, bySubject] of pairs) {
    const cap = direct.get(reporter) as number
    const row = new Map<string, number>()
    for (const [subject, list] of bySubject) {
      list.sort((x, y) => y.at - x.at)
      const tasks = new Set<string>()
      let sum = 0
      for (const report of list) {
        if (tasks.size >= maxPerPair || tasks.has(report.taskId)) { dropped.excess++; continue }
        tasks.add(report.taskId)
        sum += OUTCOME_VALUES[report.outcome]
      }
      accepted += tasks.size
      row.set(subject, Math.min(cap, sum / tasks.size))
    }
    opinions.set(reporter, row)
  }

  // 3. EigenTrust power iteration; node 0 is ourselves.
  const reporters = [...opinions.keys()]
  const index = new Map(reporters.map((r, i) => [r, i + 1]))
  const n = reporters.length + 1
  // Our row as EigenTrust's s_ij (§4.1, satisfactory minus unsatisfactory): trust above neutral. A reporter we
  // have seen only at or below neutral — new, or caught out — gets no weight, however many reports it sends.
  const rows: Array<Array<[number, number]>> = [normalise(reporters.map((r, i) => [i + 1, (direct.get(r) as number) - NEUTRAL_SCORE]))]
  for (const reporter of reporters) {
    const vouching: Array<[number, number]> = []
    for (const [subject, opinion] of opinions.get(reporter) as Map<string, number>) {
      const j = index.get(subject)
      if (j !== undefined && opinion > NEUTRAL_SCORE) vouching.push([j, opinion - NEUTRAL_SCORE])
    }
    rows.push(normalise(vouching))
  }
  let t = new Float64Array(n)
  t[0] = 1
  for (let k = 0; k < iterations; k++) {
    const next = new Float64Array(n)
    next[0] = damping
    for (let i = 0; i < n; i++) {
      const mass = (1 - damping) * (t[i] as number)
      const row = rows[i] as Array<[number, number]>
      if (row.length === 0) { next[0] = (next[0] as number) + mass; continue }
      for (const [j, c] of row) next[j] = (next[j] as number) + mass * c
    }
    t = next
  }

  // 4. Scores: our own view weighs t_self, each reporter's capped opinion its t.
  const selfWeight = t[0] as number
  const sums = new Map<string, [number, number]>()
  for (const [reporter, row] of opinions) {
    const w = t[index.get(reporter) as number] as number
    for (const [subject, opinion] of row) {
      const acc = sums.get(subject) ?? [0, 0]
      acc[0] += w * opinion
      acc[1] += w
      sums.set(subject, acc)
    }
  }
  const scores = new Map<string, number>()
  for (const [subject, [weighted, weight]] of sums) {
    const own = trustOf(subject)
    const base = typeof own === 'number' && own >= 0 ? Math.min(1, own) : NEUTRAL_SCORE
    scores.set(subject, (selfWeight * base + weighted) / (selfWeight + weight))
  }
  const weights = new Map(reporters.map((r, i) => [r, t[i + 1] as number]))
  return { scores, weights, selfWeight, accepted, dropped }
}

/** EigenTrust's c_ij = s_ij / Σ_j s_ij over positive entries (§4.1); empty when nothing is positive. */
function normalise (entries: Array<[number, number]>): Array<[number, number]> {
  const positive = entries.filter(([, s]) => s > 0)
  const total = positive.reduce((sum, [, s]) => sum + s, 0)
  return total > 0 ? positive.map(([j, s]) => [j, s / total]) : []
}
