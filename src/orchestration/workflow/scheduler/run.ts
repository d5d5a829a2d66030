/**
 * One run of a workflow, as a pure state machine over an append-only event
 * log: no I/O, no timers, no clock of its own (`next(now)` is given the
 * time, every event carries its `at`). The runner asks `next(now)` for what
 * to start, records what happens with `apply(event)`, and stores `events`;
 * `WorkflowRun.replay` rebuilds the same state from them after a reload, so
 * finished steps are never run again.
 *
 * Rules (docs/workflow-spec.md; Argo's DAG semantics where it is silent):
 * - A step waits for every step it names. With `depends` it runs when the
 *   expression is true once they have all settled; without, when they have
 *   all Succeeded. It is Skipped as soon as that can no longer happen.
 * - `when` is evaluated once the step may run (per item for a fan-out); false
 *   skips it. A `when`, `forEach` or template that cannot be evaluated makes
 *   the step (or item) Errored: the scheduler records a `failed` event with
 *   attempt 0.
 * - A failed attempt marked retryable is tried again after
 *   initialMs · factor^(attempt − 1), at most maxMs, up to `retry.limit` times.
 * - The run ends once every step has settled: `failed` when a step Failed or
 *   Errored and no step depending on it ran (Argo: an unhandled failure),
 *   `completed` otherwise. `canceled` ends it at once.
 *
 * Decisions the scheduler makes itself (skips, errors) are appended to the
 * log by `next(now)`, so the log holds everything and a replay evaluates
 * nothing differently: each is checked against the state when applied.
 */
import { parseExpression, stepDependencies, topologicalOrder } from '../spec/index.ts'
import type { EvaluationContext, StepPhase, StepState, WorkflowSpec } from '../spec/index.ts'
import { memoKey, outputJson, resolveTemplate } from './bindings.ts'
import type { BindingContext } from './bindings.ts'
import { AGENT_MODULE_PREFIX } from './constants.ts'
import { RunEventOrderError } from './errors.ts'
import { checkEvent } from './events.ts'
import { applyUnitEvent } from './unit-events.ts'
import { checkInputs } from './inputs.ts'
import { SETTLED, decide, describeError, stepPhase, unitPhase } from './step-record.ts'
import type { Decision, StepRecord, Unit } from './step-record.ts'
import type {
  Binding, InFlight, ItemOutputs, RunEvent, RunState, RunStatus, StepAction, StepRunState, StepStatus, WorkflowInputValue
} from './types.ts'

function refuse (message: string): never {
  throw new RunEventOrderError(message)
}

export class WorkflowRun {
  readonly spec: WorkflowSpec
  readonly runId: string
  private readonly inputs: Readonly<Record<string, WorkflowInputValue>>
  private readonly order: string[]
  private readonly records = new Map<string, StepRecord>()
  private readonly log: RunEvent[] = []
  private lastAt = -Infinity
  private canceled = false

  /** Throws InvalidWorkflowInputsError when `inputs` do not match the spec's, WorkflowSpecError on a cycle. */
  constructor (spec: WorkflowSpec, inputs: Record<string, WorkflowInputValue>, runId: string) {
    if (typeof runId !== 'string' || runId === '') throw new TypeError('runId must be a non-empty string')
    this.spec = spec
    this.runId = runId
    this.inputs = checkInputs(spec, inputs)
    this.order = topologicalOrder(spec)
    const dependencies = stepDependencies(spec)
    for (const step of spec.dag.tasks) {
      this.records.set(step.name, {
        spec: step,
        deps: dependencies.get(step.name) ?? [],
        dependents: [],
        fanOut: step.forEach !== undefined,
        ...(step.depends === undefined ? {} : { depends: parseExpression(step.depends) }),
        ...(step.when === undefined ? {} : { when: parseExpression(step.when) })
      })
    }
    for (const record of this.records.values()) {
      for (const dep of record.deps) this.records.get(dep)?.dependents.push(record.spec.name)
    }
  }

  /** A run rebuilt from its stored log: the same state as applying each event in turn. */
  static replay (spec: WorkflowSpec, inputs: Record<string, WorkflowInputValue>, runId: string, events: readonly RunEvent[]): WorkflowRun {
    const run = new WorkflowRun(spec, inputs, runId)
    for (const event of events) run.apply(event)
    return run
  }

