/**
 * What the run keeps per step, and the pure rules over it: the phase a step
 * or item is in, whether a step may run (`decide`), and the retry backoff.
 */
import { evaluate } from '../spec/index.ts'
import type { EvaluationContext, ExpressionNode, StepPhase, StepSpec } from '../spec/index.ts'
import { itemForExpressions, resolveForEach, StepItem } from './bindings.ts'
import type { BindingContext } from './bindings.ts'
import { DEFAULT_RETRY_FACTOR, DEFAULT_RETRY_INITIAL_MS, DEFAULT_RETRY_MAX_MS } from './constants.ts'
import type { StepOutputs } from './types.ts'

export type UnitState = 'ready' | 'submitted' | 'working' | 'backoff' | 'succeeded' | 'failed' | 'skipped' | 'canceled'

/** A step without forEach has one unit; a fan-out step one per item. */
export interface Unit {
  state: UnitState
  /** Attempts made (started, or ended straight from the schedule). */
  attempts: number
  notBefore?: number
  executor?: string
  /** Who ran its succeeded attempt (the `executor` of its `succeeded` event). */
  ranOn?: string
  outputs?: StepOutputs
  errored?: boolean
  /** Attempts that were interrupted (not failed) and did not count against the retry limit. */
  freeInterruptions?: number
}

/** An item of a fan-out step that will not run: its `when` is false, or cannot be evaluated. */
export type ItemDecision = { kind: 'skip', reason: string } | { kind: 'error', error: { name: string, message: string } }

export type Decision =
  | { kind: 'wait' }
  | { kind: 'skip', reason: string }
  | { kind: 'error', error: { name: string, message: string } }
  | { kind: 'run', items?: unknown[], itemDecisions: Map<number, ItemDecision> }

export interface StepRecord {
  spec: StepSpec
  deps: string[]
  dependents: string[]
  depends?: ExpressionNode
  when?: ExpressionNode
  fanOut: boolean
  /** Set once it may run: its units (one, or one per item) and, for a fan-out, the items. */
  units?: Unit[]
  items?: unknown[]
  itemDecisions?: Map<number, ItemDecision>
  /** The step as a whole was skipped, or errored before it had units. */
  skipReason?: string
  errored?: boolean
  lastError?: { name: string, message: string }
}

/** The phases a step ends in. */
export const SETTLED: readonly StepPhase[] = ['Succeeded', 'Failed', 'Skipped', 'Errored']

