/**
 * Which members a reference may name, by where it is used. Kept apart from the
 * parser so the grammar of references is in one short place.
 *
 *   steps.<step>.stdout             text                     expression, template
 *   steps.<step>.stdout.lines       stdout's lines (array)   forEach
 *   steps.<step>.json[.<path>]      stdout read as JSON      expression, template, forEach
 *   steps.<step>.files["<name>"]    an output file           template
 *   steps.<step>.items              every item's output      template (a reduce step), forEach (a map after a map)
 *   inputs.<name>[.<path>]          a workflow input         expression, template, forEach (json, files)
 *   inputs.<name>.lines             a text input's lines     forEach
 *   item[.<path>]                   the current fan-out item expression, template
 *
 * What `item` may name depends on what the step iterates over (`ItemKind`):
 *
 *   forEach over JSON (a list, .json, .lines)   item[.<path>]
 *   forEach: steps.<step>.items                 item.stdout, item.json[.<path>] (expression, template),
 *                                               item.files["<name>"] (template)
 *   forEach: inputs.<files input>               item.name (expression, template), item.file (template)
 */
import { ExpressionSyntaxError } from './errors.ts'
import type { PathSegment, ReferenceNode, ReferenceUse } from './types.ts'

const STEP_MEMBERS: Record<ReferenceUse, string[]> = {
  expression: ['stdout', 'json'],
  template: ['stdout', 'json', 'files', 'items'],
  forEach: ['stdout', 'json', 'items']
}

/**
 * What `item` is in a step: a JSON value (a literal list, `.json`, `.lines`),
 * the outputs of one item of a fan-out step (`forEach: steps.<step>.items`),
 * or one file of a `files` input (`forEach: inputs.<name>`).
 */
export type ItemKind = 'json' | 'outputs' | 'file'

/** The members `item` may name, by its kind and where it is used (`item` itself is never iterated over). */
const ITEM_MEMBERS: Record<Exclude<ItemKind, 'json'>, Record<Exclude<ReferenceUse, 'forEach'>, string[]>> = {
  outputs: { expression: ['stdout', 'json'], template: ['stdout', 'json', 'files'] },
  file: { expression: ['name'], template: ['name', 'file'] }
}

function describe (members: string[]): string {
  return members.map(member => member === 'files' ? '.files["<name>"]' : `.${member}`).join(', ')
}

function nameSegment (segment: PathSegment | undefined, after: string, at: number): string {
  if (segment === undefined) throw new ExpressionSyntaxError(`expected a name after ${after}`, at)
  if (typeof segment.key !== 'string') throw new ExpressionSyntaxError(`expected a name after ${after}, not an index`, segment.start)
  return segment.key
}

function nothingAfter (ref: ReferenceNode, index: number, what: string): void {
  const extra = ref.path[index]
  if (extra !== undefined) throw new ExpressionSyntaxError(`${what} has no members`, extra.start)
}

/** Throws an ExpressionSyntaxError unless `ref` names something `use` may read. */
export function checkReferenceShape (ref: ReferenceNode, use: ReferenceUse): void {
  if (ref.root === 'item') {
    if (use === 'forEach') throw new ExpressionSyntaxError('forEach cannot iterate over item', ref.start)
    return
  }
  if (ref.root === 'inputs') {
    nameSegment(ref.path[0], 'inputs.', ref.end)
    return
  }
  const step = nameSegment(ref.path[0], 'steps.', ref.end)
  const allowed = STEP_MEMBERS[use]
  const memberSegment = ref.path[1]
  if (memberSegment === undefined || typeof memberSegment.key !== 'string' || !allowed.includes(memberSegment.key)) {
    const at = memberSegment?.start ?? ref.end
    throw new ExpressionSyntaxError(`expected ${describe(allowed)} after steps.${step}`, at)
  }
  const member = memberSegment.key
  const next = ref.path[2]
  switch (member) {
    case 'stdout':
      if (use === 'forEach') {
        if (next === undefined || next.key !== 'lines') throw new ExpressionSyntaxError(`steps.${step}.stdout is text; iterate over steps.${step}.stdout.lines or steps.${step}.json`, next?.start ?? ref.end)
        nothingAfter(ref, 3, `steps.${step}.stdout.lines`)
      } else {
        nothingAfter(ref, 2, `steps.${step}.stdout`)
      }
      return
    case 'files':
      if (next === undefined || typeof next.key !== 'string') throw new ExpressionSyntaxError(`expected a file name after steps.${step}.files, as in files["out.json"]`, next?.start ?? ref.end)
      nothingAfter(ref, 3, `steps.${step}.files[…]`)
      return
    case 'items':
      nothingAfter(ref, 2, `steps.${step}.items`)
  }
}

/**
 * Throws an ExpressionSyntaxError unless `item` (in `ref`) names something
 * an item of `kind` has, where it is used; `from` is the step's forEach, for
 * the message. A file (`item.files[…]`, `item.file`) is only bound in a
 * template. In a forEach over JSON, `item.files` is refused in a template:
 * it would read a member named files, never a file.
 */
export function checkItemShape (ref: ReferenceNode, kind: ItemKind, use: Exclude<ReferenceUse, 'forEach'>, from: string): void {
  const first = ref.path[0]
  if (kind === 'json') {
    if (use === 'template' && first?.key === 'files') {
      throw new ExpressionSyntaxError(`item.files[…] reads a file only in a forEach over a fan-out step's items (forEach: steps.<step>.items); here item is a JSON value of ${from}`, first.start)
    }
    return
  }
  const allowed = ITEM_MEMBERS[kind][use]
  const what = kind === 'outputs' ? `the outputs of one item of ${from}` : `one file of ${from}`
  const members = allowed.map(member => member === 'files' ? 'item.files["<name>"]' : member === 'json' ? 'item.json[.<path>]' : `item.${member}`).join(', ')
  if (first === undefined || typeof first.key !== 'string' || !allowed.includes(first.key)) {
    const fileHere = use === 'expression' && (first?.key === 'files' || first?.key === 'file') && ITEM_MEMBERS[kind].template.includes(first.key)
    const why = fileHere ? 'a file is bound only in a template (args, stdin, files); ' : ''
    throw new ExpressionSyntaxError(`item is ${what}: ${why}read ${members}`, first?.start ?? ref.end)
  }
  switch (first.key) {
    case 'json':
      return
    case 'files': {
      const name = ref.path[1]
      if (name === undefined || typeof name.key !== 'string') throw new ExpressionSyntaxError('expected a file name after item.files, as in item.files["out.png"]', name?.start ?? ref.end)
      nothingAfter(ref, 2, 'item.files[…]')
      return
    }
    default:
      nothingAfter(ref, 1, `item.${first.key}`)
  }
}
