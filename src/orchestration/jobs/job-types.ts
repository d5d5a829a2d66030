/**
 * What a job is made of and what it gives back: the runner's components, a
 * job's spec and inputs, each input's result, the job's status and events.
 */
import { nameError } from '../../core/errors.ts'
import type { CardRequirements } from '../../discovery/index.ts'
import type { ValidOffer, TaskOutcome } from '../task-protocol/index.ts'
import type { DispatchOptions, DispatchRequest, ExecutorChoice, TaskVerification } from '../dispatch/index.ts'
import type { JobStatus } from './scheduler.ts'

/** What the runner needs of TaskDispatch. */
export interface JobDispatch {
  chooseExecutors(requirements: CardRequirements, count: number, signal?: AbortSignal, atLeast?: number): Promise<ExecutorChoice[]>
  inFlightLimit(executor: string): number
  tasksFor(executor: string): { inFlight: number, waiting: number }
  runOnce(prepared: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, request: DispatchRequest, options?: DispatchOptions): Promise<{ outcome: TaskOutcome, offer: ValidOffer }>
  /** The task on `count` executors at once; the majority's result is kept and only the majority paid (each through `options.onPaid`). */
  runRedundant(offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, count: number, options?: DispatchOptions): Promise<TaskOutcome>
}

export interface JobRunnerComponents {
  dispatch: JobDispatch
  /**
   * The submitter's own check (orchestration/dispatch/verification.ts),
   * given to check every slice run on one executor as a single task is
   * checked. Absent: no slice is checked (a job with `verify: false` or
   * `witnesses: false`, or a peer without checks).
   */
  verifier?: Pick<TaskVerification, 'verify'>
  /**
   * Pays for a kept slice's result and lets witnesses check it
   * (TaskAccountability.afterTask) — or, with `paid` (a redundant slice, whose
   * majority runRedundant paid), only keeps it; with `checked` (the check
   * paid for it, or withheld payment from a result it showed wrong), keeps it
   * and lets witnesses check it, paying nothing.
   */
  settle(outcome: TaskOutcome, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, options?: { paid?: boolean, checked?: boolean }): Promise<void>
  /** Clock, injectable for tests. */
  now?(): number
  /** How long an executor that lost a slice gets no more of the job's slices (default LOST_EXECUTOR_PAUSE_MS). */
  lostExecutorPauseMs?: number
}

/**
 * One job. `base` is the checked offer every slice's task starts from (its
 * module, args, env, files, limits and price); each slice gets its own task
 * id and its inputs as stdin.
 */
export interface JobSpec {
  jobId: string
  base: ValidOffer
  module: Uint8Array<ArrayBuffer>
  requirements: CardRequirements
  /** Text inputs (one line each when sliced several to a task), byte inputs or file sets (one to a task). */
  inputs: ReadonlyArray<JobInput>
  sliceSize: number
  /** Each slice on this many executors at once, the majority's result kept (TaskDispatch.runRedundant); default 1. */
  redundancy?: number
  /** Most micro-units the whole job may cost; when the next slice could pass it, the job pauses ('budget'). */
  maxTotalPrice?: number
}

/**
 * An input of its own files: placed in the task's /work beside the job's
 * files (`base.files`), with an optional stdin. Checked by the caller
 * (task-protocol checkOfferFiles over the merged files).
 */
export interface JobFilesInput {
  files: ReadonlyArray<readonly [string, Uint8Array]>
  stdin?: string | Uint8Array
}

export type JobInput = string | Uint8Array | JobFilesInput

/** The result of one input, handed back in input order. */
export interface JobItemResult {
  index: number
  /** The input's share of stdout: its line when sliced several to a task, else the whole stdout (text). */
  output?: string
  /** Files the input's task wrote (byte inputs, one to a task). */
  files?: Array<[string, Uint8Array]>
  exitCode?: number
  /** Why this input has no result: its slice failed on every executor it was tried on, or its task failed. */
  error?: string
  executor?: string
  /** The task id of the receipt that covers it. */
  taskId?: string
}

/** Thrown by `results()` when the job was canceled. */
export class JobCanceledError extends Error {
  static { nameError(this, 'JobCanceledError') }
}

/** A job's status: its slices (the scheduler's JobStatus) and what it has spent of its budget, in micro-units. */
export interface JobRunStatus extends JobStatus {
  spent: number
  budget?: number
}

/** Events of a JobHandle: `status` (JobStatus), `result` (JobItemResult, in input order), `retry`, `error`, `complete`. */
export class JobEvent<T> extends Event {
  constructor (type: 'status' | 'result' | 'retry' | 'error' | 'complete', readonly detail: T) {
    super(type)
  }
}
