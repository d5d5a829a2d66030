/**
 * Signed reputation reports, format version 1: "`reporter` handed task
 * `taskId` to `subject` and saw `outcome` at `at`". Signed exactly as
 * receipts and Agent Cards are — pure Ed25519 (RFC 8032 §5.1.6) over the
 * UTF-8 of the RFC 8785 canonical JSON of every field except `signature`,
 * with `publicKey` bound to the `reporter` PeerId — through crypto/signed-document.ts.
 *
 * A verified report proves only who said it, never that it is true: weigh
 * it with aggregateReports.
 *
 * @example
 * const report = await signReport({ reporter, publicKey, subject, outcome: 'success', taskId, at: now }, identity)
 * // …received as JSON…
 * await verifyReport(parseReport(JSON.parse(text)), { now })
 */
import { fieldCheckers, parseSignedDocument, signDocument, signedDocumentFormat, verifyDocument } from '../../crypto/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from '../../crypto/index.ts'
import { MAX_TASK_ID_LENGTH } from '../../receipts/constants.ts'
import { MAX_REPORT_BYTES, MAX_REPORT_CLOCK_SKEW_MS, OUTCOMES, REPORT_VERSION } from './constants.ts'
import type { Outcome } from './constants.ts'
import { InvalidReportError, ReportKeyMismatchError, ReportNotYetValidError, ReportSignatureError, ReportTooLargeError } from './errors.ts'

/** Every field of a report except its signature: exactly what is signed. */
export interface UnsignedReport {
  version: typeof REPORT_VERSION
  /** PeerId (base58btc) of the peer that observed the outcome and signs the report. */
  reporter: string
  /** The reporter's raw 32-byte Ed25519 public key, base64url without padding. */
  publicKey: string
  /** PeerId of the peer whose work is reported on; never the reporter. */
  subject: string
  outcome: Outcome
  /** The task, 1 to MAX_TASK_ID_LENGTH characters of [A-Za-z0-9_-], as in receipts. */
  taskId: string
  /** Unix epoch milliseconds when the outcome was observed. */
  at: number
}

export interface Report extends UnsignedReport {
  /** base64url (no padding) of the 64-byte Ed25519 signature over the canonical unsigned report. */
  signature: string
}

/** What signReport takes: the version is filled in. */
export type ReportFields = Omit<UnsignedReport, 'version'>

export interface VerifyReportOptions {
  /** The verifier's clock, Unix epoch milliseconds. */
  now: number
  /** The gossip message's author, when the report came from gossip: it must be the reporter. */
  from?: string
}

const UNSIGNED_REPORT_FIELDS = ['version', 'reporter', 'publicKey', 'subject', 'outcome', 'taskId', 'at'] as const satisfies ReadonlyArray<keyof UnsignedReport>
const REPORT_FIELDS = [...UNSIGNED_REPORT_FIELDS, 'signature'] as const
const TASK_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_TASK_ID_LENGTH}}$`)

const check = fieldCheckers((field, message) => new InvalidReportError(field, message), 'a version 1 reputation report')

const REPORT = signedDocumentFormat<Report>({
  name: 'report',
  signedFields: UNSIGNED_REPORT_FIELDS,
  signerField: 'reporter',
  maxBytes: MAX_REPORT_BYTES,
  schema: readReport,
  dateField: 'at',
  maxClockSkewMs: MAX_REPORT_CLOCK_SKEW_MS,
  errors: {
    tooLarge: ReportTooLargeError, keyMismatch: ReportKeyMismatchError, signature: ReportSignatureError,
    sender: ReportKeyMismatchError, notYetValid: ReportNotYetValidError
  }
})

/** Checks the size limit, then the schema; returns a copy holding exactly the report's fields. Does not check the signature. */
export function parseReport (value: unknown): Report {
  return parseSignedDocument(value, REPORT)
}

/** Signs a report as `identity`, which must be the `reporter` and own the `publicKey`. */
export async function signReport (fields: ReportFields, identity: PeerIdentity): Promise<Report> {
  const record = check.jsonObject(fields, 'report')
  check.exactMembers(record, UNSIGNED_REPORT_FIELDS.filter(field => field !== 'version'), '')
  return signDocument(readUnsigned({ ...record, version: REPORT_VERSION }), identity, REPORT)
}

/**
 * Checks, in this order: the size and schema; that it came from its reporter
 * (`from`); that `publicKey` is the key inside `reporter`; the signature; that
 * `at` is not further ahead than the allowed clock skew. Returns the checked copy.
 */
export async function verifyReport (report: Report, { now, from }: VerifyReportOptions): Promise<Report> {
  return verifyDocument(report, REPORT, { now, from })
}

function readReport (value: unknown): Report {
  const record = check.jsonObject(value, 'report')
  check.exactMembers(record, REPORT_FIELDS, '')
  return { ...readUnsigned(record), signature: check.fixedBase64Url(record.signature, 'signature', ED25519_SIGNATURE_LENGTH) }
}

function readUnsigned (record: Record<string, unknown>): UnsignedReport {
  if (record.version !== REPORT_VERSION) throw new InvalidReportError('version', `must be ${REPORT_VERSION}`)
  const reporter = check.peerId(record.reporter, 'reporter')
  const publicKey = check.fixedBase64Url(record.publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH)
  const subject = check.peerId(record.subject, 'subject')
  if (subject === reporter) throw new InvalidReportError('subject', 'must not be the reporter')
  const outcome = record.outcome
  if (!(OUTCOMES as readonly unknown[]).includes(outcome)) throw new InvalidReportError('outcome', `must be one of ${OUTCOMES.join(', ')}`)
  const taskId = record.taskId
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
    throw new InvalidReportError('taskId', `must be 1 to ${MAX_TASK_ID_LENGTH} characters of [A-Za-z0-9_-]`)
  }
  const at = check.safeInteger(record.at, 'at', 0)
  return { version: REPORT_VERSION, reporter, publicKey, subject, outcome: outcome as Outcome, taskId, at }
}
