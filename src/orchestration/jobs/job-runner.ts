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
 *
 * Each slice run on one executor is checked as a single task is
 * (dispatch/checked-run.ts, docs/trust-and-payments.md §3) when the runner
 * is given a verifier: the check pays what it settles, and a slice shown
 * wrong is run again elsewhere.
 */
import { NoExecutorError } from '../task-protocol/index.ts'
import type { ValidOffer, TaskOutcome } from '../task-protocol/index.ts'
import { runChecked } from '../dispatch/index.ts'
import type { ExecutorChoice } from '../dispatch/index.ts'
import { JobCanceledError, JobEvent } from './job-types.ts'
import type { JobItemResult, JobRunnerComponents, JobRunStatus, JobSpec } from './job-types.ts'
import { JobScheduler, type SliceFailure } from './scheduler.ts'
import { joinLines, planSlices, splitLines, type Slice } from './slices.ts'

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
  /** Slices whose executor answered, being checked: still running for the budget and the scheduler, but no longer on their executor. */
  readonly #checking = new Set<number>()
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
      if (affordable <= 0 && this.#busy() === 0 && !this.#scheduler.done) this.#scheduler.pause('budget')
      for (const assignment of this.#scheduler.next(now(), withinBudget(executors, affordable))) {
        this.#running.set(assignment.slice, assignment.executor)
        void this.#runSlice(assignment.slice, assignment.executor, assignment.attempt)
      }
      // A slice that failed on every executor there is, with nothing else running that could change that:
      // waiting for a third executor would be waiting forever, so it is given up on now.
      if (this.#busy() === 0 && executors.length > 0) {
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
      if (redundancy > 1) {
        // On the assigned executor and the next best the job may use; the majority's receipts are paid by
        // runRedundant itself, and the job counts what they charged. One that vanished gets no slices for a while.
        // The majority is the check: a redundant slice is not checked again.
        const others = this.#available.filter(peerId => peerId !== executor && (this.#lost.get(peerId) ?? 0) <= now()).slice(0, redundancy - 1)
        const outcome = await dispatch.runRedundant(offer, this.#spec.module, this.#spec.requirements, redundancy, {
          signal: this.#abort.signal,
          ...(others.length === redundancy - 1 ? { executors: [executor, ...others] } : {}),
          onPaid: receipt => { this.#spent += receipt.price.charge },
          onFailed: (peerId, err) => {
            if (err instanceof Error && failureOf(err) === 'vanished') this.#lost.set(peerId, now() + (this.#components.lostExecutorPauseMs ?? LOST_EXECUTOR_PAUSE_MS))
          }
        })
        const { accepted, released } = this.#scheduler.succeeded(index, executor, this.#itemResults(slice, outcome, outcome.receipt.executor), now())
        this.#release(released)
        if (accepted) await this.#settle(index, outcome, offer, { paid: true })
        return
      }
      const kept = await runChecked(this.#components, offer, this.#spec.module, this.#spec.requirements, { executor }, {
        signal: this.#abort.signal,
        // Its executor is done with it: leaving now does not lose the slice, which is still the job's to check.
        // A late answer (the slice was given up on, and may be running elsewhere) is not checked, so not paid.
        onReturned: () => {
          if (!this.#scheduler.returned(index, executor)) return false
          if (this.#running.get(index) === executor) this.#running.delete(index)
          this.#checking.add(index)
          return true
        },
        onPaid: receipt => { this.#spent += receipt.price.charge }
      })
      this.#checking.delete(index)
      const { outcome, failure } = kept
      // A kept failure (a verified receipt says the task ran and failed) is its inputs' error.
      const results = failure === undefined
        ? this.#itemResults(slice, outcome, outcome.receipt.executor)
        : Array.from({ length: slice.count }, (_, i): JobItemResult => ({ index: slice.first + i, error: `${failure.name}: ${failure.message}`, executor, taskId: offer.taskId }))
      const { accepted, released } = this.#scheduler.succeeded(index, executor, results, now())
      this.#release(released)
      // Paid only for the result kept (a failed run too: the executor did the work its receipt signs for);
      // a late duplicate is neither kept nor paid. A checked slice was paid by its check, never twice.
      if (kept.paidByCheck) void this.#track(index, kept.payments)
      if (accepted) await this.#settle(index, outcome, kept.sent, kept.paidByCheck ? { checked: true } : {})
    } catch (err) {
      this.#checking.delete(index)
      if (this.#abort.signal.aborted) return
      const error = err as Error
      const failure = failureOf(error)
      if (failure === 'vanished') this.#lost.set(executor, now() + (this.#components.lostExecutorPauseMs ?? LOST_EXECUTOR_PAUSE_MS))
      // A result shown wrong ('wrong-result') is tried elsewhere, never on that executor again, as any failure.
      const { quarantined, released } = this.#scheduler.failed(index, executor, failure, `${error.name}: ${error.message}`, now())
      this.dispatchEvent(new JobEvent('retry', { slice: index, executor, attempt, error: `${error.name}: ${error.message}`, quarantined }))
      this.#release(released)
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

  /**
   * Pays for a slice's kept result — unless it was paid already: `paid`, by a
   * redundant slice's majority; `checked`, by its check (both counted as they
   * were paid). The job is not over until every payment it owes is settled
   * (#run waits for them).
   */
  async #settle (index: number, outcome: TaskOutcome, sent: ValidOffer, options: { paid?: boolean, checked?: boolean }): Promise<void> {
    if (options.paid !== true && options.checked !== true) this.#spent += outcome.receipt.price.charge
    const given = options.paid === true ? { paid: true } : options.checked === true ? { checked: true } : undefined
    await this.#track(index, this.#components.settle(outcome, sent, this.#spec.module, given))
  }

  /** Keeps the job open until `settling` ends; a failure is told as an `error` event. */
  async #track (index: number, settling: Promise<void>): Promise<void> {
    const tracked = settling.catch(err => {
      this.dispatchEvent(new JobEvent('error', { message: `settling slice ${index}: ${(err as Error).message}` }))
    })
    this.#settling.add(tracked)
    await tracked
    this.#settling.delete(tracked)
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
    // A checked slice may pay its executor and a checker: twice its task's price.
    const copies = (this.#spec.redundancy ?? 1) > 1 ? this.#spec.redundancy! : this.#components.verifier === undefined ? 1 : 2
    const perSlice = Math.max(1, this.#spec.base.maxTotalPrice * copies)
    return Math.floor((budget - this.#spent) / perSlice) - this.#busy()
  }

  /** Slices under way: running on an executor, or being checked. */
  #busy (): number {
    return this.#running.size + this.#checking.size
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

/** The executors' free slots, cut (best first) so that together they take at most `affordable` slices. */
function withinBudget (executors: Array<{ peerId: string, free: number }>, affordable: number): Array<{ peerId: string, free: number }> {
  let left = Math.max(0, affordable)
  return executors.map(executor => {
    const free = Math.min(executor.free, left)
    left -= free
    return { ...executor, free }
  })
}

/** How a slice's attempt failed, for the scheduler (which retries all of them elsewhere). */
function failureOf (error: Error): SliceFailure {
  switch (error.name) {
    case 'ExecutorLostError': return 'vanished'
    case 'TaskTimeoutError': return 'timeout'
    case 'ExecutorBusyError':
    case 'TaskRefusedError':
    case 'TaskOverBudgetError': return 'refused'
    case 'ResultContradictedError': return 'wrong-result'
    default: return 'error'
  }
}
