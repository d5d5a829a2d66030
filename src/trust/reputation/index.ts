/**
 * Reputation: what this node saw of each peer's work (ReputationBook), signed
 * second-hand reports of the same (reports.ts), and their EigenTrust-style
 * weighing (aggregate.ts). All pure; the clock is injected.
 */
export {
  DEFAULT_BLACKLIST_MS, DEFAULT_BLACKLIST_THRESHOLD, DEFAULT_HALF_LIFE_MS, MAX_REPORT_BYTES, NEUTRAL_SCORE, OUTCOME_VALUES,
  OUTCOMES, REPORT_VERSION, REPUTATION_BOOK_VERSION
} from './constants.ts'
export type { Outcome } from './constants.ts'
export {
  InvalidAggregationError, InvalidOutcomeError, InvalidPeerKeyError, InvalidReportError, InvalidReputationBookError,
  InvalidReputationOptionsError, ReportKeyMismatchError, ReportNotYetValidError, ReportSignatureError, ReportTooLargeError,
  WhitelistFullError
} from './errors.ts'
export { ReputationBook } from './reputation.ts'
export type { OutcomeRecord, PeerReputationJSON, ReputationBookJSON, ReputationBookOptions } from './reputation.ts'
export { parseReport, signReport, verifyReport } from './reports.ts'
export type { Report, ReportFields, UnsignedReport, VerifyReportOptions } from './reports.ts'
export { aggregateReports } from './aggregate.ts'
export type { AggregateOptions, AggregateResult } from './aggregate.ts'
export { ReportBoard } from './report-board.ts'
export type { ReportBoardOptions } from './report-board.ts'
