/**
 * The signed workflow record (docs/workflow-record.md): when a run ends, its
 * submitter signs the spec's hash, the inputs' hashes, the seed, every
 * step's (and fan-out item's) state, receipt hash, executor, stdout and
 * output file hashes and times, and the outputs' hashes — in the same RFC
 * 8785 + Ed25519 style as receipts — so a third party holding the record and
 * the receipts can check every step, and re-run any of them from its receipt
 * and the seed. Building the record is pure (workflowRecordOf reads the
 * run's log); signing and verifying go through crypto/signed-document.ts.
 *
 * @example
 * ```ts
 * import { signWorkflowRecord, verifyWorkflowRecord, workflowRecordOf } from './orchestration/workflow/run-record/index.ts'
 *
 * const unsigned = workflowRecordOf({ run, events: await log.load(run.runId), outputs: result.outputs, submitter: identity })
 * const record = await signWorkflowRecord(unsigned, identity)
 * // …anyone, later, with the receipts and (optionally) the spec:
 * const report = await verifyWorkflowRecord(JSON.parse(text), { now: Date.now(), specText, receipts })
 * report.steps  // [{ name: 'split', state: 'completed', receiptHash, executor, receipt: 'verified' }, …]
 * ```
 */
export * from './constants.ts'
export * from './errors.ts'
export { UNSIGNED_WORKFLOW_RECORD_FIELDS, UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT, parseWorkflowRecord, signWorkflowRecord } from './format.ts'
export type { UnsignedWorkflowRecord, WorkflowRecord, WorkflowRecordState, WorkflowRecordStep, WorkflowRecordStepState } from './format.ts'
export { filesHashOfHashes, inputHashOf, outputHashOf, workflowRecordOf } from './build.ts'
export type { WorkflowRecordSource } from './build.ts'
export { verifyWorkflowRecord } from './verify.ts'
export type { CheckedWorkflowStep, VerifyWorkflowRecordOptions, WorkflowRecordReport } from './verify.ts'
