/**
 * Which members a reference may name, by where it is used. Kept apart from the
 * parser so the grammar of references is in one short place.
 *
 *   steps.<step>.stdout             text                     expression, template
 *   steps.<step>.stdout.lines       stdout's lines (array)   forEach
 *   steps.<step>.json[.<path>]      stdout read as JSON      expression, template, forEach
 *   steps.<step>.files["<name>"]    an output file           template
 *   steps.<step>.items              every item's output      template (a reduce step)
 *   inputs.<name>[.<path>]          a workflow input         expression, template, forEach
 *   inputs.<name>.lines             a text input's lines     forEach
 *   item[.<path>]                   the current fan-out item expression, template
 */
import { ExpressionSyntaxError } from './errors.ts'
import type { PathSegment, ReferenceNode, ReferenceUse } from './types.ts'

const STEP_MEMBERS: Record<ReferenceUse, string[]> = {
  expression: ['stdout', 'json'],
  template: ['stdout', 'json', 'files', 'items'],
  forEach: ['stdout', 'json']
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
