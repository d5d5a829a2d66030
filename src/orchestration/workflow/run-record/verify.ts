/**
 * verifyWorkflowRecord: what a third party checks of a workflow record — its
 * signature and schema, then, as far as it holds them, the spec it names and
 * the receipt of every step that completed (docs/workflow-record.md §6).
 */
import { bytesToBase64Url, hexToBytes, sha256Hex, utf8ToBytes } from '../../../core/index.ts'
import { parseReceipt, receiptHash, verifyReceipt } from '../../../receipts/index.ts'
import type { Receipt } from '../../../receipts/index.ts'
import { verifyDocument } from '../../../crypto/index.ts'
import { parseWorkflowSpec } from '../spec/index.ts'
import { filesHashOfHashes } from './build.ts'
import {
  WorkflowRecordReceiptInvalidError, WorkflowRecordReceiptMismatchError, WorkflowRecordReceiptMissingError, WorkflowRecordSpecMismatchError
} from './errors.ts'
import type { WorkflowRecordReceiptField } from './errors.ts'
import { workflowRecordFormatOf } from './format.ts'
import type { WorkflowRecord, WorkflowRecordStep, WorkflowRecordStepState } from './format.ts'

export interface VerifyWorkflowRecordOptions {
  /** The verifier's clock, Unix epoch ms: a record dated further ahead than the allowed skew is refused. */
  now: number
  /** The spec as written: its SHA-256 must be `specHash`, and it must have every step the record lists. */
  specText?: string
  /**
   * Receipts (parsed JSON; any others may be among them): every completed
   * step's `receiptHash` must be the hash of one of them, which must verify
   * and agree with the step entry.
   */
  receipts?: readonly unknown[]
}

/** One step entry, as checked. */
export interface CheckedWorkflowStep {
  name: string
  item?: number
  state: WorkflowRecordStepState
  receiptHash: string | null
  /** The entry's executor, or the receipt's when the entry names none (a reused result). */
  executor: string | null
  /** `verified`: its receipt was found, verified and agrees; `none`: it names no receipt (it did not complete); `not-checked`: no receipts were given. */
  receipt: 'verified' | 'none' | 'not-checked'
}

export interface WorkflowRecordReport {
  /** The record as checked (exactly its fields). */
  record: WorkflowRecord
  /** Whether a spec text was given, and matched. */
  specChecked: boolean
  /** Whether receipts were given, and every step's matched. */
  receiptsChecked: boolean
  /** Every step entry, in the record's order. */
  steps: CheckedWorkflowStep[]
}

/**
 * Checks, in this order: the size limit and the schema; that `publicKey` is
 * the key inside `submitter`; the signature; `finishedAt` against `now`;
 * then the spec text, when given; then, when receipts are given, for each
 * completed step in order: its receipt is among them (by receiptHash), the
 * receipt verifies, and it names the step's executor, the record's submitter
 * and seed, status `ok` (or `exit`: a step may count other exit codes as
 * success), and the step's stdout hash and output files. The
 * record's own checks come first, so every mismatch concerns a record its
 * submitter really signed. Throws the first failure's named error.
 */
export async function verifyWorkflowRecord (value: unknown, options: VerifyWorkflowRecordOptions): Promise<WorkflowRecordReport> {
  const { now, specText, receipts } = options
  const record = verifyDocument(value, workflowRecordFormatOf(value), { now })
  if (specText !== undefined) checkSpec(record, specText)
  const byHash = receipts === undefined ? undefined : indexReceipts(receipts, record)
  const steps: CheckedWorkflowStep[] = []
  for (const step of record.steps) {
    const where = { name: step.name, ...(step.item === undefined ? {} : { item: step.item }), state: step.state, receiptHash: step.receiptHash }
    if (step.receiptHash === null) {
      steps.push({ ...where, executor: step.executor, receipt: 'none' })
    } else if (byHash === undefined) {
      steps.push({ ...where, executor: step.executor, receipt: 'not-checked' })
    } else {
      const receipt = await checkReceipt(record, step, step.receiptHash, byHash)
      steps.push({ ...where, executor: receipt.executor, receipt: 'verified' })
    }
  }
  return { record, specChecked: specText !== undefined, receiptsChecked: byHash !== undefined, steps }
}

function checkSpec (record: WorkflowRecord, specText: string): void {
  if (typeof specText !== 'string') throw new TypeError('specText must be a string')
  const hash = sha256Hex(utf8ToBytes(specText))
  if (hash !== record.specHash) throw new WorkflowRecordSpecMismatchError(`the spec given hashes to ${hash}; the record names ${record.specHash}`)
  const spec = parseWorkflowSpec(specText)
  // A run with a shared context is recorded as version 2, with its hash; one without, as version 1.
  if ((spec.context !== undefined) !== (record.contextHash !== undefined)) {
    throw new WorkflowRecordSpecMismatchError(spec.context === undefined ? 'the record names a context hash, but the spec declares no context' : 'the spec declares a context, but the record (version 1) names no context hash')
  }
  const names = new Set(spec.dag.tasks.map(step => step.name))
  const unknown = record.steps.find(step => !names.has(step.name))
  if (unknown !== undefined) throw new WorkflowRecordSpecMismatchError(`the record lists step ${unknown.name}, which the spec does not have`)
}

/** The receipts the record names, by hash; others are not even parsed. */
function indexReceipts (receipts: readonly unknown[], record: WorkflowRecord): Map<string, unknown> {
  if (!Array.isArray(receipts)) throw new TypeError('receipts must be an array')
  const wanted = new Set(record.steps.flatMap(step => step.receiptHash ?? []))
  const byHash = new Map<string, unknown>()
  for (const receipt of receipts) {
    let hash: string
    try {
      // The hash is over the whole receipt's canonical form (receipts' receiptHash), so it must parse first.
      hash = receiptHash(parseReceipt(receipt))
    } catch {
      continue // not a receipt: it cannot be one the record names
    }
    if (wanted.has(hash)) byHash.set(hash, receipt)
  }
  return byHash
}

async function checkReceipt (record: WorkflowRecord, step: WorkflowRecordStep, hash: string, byHash: Map<string, unknown>): Promise<Receipt> {
  const found = byHash.get(hash)
  if (found === undefined) throw new WorkflowRecordReceiptMissingError(step.name, step.item, hash)
  let receipt: Receipt
  try {
    receipt = parseReceipt(found)
    await verifyReceipt(receipt)
  } catch (err) {
    throw new WorkflowRecordReceiptInvalidError(step.name, step.item, err)
  }
  const expect = (field: WorkflowRecordReceiptField, expected: unknown, actual: unknown): void => {
    if (expected !== actual) throw new WorkflowRecordReceiptMismatchError(step.name, step.item, field, expected, actual)
  }
  if (step.executor !== null) expect('executor', step.executor, receipt.executor)
  expect('submitter', record.submitter, receipt.submitter)
  expect('seed', bytesToBase64Url(hexToBytes(record.seedHex)), receipt.seed)
  // The module ran to its end: `ok` (exit 0), or `exit` with a code the step's `exitCodes` counts as success.
  if (receipt.status !== 'exit') expect('status', 'ok', receipt.status)
  expect('outputHash', step.stdoutHash, receipt.outputHash)
  expect('outputFilesHash', filesHashOfHashes(step.files), receipt.outputFilesHash)
  return receipt
}
