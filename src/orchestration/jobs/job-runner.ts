/**
 * A job: one module over many inputs, cut into slices (a slice = one task
 * over one or more inputs), the slices run at once on as many executors as
 * the mesh offers — bounded by the tasks each takes from this tab — each with
 * a verified receipt, and the results handed back in input order as they
 * arrive. The decisions (which slice where, retries with backoff, quarantine,
 * in-order release) are the pure JobScheduler's; this runner only does the
 * I/O: it lists the executors, sends each assignment through TaskDispatch to
 * the executor the scheduler named, settles what the kept result is owed, and
 * tells the scheduler what happened. Modelled on DCP's `compute.for` and
 * Pando's streams (see the issue), with receipts for every slice.
 *
 * Nothing is lost or paid twice: a slice has one current assignment; a result
 * that comes back after its slice was given up on (its executor went quiet
 * and another ran it) is refused by the scheduler and neither kept nor paid.
 */
import { nameError } from '../../core/errors.ts'
import type { CardRequirements } from '../../discovery/index.ts'
import type { ValidOffer, TaskOutcome } from '../task-protocol/index.ts'
import { NoExecutorError, RemoteTaskError, failedRunOutcome } from '../task-protocol/index.ts'
import type { DispatchOptions, DispatchRequest, ExecutorChoice } from '../dispatch/index.ts'
import { JobScheduler, type JobStatus, type SliceFailure } from './scheduler.ts'
import { joinLines, planSlices, splitLines, type Slice } from './slices.ts'

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
   * Pays for a kept slice's result and lets witnesses check it
   * (TaskAccountability.afterTask) — or, with `paid` (a redundant slice, whose
   * majority runRedundant paid), only keeps it.
   */
  settle(outcome: TaskOutcome, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, options?: { paid?: boolean }): Promise<void>
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

/** How long the runner waits for any change before it looks at the mesh again (executors coming or going). */
const POLL_MS = 1000

/**
 * How long an executor that lost a slice (its connection closed, or it went
 * quiet) gets no more of this job's slices: a tab that was closed stays in
 * the presence directory until its announcement expires, and every slice
 * sent to it meanwhile would only fail and be retried.
 */
export const LOST_EXECUTOR_PAUSE_MS = 30_000

export class JobRunner extends EventTarget {
  readonly jobId: string
  readonly #components: JobRunnerComponents
  readonly #spec: JobSpec
  readonly #slices: Slice[]
  readonly #scheduler: JobScheduler<JobItemResult[]>
  readonly #lines: boolean
  readonly #abort = new AbortController()
  readonly #results: JobItemResult[] = []
  /** Where each running slice runs, to notice its executor leaving. */
  readonly #running = new Map<number, string>()
  #spent = 0
  /** Executors that lost a slice, and until when they get no more. */
  readonly #lost = new Map<string, number>()
  /** The contributing peers that matched when the runner last looked, best first. */
  #available: string[] = []
  /** Payments of kept results still being made. */
  readonly #settling = new Set<Promise<void>>()
  #wake: (() => void) | undefined
  #finished: Promise<JobItemResult[]>

