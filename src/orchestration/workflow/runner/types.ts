/**
 * What the workflow runner needs of the rest of the app, as narrow
 * interfaces: the lead implements them over IndexedDB (log, blobs, memo),
 * the module store and TaskDispatch; the unit tests over in-memory twins.
 */
import type { PeerIdentity } from '../../../crypto/index.ts'
import type { CardRequirements } from '../../../discovery/index.ts'
import type { DispatchOptions, TaskVerification } from '../../dispatch/index.ts'
import type { TaskOutcome, TaskTraceOptions, ValidOffer } from '../../task-protocol/index.ts'
import type { ContextEntry } from '../context/index.ts'
import type { WorkflowSpec } from '../spec/index.ts'
import type { RunContextSnapshot } from './run-context.ts'
import type { Binding, RunEvent, RunStatus, StepOutputs, WorkflowInputValue } from '../scheduler/index.ts'

/** What the runner needs of TaskDispatch: `runOnce`, with the same shapes. */
export interface WorkflowDispatch {
  runOnce(offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, request: { executor?: string }, options?: DispatchOptions): Promise<{ outcome: TaskOutcome, offer: ValidOffer }>
}

/** What a published agent's manifest says a task of it gets unless the step says otherwise (docs/agent-manifest.md `defaults`). */
export interface AgentTaskDefaults {
  args?: string[]
  timeoutMs?: number
  memoryLimitBytes?: number
  fuel?: number
}

/** A step's module, loaded; `agent` when it was named as a published agent (`agent: name@range`). */
export interface LoadedModule {
  bytes: Uint8Array<ArrayBuffer>
  /** Lowercase hex SHA-256 of `bytes`. */
  hash: string
  agent?: { name: string, version: string, author: string, defaults: AgentTaskDefaults }
}

/** A step's module by its `module` field: a sample id, `sha256:<hex>`, or `agent:<name@range>` (AGENT_MODULE_PREFIX) for an `agent:` step. */
export interface ModuleSource {
  /** Rejects when the module is not to be had (an agent no registry here knows: the reason says so); the step is then Errored. */
  load(ref: string, options?: { signal?: AbortSignal }): Promise<LoadedModule>
}

/** Content-addressed bytes: step outputs (stdout, each output file) and `bytes`/`files` inputs. */
export interface BlobStore {
  /** Stores the bytes; resolves with their lowercase hex SHA-256. */
  put(bytes: Uint8Array): Promise<string>
  get(hash: string): Promise<Uint8Array | undefined>
}

/** A run's append-only event log. `append` resolves once the event is durable. */
export interface RunLog {
  append(runId: string, event: RunEvent): Promise<void>
  /** Every event of the run, oldest first; empty for a run never started. */
  load(runId: string): Promise<RunEvent[]>
}

/** Outputs kept under a memo key, with the receipt they were verified by. */
export type MemoizedOutputs = StepOutputs & {
  receiptHash: string
  /**
   * True when a run that checks its tasks kept them (step-run.ts: its
   * verifier was applied). Absent or false — a run with `verify: false`, a
   * step awarded to an executor, an entry from before results were checked —
   * a run that checks does not reuse them (step-memo.ts).
   */
  checked?: boolean
}

/** Verified step outputs by memo key (`StepAction.memoKey`, with the run's seed). */
export interface MemoStore {
  get(memoKey: string): Promise<MemoizedOutputs | undefined>
  put(memoKey: string, outputs: MemoizedOutputs): Promise<void>
}

export interface WorkflowRunnerComponents {
  dispatch: WorkflowDispatch
  modules: ModuleSource
  blobs: BlobStore
  log: RunLog
  memo: MemoStore
  /**
   * Pays for a kept result of step `step` and lets witnesses check it
   * (TaskAccountability.afterTask), as the job runner does; with `checked`
   * (the submitter's check paid for it, or withheld payment from a result it
   * showed wrong), keeps it and lets witnesses check it, paying nothing.
   */
  settle(outcome: TaskOutcome, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, step: string, options?: { checked?: boolean }): Promise<void>
  /**
   * The submitter's own check (orchestration/dispatch/verification.ts), given
   * to check each step's task as a single task is checked — every task not
   * awarded to an executor (`executorFor`); a result shown wrong is sent
   * again elsewhere (MAX_CONTRADICTED_REDISPATCHES) and never logged. Absent:
   * nothing is checked (`verify: false`, `witnesses: false`).
   */
  verifier?: Pick<TaskVerification, 'verify'>
  /** The executor a step was awarded to (docs/guild.md §6), when it was: its tasks go there and nowhere else. */
  executorFor?(step: string): string | undefined
  /** Clock, injectable for tests (default Date.now). */
  now?(): number
  /**
   * Traces the run (docs/tracing.md §7): called as a unit's task is about to
   * be dispatched, it returns the span the task hangs under (a `step` span of
   * the run's trace) and how to end it; undefined when the run is not traced.
   */
  traceStep?(unit: { step: string, item?: number, attempt: number, taskId: string }): StepTrace | undefined
  /** The submitter's identity: it signs the context entries made of `write` steps' updates (docs/workflow-context.md §6). Without it those updates are refused. */
  signer?: PeerIdentity
}

/** A unit's span in the run's trace: its task is dispatched with `trace`, and `end` is called once the dispatch settles. */
export interface StepTrace {
  trace: TaskTraceOptions
  end(error?: unknown): void
}

/**
 * What every step's task starts from; a step's own `timeoutMs` and `fuel`
 * replace the defaults. Checked as the executor will check it
 * (task-protocol's validateOffer) before anything is sent.
 */
export interface WorkflowTaskDefaults {
  timeoutMs: number
  memoryLimitBytes: number
  fuel: number
  /** The most one task may cost, in micro-units. */
  maxTotalPrice: number
  /** The tasks' seed (TASK_SEED_BYTES bytes); part of the memo key, since a module may read randomness. */
  seed: Uint8Array<ArrayBuffer>
  /** What an executor must offer; each task adds its module's hash (a soft preference for peers holding it warm). */
  requirements?: CardRequirements
}

export interface WorkflowRunInit {
  /** The run's id; it is also the A2A `contextId` of every task of the run. */
  runId: string
  spec: WorkflowSpec
  inputs: Record<string, WorkflowInputValue>
  defaults: WorkflowTaskDefaults
  /** Most units in flight at once (default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number
}

/** How a run ended, and what the workflow returns (`spec.outputs`, resolved) when it completed. */
export interface WorkflowResult {
  state: RunStatus['state']
  /** Text bindings as strings; a blob (`steps.X.files["n"]`) by its hash, readable from the blob store. Only when completed. */
  outputs?: Record<string, Binding>
}

/** `detail` of a `context` event: the entries a step's updates added, and the context after them. */
export interface ContextChange {
  step: string
  item?: number
  entries: ContextEntry[]
  context: RunContextSnapshot
}

/** `detail` of a `step` event: the event as logged (a step or item changed). */
export interface StepChange {
  event: RunEvent
}