  /** The log so far, oldest first (a copy). */
  get events (): RunEvent[] {
    return this.log.slice()
  }

  get state (): RunState {
    if (this.canceled) return 'canceled'
    const records = [...this.records.values()]
    if (records.every(record => SETTLED.includes(this.phase(record)))) {
      return records.some(record => this.unhandledFailure(record)) ? 'failed' : 'completed'
    }
    return this.log.length === 0 ? 'submitted' : 'working'
  }

  /**
   * Checks `event` against the state and records it. Throws
   * InvalidRunEventError when it is malformed, RunEventOrderError when it
   * does not fit (see there); either way nothing changes. Skips and
   * errors that follow from it are decided, and logged, by the next `next()`.
   */
  apply (event: RunEvent): void {
    checkEvent(event)
    const state = this.state
    if (state === 'canceled' || state === 'completed' || state === 'failed') refuse(`the run has ended (${state}); ${event.type} refused`)
    if (event.at < this.lastAt) refuse(`${event.type} at ${event.at} is earlier than the event before it (${this.lastAt})`)
    if (event.type === 'canceled') {
      this.cancel()
    } else {
      this.applyStepEvent(event)
    }
    this.lastAt = event.at
    this.log.push(JSON.parse(JSON.stringify(event)) as RunEvent)
  }

  /**
   * What to start now, in topological order then item order: every unit
   * whose step may run and that is waiting for its first attempt or whose
   * backoff has ended. Skips and errors decided on the way are appended to
   * the log (at `now`, or the last event's time if later). Empty once the
   * run has ended. Calling it again without applying anything returns the
   * same actions.
   */
  next (now: number): StepAction[] {
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new RangeError(`now must be a finite number of ms, got ${String(now)}`)
    if (this.state !== 'submitted' && this.state !== 'working') return []
    const at = Math.max(now, this.lastAt)
    const actions: StepAction[] = []
    for (const name of this.order) {
      const record = this.records.get(name) as StepRecord
      if (record.units === undefined && record.skipReason === undefined && record.errored !== true) {
        const decision = this.expand(record)
        if (decision.kind === 'skip') this.apply({ type: 'skipped', at, step: name, reason: decision.reason })
        if (decision.kind === 'error') this.apply({ type: 'failed', at, step: name, attempt: 0, error: decision.error, retryable: false, errored: true })
      }
      record.units?.forEach((unit, index) => {
        const item = record.fanOut ? { item: index } : {}
        const ready = unit.state === 'ready' || (unit.state === 'backoff' && (unit.notBefore ?? -Infinity) <= now)
        if (!ready) return
        const decided = record.itemDecisions?.get(index)
        if (unit.state === 'ready' && decided?.kind === 'skip') return this.apply({ type: 'skipped', at, step: name, ...item, reason: decided.reason })
        let action: StepAction
        try {
          if (decided?.kind === 'error') throw Object.assign(new Error(decided.error.message), { name: decided.error.name })
          action = this.action(record, index)
        } catch (err) {
          if (unit.state !== 'ready') throw err
          return this.apply({ type: 'failed', at, step: name, ...item, attempt: 0, error: describeError(err), retryable: false, errored: true })
        }
        actions.push(action)
      })
    }
    return actions
  }

  /** The earliest time a retry's backoff ends, for the runner's timer; undefined when none is waiting or the run has ended. */
  nextWakeAt (): number | undefined {
    if (this.canceled) return undefined
    let earliest: number | undefined
    for (const record of this.records.values()) {
      for (const unit of record.units ?? []) {
        if (unit.state === 'backoff' && unit.notBefore !== undefined && (earliest === undefined || unit.notBefore < earliest)) earliest = unit.notBefore
      }
    }
    return earliest
  }

  /** Attempts scheduled or started and not yet ended: after a reload, the runner ends or restarts these. */
  inFlight (): InFlight[] {
    const found: InFlight[] = []
    for (const name of this.order) {
      const record = this.records.get(name) as StepRecord
      record.units?.forEach((unit, index) => {
        if (unit.state !== 'submitted' && unit.state !== 'working') return
        const started = unit.state === 'working'
        found.push({
          step: name,
          ...(record.fanOut ? { item: index } : {}),
          attempt: started ? unit.attempts : unit.attempts + 1,
          started,
          ...(unit.executor === undefined ? {} : { executor: unit.executor })
        })
      })
    }
    return found
  }

