/**
 * The checks a schema cannot make: that every step, input and output a spec
 * names exists and may be read where it is read, and that every expression
 * and template parses. Each problem carries its JSON pointer and, for a
 * problem inside a string, the offset in that string.
 */
import { parseAgentRef } from '../../../discovery/agent-manifest/index.ts'
import { CONTEXT_INPUT_PATH, CONTEXT_UPDATES_PATH } from '../context/constants.ts'
import { checkContextSchema } from '../context/schema.ts'
import { FAN_OUT_PREDICATES } from './constants.ts'
import { ExpressionSyntaxError } from './errors.ts'
import { parseExpression, parseReference, walkExpression } from './expression.ts'
import { checkItemShape } from './reference-shape.ts'
import type { ItemKind } from './reference-shape.ts'
import { parseTemplate } from './template.ts'
import type { ExpressionNode, ReferenceNode, ReferenceUse, StatusNode, StepSpec, WorkflowInput, WorkflowSpec } from './types.ts'

/** A problem found in a spec's meaning; `offset` is a position inside the string at `path`. */
export interface MeaningProblem {
  path: string
  offset?: number
  message: string
}

/** What one step says about other steps: its parsed `depends` and `when`, and every reference with its pointer. */
export interface StepNodes {
  depends: ExpressionNode[]
  when: ExpressionNode[]
  references: Array<{ path: string, node: ReferenceNode }>
}

/** A string of a step that may name other steps: where it is, which list it feeds, how it parses. */
interface StepString {
  slot: keyof StepNodes
  path: string
  text: string
  parse: (text: string) => ExpressionNode[]
}

