/**
 * Evaluates an expression AST against an explicit context. Only the context's
 * own data is reachable: every member read checks `Object.hasOwn` on a plain
 * object or array, so nothing leads to a prototype, a function or a global.
 * No truthiness: `&&`, `||`, `!` and the result want booleans.
 */
import { ExpressionEvaluationError } from './errors.ts'
import type { EvaluationContext, ExpressionNode, ReferenceNode, StatusNode, StepPhase, StepState } from './types.ts'

type Value = string | number | boolean | null | readonly unknown[] | Record<string, unknown>

function typeOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function own (container: unknown, key: string | number, at: number, what: string): unknown {
  if (Array.isArray(container)) {
    if (typeof key !== 'number') throw new ExpressionEvaluationError(`${what} is an array; index it with [0]`, at)
    if (key >= container.length) throw new ExpressionEvaluationError(`${what} has no item ${key}`, at)
    return container[key]
  }
  if (isPlainObject(container)) {
    if (typeof key !== 'string' || !Object.hasOwn(container, key)) throw new ExpressionEvaluationError(`${what} has no member ${JSON.stringify(key)}`, at)
    return container[key]
  }
  throw new ExpressionEvaluationError(`${what} is ${typeOf(container)}, which has no members`, at)
}

function stepState (context: EvaluationContext, step: string, at: number): StepState {
  const steps = context.steps ?? {}
  if (!Object.hasOwn(steps, step)) throw new ExpressionEvaluationError(`no step named ${step}`, at)
  return steps[step] as StepState
}

function status (node: StatusNode, context: EvaluationContext): boolean {
  const state = stepState(context, node.step, node.start)
  const is = (phase: StepPhase): boolean => state.phase === phase
  switch (node.predicate) {
    case 'Succeeded': return is('Succeeded')
    case 'Failed': return is('Failed')
    case 'Skipped': return is('Skipped')
    case 'Errored': return is('Errored')
    // Ran to an end of its own: it succeeded or its module failed.
    case 'Completed': return is('Succeeded') || is('Failed')
    case 'AnySucceeded': return (state.items ?? []).some(phase => phase === 'Succeeded')
    case 'AllFailed': return state.items !== undefined && state.items.length > 0 && state.items.every(phase => phase === 'Failed')
  }
}

function reference (node: ReferenceNode, context: EvaluationContext): unknown {
  let value: unknown
  let rest = node.path
  let what: string
  if (node.root === 'item') {
    if (!Object.hasOwn(context, 'item')) throw new ExpressionEvaluationError('item is only defined inside forEach', node.start)
    value = context.item
    what = 'item'
  } else if (node.root === 'inputs') {
    const [name, ...path] = node.path
    if (name === undefined) throw new ExpressionEvaluationError('expected inputs.<name>', node.end)
    value = own(context.inputs ?? {}, name.key, name.start, 'inputs')
    what = `inputs.${name.key}`
    rest = path
  } else {
    const [name, member, ...path] = node.path
    if (name === undefined || member === undefined || typeof name.key !== 'string') throw new ExpressionEvaluationError('expected steps.<name>.stdout or steps.<name>.json', node.end)
    const state = stepState(context, name.key, name.start)
    what = `steps.${name.key}.${member.key}`
    if (member.key === 'stdout') value = state.stdout
    else if (member.key === 'json') value = state.json
    else throw new ExpressionEvaluationError(`${what} cannot be read in an expression`, member.start)
    if (value === undefined) throw new ExpressionEvaluationError(`${what} is not available`, member.start)
    rest = path
  }
  for (const segment of rest) {
    value = own(value, segment.key, segment.start, what)
    what += typeof segment.key === 'number' ? `[${segment.key}]` : `.${segment.key}`
  }
  return value
}

function boolean (node: ExpressionNode, context: EvaluationContext): boolean {
  const value = evaluateNode(node, context)
  if (typeof value !== 'boolean') throw new ExpressionEvaluationError(`expected true or false, found ${typeOf(value)}`, node.start)
  return value
}

function compare (node: Extract<ExpressionNode, { kind: 'comparison' }>, context: EvaluationContext): boolean {
  const left = evaluateNode(node.left, context)
  const right = evaluateNode(node.right, context)
  const scalar = (value: unknown): boolean => value === null || ['string', 'number', 'boolean'].includes(typeof value)
  if (!scalar(left)) throw new ExpressionEvaluationError(`cannot compare ${typeOf(left)}`, node.left.start)
  if (!scalar(right)) throw new ExpressionEvaluationError(`cannot compare ${typeOf(right)}`, node.right.start)
  if (node.operator === '==') return left === right
  if (node.operator === '!=') return left !== right
  const ordered = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string')
  if (!ordered) throw new ExpressionEvaluationError(`'${node.operator}' needs two numbers or two strings, not ${typeOf(left)} and ${typeOf(right)}`, node.start)
  const a = left as number | string
  const b = right as number | string
  switch (node.operator) {
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    case '>=': return a >= b
  }
}

function evaluateNode (node: ExpressionNode, context: EvaluationContext): Value {
  switch (node.kind) {
    case 'literal': return node.value
    case 'not': return !boolean(node.operand, context)
    // Short-circuits, so `a.Succeeded && steps.a.json.ok` never reads a missing output.
    case 'logical':
      return node.operator === '&&'
        ? boolean(node.left, context) && boolean(node.right, context)
        : boolean(node.left, context) || boolean(node.right, context)
    case 'comparison': return compare(node, context)
    case 'status': return status(node, context)
    case 'reference': return reference(node, context) as Value
  }
}

/**
 * Evaluates an expression from `parseExpression` to true or false. Throws
 * ExpressionEvaluationError, with the offset of the part that failed, when a
 * value is missing or of the wrong type or the result is not a boolean.
 */
export function evaluate (node: ExpressionNode, context: EvaluationContext): boolean {
  return boolean(node, context)
}