  /** Per step (in spec order) and per state, for a UI. */
  status (): RunStatus {
    const counts: Record<StepRunState, number> = { submitted: 0, working: 0, completed: 0, failed: 0, canceled: 0, skipped: 0 }
    const steps = this.spec.dag.tasks.map(({ name }): StepStatus => {
      const record = this.records.get(name) as StepRecord
      if (record.units === undefined && record.skipReason === undefined && record.errored !== true && !this.canceled) this.expand(record)
      const phase = this.phase(record)
      const state = this.stepState(record, phase)
      counts[state]++
      const units = record.units ?? []
      return {
        name,
        state,
        phase,
        attempts: units.reduce((sum, unit) => sum + unit.attempts, 0),
        ...(record.fanOut && record.units !== undefined ? { items: { done: units.filter(unit => ['succeeded', 'failed', 'skipped'].includes(unit.state)).length, total: units.length } } : {}),
        ...(record.lastError === undefined ? {} : { lastError: { ...record.lastError } }),
        ...(units.some(unit => unit.ranOn !== undefined) ? { executors: [...new Set(units.flatMap(unit => unit.ranOn === undefined ? [] : [unit.ranOn]))] } : {}),
        ...(record.skipReason === undefined ? {} : { skipReason: record.skipReason })
      }
    })
    return { runId: this.runId, state: this.state, steps, counts }
  }

  /** The run's outputs (`spec.outputs`), resolved, once it has completed; undefined before. */
  outputs (): Record<string, Binding> | undefined {
    if (this.state !== 'completed') return undefined
    const context = this.bindingContext()
    // A run completes with steps skipped (a `when` that was false, a branch not taken): an output
    // bound to what such a step would have made has no value, and is left out rather than failing the run.
    return Object.fromEntries(Object.entries(this.spec.outputs ?? {}).flatMap(([name, text]) => {
      try {
        return [[name, resolveTemplate(text, context)]]
      } catch {
        return []
      }
    }))
  }

  private cancel (): void {
    this.canceled = true
    for (const record of this.records.values()) {
      for (const unit of record.units ?? []) {
        if (!['succeeded', 'failed', 'skipped'].includes(unit.state)) {
          unit.state = 'canceled'
          delete unit.notBefore
        }
      }
    }
  }

  private applyStepEvent (event: Exclude<RunEvent, { type: 'canceled' }>): void {
    const record = this.records.get(event.step)
    if (record === undefined) refuse(`no step named ${event.step}`)
    if (!record.fanOut && event.item !== undefined) refuse(`step ${event.step} has no forEach, so no item ${event.item}`)
    // Expanding first: in a replay the step may not have been looked at yet (the live run did so in next()).
    const decision = this.expand(record)
    const whole = event.item === undefined && (record.fanOut || record.units === undefined)
    if (whole && event.type === 'skipped') {
      if (record.units !== undefined || decision.kind !== 'skip') refuse(`step ${event.step} cannot be skipped: ${decision.kind === 'wait' ? 'it may still run' : 'it runs'}`)
      record.skipReason = event.reason
      return
    }
    if (whole && event.type === 'failed' && event.attempt === 0) {
      if (record.units !== undefined || decision.kind !== 'error') refuse(`step ${event.step} has not errored: ${decision.kind === 'wait' ? 'it is waiting' : 'it can run'}`)
      record.errored = true
      record.lastError = { ...event.error }
      return
    }
    if (record.fanOut && event.item === undefined) refuse(`step ${event.step} runs once per item; ${event.type} needs an item`)
    const index = event.item ?? 0
    const unit = record.units?.[index]
    if (unit === undefined) refuse(record.units === undefined ? `step ${event.step} cannot run yet` : `step ${event.step} has no item ${index} (it has ${record.units.length})`)
    applyUnitEvent(record, index, unit, event)
  }

