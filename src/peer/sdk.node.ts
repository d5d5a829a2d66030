/**
 * The package's entry point (`import { connect } from 'zerostate'`, package.json
 * `exports`): the Node SDK (connect.node.ts), the types of what it takes and
 * gives — the same as a tab's `window.zerostate` — the error classes its calls
 * reject with (compare `err.name === X.name`), the workflow templates, and the
 * offline checks of receipts and workflow records.
 */
export { connect, DEFAULT_EXECUTOR_WAIT_MS, DEFAULT_SERVER } from './connect.node.ts'
export type { CallOptions, ConnectOptions, Mesh } from './connect.node.ts'
export type { JobForecast, JobInputGiven, JobRequest, LedgerView, ReputationView, SubmitRequest, SubmitResult } from './types.ts'
export type { WorkflowOptions } from './workflows.ts'
export type { WorkflowInputGiven } from './workflow-inputs.ts'
export { WORKFLOW_TEMPLATES } from './workflow-templates.ts'
export type { TemplateFile, WorkflowTemplate } from './workflow-templates.ts'

// Handles and their events.
export { JobCanceledError, JobEvent, JobRunner } from '../orchestration/jobs/index.ts'
export type { JobItemResult, JobRunStatus } from '../orchestration/jobs/index.ts'
export type { WorkflowResult, WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
export type { RunEvent, RunStatus, StepStatus } from '../orchestration/workflow/scheduler/index.ts'
export type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
export type { PeerInfo as PeerView, Transport } from '../network/transports.ts'
export type { AgentCard, CardRequirements } from '../discovery/index.ts'
export type { PriceSchedule } from '../receipts/pricing/index.ts'
export type { Logger } from '../core/index.ts'

// Offline checks: a receipt (docs/receipt-format.md), a workflow spec, a workflow record (docs/workflow-record.md).
export {
  InvalidReceiptError, parseReceipt, ReceiptKeyMismatchError, ReceiptMismatchError, ReceiptSignatureError, ReceiptTooLargeError,
  receiptHash, receiptToJson, verifyReceipt
} from '../receipts/index.ts'
export type { Receipt, ReceiptExpectations, ReceiptRecord } from '../receipts/index.ts'
export { parseWorkflowSpec, WorkflowSpecError } from '../orchestration/workflow/spec/index.ts'
export type { WorkflowSpecProblem } from '../orchestration/workflow/spec/index.ts'
export * from '../orchestration/workflow/run-record/errors.ts'
export { parseWorkflowRecord, verifyWorkflowRecord } from '../orchestration/workflow/run-record/index.ts'
export type { CheckedWorkflowStep, WorkflowRecord, WorkflowRecordReport } from '../orchestration/workflow/run-record/index.ts'

// What calls reject with, by name as in the browser.
export * from '../orchestration/task-protocol/errors.ts'
export { StepExitError, UnboundInputError, WorkflowRunExistsError, WorkflowRunnerStoppedError } from '../orchestration/workflow/runner/index.ts'
export { InvalidWorkflowInputsError } from '../orchestration/workflow/scheduler/index.ts'
export { StoreLockedError } from '../storage/sqlite-store.node.ts'
