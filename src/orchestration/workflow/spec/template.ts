/**
 * `${{ … }}` templates in args, stdin, files and outputs: literal text with
 * references between. A template holds one reference, never an expression;
 * there is no escape for a literal `${{`.
 */
import { MAX_TEMPLATES_PER_STRING, TEMPLATE_CLOSE as CLOSE, TEMPLATE_OPEN as OPEN } from './constants.ts'
import { ExpressionSyntaxError } from './errors.ts'
import { parseReference } from './expression.ts'
import type { ReferenceNode, TemplatePart } from './types.ts'

/** Moves every offset of a reference parsed from a slice to its place in the whole string. */
function shift (node: ReferenceNode, by: number): ReferenceNode {
  return {
    ...node,
    start: node.start + by,
    end: node.end + by,
    path: node.path.map(segment => ({ ...segment, start: segment.start + by }))
  }
}

/**
 * Splits a string into literal text and references. Throws
 * ExpressionSyntaxError with the offset in `text` of an unclosed `${{`, an
 * empty one, or a reference that does not parse.
 */
export function parseTemplate (text: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let from = 0
  let count = 0
  while (from < text.length) {
    const open = text.indexOf(OPEN, from)
    if (open === -1) break
    if (open > from) parts.push(text.slice(from, open))
    const inner = open + OPEN.length
    const close = text.indexOf(CLOSE, inner)
    if (close === -1) throw new ExpressionSyntaxError(`'${OPEN}' without '${CLOSE}'`, open)
    if (++count > MAX_TEMPLATES_PER_STRING) throw new ExpressionSyntaxError(`more than ${MAX_TEMPLATES_PER_STRING} templates in one string`, open)
    const body = text.slice(inner, close)
    if (body.trim() === '') throw new ExpressionSyntaxError(`empty '${OPEN} ${CLOSE}'`, open)
    try {
      parts.push(shift(parseReference(body, 'template'), inner))
    } catch (err) {
      if (err instanceof ExpressionSyntaxError) throw new ExpressionSyntaxError(err.reason, err.position + inner)
      throw err
    }
    from = close + CLOSE.length
  }
  if (from < text.length) parts.push(text.slice(from))
  return parts
}

/** The references in a template, in order. */
export function templateReferences (text: string): ReferenceNode[] {
  return parseTemplate(text).filter((part): part is ReferenceNode => typeof part !== 'string')
}
