/**
 * `window.zerostate.job(...)`: one module over many inputs, spread over the
 * mesh by the JobRunner (orchestration/jobs). The request is checked as a
 * task would be (task-request.ts) before any slice is sent; each kept
 * slice's receipt is paid for, offered to witnesses and kept in the history
 * like a single task's.
 */
import { DEFAULT_SLICE_SIZE, MAX_JOB_INPUTS, JobRunner, type JobItemResult, type JobStatus } from '../orchestration/jobs/index.ts'
import type { PeerSession } from './session.ts'
import { prepareTask, sampleLabel } from './task-request.ts'
import type { JobRequest, JobView } from './types.ts'
import type { ViewModel } from './view-model.ts'
import { preview } from './view-state.ts'

/** Jobs of this session kept on screen. */
const SESSION_JOBS_LIMIT = 10

export async function startJob (view: ViewModel, session: PeerSession, request: JobRequest): Promise<JobRunner> {
  const inputs = typeof request.inputs === 'string' ? linesOf(request.inputs) : [...request.inputs]
  if (inputs.length === 0) throw new RangeError('a job needs at least one input')
  if (inputs.length > MAX_JOB_INPUTS) throw new RangeError(`a job takes at most ${MAX_JOB_INPUTS} inputs, got ${inputs.length}`)
  const jobId = `job-${crypto.randomUUID()}`
  const sliceSize = request.sliceSize ?? (inputs.every(input => typeof input === 'string' && !/[\r\n]/.test(input)) ? DEFAULT_SLICE_SIZE : 1)
  // The base offer is checked once, as the executor will check each slice's (a slice only changes stdin and the task id).
  const { module, offer: base } = await prepareTask(jobId, { ...request, stdin: '' })
  const { dispatch, accountability } = session.peer
  const label = request.label ?? (typeof request.module === 'string' ? sampleLabel(request.module) : 'job')
  const runner = new JobRunner({
    dispatch,
    settle: async (outcome, offer, bytes) => {
      await Promise.all([
        accountability.afterTask(outcome.receipt, offer, bytes, request.witnesses ?? true),
        session.remember({ receipt: outcome.receipt, role: 'submitter', label: `${label} (${jobId.slice(4, 12)})`, stdoutPreview: preview(outcome.stdout), storedAt: Date.now() })
      ])
    }
  }, {
    jobId,
    base,
    module,
    requirements: request.requirements ?? {},
    inputs,
    sliceSize,
    ...(request.budget === undefined ? {} : { maxTotalPrice: request.budget })
  })
  showJob(view, runner, label, inputs.length)
  return runner
}

/** Keeps the job's card up to date from its events: status, results as they are released, the end. */
function showJob (view: ViewModel, runner: JobRunner, label: string, inputs: number): void {
  const results: JobItemResult[] = []
  const executors = new Set<string>()
  const job: JobView = {
    jobId: runner.jobId, label, state: 'working', status: runner.status(), inputs, results, resultCount: 0, executors: 0, startedAt: Date.now()
  }
  view.update({ jobs: [job, ...view.state.jobs].slice(0, SESSION_JOBS_LIMIT) })
  runner.addEventListener('status', event => {
    const status = (event as unknown as { detail: JobStatus }).detail
    view.updateJob(runner.jobId, { status, state: status.state })
  })
  runner.addEventListener('result', event => {
    const result = (event as unknown as { detail: JobItemResult }).detail
    results.push(result)
    if (result.executor !== undefined) executors.add(result.executor)
    view.updateJob(runner.jobId, { resultCount: results.length, executors: executors.size })
  })
  runner.results().then(
    () => { view.updateJob(runner.jobId, { finishedAt: Date.now(), status: runner.status(), state: runner.status().state }) },
    (err: Error) => { view.updateJob(runner.jobId, { finishedAt: Date.now(), status: runner.status(), state: runner.status().state, error: { name: err.name, message: err.message } }) }
  )
}

/** A text's lines as inputs: split on \n, a trailing \r removed, empty lines skipped. */
function linesOf (text: string): string[] {
  return text.split('\n').map(line => line.replace(/\r$/, '')).filter(line => line !== '')
}
