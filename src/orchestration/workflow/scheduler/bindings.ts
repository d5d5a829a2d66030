/**
 * Resolving what a step reads: `${{ … }}` templates into bindings, `forEach`
 * into its items, and the memo key of the result. Pure: everything comes from
 * the context given. A value that is missing or of the wrong kind throws
 * ExpressionEvaluationError (from the spec), as an expression would; the run
 * records it as the step (or item) having Errored.
 */
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../core/index.ts'
import { ExpressionEvaluationError, MAX_FAN_OUT_ITEMS, parseReference, parseTemplate } from '../spec/index.ts'
import type { PathSegment, ReferenceNode, StepSpec, WorkflowInputType } from '../spec/index.ts'
import { MEMO_KEY_PREFIX } from './constants.ts'
import { ForEachValueError } from './errors.ts'
import type { Binding, BindingPart, ItemOutputs, StepOutputs, WorkflowInputValue } from './types.ts'

/**
 * An item of `forEach: steps.<step>.items`: the outputs of item `index` of
 * that fan-out step, or null when it did not succeed (the item is then
 * skipped, see step-record.ts). `item.stdout`, `item.json[…]` and
 * `item.files["<name>"]` read it.
 */
export class StepItem {
  readonly step: string
  readonly index: number
  readonly outputs: StepOutputs | null
  constructor (step: string, index: number, outputs: StepOutputs | null) {
    this.step = step
    this.index = index
    this.outputs = outputs
  }
}

/** An item of `forEach: inputs.<name>` over a `files` input: one file, `item.name` and `item.file` (its blob). */
export class FileItem {
  readonly name: string
  readonly hash: string
  constructor (name: string, hash: string) {
    this.name = name
    this.hash = hash
  }
}

/**
 * An item as `when` sees it: a StepItem as `{ stdout, json }` (json when its
 * stdout is JSON), a FileItem as `{ name }` — files are read only in
 * templates — and any other item as itself.
 */
export function itemForExpressions (value: unknown): unknown {
  if (value instanceof FileItem) return { name: value.name }
  if (!(value instanceof StepItem)) return value
  if (value.outputs === null) return null
  const json = outputJson(value.outputs)
  return { stdout: value.outputs.stdout, ...(json === undefined ? {} : { json }) }
}

