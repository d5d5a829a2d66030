/**
 * `window.zerostate.job(...)`: one module over many inputs, spread over the
 * mesh by the JobRunner (orchestration/jobs). The request is checked as a
 * task would be (task-request.ts) before any slice is sent; each kept
 * slice's receipt is paid for, offered to witnesses and kept in the history
 * like a single task's.
 */
import {
  DEFAULT_SLICE_SIZE, MAX_JOB_INPUTS, JobRunner, estimateJob, joinLines, planSlices, type EstimateExecutor, type JobItemResult, type JobRunStatus
} from '../orchestration/jobs/index.ts'
import type { LocalSandbox } from './local-sandbox.ts'
import type { PeerSession } from './session.ts'
import { prepareTask, sampleLabel } from './task-request.ts'
import type { JobForecast, JobRequest, JobView } from './types.ts'
import type { ViewModel } from './view-model.ts'
import { preview } from './view-state.ts'

/** Jobs of this session kept on screen. */
const SESSION_JOBS_LIMIT = 10

/** A job's inputs and inputs per slice, as startJob and estimateJobRun read the request. */
function inputsOf (request: JobRequest): { inputs: Array<string | Uint8Array>, sliceSize: number } {
  const inputs = typeof request.inputs === 'string' ? linesOf(request.inputs) : [...request.inputs]
  if (inputs.length === 0) throw new RangeError('a job needs at least one input')
  if (inputs.length > MAX_JOB_INPUTS) throw new RangeError(`a job takes at most ${MAX_JOB_INPUTS} inputs, got ${inputs.length}`)
  const sliceSize = request.sliceSize ?? (inputs.every(input => typeof input === 'string' && !/[\r\n]/.test(input)) ? DEFAULT_SLICE_SIZE : 1)
  return { inputs, sliceSize }
}

/**
 * What a job would cost and take, before it runs (orchestration/jobs
 * estimateJob): its first slice is run in this tab's own sandbox for its
 * fuel, and the executors the job would use are read from their Agent
 * Cards (prices, benchmark, slots). Executors whose card has not arrived
 * are left out of the forecast and counted in `unknownExecutors`.
 */
export async function estimateJobRun (session: PeerSession, local: LocalSandbox, request: JobRequest, signal?: AbortSignal): Promise<JobForecast> {
  const { inputs, sliceSize } = inputsOf(request)
  const slices = planSlices(inputs.length, sliceSize)
  const first = slices[0]!
  const sample = inputs.slice(first.first, first.first + first.count)
  const stdin = sliceSize > 1 ? joinLines(sample as string[]) : sample[0]!
  const { inputs: _inputs, sliceSize: _sliceSize, budget: _budget, ...task } = request
  const run = await local.run({ ...task, stdin }, { signal })
  if (run.fuelUsed === null) throw new RangeError(`the sample slice did not finish here (${run.status}), so its fuel is unknown`)
  const ranked = await session.peer.dispatch.chooseExecutors(request.requirements ?? {}, Number.MAX_SAFE_INTEGER, signal, 1)
  const executors: EstimateExecutor[] = ranked.flatMap(({ peerId }) => {
    const card = session.peer.cards.cards.get(peerId)
    if (card === undefined || card.benchmark.fuelPerMs <= 0) return []
    return [{ peerId, pricePerMegaFuel: card.prices.perMegaFuel, pricePerMb: card.prices.perMb, pricePerSecond: card.prices.perSecond, fuelPerMs: card.benchmark.fuelPerMs, slots: card.workerSlots }]
  })
  if (executors.length === 0) throw new RangeError(`none of the ${ranked.length} contributing peers has sent its Agent Card yet: try again in a moment`)
  const inputBytes = inputs.reduce((sum, input) => sum + (typeof input === 'string' ? new TextEncoder().encode(input).byteLength : input.byteLength), 0)
  const estimate = estimateJob({ slices: slices.length, sampleFuel: run.fuelUsed, inputBytes, executors })
  return { ...estimate, inputs: inputs.length, slices: slices.length, sampleFuel: run.fuelUsed, executors: executors.length, unknownExecutors: ranked.length - executors.length }
}

export async function startJob (view: ViewModel, session: PeerSession, request: JobRequest): Promise<JobRunner> {
  const { inputs, sliceSize } = inputsOf(request)
  const jobId = `job-${crypto.randomUUID()}`
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
    const status = (event as unknown as { detail: JobRunStatus }).detail
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
