/**
 * A job: one module over many inputs, spread over the mesh by the JobRunner
 * (orchestration/jobs). The request is checked as a task would be
 * (task-request.ts) before any slice is sent; each slice's result is checked
 * by this peer's verification policy as a single task's is (unless the job
 * says `verify: false` or `witnesses: false`, or runs each slice redundantly);
 * each kept slice's receipt is paid for, offered to witnesses and kept in the
 * history like a single task's. The runner's events (`status`, `result`,
 * `retry`, `error`, `complete`) are the job's progress, for a tab's job card
 * and the SDK alike.
 */
import { MAX_REDUNDANCY } from '../orchestration/dispatch/index.ts'
import { JobRunner, estimateJob, joinLines, planSlices, type EstimateExecutor, type JobInput } from '../orchestration/jobs/index.ts'
import type { PeerContext } from './context.ts'
import { jobInputsOf } from './job-inputs.ts'
import type { LocalRun } from './local-sandbox.ts'
import { preview } from './preview.ts'
import { prepareTask, sampleLabel } from './task-request.ts'
import type { JobForecast, JobRequest } from './types.ts'

/** A job that has started, with what its card shows besides the runner's own status. */
export interface StartedJob {
  runner: JobRunner
  /** The request's label, else the sample id or "job". */
  label: string
  /** How many inputs it has. */
  inputs: number
}

export interface StartJobOptions {
  /** Aborts the preparation; once the job runs, aborting cancels it. */
  signal?: AbortSignal
  /** Called as soon as the runner exists, before its first await: to follow every event. */
  onStarted?(job: StartedJob): void
}

/**
 * What a job would cost and take, before it runs (orchestration/jobs
 * estimateJob): its first slice is run in this peer's own sandbox
 * (`localRun`) for its fuel, and the executors the job would use are read
 * from their Agent Cards (prices, benchmark, slots). Executors whose card
 * has not arrived are left out of the forecast and counted in
 * `unknownExecutors`.
 */
export async function estimateJobRun (ctx: Pick<PeerContext, 'peer'>, localRun: LocalRun, request: JobRequest, signal?: AbortSignal): Promise<JobForecast> {
  const { inputs, sliceSize } = await jobInputsOf(request, entriesOf(request.files))
  const slices = planSlices(inputs.length, sliceSize)
  const first = slices[0]!
  const sample = inputs.slice(first.first, first.first + first.count)
  const { inputs: _inputs, sliceSize: _sliceSize, budget: _budget, redundancy: _redundancy, ...task } = request
  const input = sample[0]!
  const run = await localRun(sliceSize > 1
    ? { ...task, stdin: joinLines(sample as string[]) }
    : typeof input === 'string' || input instanceof Uint8Array
      ? { ...task, stdin: input }
      : { ...task, files: [...entriesOf(request.files), ...input.files.map(([path, data]): [string, Uint8Array] => [path, data])], ...(input.stdin === undefined ? {} : { stdin: input.stdin }) },
  { signal })
  if (run.fuelUsed === null) throw new RangeError(`the sample slice did not finish here (${run.status}), so its fuel is unknown`)
  const ranked = await ctx.peer.dispatch.chooseExecutors(request.requirements ?? {}, Number.MAX_SAFE_INTEGER, signal, 1)
  const executors: EstimateExecutor[] = ranked.flatMap(({ peerId }) => {
    const card = ctx.peer.cards.cards.get(peerId)
    if (card === undefined || card.benchmark.fuelPerMs <= 0) return []
    return [{ peerId, pricePerMegaFuel: card.prices.perMegaFuel, pricePerMb: card.prices.perMb, pricePerSecond: card.prices.perSecond, fuelPerMs: card.benchmark.fuelPerMs, slots: card.workerSlots }]
  })
  if (executors.length === 0) throw new RangeError(`none of the ${ranked.length} contributing peers has sent its Agent Card yet: try again in a moment`)
  const inputBytes = inputs.reduce((sum, input) => sum + inputSize(input), 0)
  // Each slice runs `redundancy` times: as many tasks, each paid.
  const copies = request.redundancy ?? 1
  const estimate = estimateJob({ slices: slices.length * copies, sampleFuel: run.fuelUsed, inputBytes: inputBytes * copies, executors })
  return { ...estimate, inputs: inputs.length, slices: slices.length, sampleFuel: run.fuelUsed, executors: executors.length, unknownExecutors: ranked.length - executors.length }
}

