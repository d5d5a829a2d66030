/**
 * What the trust simulation (trust.ts) compares and with which parameters:
 * the kinds of peers, the configurations in table order, the defaults.
 */
import type { VerificationPolicy } from '../../src/trust/verification/index.ts'

export type PeerKind = 'honest' | 'always-wrong' | 'camouflaged' | 'colluder'
export const PEER_KINDS: readonly PeerKind[] = ['honest', 'always-wrong', 'camouflaged', 'colluder']

/** How submitters read second-hand reports: not at all, every report alike, or weighed by aggregateReports. */
export type ReportReading = 'ignored' | 'unweighted' | 'weighted'

export interface TrustConfiguration {
  name: string
  witnesses: boolean
  reputation: boolean
  reports: ReportReading
  /** The submitter's own risk-based checks (src/trust/verification/) instead of witnesses. */
  verification?: boolean
  /** The submitter's `kept` most trusted executors join every choice's candidates (each available with probability keptAvailability). */
  keepsTrusted?: boolean
}

/** The configurations compared, in table order. */
export const CONFIGURATIONS: readonly TrustConfiguration[] = [
  { name: 'none', witnesses: false, reputation: false, reports: 'ignored' },
  { name: 'rep', witnesses: false, reputation: true, reports: 'ignored' },
  { name: 'wit', witnesses: true, reputation: false, reports: 'ignored' },
  { name: 'wit+rep', witnesses: true, reputation: true, reports: 'ignored' },
  { name: 'wit+rep+reports', witnesses: true, reputation: true, reports: 'unweighted' },
  { name: 'wit+rep+weighted', witnesses: true, reputation: true, reports: 'weighted' },
  { name: 'wit+rep+kept', witnesses: true, reputation: true, reports: 'ignored', keepsTrusted: true },
  { name: 'risk', witnesses: false, reputation: true, reports: 'ignored', verification: true },
  { name: 'risk+kept', witnesses: false, reputation: true, reports: 'ignored', verification: true, keepsTrusted: true }
]

export interface TrustParams {
  peers: number
  tasks: number
  seed: number
  /** Share of the peers that is malicious, in [0, 1). */
  maliciousShare: number
  /** Proportions of always-wrong, camouflaged and colluding peers among the malicious ones; normalised. */
  mix: { alwaysWrong: number, camouflaged: number, colluder: number }
  /** Peers drawn for each choice. */
  candidates: number
  /** Probability that a camouflaged executor returns the right output. */
  camouflageHonesty: number
  witnessRateTrusted: number
  witnessRateNew: number
  /** Observations of an executor (by this submitter) before it can count as trusted. */
  trustedAfterTasks: number
  /** Score from which an executor observed often enough counts as trusted. */
  trustedScore: number
  /** Probability that any executor, honest or not, times out. */
  timeoutRate: number
  /** Executors tried per task before it fails. */
  maxAttempts: number
  /** Probability that a submitter publishes a report after a success. */
  successReportRate: number
  /** Probability, per task and per colluder, that it publishes one praise and one smear report. */
  collusionRate: number
  /** Simulated time the arrivals span, hours (blacklisting lasts 24 h, scores decay with a 7-day half-life). */
  spanHours: number
  /** A submitter re-reads the reports every this many of its own submissions, and after it catches a wrong result. */
  refreshEvery: number
  /** With keepsTrusted: how many of its most trusted executors a submitter keeps among the candidates… */
  kept: number
  /** …each of them available (not busy elsewhere, not gone) at a given choice with this probability. */
  keptAvailability: number
  /** The `risk` configuration's policy; the product's defaults where unset. */
  verification: VerificationPolicy
}

export const DEFAULT_TRUST_PARAMS: TrustParams = {
  peers: 200,
  tasks: 20000,
  seed: 1,
  maliciousShare: 0.3,
  mix: { alwaysWrong: 1, camouflaged: 1, colluder: 1 },
  candidates: 8,
  camouflageHonesty: 0.8,
  witnessRateTrusted: 0.1,
  witnessRateNew: 0.5,
  trustedAfterTasks: 20,
  trustedScore: 0.7,
  timeoutRate: 0.02,
  maxAttempts: 3,
  successReportRate: 0.1,
  collusionRate: 0.01,
  spanHours: 72,
  refreshEvery: 10,
  kept: 4,
  keptAvailability: 0.5,
  verification: {}
}