/** The task-directory files a step that uses the context has (docs/workflow-context.md §6), which its own `files` may not name. */
const CONTEXT_FILES = [CONTEXT_INPUT_PATH, CONTEXT_UPDATES_PATH].map(path => path.replace(/^\/work\//, ''))

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1')

/** Every templated string of a step: args, stdin and file contents. */
function templates (step: StepSpec, base: string): Array<{ path: string, text: string }> {
  return [
    ...(step.args ?? []).map((text, i) => ({ path: `${base}/args/${i}`, text })),
    ...(step.stdin === undefined ? [] : [{ path: `${base}/stdin`, text: step.stdin }]),
    ...Object.entries(step.files ?? {}).map(([name, text]) => ({ path: `${base}/files/${escapePointer(name)}`, text }))
  ]
}

/** The status tests and references of one step, parsed; strings that fail to parse are reported through `onError`. */
export function stepNodes (step: StepSpec, base: string, onError: (path: string, err: ExpressionSyntaxError) => void = () => {}): StepNodes {
  const parsed: StepString[] = []
  if (step.depends !== undefined) parsed.push({ slot: 'depends', path: `${base}/depends`, text: step.depends, parse: text => [parseExpression(text)] })
  if (step.when !== undefined) parsed.push({ slot: 'when', path: `${base}/when`, text: step.when, parse: text => [parseExpression(text)] })
  if (typeof step.forEach === 'string') parsed.push({ slot: 'references', path: `${base}/forEach`, text: step.forEach, parse: text => [parseReference(text, 'forEach')] })
  for (const { path, text } of templates(step, base)) {
    parsed.push({ slot: 'references', path, text, parse: text => parseTemplate(text).filter(part => typeof part !== 'string') })
  }
  const result: StepNodes = { depends: [], when: [], references: [] }
  for (const { slot, path, text, parse } of parsed) {
    let nodes: ExpressionNode[]
    try {
      nodes = parse(text)
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err
      onError(path, err)
      continue
    }
    if (slot === 'references') {
      for (const node of nodes) result.references.push({ path, node: node as ReferenceNode })
    } else {
      result[slot].push(...nodes)
    }
  }
  // A `when` reads outputs as well as statuses; its references count with the others.
  for (const node of result.when) {
    for (const part of walkExpression(node)) {
      if (part.kind === 'reference') result.references.push({ path: `${base}/when`, node: part })
    }
  }
  return result
}

/**
 * What `item` is in a step (see reference-shape.ts), and the forEach it comes
 * from: the outputs of a fan-out's items for `forEach: steps.<step>.items`,
 * a file for `forEach: inputs.<name>` over a `files` input, else JSON.
 */
export function itemKind (step: StepSpec, inputs: Readonly<Record<string, WorkflowInput>>): { kind: ItemKind, from: string } {
  const from = typeof step.forEach === 'string' ? step.forEach : 'the list'
  if (typeof step.forEach !== 'string') return { kind: 'json', from }
  let ref: ReferenceNode
  try {
    ref = parseReference(step.forEach, 'forEach')
  } catch {
    return { kind: 'json', from }
  }
  const name = String(ref.path[0]?.key)
  if (ref.root === 'steps' && ref.path[1]?.key === 'items') return { kind: 'outputs', from: `steps.${name}` }
  if (ref.root === 'inputs' && ref.path.length === 1 && Object.hasOwn(inputs, name) && inputs[name]?.type === 'files') return { kind: 'file', from: `inputs.${name}` }
  return { kind: 'json', from }
}

/** The status tests in a list of expressions. */
export function statusNodes (nodes: ExpressionNode[]): StatusNode[] {
  return nodes.flatMap(node => [...walkExpression(node)].filter((part): part is StatusNode => part.kind === 'status'))
}

/** Checks every name, expression and template in a schema-valid spec. */
export function checkMeaning (spec: WorkflowSpec): MeaningProblem[] {
  const problems: MeaningProblem[] = []
  const steps = spec.dag.tasks
  const byName = new Map<string, StepSpec>()
  steps.forEach((step, i) => {
    const first = steps.findIndex(other => other.name === step.name)
    if (first !== i) problems.push({ path: `/dag/tasks/${i}/name`, message: `duplicate step name ${step.name} (first at /dag/tasks/${first})` })
    else byName.set(step.name, step)
  })
  const inputs = spec.inputs ?? {}

  const checkReference = (node: ReferenceNode, path: string, step: StepSpec | undefined, use: ReferenceUse): void => {
    const [first, member] = node.path
    const forEach = use === 'forEach'
    const problem = (message: string, offset = node.start): void => { problems.push({ path, offset, message }) }
    if (node.root === 'item') {
      if (step?.forEach === undefined) return problem('item is only defined in a step with forEach')
      if (use === 'forEach') return // parseReference refused it already
      const { kind, from } = itemKind(step, inputs)
      try {
        checkItemShape(node, kind, use, from)
      } catch (err) {
        if (!(err instanceof ExpressionSyntaxError)) throw err
        problem(err.reason, err.position)
      }
      return
    }
    const name = String(first?.key)
    if (node.root === 'inputs') {
      const input = Object.hasOwn(inputs, name) ? inputs[name] : undefined
      if (input === undefined) return problem(`unknown input ${name} (declare it under inputs)`, first?.start)
      const rest = node.path.slice(1)
      if (rest.length === 0 || input.type === 'json') {
        if (forEach && rest.length === 0 && input.type !== 'json' && input.type !== 'files') {
          problem(`inputs.${name} is ${input.type}, not a list${input.type === 'text' ? `; iterate over inputs.${name}.lines` : ''}`)
        }
        return
      }
      const isLines = forEach && input.type === 'text' && rest.length === 1 && rest[0]?.key === 'lines'
      if (!isLines) problem(`inputs.${name} is ${input.type}, which has no members`, rest[0]?.start)
      return
    }
    const target = byName.get(name)
    if (target === undefined) return problem(`unknown step ${name}`, first?.start)
    if (target === step) return problem(`step ${name} cannot read its own output`, first?.start)
    const fansOut = target.forEach !== undefined
    if (member?.key === 'items' && !fansOut) problem(`steps.${name}.items needs forEach on step ${name}`, member.start)
    if (member?.key !== 'items' && fansOut) problem(`step ${name} runs once per item; read its outputs as steps.${name}.items`, member?.start)
  }

  const checkStatus = (node: StatusNode, path: string, step: StepSpec): void => {
    const target = byName.get(node.step)
    const problem = (message: string): void => { problems.push({ path, offset: node.start, message }) }
    if (target === undefined) problem(`unknown step ${node.step}`)
    else if (target === step) problem(`step ${node.step} cannot depend on itself`)
    else if ((FAN_OUT_PREDICATES as readonly string[]).includes(node.predicate) && target.forEach === undefined) {
      problem(`${node.predicate} needs forEach on step ${node.step}`)
    }
  }

  problems.push(...contextProblems(spec))

  steps.forEach((step, i) => {
    const base = `/dag/tasks/${i}`
    problems.push(...moduleProblems(step, base))
    if (step.context !== undefined && spec.context === undefined) {
      problems.push({ path: `${base}/context`, message: `step ${step.name} uses the context, but the spec declares none (add context: at the top)` })
    }
    for (const reserved of step.context === undefined ? [] : CONTEXT_FILES) {
      if (Object.hasOwn(step.files ?? {}, reserved)) problems.push({ path: `${base}/files/${reserved}`, message: `${reserved} is where the context goes; name the file otherwise` })
    }
    const nodes = stepNodes(step, base, (path, err) => problems.push({ path, offset: err.position, message: err.reason }))
    if (step.depends !== undefined && step.dependencies !== undefined) {
      problems.push({ path: `${base}/dependencies`, message: 'use depends or dependencies, not both' })
    }
    const onlyStatuses = (node: ExpressionNode): void => {
      if (node.kind === 'not') return onlyStatuses(node.operand)
      if (node.kind === 'logical') return [node.left, node.right].forEach(onlyStatuses)
      if (node.kind !== 'status') {
        problems.push({ path: `${base}/depends`, offset: node.start, message: 'depends may only test step statuses (a.Succeeded && !b.Failed); use when for outputs' })
      }
    }
    nodes.depends.forEach(onlyStatuses)
    for (const status of statusNodes(nodes.depends)) checkStatus(status, `${base}/depends`, step)
    for (const status of statusNodes(nodes.when)) checkStatus(status, `${base}/when`, step)
    ;(step.dependencies ?? []).forEach((name, k) => {
      if (!byName.has(name)) problems.push({ path: `${base}/dependencies/${k}`, message: `unknown step ${name}` })
      else if (name === step.name) problems.push({ path: `${base}/dependencies/${k}`, message: `step ${name} cannot depend on itself` })
    })
    for (const { path, node } of nodes.references) {
      checkReference(node, path, step, path === `${base}/forEach` ? 'forEach' : path === `${base}/when` ? 'expression' : 'template')
    }
  })

  for (const [name, text] of Object.entries(spec.outputs ?? {})) {
    const path = `/outputs/${escapePointer(name)}`
    try {
      for (const part of parseTemplate(text)) {
        if (typeof part !== 'string') checkReference(part, path, undefined, 'template')
      }
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err
      problems.push({ path, offset: err.position, message: err.reason })
    }
  }
  return problems
}

/** The `context:` declaration, checked as every replica will check it (docs/workflow-context.md §2): rule–type pairs and the whole context's worst case. */
function contextProblems (spec: WorkflowSpec): MeaningProblem[] {
  if (spec.context === undefined) return []
  try {
    checkContextSchema(spec.context)
    return []
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'InvalidContextSchemaError') throw err
    const field = (err as Error & { field: string }).field
    const path = field === '' ? '/context' : `/context/${field.split('.').map(escapePointer).join('/')}`
    return [{ path, message: err.message.replace(/^context schema( field \S+)?: /, '') }]
  }
}

/** Exactly one of `module` and `agent`, and an agent ref that parses (`name@range`). */
function moduleProblems (step: StepSpec, base: string): MeaningProblem[] {
  if (step.module === undefined && step.agent === undefined) return [{ path: `${base}/module`, message: 'is required (or agent: name@version)' }]
  if (step.module !== undefined && step.agent !== undefined) return [{ path: `${base}/agent`, message: 'use module or agent, not both' }]
  if (step.agent === undefined) return []
  try {
    parseAgentRef(step.agent)
    return []
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'InvalidAgentRefError') throw err
    return [{ path: `${base}/agent`, message: err.message }]
  }
}
