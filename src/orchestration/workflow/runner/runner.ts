/**
 * The workflow runner: drives one WorkflowRun (the pure scheduler) through
 * its components. It asks `next(now)` what to start, records `scheduled` or
 * `retried`, reuses memoized outputs or sends each unit's task through the
 * dispatch, records `started` and `succeeded` or `failed`, and settles what a
 * kept result is owed. Every event is appended to the log before the runner
 * acts on it (dispatches, pays, tells listeners), so a reload resumes from
 * the log without running a finished step again. Decisions are the
 * scheduler's; the only I/O is through the components.
 *
 * Each task is checked by the submitter as a single task is (step-run.ts,
 * docs/trust-and-payments.md §3) when the runner is given a verifier, before
 * anything of it is logged: the log, the memo and the run's record only ever
 * hold the result the check kept, so a resumed run never checks a logged
 * step again. The memo outlives the run: a run that checks reuses only
 * results a checking run kept (step-memo.ts).
 */
import { ModuleHashMismatchError } from '../../../core/hash.ts'
import { receiptHash } from '../../../receipts/index.ts'
import type { TaskOutcome, ValidOffer } from '../../task-protocol/index.ts'
import { WorkflowRun } from '../scheduler/index.ts'
import type { RunEvent, RunState, RunStatus, StepAction, StepContextOutcome, StepOutputs } from '../scheduler/index.ts'
import type { StepSpec } from '../spec/index.ts'
import { DEFAULT_MAX_IN_FLIGHT, MEMO_EXECUTOR } from './constants.ts'
import { StepExitError, WorkflowRunExistsError, WorkflowRunnerStoppedError } from './errors.ts'
import { CONTEXT_INPUT_FILE, CONTEXT_UPDATES_FILE, RunContext, readsContext, writesContext } from './run-context.ts'
import type { RunContextSnapshot } from './run-context.ts'
import { WorkflowRunnerEvent } from './runner-handle.ts'
import type { WorkflowRunner } from './runner-handle.ts'
import { describeError as describe, failureOf, stepAgentOf, withAgentDefaults } from './step-task.ts'
import { StepMemo } from './step-memo.ts'
import { runStepTask } from './step-run.ts'
import { buildOffer } from './task-offer.ts'
import { Wakeup } from './wakeup.ts'
import type { ContextChange, LoadedModule, StepChange, WorkflowResult, WorkflowRunInit, WorkflowRunnerComponents } from './types.ts'

type Where = { step: string, item?: number }

const live = (state: RunState): boolean => state === 'submitted' || state === 'working'
const whereOf = (action: StepAction): Where => ({ step: action.step, ...(action.item === undefined ? {} : { item: action.item }) })

class Runner extends EventTarget implements WorkflowRunner {
  readonly runId: string
  readonly #components: WorkflowRunnerComponents
  readonly #init: WorkflowRunInit
  readonly #run: WorkflowRun
  readonly #maxInFlight: number
  readonly #abort = new AbortController()
  readonly #modules = new Map<string, Promise<LoadedModule>>()
  readonly #steps: ReadonlyMap<string, StepSpec>
  readonly #memo: StepMemo
  /** The shared context, when the spec declares one. */
  readonly #context: RunContext | undefined
  readonly #settling = new Set<Promise<void>>()
  /** How many of the run's events are in the log (or on their way, in order, through #persisting). */
  #logged: number
  #persisting: Promise<void> = Promise.resolve()
  #lastAt = -Infinity
  #inFlight = 0
  #stopped = false
  #fatal: { error: unknown } | undefined
  readonly #wakeup = new Wakeup()
  readonly #finished: Promise<WorkflowResult>

