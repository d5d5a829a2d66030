/** The ways a workflow record can fail to be built, signed, parsed or verified; callers tell them apart by `name`. */
import { nameError } from '../../../core/errors.ts'

/** Thrown when a value is not a well-formed version 1 workflow record; `field` names the first bad field (`steps[3].receiptHash`). */
export class InvalidWorkflowRecordError extends Error {
  static { nameError(this, 'InvalidWorkflowRecordError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`workflow record field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when a record's canonical form is longer than MAX_WORKFLOW_RECORD_BYTES. */
export class WorkflowRecordTooLargeError extends Error {
  static { nameError(this, 'WorkflowRecordTooLargeError') }
}

/** Thrown when a record's `publicKey` is not the key inside its `submitter` PeerId, or when asked to sign as someone else. */
export class WorkflowRecordKeyMismatchError extends Error {
  static { nameError(this, 'WorkflowRecordKeyMismatchError') }
}

/** Thrown when a record's signature does not verify: forged, or altered after signing. */
export class WorkflowRecordSignatureError extends Error {
  static { nameError(this, 'WorkflowRecordSignatureError') }
}

/** Thrown when a record's `finishedAt` is further ahead of the verifier's clock than MAX_WORKFLOW_RECORD_CLOCK_SKEW_MS. */
export class WorkflowRecordNotYetValidError extends Error {
  static { nameError(this, 'WorkflowRecordNotYetValidError') }
}

/** Thrown when the spec text given to the verifier is not the one the record names (`specHash`), or lacks a step the record lists. */
export class WorkflowRecordSpecMismatchError extends Error {
  static { nameError(this, 'WorkflowRecordSpecMismatchError') }
}

/** Thrown by workflowRecordOf when the run has not ended, or its log does not fit its spec. */
export class WorkflowRecordBuildError extends Error {
  static { nameError(this, 'WorkflowRecordBuildError') }
}

/** The step (and item) a receipt check concerns: `detect[3]`, or `split`. */
function where (step: string, item: number | undefined): string {
  return item === undefined ? step : `${step}[${item}]`
}

/** Thrown when a step's `receiptHash` is not the hash of any receipt the verifier was given. */
export class WorkflowRecordReceiptMissingError extends Error {
  static { nameError(this, 'WorkflowRecordReceiptMissingError') }
  readonly step: string
  readonly item: number | undefined

  constructor (step: string, item: number | undefined, receiptHash: string) {
    super(`no receipt given has the hash ${receiptHash} that step ${where(step, item)} names`)
    this.step = step
    this.item = item
  }
}

/** Thrown when the receipt a step names does not itself verify (schema, key, signature); `cause` is the receipt's own error. */
export class WorkflowRecordReceiptInvalidError extends Error {
  static { nameError(this, 'WorkflowRecordReceiptInvalidError') }
  readonly step: string
  readonly item: number | undefined

  constructor (step: string, item: number | undefined, cause: unknown) {
    super(`the receipt of step ${where(step, item)} does not verify: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause })
    this.step = step
    this.item = item
  }
}

/** What a step entry and its (authentic) receipt can disagree on. */
export type WorkflowRecordReceiptField = 'executor' | 'submitter' | 'seed' | 'status' | 'outputHash' | 'outputFilesHash'

/** Thrown when an authentic receipt states something other than the step entry that names it; `field` names the receipt field. */
export class WorkflowRecordReceiptMismatchError extends Error {
  static { nameError(this, 'WorkflowRecordReceiptMismatchError') }
  readonly step: string
  readonly item: number | undefined
  readonly field: WorkflowRecordReceiptField

  constructor (step: string, item: number | undefined, field: WorkflowRecordReceiptField, expected: unknown, actual: unknown) {
    super(`the receipt of step ${where(step, item)} has ${field} ${JSON.stringify(actual)}, the record ${JSON.stringify(expected)}`)
    this.step = step
    this.item = item
    this.field = field
  }
}
