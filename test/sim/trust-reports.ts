/**
 * The reputation reports of the trust simulation: a gossip board every peer
 * hears, and the two ways a submitter can read it — the real EigenTrust-style
 * aggregateReports (src/trust/reputation/aggregate.ts), or a naive average
 * that counts every report alike (the ablation that shows why weighing matters).
 *
 * Reports are built as already-verified values: in the mesh each reporter
 * signs its own reports and nobody can sign for another, so verifyReport would
 * accept exactly these and nothing else. The simulation skips the Ed25519 work
 * (placeholder publicKey and signature); aggregateReports takes verified
 * report values and never looks at either field.
 */
import { NEUTRAL_SCORE, OUTCOME_VALUES, REPORT_VERSION, ReportBoard as BoundedBoard } from '../../src/trust/reputation/index.ts'
import type { Outcome, Report } from '../../src/trust/reputation/index.ts'

/**
 * Every report published so far, as every peer has heard it over gossip, kept
 * by the app's own bounded board (src/trust/reputation/report-board.ts: the
 * newest 8 per pair, 64 per reporter, 4096 in all).
 */
export class ReportBoard {
  private readonly board = new BoundedBoard()
  private flat: readonly Report[] | undefined
  private tasks = 0
  /** Reports ever published, including those since pushed out by the board's bounds. */
  published = 0

  /** Publishes "`reporter` saw `outcome` from `subject` at `at`"; fake reports get a task id of their own too. */
  publish (reporter: string, subject: string, outcome: Outcome, at: number): void {
    this.board.add({
      version: REPORT_VERSION,
      reporter,
      publicKey: 'simulated',
      subject,
      outcome,
      taskId: `t${this.tasks++}`,
      at: Math.floor(at),
      signature: 'simulated'
    })
    this.published++
    this.flat = undefined
  }

  /** The reports that can still count, in no particular order. */
  all (): readonly Report[] {
    if (this.flat === undefined) this.flat = this.board.reports()
    return this.flat
  }
}

export interface AverageOptions {
  /** Our own trust in a peer, or undefined if never observed (ReputationBook#trustOf). */
  trustOf: (peerId: string) => number | undefined
  self: string
  /** Weight of our own view; the rest goes to the mean of all reports. Use the aggregator's damping (0.5) for a fair comparison. */
  selfWeight: number
}

/**
 * The unweighted reading: a subject's score is selfWeight·(our trust in it,
 * neutral if unknown) + (1 − selfWeight)·(mean value of every report about it).
 * Every reporter counts alike, known or not, trusted or not.
 */
export function averageReports (reports: readonly Report[], options: AverageOptions): Map<string, number> {
  const { trustOf, self, selfWeight } = options
  const sums = new Map<string, [number, number]>()
  for (const report of reports) {
    if (report.reporter === self) continue
    const acc = sums.get(report.subject) ?? [0, 0]
    acc[0] += OUTCOME_VALUES[report.outcome]
    acc[1]++
    sums.set(report.subject, acc)
  }
  const scores = new Map<string, number>()
  for (const [subject, [sum, count]] of sums) {
    const own = trustOf(subject)
    const base = typeof own === 'number' ? own : NEUTRAL_SCORE
    scores.set(subject, selfWeight * base + (1 - selfWeight) * sum / count)
  }
  return scores
}