  constructor (components: WorkflowRunnerComponents, init: WorkflowRunInit, run: WorkflowRun, logged: RunEvent[]) {
    super()
    const maxInFlight = init.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`)
    this.runId = init.runId
    this.#components = components
    this.#init = init
    this.#run = run
    this.#maxInFlight = maxInFlight
    this.#logged = logged.length
    for (const event of logged) this.#lastAt = Math.max(this.#lastAt, event.at)
    this.#steps = new Map(init.spec.dag.tasks.map(step => [step.name, step]))
    this.#memo = new StepMemo(components, init.defaults.seed, components.verifier !== undefined)
    if (init.spec.context !== undefined) {
      this.#context = new RunContext(init.runId, init.spec.context as Record<string, unknown>, components.signer)
      // Throws for a forged or altered entry in the log: the run is not resumed over a context it cannot vouch for.
      this.#context.restore(logged)
    }
    this.#finished = this.#drive()
    // A caller that only listens to events must not see an unhandled rejection.
    this.#finished.catch(() => {})
  }

  status (): RunStatus {
    return this.#run.status()
  }

  context (): RunContextSnapshot | undefined {
    return this.#context?.snapshot()
  }

  async result (): Promise<WorkflowResult> {
    return this.#finished
  }

  async cancel (reason?: string): Promise<void> {
    if (this.#abort.signal.aborted || !live(this.#run.state)) return
    this.#run.apply({ type: 'canceled', at: this.#at(), ...(reason === undefined ? {} : { reason }) })
    try {
      await this.#persist()
    } finally {
      this.#abort.abort()
      this.#wakeup.poke()
    }
  }

  async stop (): Promise<void> {
    if (!this.#stopped && !this.#abort.signal.aborted) {
      this.#stopped = true
      this.#abort.abort(new WorkflowRunnerStoppedError(`the runner of ${this.runId} was stopped`))
      this.#wakeup.poke()
    }
    await this.#finished.catch(() => {})
  }

  async #drive (): Promise<WorkflowResult> {
    try {
      this.#emitStatus()
      // Attempts in flight when the last runner stopped (a reload) never reported back: recorded as
      // interrupted, they run again without spending a retry (the scheduler bounds how often).
      // Nothing else of the log is run again.
      for (const lost of this.#run.inFlight()) {
        this.#run.apply({ type: 'interrupted', at: this.#at(), step: lost.step, ...(lost.item === undefined ? {} : { item: lost.item }), attempt: lost.attempt })
      }
      await this.#persist()
      while (!this.#abort.signal.aborted && live(this.#run.state)) {
        this.#wakeup.clear()
        const now = this.#now()
        const actions = this.#run.next(now).slice(0, Math.max(0, this.#maxInFlight - this.#inFlight))
        void this.#persist() // the skips and errors next() decided; brings #lastAt up to date
        const at = Math.max(now, this.#lastAt)
        for (const action of actions) {
          this.#run.apply({ type: action.attempt === 1 ? 'scheduled' : 'retried', at, ...whereOf(action) })
        }
        await this.#persist()
        if (this.#abort.signal.aborted) break
        for (const action of actions) {
          this.#inFlight++
          this.#runUnit(action).catch(err => { this.#fail(err) }).finally(() => {
            this.#inFlight--
            this.#wakeup.poke()
          })
        }
        if (!live(this.#run.state) || actions.length > 0) continue
        const wakeAt = this.#run.nextWakeAt()
        await this.#wakeup.sleep(wakeAt === undefined ? undefined : Math.max(0, wakeAt - this.#now()))
      }
    } finally {
      while (this.#inFlight > 0) await this.#wakeup.sleep(undefined)
      await Promise.all(this.#settling)
    }
    await this.#persisting
    if (this.#fatal !== undefined) throw this.#fatal.error
    const state = this.#run.state
    if (this.#stopped && live(state)) throw this.#abort.signal.reason
    const outputs = this.#run.outputs()
    const result: WorkflowResult = { state, ...(outputs === undefined ? {} : { outputs }) }
    this.#emitStatus()
    this.dispatchEvent(new WorkflowRunnerEvent('complete', result))
    return result
  }

  /** One unit's attempt: memo, or module → offer → dispatch → outputs. Records how it ended unless the run ended first. */
  async #runUnit (action: StepAction): Promise<void> {
    const where = whereOf(action)
    const attempt = action.attempt
    let phase: 'module' | 'offer' | 'run' = 'module'
    try {
      const module = await this.#module(action.module)
      const step = this.#steps.get(action.step) as StepSpec
      const task = withAgentDefaults(action, step, module, this.#init.defaults)
      const agent = stepAgentOf(module)
      // A reading step is given the context as it is now; the memo key names it by the hash of those bytes.
      const context = this.#context !== undefined && readsContext(step.context) ? this.#context.input() : undefined
      const marks = { ...(context === undefined ? {} : { contextHash: context.hash }), ...(agent === undefined ? {} : { agent }) }
      const key = this.#memo.keyOf(action, task.action, module.hash, context?.hash)
      const memoized = key === undefined ? undefined : await this.#memo.reusable(key)
      if (memoized !== undefined) {
        if (this.#ended()) return
        const { receiptHash: reused, checked: _checked, ...outputs } = memoized
        const proposed = await this.#propose(step, outputs.files, reused)
        if (this.#ended()) return
        this.#run.apply({ type: 'started', at: this.#at(), ...where, attempt, executor: MEMO_EXECUTOR, ...marks })
        this.#succeed(action, outputs, reused, MEMO_EXECUTOR, proposed)
        await this.#persist()
        return
      }
      phase = 'offer'
      const given = context === undefined ? task.action : { ...task.action, files: { ...task.action.files, [CONTEXT_INPUT_FILE]: context.text } }
      const offer = await buildOffer(this.#components.blobs, this.runId, given, module, task.defaults)
      if (this.#ended()) return
      this.#run.apply({ type: 'started', at: this.#at(), ...where, attempt, ...marks })
      await this.#persist()
      phase = 'run'
      const requirements = { ...this.#init.defaults.requirements, moduleHash: module.hash }
      const kept = await runStepTask(this.#components, action, offer, module.bytes, requirements, { signal: this.#abort.signal, ended: () => this.#ended() })
      // The check's payments are owed whatever becomes of the result: the run ends once they are settled.
      if (kept.paidByCheck) this.#track(kept.payments)
      if (kept.failure !== undefined) {
        // A run that failed on its executor (a trap, out of fuel) comes with a verified receipt: the work it signs
        // for is paid, as a result is. Not a timeout, which depends on the executor's speed (as in a job).
        this.#settle(kept.outcome, kept.sent, module.bytes, action.step, kept.paidByCheck)
        throw kept.failure
      }
      // Canceled or stopped meanwhile: the result is neither kept nor paid (as the job runner does with a late one).
      if (this.#ended()) return
      try {
        await this.#finish(action, step, kept.outcome, key === undefined ? undefined : { key, checked: kept.checked })
      } finally {
        this.#settle(kept.outcome, kept.sent, module.bytes, action.step, kept.paidByCheck)
      }
    } catch (err) {
      if (this.#ended() || this.#fatal !== undefined) return
      const { retryable, errored } = failureOf(err, phase)
      this.#run.apply({ type: 'failed', at: this.#at(), ...where, attempt, error: describe(err), retryable, ...(errored ? { errored } : {}) })
      await this.#persist()
    }
  }

  /** Records a returned outcome: its outputs stored as blobs and kept under the memo key (marked checked or not), or the exit it failed with. */
  async #finish (action: StepAction, step: StepSpec, outcome: TaskOutcome, memo: { key: string, checked: boolean } | undefined): Promise<void> {
    const where = whereOf(action)
    if (!(action.exitCodes ?? [0]).includes(outcome.exitCode)) {
      const stderr = new TextDecoder().decode(outcome.stderr).trim()
      const error = describe(new StepExitError(`exit ${outcome.exitCode}${stderr === '' ? '' : `: ${stderr}`}`))
      this.#run.apply({ type: 'failed', at: this.#at(), ...where, attempt: action.attempt, error, retryable: true })
      await this.#persist()
      return
    }
    const { blobs } = this.#components
    // The blob's hash is SHA-256 of stdout, which is what the receipt's outputHash names.
    const stdoutHash = await blobs.put(outcome.stdout)
    const files: Record<string, string> = {}
    for (const [path, data] of outcome.files) files[path] = await blobs.put(data)
    const outputs: StepOutputs = { stdout: new TextDecoder().decode(outcome.stdout), stdoutHash, files }
    const receipt = receiptHash(outcome.receipt)
    const proposed = await this.#propose(step, files, receipt)
    if (this.#ended()) return
    this.#succeed(action, outputs, receipt, outcome.receipt.executor, proposed)
    await this.#persist()
    if (memo !== undefined) {
      await this.#memo.keep(memo.key, { ...outputs, receiptHash: receipt, checked: memo.checked }).catch(err => {
        this.#error(`keeping ${action.step} under its memo key: ${describe(err).message}`)
      })
    }
  }

  /** A writing step's updates file (among its outputs, `files` by hash) made into signed entries, or why it is refused; undefined for a step that does not write. */
  async #propose (step: StepSpec, files: Record<string, string>, receipt: string): Promise<StepContextOutcome | undefined> {
    if (this.#context === undefined || !writesContext(step.context)) return undefined
    const hash = files[CONTEXT_UPDATES_FILE]
    const bytes = hash === undefined ? undefined : await this.#components.blobs.get(hash)
    if (hash !== undefined && bytes === undefined) return { entries: [], refused: { name: 'UnboundInputError', message: `the updates file's blob ${hash} is not stored` } }
    return this.#context.propose(bytes, receipt, this.#now())
  }

