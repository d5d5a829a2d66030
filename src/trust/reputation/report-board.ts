/**
 * The reports a peer keeps of what it heard, bounded so that no reporter can
 * crowd out the others: per (reporter, subject) the newest
 * DEFAULT_MAX_REPORTS_PER_PAIR (what aggregateReports counts anyway), per
 * reporter at most `perReporter`, and in all at most `total` — past a bound
 * the oldest report of that pair, that reporter, or of all goes. A flood from
 * one identity therefore costs the others nothing, and a flood from many
 * fresh identities weighs nothing in the aggregation (unknown reporters are
 * dropped there). Pure: add only reports verifyReport accepted.
 */
import { DEFAULT_MAX_REPORTS_PER_PAIR } from './constants.ts'
import type { Report } from './reports.ts'

export interface ReportBoardOptions {
  /** Reports kept per reporter. Default 64. */
  perReporter?: number
  /** Reports kept in all. Default 4096. */
  total?: number
}

export class ReportBoard {
  private readonly perReporter: number
  private readonly total: number
  /** Insertion order is age order: the first entry of each list is its oldest. */
  private readonly byReporter = new Map<string, Report[]>()
  private count = 0

  constructor (options: ReportBoardOptions = {}) {
    this.perReporter = options.perReporter ?? 64
    this.total = options.total ?? 4096
    for (const [name, value] of [['perReporter', this.perReporter], ['total', this.total]] as const) {
      if (!Number.isSafeInteger(value) || value < DEFAULT_MAX_REPORTS_PER_PAIR) {
        throw new RangeError(`${name} must be an integer ≥ ${DEFAULT_MAX_REPORTS_PER_PAIR}, got ${value}`)
      }
    }
  }

  /** Keeps `report` (replacing one for the same task), evicting as the bounds require. */
  add (report: Report): void {
    const own = (this.byReporter.get(report.reporter) ?? []).filter(r => !(r.subject === report.subject && r.taskId === report.taskId))
    this.count -= (this.byReporter.get(report.reporter)?.length ?? 0) - own.length
    own.push(report)
    this.count++
    const pair = own.filter(r => r.subject === report.subject)
    if (pair.length > DEFAULT_MAX_REPORTS_PER_PAIR) this.remove(own, pair[0]!)
    if (own.length > this.perReporter) this.remove(own, own[0]!)
    this.byReporter.set(report.reporter, own)
    while (this.count > this.total) this.evictOldest()
  }

  /** Every report kept, oldest first within each reporter. */
  reports (): Report[] {
    return [...this.byReporter.values()].flat()
  }

  get size (): number {
    return this.count
  }

  private remove (list: Report[], report: Report): void {
    list.splice(list.indexOf(report), 1)
    this.count--
  }

  private evictOldest (): void {
    let oldest: Report | undefined
    for (const list of this.byReporter.values()) {
      const first = list[0]
      if (first !== undefined && (oldest === undefined || first.at < oldest.at)) oldest = first
    }
    if (oldest === undefined) return
    const list = this.byReporter.get(oldest.reporter)!
    this.remove(list, oldest)
    if (list.length === 0) this.byReporter.delete(oldest.reporter)
  }
}
