/**
 * Jobs: one module run over many inputs. The inputs are cut into slices
 * (slices.ts), each slice one task on some executor; the scheduler
 * (scheduler.ts) decides which slice runs where and when, retries failures
 * elsewhere with backoff, quarantines a slice that fails everywhere, and
 * releases results strictly in input order; estimate.ts forecasts a job's
 * fuel, price and duration from one sample slice. All pure: the job runner
 * drives them through TaskDispatch with its own clock.
 *
 * @example
 * const plan = planSlices(inputs.length, DEFAULT_SLICE_SIZE)
 * const scheduler = new JobScheduler<string[]>({ slices: plan.length })
 * for (const { slice, executor } of scheduler.next(Date.now(), executors)) {
 *   run(executor, joinLines(inputs.slice(plan[slice].first, plan[slice].first + plan[slice].count)))
 * }
 */
export * from './constants.ts'
export { InvalidJobEstimateError, InvalidJobSchedulerInitError, MultilineInputError, SliceOutputMismatchError, UnknownSliceError } from './errors.ts'
export { joinLines, planSlices, splitLines } from './slices.ts'
export type { Slice } from './slices.ts'
export { JobScheduler, SLICE_FAILURES } from './scheduler.ts'
export type { Assignment, JobSchedulerInit, JobState, JobStatus, ReleasedSlice, SliceFailure } from './scheduler.ts'
export { estimateJob } from './estimate.ts'
export type { EstimateExecutor, JobEstimate, JobEstimateInput } from './estimate.ts'
export { JobRunner } from './job-runner.ts'
export { JobEvent, JobCanceledError } from './job-types.ts'
export type { JobDispatch, JobFilesInput, JobInput, JobRunnerComponents, JobRunStatus, JobSpec, JobItemResult } from './job-types.ts'