  /**
   * Decides whether a step may run, from its settled dependencies, and when
   * it may, gives it its units. A pure function of those dependencies, which
   * never change once settled, so doing it on demand (here, or in a replay)
   * always gives the same answer.
   */
  private expand (record: StepRecord): Decision {
    if (record.units !== undefined) return { kind: 'run', ...(record.items === undefined ? {} : { items: record.items }), itemDecisions: record.itemDecisions ?? new Map() }
    if (this.canceled || record.skipReason !== undefined || record.errored === true) return { kind: 'wait' }
    const decision = decide(record, { phase: name => this.phase(this.records.get(name) as StepRecord), context: this.evaluationContext(), bindings: this.bindingContext() })
    if (decision.kind === 'run') {
      record.items = decision.items
      record.itemDecisions = decision.itemDecisions
      record.units = Array.from({ length: decision.items?.length ?? 1 }, (): Unit => ({ state: 'ready', attempts: 0 }))
    }
    return decision
  }

  private phase (record: StepRecord): StepPhase {
    return stepPhase(record)
  }

  private stepState (record: StepRecord, phase: StepPhase): StepRunState {
    switch (phase) {
      case 'Succeeded': return 'completed'
      case 'Failed': case 'Errored': return 'failed'
      case 'Skipped': return 'skipped'
      case 'Running': return this.canceled ? 'canceled' : 'working'
      case 'Pending': return this.canceled ? 'canceled' : (record.units ?? []).some(unit => unit.state === 'submitted') ? 'working' : 'submitted'
    }
  }

  /** Failed or Errored, and no step depending on it ran (Argo's DAG fails on an unhandled failure). */
  private unhandledFailure (record: StepRecord): boolean {
    const phase = this.phase(record)
    if (phase !== 'Failed' && phase !== 'Errored') return false
    return record.dependents.every(name => this.phase(this.records.get(name) as StepRecord) === 'Skipped')
  }

  private evaluationContext (): EvaluationContext {
    const steps: Record<string, StepState> = {}
    for (const [name, record] of this.records) {
      const state: StepState = { phase: this.phase(record) }
      if (record.fanOut && record.units !== undefined) state.items = record.units.map(unit => unitPhase(unit))
      const outputs = record.fanOut ? undefined : record.units?.[0]?.outputs
      if (outputs !== undefined) {
        state.stdout = outputs.stdout
        const json = outputJson(outputs)
        if (json !== undefined) state.json = json
      }
      steps[name] = state
    }
    return { steps, inputs: { ...this.inputs } }
  }

  private bindingContext (item?: { value: unknown }): BindingContext {
    const inputTypes = Object.fromEntries(Object.entries(this.spec.inputs ?? {}).map(([name, input]) => [name, input.type]))
    return {
      inputs: this.inputs,
      inputTypes,
      outputs: step => {
        const record = this.records.get(step)
        return record?.fanOut === false ? record.units?.[0]?.outputs : undefined
      },
      items: step => {
        const record = this.records.get(step)
        if (record?.fanOut !== true || record.units === undefined) return undefined
        return record.units.map((unit): ItemOutputs => unit.outputs ?? null)
      },
      ...(item === undefined ? {} : { item })
    }
  }

  private action (record: StepRecord, index: number): StepAction {
    const step = record.spec
    const unit = record.units?.[index] as Unit
    const context = this.bindingContext(record.fanOut ? { value: record.items?.[index] } : undefined)
    const args = (step.args ?? []).map(text => resolveTemplate(text, context))
    const env = { ...(step.env ?? {}) }
    const stdin = step.stdin === undefined ? undefined : resolveTemplate(step.stdin, context)
    const files = Object.fromEntries(Object.entries(step.files ?? {}).map(([name, text]) => [name, resolveTemplate(text, context)]))
    const module = step.module ?? `${AGENT_MODULE_PREFIX}${step.agent ?? ''}`
    const resolved = { module, args, env, ...(stdin === undefined ? {} : { stdin }), files, ...(step.exitCodes === undefined ? {} : { exitCodes: [...step.exitCodes] }) }
    return {
      step: step.name,
      ...(record.fanOut ? { item: index, itemValue: record.items?.[index] } : {}),
      attempt: unit.attempts + 1,
      ...resolved,
      ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
      ...(step.fuel === undefined ? {} : { fuel: step.fuel }),
      ...(step.memoize === false ? {} : { memoKey: memoKey(resolved) })
    }
  }
}
