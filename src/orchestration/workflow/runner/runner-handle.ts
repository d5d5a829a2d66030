/** What a caller holds of a run being driven: the runner's handle and its events. */
import type { RunStatus } from '../scheduler/index.ts'
import type { RunContextSnapshot } from './run-context.ts'
import type { WorkflowResult } from './types.ts'

/**
 * Events of a WorkflowRunner: `status` (RunStatus, after every change),
 * `step` (StepChange: one logged event about a step or item, or the cancel),
 * `context` (ContextChange: a step's updates entered the shared context, once logged),
 * `complete` (WorkflowResult, once the run ended), `error` ({ message }: a
 * payment or memo write that failed, or the log failing, which ends the runner).
 */
export class WorkflowRunnerEvent<T> extends Event {
  constructor (type: 'status' | 'step' | 'context' | 'complete' | 'error', readonly detail: T) {
    super(type)
  }
}

/** One workflow run being driven in this tab. */
export interface WorkflowRunner extends EventTarget {
  /** The run's id, which is also the A2A `contextId` of each of its tasks. */
  readonly runId: string
  /** A2A state names: submitted, working, completed, failed, canceled. */
  status(): RunStatus
  /** The run's shared context as this submitter holds it; undefined when the spec declares none. */
  context(): RunContextSnapshot | undefined
  /** How the run ended, with the workflow's outputs when it completed. Rejects with WorkflowRunnerStoppedError after `stop()`, or with the log's error when the log failed. */
  result(): Promise<WorkflowResult>
  /** Appends `canceled` to the log, then aborts the tasks in flight (their results are neither kept nor paid). No-op once the run ended. */
  cancel(reason?: string): Promise<void>
  /** Stops driving the run without logging anything (the tab is going away): resumeWorkflow goes on from the log. Safe to call twice. */
  stop(): Promise<void>
}
