/**
 * Reads spec text (YAML through `yaml`, JSON through JSON.parse) into a value,
 * and keeps the syntax tree so a JSON pointer, or an offset inside one string
 * of the spec, can be turned back into a line and column.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Document, Node as YamlNode } from 'yaml'
import type { WorkflowSpecProblem } from './errors.ts'

/** A line and column, both 1-based. */
export interface Position {
  line: number
  column: number
}

/** A spec's text read into a value, with the means to place a pointer in the text. */
export interface SpecSource {
  value: unknown
  /**
   * Where the value at `pointer` starts (its key's position with `atKey`),
   * moved `offset` characters into it when it is a string written without escapes.
   */
  locate: (pointer: string, offset?: number, atKey?: boolean) => Position | undefined
}

/** Aliases a YAML spec may expand, against "billion laughs". */
const MAX_ALIAS_COUNT = 100

function lineStarts (text: string): number[] {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return starts
}

/** Turns a 0-based offset into a 1-based line and column. */
export function positionAt (text: string, offset: number): Position {
  const starts = lineStarts(text)
  let line = 0
  while (line + 1 < starts.length && (starts[line + 1] as number) <= offset) line++
  return { line: line + 1, column: offset - (starts[line] as number) + 1 }
}

export function parsePointer (pointer: string): string[] {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map(segment => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function resolve (node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node
}

/** The node at `pointer`, or the deepest one on its way when the rest is missing. */
function nodeAt (doc: Document, pointer: string, atKey: boolean): YamlNode | undefined {
  let node = resolve(doc.contents, doc) as YamlNode | null | undefined
  const segments = parsePointer(pointer)
  for (const [i, segment] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(item => isScalar(item.key) && String(item.key.value) === segment)
      if (pair === undefined) return node
      if (atKey && i === segments.length - 1) return pair.key as YamlNode
      const value = resolve(pair.value, doc) as YamlNode | null
      // `key:` with nothing after it: point at the key.
      node = value ?? (pair.key as YamlNode)
    } else if (isSeq(node)) {
      const item = resolve(node.items[Number(segment)], doc) as YamlNode | undefined
      if (item === undefined) return node
      node = item
    } else {
      return node ?? undefined
    }
  }
  return node ?? undefined
}

function locator (text: string, doc: Document) {
  return (pointer: string, offset?: number, atKey = false): Position | undefined => {
    const node = nodeAt(doc, pointer, atKey)
    const start = node?.range?.[0]
    if (node === undefined || start === undefined) return undefined
    if (offset !== undefined && isScalar(node) && typeof node.value === 'string') {
      // Only where the source holds the string as-is can an offset in the value be an offset in the text.
      const from = node.type === 'PLAIN' ? start : node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? start + 1 : -1
      if (from >= 0 && text.slice(from, from + node.value.length) === node.value) return positionAt(text, from + offset)
    }
    return positionAt(text, start)
  }
}

function yamlProblems (text: string, doc: Document, codes?: string[]): WorkflowSpecProblem[] {
  return [...doc.errors, ...doc.warnings]
    .filter(error => codes === undefined || codes.includes(error.code))
    .map(error => ({ path: '', ...positionAt(text, error.pos[0]), message: error.message }))
}

function document (text: string): Document | WorkflowSpecProblem[] {
  try {
    return parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2' })
  } catch (err) {
    // The parser recursing past the stack on pathological nesting, say: refuse the text, do not crash.
    return [{ path: '', message: `cannot read the spec: ${(err as Error).message}` }]
  }
}

/** Reads YAML 1.2 (core schema); returns problems for every syntax error and warning (an unknown tag, say). */
export function readYaml (text: string): SpecSource | WorkflowSpecProblem[] {
  const doc = document(text)
  if (Array.isArray(doc)) return doc
  const problems = yamlProblems(text, doc)
  if (problems.length > 0) return problems
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (err) {
    return [{ path: '', message: (err as Error).message }]
  }
  return { value, locate: locator(text, doc) }
}

/** Where JSON.parse's message says it stopped, in the forms V8 and Firefox use. */
function jsonErrorPosition (text: string, message: string): Position | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message)
  if (lineColumn !== null) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
  const position = /position (\d+)/.exec(message)
  if (position !== null) return positionAt(text, Number(position[1]))
  return undefined
}

/**
 * Reads strict JSON. JSON is also YAML, so the same syntax tree gives
 * positions, and refuses duplicate keys that JSON.parse would silently merge.
 */
export function readJson (text: string): SpecSource | WorkflowSpecProblem[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    const message = (err as Error).message
    const doc = document(text)
    const position = jsonErrorPosition(text, message) ?? (Array.isArray(doc) ? undefined : yamlProblems(text, doc)[0])
    return [{ path: '', ...(position === undefined ? {} : { line: position.line, column: position.column }), message }]
  }
  const doc = document(text)
  if (Array.isArray(doc)) return doc
  const duplicates = yamlProblems(text, doc, ['DUPLICATE_KEY'])
  if (duplicates.length > 0) return duplicates
  return { value, locate: locator(text, doc) }
}
