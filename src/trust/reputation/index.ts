/**
 * Reputation: what this node saw of each peer's work (ReputationBook), signed
 * second-hand reports of the same (reports.ts), and their EigenTrust-style
 * weighing (aggregate.ts), all pure with the clock injected; and the services
 * that keep the book (reputation-service.ts) and gossip reports (report-service.ts).
 */
export {
  DEFAULT_BLACKLIST_MS, DEFAULT_BLACKLIST_THRESHOLD, DEFAULT_HALF_LIFE_MS, MAX_REPORT_BYTES, NEUTRAL_SCORE, OUTCOME_VALUES,
  OUTCOMES, REPORT_VERSION, REPUTATION_BOOK_VERSION, REPUTATION_TOPIC
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
export { ReputationService, checkReputationPolicy } from './reputation-service.ts'
export type { ReputationPolicy, ReputationServiceComponents, ReputationServiceInit } from './reputation-service.ts'
export { ReportService } from './report-service.ts'
export type { ReportServiceComponents, ReportServiceInit } from './report-service.ts'