  /**
   * Records a success, with a writing step's entries applied to the context
   * in the same turn (all or none, RunContext.commit), so the log and the
   * context never disagree; listeners hear of the entries once they are logged.
   */
  #succeed (action: StepAction, outputs: StepOutputs, receipt: string, executor: string, proposed: StepContextOutcome | undefined): void {
    const context = proposed === undefined || this.#context === undefined ? undefined : this.#context.commit(proposed)
    this.#run.apply({ type: 'succeeded', at: this.#at(), ...whereOf(action), attempt: action.attempt, outputs, receiptHash: receipt, executor, ...(context === undefined ? {} : { context }) })
    if (context !== undefined && context.entries.length > 0 && this.#context !== undefined) {
      const change: ContextChange = { ...whereOf(action), entries: context.entries, context: this.#context.snapshot() }
      void this.#persist().then(() => { this.dispatchEvent(new WorkflowRunnerEvent('context', change)) }, () => {})
    }
  }

  /** A module, loaded once per runner (a fan-out's items share it); a failed load is tried again next time. */
  async #module (ref: string): Promise<LoadedModule> {
    let loading = this.#modules.get(ref)
    if (loading === undefined) {
      loading = this.#components.modules.load(ref, { signal: this.#abort.signal }).then(module => {
        if (ref.startsWith('sha256:') && module.hash !== ref.slice('sha256:'.length)) {
          throw new ModuleHashMismatchError(`module ${ref} was loaded as ${module.hash}`)
        }
        return module
      })
      this.#modules.set(ref, loading)
      loading.catch(() => { this.#modules.delete(ref) })
    }
    return loading
  }

  /** Pays for a kept result (unless `checked`: its check paid), keeps it and lets witnesses check it; the run ends once it is settled. */
  #settle (outcome: TaskOutcome, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, step: string, checked = false): void {
    this.#track(this.#components.settle(outcome, offer, module, step, checked ? { checked } : undefined), offer.taskId)
  }

  /** Keeps the run open until `settling` ends; a failure is told as an `error` event. */
  #track (settling: Promise<void>, taskId?: string): void {
    const tracked = settling.catch(err => {
      this.#error(`settling ${taskId ?? 'a checked task'}: ${describe(err).message}`)
    })
    this.#settling.add(tracked)
    void tracked.finally(() => this.#settling.delete(tracked))
  }

  /**
   * Appends the run's events not yet logged, in order, then tells listeners.
   * Synchronous up to the append, so callers that apply and persist in one
   * go keep the log's order; the returned promise settles once every event
   * applied so far is in the log. Not async: it hands back the one chain
   * promise, whose rejection #fail handles, so a caller that does not await
   * it leaves no unhandled rejection.
   */
  #persist (): Promise<void> {
    const events = this.#run.events
    const fresh = events.slice(this.#logged)
    this.#logged = events.length
    for (const event of fresh) this.#lastAt = Math.max(this.#lastAt, event.at)
    if (fresh.length > 0) {
      this.#persisting = this.#persisting.then(async () => {
        for (const event of fresh) {
          await this.#components.log.append(this.runId, event)
          this.dispatchEvent(new WorkflowRunnerEvent<StepChange>('step', { event }))
        }
        this.#emitStatus()
      })
      this.#persisting.catch(err => { this.#fail(err) })
    }
    return this.#persisting
  }

  /** The log (or the runner itself) failed: nothing more can be recorded, so the runner ends with that error. */
  #fail (err: unknown): void {
    if (this.#fatal !== undefined) return
    this.#fatal = { error: err }
    this.#error(`the run's log failed: ${describe(err).message}`)
    this.#abort.abort(err)
    this.#wakeup.poke()
  }

  #ended (): boolean {
    return this.#abort.signal.aborted || !live(this.#run.state)
  }

  #now (): number {
    return this.#components.now?.() ?? Date.now()
  }

  /** Now, but never before the last event (a clock that stepped back would have the event refused). */
  #at (): number {
    const at = Math.max(this.#now(), this.#lastAt)
    this.#lastAt = at
    return at
  }

  #emitStatus (): void {
    this.dispatchEvent(new WorkflowRunnerEvent('status', this.#run.status()))
  }

  #error (message: string): void {
    this.dispatchEvent(new WorkflowRunnerEvent('error', { message }))
  }
}

/**
 * Starts a new run. Throws WorkflowRunExistsError when the log already holds
 * events for `runId` (resume it instead), InvalidWorkflowInputsError when the
 * inputs do not match the spec's.
 */
export async function startWorkflow (components: WorkflowRunnerComponents, init: WorkflowRunInit): Promise<WorkflowRunner> {
  const run = new WorkflowRun(init.spec, init.inputs, init.runId)
  const stored = await components.log.load(init.runId)
  if (stored.length > 0) throw new WorkflowRunExistsError(`run ${init.runId} already has ${stored.length} logged events; resume it`)
  return new Runner(components, init, run, [])
}

/**
 * Goes on with a run from its log (after a reload): the log is replayed, so
 * finished steps are not run again; attempts that were in flight are
 * recorded as interrupted (run again without spending a retry), then the run
 * goes on. A run that had ended resolves its result at once. An empty log starts
 * the run.
 */
export async function resumeWorkflow (components: WorkflowRunnerComponents, init: WorkflowRunInit): Promise<WorkflowRunner> {
  const stored = await components.log.load(init.runId)
  const run = WorkflowRun.replay(init.spec, init.inputs, init.runId, stored)
  return new Runner(components, init, run, stored)
}