/** What a step's references can read. */
export interface BindingContext {
  inputs: Readonly<Record<string, WorkflowInputValue>>
  inputTypes: Readonly<Record<string, WorkflowInputType>>
  /** A settled, succeeded step's outputs (not a fan-out step); undefined when it has none. */
  outputs: (step: string) => StepOutputs | undefined
  /** Every item's outputs of a fan-out step, in item order; undefined when its items are unknown. */
  items: (step: string) => ItemOutputs[] | undefined
  /** The current item, inside a fan-out step. */
  item?: { value: unknown }
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** Own members only, as evaluate.ts reads them: nothing leads to a prototype. */
function walk (value: unknown, path: readonly PathSegment[], what: string): unknown {
  for (const segment of path) {
    const key = segment.key
    if (Array.isArray(value) && typeof key === 'number' && key < value.length) {
      value = value[key]
    } else if (isPlainObject(value) && typeof key === 'string' && Object.hasOwn(value, key)) {
      value = value[key]
    } else {
      throw new ExpressionEvaluationError(`${what} has no member ${JSON.stringify(key)}`, segment.start)
    }
    what += typeof key === 'number' ? `[${key}]` : `.${key}`
  }
  return value
}

/** JSON as text: a string as itself, anything else in RFC 8785 form. */
function jsonText (value: unknown, at: number): string {
  if (typeof value === 'string') return value
  try {
    return canonicalize(value)
  } catch (err) {
    throw new ExpressionEvaluationError(`cannot write ${(err as Error).name}: not JSON`, at)
  }
}

/** Stdout read as JSON: the runner's `json`, else JSON.parse of stdout, else undefined. */
export function outputJson (outputs: StepOutputs): unknown {
  if (outputs.json !== undefined) return outputs.json
  try {
    return JSON.parse(outputs.stdout)
  } catch {
    return undefined
  }
}

function stepOutputs (context: BindingContext, step: string, at: number): StepOutputs {
  const outputs = context.outputs(step)
  if (outputs === undefined) throw new ExpressionEvaluationError(`step ${step} has no outputs (it did not succeed)`, at)
  return outputs
}

function inputValue (context: BindingContext, node: ReferenceNode): { name: string, type: WorkflowInputType, value: unknown } {
  const first = node.path[0] as PathSegment
  const name = String(first.key)
  if (!Object.hasOwn(context.inputs, name) || !Object.hasOwn(context.inputTypes, name)) {
    throw new ExpressionEvaluationError(`no input named ${name}`, first.start)
  }
  return { name, type: context.inputTypes[name] as WorkflowInputType, value: context.inputs[name] }
}

/** `item.…` of a StepItem or a FileItem (their shapes are checked when the spec is parsed; checked again here). */
function itemPart (value: StepItem | FileItem, node: ReferenceNode): BindingPart {
  const [member, ...path] = node.path
  const at = member?.start ?? node.start
  if (value instanceof FileItem) {
    if (member?.key === 'name' && path.length === 0) return { kind: 'text', text: value.name }
    if (member?.key === 'file' && path.length === 0) return { kind: 'blob', hash: value.hash }
    throw new ExpressionEvaluationError('item is a file: read item.name or item.file', at)
  }
  const outputs = value.outputs
  if (outputs === null) throw new ExpressionEvaluationError(`item ${value.index} of steps.${value.step} did not succeed`, node.start)
  if (member?.key === 'stdout' && path.length === 0) return { kind: 'text', text: outputs.stdout }
  if (member?.key === 'files' && path.length === 1) {
    const file = String(path[0]?.key)
    if (!Object.hasOwn(outputs.files, file)) throw new ExpressionEvaluationError(`item ${value.index} of steps.${value.step} wrote no file ${JSON.stringify(file)}`, path[0]?.start ?? at)
    return { kind: 'blob', hash: outputs.files[file] as string }
  }
  if (member?.key === 'json') {
    const json = outputJson(outputs)
    if (json === undefined) throw new ExpressionEvaluationError(`item.json is not available: the stdout of item ${value.index} of steps.${value.step} is not JSON`, at)
    return { kind: 'text', text: jsonText(walk(json, path, 'item.json'), node.start) }
  }
  throw new ExpressionEvaluationError('item is an item\'s outputs: read item.stdout, item.json or item.files["<name>"]', at)
}

/** One reference of a template, resolved. */
function resolvePart (node: ReferenceNode, context: BindingContext): BindingPart {
  if (node.root === 'item') {
    if (context.item === undefined) throw new ExpressionEvaluationError('item is only defined inside forEach', node.start)
    const value = context.item.value
    if (value instanceof StepItem || value instanceof FileItem) return itemPart(value, node)
    return { kind: 'text', text: jsonText(walk(value, node.path, 'item'), node.start) }
  }
  if (node.root === 'inputs') {
    const { name, type, value } = inputValue(context, node)
    if (type === 'bytes') return { kind: 'blob', hash: (value as { blob: string }).blob }
    if (type === 'files') return { kind: 'files', files: { ...(value as { files: Record<string, string> }).files } }
    if (type === 'text') return { kind: 'text', text: value as string }
    return { kind: 'text', text: jsonText(walk(value, node.path.slice(1), `inputs.${name}`), node.start) }
  }
  const [name, member, ...path] = node.path as [PathSegment, PathSegment, ...PathSegment[]]
  const step = String(name.key)
  switch (member.key) {
    case 'items': {
      const items = context.items(step)
      if (items === undefined) throw new ExpressionEvaluationError(`step ${step} has no items`, member.start)
      return { kind: 'items', step, items }
    }
    case 'stdout':
      return { kind: 'text', text: stepOutputs(context, step, name.start).stdout }
    case 'files': {
      const files = stepOutputs(context, step, name.start).files
      const file = String(path[0]?.key)
      if (!Object.hasOwn(files, file)) throw new ExpressionEvaluationError(`step ${step} wrote no file ${JSON.stringify(file)}`, path[0]?.start ?? member.start)
      return { kind: 'blob', hash: files[file] as string }
    }
    default: {
      const json = outputJson(stepOutputs(context, step, name.start))
      if (json === undefined) throw new ExpressionEvaluationError(`steps.${step}.json is not available: its stdout is not JSON`, member.start)
      return { kind: 'text', text: jsonText(walk(json, path, `steps.${step}.json`), node.start) }
    }
  }
}

/** A templated string, resolved: plain text when every part is text. */
export function resolveTemplate (text: string, context: BindingContext): Binding {
  const parts: BindingPart[] = []
  for (const part of parseTemplate(text)) {
    const resolved: BindingPart = typeof part === 'string' ? { kind: 'text', text: part } : resolvePart(part, context)
    const last = parts[parts.length - 1]
    if (resolved.kind === 'text' && last?.kind === 'text') last.text += resolved.text
    else parts.push(resolved)
  }
  if (parts.length === 0) return ''
  if (parts.length === 1 && parts[0]?.kind === 'text') return parts[0].text
  return parts
}

/** Text split into lines; a final line break does not start another line. */
function lines (text: string): string[] {
  const split = text.split(/\r?\n/)
  if (split[split.length - 1] === '') split.pop()
  return split
}

/** A files input's files as items, in name order (UTF-16 code units), whatever order they were given in. */
function fileItems (input: unknown): FileItem[] {
  const files = (input as { files: Record<string, string> }).files
  return Object.keys(files).sort((a, b) => a < b ? -1 : a > b ? 1 : 0).map(name => new FileItem(name, files[name] as string))
}

/**
 * The items of a fan-out step: its literal list, or the array its reference
 * names — for `steps.<step>.items` a StepItem per item of that step, for a
 * `files` input a FileItem per file. Throws ForEachValueError when that is
 * not an array or is longer than MAX_FAN_OUT_ITEMS, ExpressionEvaluationError
 * when it is not there.
 */
export function resolveForEach (forEach: StepSpec['forEach'], context: BindingContext): unknown[] {
  if (Array.isArray(forEach)) return forEach
  const node = parseReference(String(forEach), 'forEach')
  let value: unknown
  if (node.root === 'inputs') {
    const { name, type, value: input } = inputValue(context, node)
    value = type === 'text' && node.path[1]?.key === 'lines'
      ? lines(input as string)
      : type === 'files' && node.path.length === 1 ? fileItems(input) : walk(input, node.path.slice(1), `inputs.${name}`)
  } else if (node.path[1]?.key === 'items') {
    const [name, member] = node.path as [PathSegment, PathSegment]
    const step = String(name.key)
    const items = context.items(step)
    if (items === undefined) throw new ExpressionEvaluationError(`step ${step} has no items`, member.start)
    value = items.map((outputs, index) => new StepItem(step, index, outputs))
  } else {
    const [name, member, ...path] = node.path as [PathSegment, PathSegment, ...PathSegment[]]
    const step = String(name.key)
    const outputs = stepOutputs(context, step, name.start)
    if (member.key === 'stdout') {
      value = lines(outputs.stdout)
    } else {
      const json = outputJson(outputs)
      if (json === undefined) throw new ExpressionEvaluationError(`steps.${step}.json is not available: its stdout is not JSON`, member.start)
      value = walk(json, path, `steps.${step}.json`)
    }
  }
  if (!Array.isArray(value)) throw new ForEachValueError(`forEach ${String(forEach)} is not an array`)
  if (value.length > MAX_FAN_OUT_ITEMS) throw new ForEachValueError(`forEach ${String(forEach)} has ${value.length} items; the limit is ${MAX_FAN_OUT_ITEMS}`)
  return value
}

/** A binding as the memo key sees it: items by their hashes (their stdout text adds nothing the hash does not). */
function memoForm (binding: Binding): unknown {
  if (typeof binding === 'string') return binding
  return binding.map(part => part.kind === 'items'
    ? { kind: 'items', items: part.items.map(item => item === null ? null : { stdoutHash: item.stdoutHash, files: item.files }) }
    : part)
}

/**
 * The memo key of a resolved action: SHA-256 over the RFC 8785 form of
 * (module, args, env, stdin, files — blobs by hash — seed, and the hash of
 * the shared context the step reads, when given).
 * Equal inputs give equal keys, whatever the step's name or the run.
 */
export function memoKey (action: {
  module: string, args: Binding[], env: Record<string, string>, stdin?: Binding, files: Record<string, Binding>, seed?: number | string, exitCodes?: number[],
  contextHash?: string
}): string {
  // Exit codes other than [0] are part of the key: a result kept as a success under [0, 1] is not one under [0].
  const exitCodes = action.exitCodes === undefined || (action.exitCodes.length === 1 && action.exitCodes[0] === 0) ? undefined : [...action.exitCodes].sort((a, b) => a - b)
  const form = {
    module: action.module,
    args: action.args.map(memoForm),
    env: action.env,
    stdin: action.stdin === undefined ? null : memoForm(action.stdin),
    files: Object.fromEntries(Object.entries(action.files).map(([name, binding]) => [name, memoForm(binding)])),
    seed: action.seed ?? null,
    ...(exitCodes === undefined ? {} : { exitCodes }),
    // A step that reads the shared context is given it as a file (/work/context.json): the same step over another context is another task.
    ...(action.contextHash === undefined ? {} : { context: action.contextHash })
  }
  return MEMO_KEY_PREFIX + sha256Hex(utf8ToBytes(canonicalize(form)))
}