export function describeError (err: unknown): { name: string, message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

export function unitPhase (unit: Unit): StepPhase {
  switch (unit.state) {
    case 'succeeded': return 'Succeeded'
    case 'failed': return unit.errored === true ? 'Errored' : 'Failed'
    case 'skipped': return 'Skipped'
    case 'working': case 'backoff': return 'Running'
    default: return 'Pending'
  }
}

/**
 * The phase `depends` and `when` see. A fan-out step Succeeded when every
 * item that ran Succeeded (docs/workflow-spec.md), Skipped when none ran.
 */
export function stepPhase (record: StepRecord): StepPhase {
  if (record.skipReason !== undefined) return 'Skipped'
  if (record.errored === true) return 'Errored'
  if (record.units === undefined) return 'Pending'
  const phases = record.units.map(unitPhase)
  if (!phases.every(phase => SETTLED.includes(phase))) {
    return phases.some(phase => phase !== 'Pending') || record.units.some(unit => unit.attempts > 0) ? 'Running' : 'Pending'
  }
  const ran = phases.filter(phase => phase !== 'Skipped')
  if (ran.length === 0) return 'Skipped'
  if (ran.every(phase => phase === 'Succeeded')) return 'Succeeded'
  return ran.includes('Failed') ? 'Failed' : 'Errored'
}

/** The wait after the `failures`-th failed attempt of a step: initialMs · factor^(failures − 1), at most maxMs. */
export function backoffMs (step: StepSpec, failures: number): number {
  const backoff = step.retry?.backoff ?? {}
  const initialMs = backoff.initialMs ?? DEFAULT_RETRY_INITIAL_MS
  const factor = backoff.factor ?? DEFAULT_RETRY_FACTOR
  const maxMs = backoff.maxMs ?? DEFAULT_RETRY_MAX_MS
  return Math.min(maxMs, initialMs * factor ** (failures - 1))
}

/** What `decide` reads of the rest of the run. */
export interface RunView {
  phase: (step: string) => StepPhase
  context: EvaluationContext
  bindings: BindingContext
}

/**
 * `depends` in three-valued logic (Kleene): a status of a step not yet
 * settled is unknown. False means it can never become true, whatever the
 * rest do, so the step is skipped without waiting.
 */
function kleene (node: ExpressionNode, view: RunView): boolean | undefined {
  switch (node.kind) {
    case 'status': return SETTLED.includes(view.phase(node.step)) ? evaluate(node, view.context) : undefined
    case 'literal': return typeof node.value === 'boolean' ? node.value : undefined
    case 'not': {
      const value = kleene(node.operand, view)
      return value === undefined ? undefined : !value
    }
    case 'logical': {
      const left = kleene(node.left, view)
      const right = kleene(node.right, view)
      if (node.operator === '&&') return left === false || right === false ? false : left === true && right === true ? true : undefined
      return left === true || right === true ? true : left === false && right === false ? false : undefined
    }
    default: return undefined
  }
}

/**
 * Whether a step (with no units yet) may run: wait, skip, error, or run with
 * its items. With `depends`, once every dependency has settled and it is
 * true; without, once every dependency has Succeeded; either way skipped as
 * soon as that can no longer happen. Then `forEach` is resolved and `when`
 * evaluated (per item for a fan-out). A pure function of the dependencies,
 * which never change once settled.
 */
export function decide (record: StepRecord, view: RunView): Decision {
  const deps = record.deps.map(name => ({ name, phase: view.phase(name) }))
  const settled = deps.every(dep => SETTLED.includes(dep.phase))
  if (record.depends !== undefined) {
    const value = settled ? evaluate(record.depends, view.context) : kleene(record.depends, view)
    if (value === false) return { kind: 'skip', reason: `depends is false: ${record.spec.depends ?? ''}` }
    if (!settled) return { kind: 'wait' }
  } else {
    const notSucceeded = deps.find(dep => SETTLED.includes(dep.phase) && dep.phase !== 'Succeeded')
    if (notSucceeded !== undefined) return { kind: 'skip', reason: `dependency ${notSucceeded.name} ${notSucceeded.phase.toLowerCase()}` }
    if (!settled) return { kind: 'wait' }
  }
  const whenFalse = `when is false: ${record.spec.when ?? ''}`
  let items: unknown[] | undefined
  try {
    if (record.fanOut) items = resolveForEach(record.spec.forEach, view.bindings)
    if (items?.length === 0) return { kind: 'skip', reason: 'forEach has no items' }
    if (items === undefined) {
      if (record.when === undefined || evaluate(record.when, view.context)) return { kind: 'run', itemDecisions: new Map() }
      return { kind: 'skip', reason: whenFalse }
    }
  } catch (err) {
    return { kind: 'error', error: describeError(err) }
  }
  // An item of a fan-out's items (forEach: steps.X.items) that did not succeed is skipped, so
  // item i here stays item i there; then `when`, per item.
  const itemDecisions = new Map<number, ItemDecision>()
  items.forEach((value, index) => {
    if (value instanceof StepItem && value.outputs === null) {
      itemDecisions.set(index, { kind: 'skip', reason: `item ${index} of steps.${value.step} did not succeed` })
      return
    }
    if (record.when === undefined) return
    try {
      if (!evaluate(record.when, { ...view.context, item: itemForExpressions(value) })) itemDecisions.set(index, { kind: 'skip', reason: whenFalse })
    } catch (err) {
      itemDecisions.set(index, { kind: 'error', error: describeError(err) })
    }
  })
  if (itemDecisions.size === items.length && [...itemDecisions.values()].every(d => d.kind === 'skip')) {
    const upstream = items.every(value => value instanceof StepItem && value.outputs === null)
    return { kind: 'skip', reason: upstream ? `no item of ${String(record.spec.forEach)} succeeded` : `when is false for every item: ${record.spec.when ?? ''}` }
  }
  return { kind: 'run', items, itemDecisions }
}