  constructor (components: JobRunnerComponents, spec: JobSpec) {
    super()
    this.#components = components
    this.#spec = spec
    this.jobId = spec.jobId
    this.#lines = spec.sliceSize > 1
    if (this.#lines && spec.inputs.some(input => typeof input !== 'string')) throw new TypeError('only text inputs can share a slice: use sliceSize 1 for byte or file inputs')
    const redundancy = spec.redundancy ?? 1
    if (!Number.isInteger(redundancy) || redundancy < 1) throw new RangeError(`redundancy must be a whole number of executors from 1, got ${String(spec.redundancy)}`)
    this.#slices = planSlices(spec.inputs.length, spec.sliceSize)
    this.#scheduler = new JobScheduler({ slices: this.#slices.length })
    this.#finished = this.#run()
    // A caller that only listens to events must not see an unhandled rejection.
    this.#finished.catch(() => {})
  }

  status (): JobRunStatus {
    return this.#status()
  }

  /** Every input's result, in input order, once the job is over. */
  async results (): Promise<JobItemResult[]> {
    return this.#finished
  }

  cancel (): void {
    this.#scheduler.cancel()
    this.#abort.abort(new JobCanceledError(`job ${this.jobId} was canceled`))
    this.#poke()
  }

  /** Raises the job's budget; a job paused for its budget goes on. */
  raiseBudget (maxTotalPrice: number): void {
    this.#spec.maxTotalPrice = maxTotalPrice
    if (this.#scheduler.status().pausedReason === 'budget') this.#scheduler.resume()
    this.#emitStatus()
    this.#poke()
  }

  async #run (): Promise<JobItemResult[]> {
    const now = (): number => this.#components.now?.() ?? Date.now()
    this.#emitStatus()
    while (!this.#scheduler.finished) {
      if (this.#abort.signal.aborted) throw this.#abort.signal.reason
      const executors = await this.#executors()
      const reachable = new Set(executors.map(e => e.peerId))
      for (const executor of new Set(this.#running.values())) {
        if (!reachable.has(executor)) this.#release(this.#scheduler.executorGone(executor, now()))
      }
      const affordable = this.#affordableSlices()
      if (affordable <= 0 && this.#running.size === 0 && !this.#scheduler.done) this.#scheduler.pause('budget')
      for (const assignment of this.#scheduler.next(now(), withinBudget(executors, affordable))) {
        this.#running.set(assignment.slice, assignment.executor)
        void this.#runSlice(assignment.slice, assignment.executor, assignment.attempt)
      }
      // A slice that failed on every executor there is, with nothing else running that could change that:
      // waiting for a third executor would be waiting forever, so it is given up on now.
      if (this.#running.size === 0 && executors.length > 0) {
        for (const slice of this.#scheduler.blockedSlices(executors)) {
          this.#release(this.#scheduler.quarantine(slice, `failed on all ${executors.length} executors there are`))
        }
      }
      this.#emitStatus()
      if (this.#scheduler.done) break
      const wakeAt = this.#scheduler.nextWakeAt()
      await this.#sleep(wakeAt === undefined ? POLL_MS : Math.max(0, Math.min(POLL_MS, wakeAt - now())))
    }
    await Promise.all(this.#settling)
    this.#emitStatus()
    this.dispatchEvent(new JobEvent('complete', this.#status()))
    if (this.#abort.signal.aborted) throw this.#abort.signal.reason
    return this.#results
  }

  /** Contributing peers that match, with how many more tasks each takes from this tab now. */
  async #executors (): Promise<Array<{ peerId: string, free: number }>> {
    const { dispatch } = this.#components
    let choices: ExecutorChoice[] = []
    try {
      choices = await dispatch.chooseExecutors(this.#spec.requirements, Number.MAX_SAFE_INTEGER, this.#abort.signal, 1)
    } catch (err) {
      // None right now: the job waits for one (a slice's own failure is what gives up on it).
      if ((err as Error).name !== NoExecutorError.name) throw err
      this.dispatchEvent(new JobEvent('error', { message: (err as Error).message }))
    }
    const now = this.#components.now?.() ?? Date.now()
    this.#available = choices.map(({ peerId }) => peerId)
    return choices.filter(({ peerId }) => (this.#lost.get(peerId) ?? 0) <= now).map(({ peerId }) => {
      const { inFlight, waiting } = dispatch.tasksFor(peerId)
      return { peerId, free: Math.max(0, dispatch.inFlightLimit(peerId) - inFlight - waiting) }
    })
  }

  async #runSlice (index: number, executor: string, attempt: number): Promise<void> {
    const slice = this.#slices[index]!
    const offer = this.#offerOf(slice, `${this.jobId}-${index}-${attempt}`)
    const now = (): number => this.#components.now?.() ?? Date.now()
    const { dispatch } = this.#components
    const redundancy = this.#spec.redundancy ?? 1
    try {
      let outcome: TaskOutcome
      let sent = offer
      if (redundancy > 1) {
        // On the assigned executor and the next best the job may use; the majority's receipts are paid by
        // runRedundant itself, and the job counts what they charged. One that vanished gets no slices for a while.
        const others = this.#available.filter(peerId => peerId !== executor && (this.#lost.get(peerId) ?? 0) <= now()).slice(0, redundancy - 1)
        outcome = await dispatch.runRedundant(offer, this.#spec.module, this.#spec.requirements, redundancy, {
          signal: this.#abort.signal,
          ...(others.length === redundancy - 1 ? { executors: [executor, ...others] } : {}),
          onPaid: receipt => { this.#spent += receipt.price.charge },
          onFailed: (peerId, err) => {
            if (err instanceof Error && failureOf(err) === 'vanished') this.#lost.set(peerId, now() + (this.#components.lostExecutorPauseMs ?? LOST_EXECUTOR_PAUSE_MS))
          }
        })
      } else {
        ({ outcome, offer: sent } = await dispatch.runOnce(offer, this.#spec.module, this.#spec.requirements, { executor }, { signal: this.#abort.signal }))
      }
      const results = this.#itemResults(slice, outcome, outcome.receipt.executor)
      const { accepted, released } = this.#scheduler.succeeded(index, executor, results, now())
      this.#release(released)
      // Paid only for the result kept; a late duplicate is neither kept nor paid.
      if (accepted) await this.#settle(index, outcome, sent, redundancy > 1)
    } catch (err) {
      if (this.#abort.signal.aborted) return
      const error = err as Error
      // A task that ran and failed (a verified receipt says so) failed on its input: every executor would
      // agree — except on time, which depends on the executor's speed, so a timeout is tried elsewhere.
      if (err instanceof RemoteTaskError && err.receipt !== undefined && error.name !== 'TaskTimeoutError') {
        const failed = Array.from({ length: slice.count }, (_, i): JobItemResult => ({ index: slice.first + i, error: `${error.name}: ${error.message}`, executor, taskId: offer.taskId }))
        const { accepted, released } = this.#scheduler.succeeded(index, executor, failed, now())
        this.#release(released)
        // The executor did the work its receipt signs for: the kept failure is paid like a kept result (once).
        if (accepted) await this.#settle(index, failedRunOutcome(err.receipt), offer)
      } else {
        const failure = failureOf(error)
        if (failure === 'vanished') this.#lost.set(executor, now() + (this.#components.lostExecutorPauseMs ?? LOST_EXECUTOR_PAUSE_MS))
        const { quarantined, released } = this.#scheduler.failed(index, executor, failure, `${error.name}: ${error.message}`, now())
        this.dispatchEvent(new JobEvent('retry', { slice: index, executor, attempt, error: `${error.name}: ${error.message}`, quarantined }))
        this.#release(released)
      }
    } finally {
      if (this.#running.get(index) === executor) this.#running.delete(index)
      this.#emitStatus()
      this.#poke()
    }
  }

  /** The task of a slice: the job's base offer with the slice's inputs as stdin (or, a file set, as files). */
  #offerOf (slice: Slice, taskId: string): ValidOffer {
    const inputs = this.#spec.inputs.slice(slice.first, slice.first + slice.count)
    const bytes = (value: string | Uint8Array): Uint8Array<ArrayBuffer> => typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(value)
    if (this.#lines) return { ...this.#spec.base, taskId, stdin: bytes(joinLines(inputs as string[])) }
    const input = inputs[0]!
    if (typeof input === 'string' || input instanceof Uint8Array) return { ...this.#spec.base, taskId, stdin: bytes(input) }
    return {
      ...this.#spec.base,
      taskId,
      stdin: input.stdin === undefined ? new Uint8Array(0) : bytes(input.stdin),
      files: [...this.#spec.base.files, ...input.files.map(([path, data]): [string, Uint8Array<ArrayBuffer>] => [path, new Uint8Array(data)])]
    }
  }

  /** Pays for a slice's kept result (`paid`: a redundant slice's majority was paid already). The job is not over until every payment it owes is settled (#run waits for them). */
  async #settle (index: number, outcome: TaskOutcome, sent: ValidOffer, paid = false): Promise<void> {
    if (!paid) this.#spent += outcome.receipt.price.charge
    const settling = this.#components.settle(outcome, sent, this.#spec.module, paid ? { paid } : undefined).catch(err => {
      this.dispatchEvent(new JobEvent('error', { message: `settling slice ${index}: ${(err as Error).message}` }))
    })
    this.#settling.add(settling)
    await settling
    this.#settling.delete(settling)
  }

  /** One result per input of the slice: its line of stdout (several to a task) or the whole output (one). */
  #itemResults (slice: Slice, outcome: TaskOutcome, executor: string): JobItemResult[] {
    const taskId = outcome.receipt.taskId
    const stdout = new TextDecoder().decode(outcome.stdout)
    if (outcome.exitCode !== 0) {
      const stderr = new TextDecoder().decode(outcome.stderr).trim()
      return Array.from({ length: slice.count }, (_, i) => ({ index: slice.first + i, exitCode: outcome.exitCode, error: `exit ${outcome.exitCode}${stderr === '' ? '' : `: ${stderr}`}`, output: stdout, executor, taskId }))
    }
    if (!this.#lines) return [{ index: slice.first, output: stdout, exitCode: 0, executor, taskId, ...(outcome.files.length === 0 ? {} : { files: outcome.files }) }]
    return splitLines(stdout, slice.count).map((line, i) => ({ index: slice.first + i, output: line, exitCode: 0, executor, taskId }))
  }

  /** Hands released slices' results on, in input order. */
  #release (released: Array<{ slice: number, result?: JobItemResult[], error?: string }>): void {
    for (const { slice: index, result, error } of released) {
      const slice = this.#slices[index]!
      const items = result ?? Array.from({ length: slice.count }, (_, i): JobItemResult => ({ index: slice.first + i, error: `quarantined: ${error ?? 'failed on every executor tried'}` }))
      for (const item of items) {
        this.#results.push(item)
        this.dispatchEvent(new JobEvent('result', item))
      }
    }
  }

  /**
   * How many more slices may start: each may cost up to its task's
   * maxTotalPrice, and so may each slice running now, so the job never
   * spends past its budget whatever they charge. Infinity without a budget.
   */
  #affordableSlices (): number {
    const budget = this.#spec.maxTotalPrice
    if (budget === undefined) return Infinity
    const perSlice = Math.max(1, this.#spec.base.maxTotalPrice * (this.#spec.redundancy ?? 1))
    return Math.floor((budget - this.#spent) / perSlice) - this.#running.size
  }

  #status (): JobRunStatus {
    const budget = this.#spec.maxTotalPrice
    return { ...this.#scheduler.status(), spent: this.#spent, ...(budget === undefined ? {} : { budget }) }
  }

  #emitStatus (): void {
    this.dispatchEvent(new JobEvent('status', this.#status()))
  }

  async #sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const timer = setTimeout(() => { this.#wake = undefined; resolve() }, ms)
      this.#wake = () => { clearTimeout(timer); this.#wake = undefined; resolve() }
    })
  }

  #poke (): void {
    this.#wake?.()
  }
}

/** How a slice's attempt failed, for the scheduler (which retries all of them elsewhere). */
/** The executors' free slots, cut (best first) so that together they take at most `affordable` slices. */
function withinBudget (executors: Array<{ peerId: string, free: number }>, affordable: number): Array<{ peerId: string, free: number }> {
  let left = Math.max(0, affordable)
  return executors.map(executor => {
    const free = Math.min(executor.free, left)
    left -= free
    return { ...executor, free }
  })
}

function failureOf (error: Error): SliceFailure {
  switch (error.name) {
    case 'ExecutorLostError': return 'vanished'
    case 'TaskTimeoutError': return 'timeout'
    case 'ExecutorBusyError':
    case 'TaskRefusedError':
    case 'TaskOverBudgetError': return 'refused'
    default: return 'error'
  }
}
