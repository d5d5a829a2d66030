/**
 * What the job scheduler (scheduler.ts) takes and gives: its settings, its
 * assignments and released slices, and the job's state and status, as the
 * job runner, the SDK and the UI read them.
 */

/** Why an attempt at a slice failed, as the runner saw it. */
export const SLICE_FAILURES = ['vanished', 'timeout', 'wrong-result', 'refused', 'error'] as const

export type SliceFailure = typeof SLICE_FAILURES[number]

export interface JobSchedulerInit {
  /** Slices in the job, 0 to MAX_JOB_SLICES. */
  slices: number
  /** Distinct executors a slice may fail on before it is quarantined, 1 to 1000 (default 3). */
  maxExecutorsPerSlice?: number
  /** Retry backoff: initialMs (default 500), factor (≥ 1, default 2), maxMs (default 10_000); each ms value 0 to MAX_BACKOFF_MS. */
  backoff?: { initialMs?: number, factor?: number, maxMs?: number }
}

/** Start slice `slice` on `executor`; `attempt` counts this slice's attempts from 1. */
export interface Assignment {
  slice: number
  executor: string
  attempt: number
}

/** A slice handed back in order: its result, or the error it was quarantined with. */
export interface ReleasedSlice<R> {
  slice: number
  result?: R
  error?: string
}

/** A2A task state names. */
export type JobState = 'working' | 'paused' | 'completed' | 'failed' | 'canceled'

export interface JobStatus {
  state: JobState
  /** Slices in the job. */
  total: number
  /** Slices handed to an executor at least once. */
  distributed: number
  /** Slices with an accepted result. */
  computed: number
  /** Slices quarantined. */
  failed: number
  /** Slices being worked on now (none once canceled). */
  running: number
  /** Slices waiting for an executor: never started, or backing off after a failure (total − computed − failed − running). */
  pending: number
  /** Attempts started beyond each slice's first. */
  retries: number
  /** Slices handed back in order so far (results and quarantine errors). */
  released: number
  /** Why the job is paused, while it is. */
  pausedReason?: string
}
