/**
 * The app as the UI sees it: the `ZeroStateApp` surface, its view types, and
 * the few domain types and input limits that views show or check. The UI
 * imports this module and nothing below the app (lint:arch enforces it).
 */
export type * from './types.ts'
export type { ChannelRecord, PaymentRecord, ReceiptPaymentRecord } from '../economy/payments/index.ts'
export type { Settlement } from '../economy/channel/index.ts'
export type { Receipt, ReceiptRecord, ReceiptStatus } from '../receipts/index.ts'
export type { AttestationRecord } from '../trust/witness/index.ts'
export type { OutcomeRecord, Report } from '../trust/reputation/index.ts'
export {
  DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_LIMIT_BYTES, MAX_ARGS_AND_ENV_BYTES, MAX_ENV_ENTRIES, MAX_ENV_NAME_BYTES,
  MAX_ENV_VALUE_BYTES, MAX_FILE_PATH_BYTES, MAX_FUEL, MAX_INPUT_FILES_BYTES, MAX_MEMORY_LIMIT_BYTES, MAX_STDIN_BYTES, MAX_TASK_FILES, TASK_SEED_BYTES
} from '../core/limits.ts'
export { sniffImageType, type ImageMediaType } from '../core/media-type.ts'
export { SAMPLE_CATEGORIES, type SampleCategory } from '../execution/sample-index.ts'
export { parseWorkflowSpec, stepDependencies, WorkflowSpecError, type WorkflowSpecProblem } from '../orchestration/workflow/spec/index.ts'
export { MEMO_EXECUTOR } from '../orchestration/workflow/runner/index.ts'
export { WORKFLOW_TEMPLATES, type WorkflowTemplate } from './workflow-templates.ts'
export { listingTags, searchListings, type AgentListing } from './marketplace.ts'
export type { PlannerView } from './planner-settings.ts'
export type { PlannerConfig, WorkflowPlan } from '../peer/planner.ts'
export type { FormGuildRequest } from '../orchestration/guilds/index.ts'
export { MAX_UNIT_PRICE } from '../receipts/pricing/index.ts'
export { MAX_SKILL_TAGS, MAX_TAG_LENGTH } from '../discovery/constants.ts'