export async function startJob (ctx: PeerContext, request: JobRequest, options: StartJobOptions = {}): Promise<StartedJob> {
  const { signal } = options
  const redundancy = request.redundancy ?? 1
  if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) {
    throw new RangeError(`redundancy must be 1–${MAX_REDUNDANCY} executors, got ${String(request.redundancy)}`)
  }
  const { inputs, sliceSize } = await jobInputsOf(request, entriesOf(request.files))
  const jobId = `job-${crypto.randomUUID()}`
  // The base offer is checked once, as the executor will check each slice's (a slice changes stdin, the task id
  // and — an input of files — adds files, checked against the same limits by jobInputsOf).
  const { module, offer: base } = await prepareTask(jobId, { ...request, stdin: '' }, ctx.fetchModule, signal)
  signal?.throwIfAborted()
  const { dispatch, accountability } = ctx.peer
  const label = request.label ?? (typeof request.module === 'string' ? sampleLabel(request.module) : 'job')
  // Checked as a single task is (submit.ts): a redundant slice is checked by its majority, and with
  // `witnesses: false` the input must not go to one more peer.
  const verifier = redundancy === 1 && request.verify !== false && request.witnesses !== false ? ctx.peer.verifier : undefined
  const runner = new JobRunner({
    dispatch,
    ...(verifier === undefined ? {} : { verifier }),
    settle: async (outcome, offer, bytes, settleOptions) => {
      await Promise.all([
        // A redundant slice's majority was paid by the dispatch, and agreeing executors are their own witnesses.
        // A checked slice's receipts were paid (or, shown wrong, not) by the check (orchestration/dispatch/verification.ts).
        settleOptions?.paid === true ? undefined : accountability.afterTask(outcome.receipt, offer, bytes, request.witnesses ?? true, { pay: settleOptions?.checked !== true }),
        // Kept as owed, as a single task's receipt is (submit.ts): a tab closed before the payment has its next start pay it.
        ctx.remember({ receipt: outcome.receipt, role: 'submitter', label: `${label} (${jobId.slice(4, 12)})`, stdoutPreview: preview(outcome.stdout), storedAt: Date.now(), payment: 'owed' })
      ])
    }
  }, {
    jobId,
    base,
    module,
    requirements: request.requirements ?? {},
    inputs,
    sliceSize,
    redundancy,
    ...(request.budget === undefined ? {} : { maxTotalPrice: request.budget })
  })
  const started = { runner, label, inputs: inputs.length }
  options.onStarted?.(started)
  if (signal !== undefined) {
    const cancel = (): void => { runner.cancel() }
    signal.addEventListener('abort', cancel, { once: true })
    const forget = (): void => { signal.removeEventListener('abort', cancel) }
    runner.results().then(forget, forget)
  }
  return started
}

/** The request's files as entries, as prepareTask reads them. */
function entriesOf (files: JobRequest['files']): Array<[string, Uint8Array]> {
  const list = files === undefined ? [] : Array.isArray(files) ? files : Object.entries(files)
  return list.map(([path, data]): [string, Uint8Array] => [path, typeof data === 'string' ? new TextEncoder().encode(data) : data])
}

/** Bytes of one input, for the estimate's memory share. */
function inputSize (input: JobInput): number {
  if (typeof input === 'string') return new TextEncoder().encode(input).byteLength
  if (input instanceof Uint8Array) return input.byteLength
  return input.files.reduce((sum, [, data]) => sum + data.byteLength, 0) + (input.stdin === undefined ? 0 : inputSize(input.stdin))
}
