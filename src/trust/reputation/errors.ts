/** The ways reputation bookkeeping and reports fail; callers tell them apart by `name`. */

import { nameError } from '../../core/errors.ts'

/** Thrown when a ReputationBook option is out of range or of the wrong type. */
export class InvalidReputationOptionsError extends RangeError {
  static { nameError(this, 'InvalidReputationOptionsError') }
}

/** Thrown when a peer key is not a non-empty string of at most MAX_PEER_KEY_LENGTH characters. */
export class InvalidPeerKeyError extends TypeError {
  static { nameError(this, 'InvalidPeerKeyError') }
}

/** Thrown when an outcome is not one of OUTCOMES. */
export class InvalidOutcomeError extends TypeError {
  static { nameError(this, 'InvalidOutcomeError') }
}

/** Thrown when the whitelist would grow beyond MAX_WHITELIST. */
export class WhitelistFullError extends RangeError {
  static { nameError(this, 'WhitelistFullError') }
}

/** Thrown by `ReputationBook.fromJSON` on another version, a bad field, a duplicate, or too many entries. */
export class InvalidReputationBookError extends Error {
  static { nameError(this, 'InvalidReputationBookError') }
}

/** Thrown when a value is not a well-formed version 1 report; `field` names the first offending field. */
export class InvalidReportError extends Error {
  static { nameError(this, 'InvalidReportError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`report field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a report's canonical form is longer than MAX_REPORT_BYTES. */
export class ReportTooLargeError extends Error {
  static { nameError(this, 'ReportTooLargeError') }
}

/** Thrown when a report's `publicKey` is not its reporter's, or when asked to sign as someone else. */
export class ReportKeyMismatchError extends Error {
  static { nameError(this, 'ReportKeyMismatchError') }
}

/** Thrown when a report's signature does not verify. */
export class ReportSignatureError extends Error {
  static { nameError(this, 'ReportSignatureError') }
}

/** Thrown when a report's `at` is further ahead of the verifier's clock than MAX_REPORT_CLOCK_SKEW_MS. */
export class ReportNotYetValidError extends Error {
  static { nameError(this, 'ReportNotYetValidError') }
}

/** Thrown when `aggregateReports` is given more than MAX_AGGREGATED_REPORTS reports or bad options. */
export class InvalidAggregationError extends RangeError {
  static { nameError(this, 'InvalidAggregationError') }
}
