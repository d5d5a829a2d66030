/**
 * parseWorkflowSpec: text in, a validated WorkflowSpec out, or one
 * WorkflowSpecError listing every problem of the first stage that failed:
 * size, syntax, nesting, schema, then meaning (names, expressions, templates,
 * cycles, depth).
 */
import { MAX_DAG_DEPTH, MAX_NESTING_DEPTH, MAX_SPEC_BYTES } from './constants.ts'
import { WorkflowSpecError } from './errors.ts'
import type { WorkflowSpecProblem } from './errors.ts'
import { describeCycle, findCycles, stepDependencies, stepDepths } from './graph.ts'
import { checkMeaning } from './references.ts'
import { validateAgainstSchema } from './schema.ts'
import { readJson, readYaml } from './source.ts'
import type { SpecSource } from './source.ts'
import type { WorkflowSpec } from './types.ts'

function utf8Length (text: string): number {
  return new TextEncoder().encode(text).length
}

/** The pointer of the first value nested deeper than MAX_NESTING_DEPTH, if any. */
function tooDeep (value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (depth >= MAX_NESTING_DEPTH) return path
  const entries = Array.isArray(value) ? value.map((item, i) => [String(i), item] as const) : Object.entries(value)
  for (const [key, item] of entries) {
    const found = tooDeep(item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

function place (source: SpecSource, problem: { path: string, message: string, offset?: number, key?: boolean }): WorkflowSpecProblem {
  const position = source.locate(problem.path, problem.offset, problem.key)
  return { path: problem.path, ...(position === undefined ? {} : { line: position.line, column: position.column }), message: problem.message }
}

function refuse (problems: WorkflowSpecProblem[]): never {
  throw new WorkflowSpecError(problems)
}

/** In the order they appear in the text (a stable sort; problems without a position last). */
function inTextOrder (problems: WorkflowSpecProblem[]): WorkflowSpecProblem[] {
  const key = (problem: WorkflowSpecProblem): number => problem.line === undefined ? Number.MAX_SAFE_INTEGER : problem.line * 1e6 + (problem.column ?? 0)
  return [...problems].sort((a, b) => key(a) - key(b))
}

/** Picks JSON when the text starts with `{`, YAML otherwise. */
function detectFormat (text: string): 'yaml' | 'json' {
  return text.trimStart().startsWith('{') ? 'json' : 'yaml'
}

/**
 * Parses and validates a workflow spec written in YAML or JSON (by default:
 * JSON when the text starts with `{`). Defaults are filled in (`memoize: true`).
 *
 * @example
 * ```ts
 * const spec = parseWorkflowSpec(`
 * version: 1
 * dag:
 *   tasks:
 *     - { name: hash, module: sha256, stdin: "\${{ inputs.text }}" }
 * inputs:
 *   text: { type: text }
 * `)
 * ```
 * @throws WorkflowSpecError listing every problem found
 */
export function parseWorkflowSpec (text: string, format: 'yaml' | 'json' = detectFormat(text)): WorkflowSpec {
  // Every UTF-16 unit is at least one UTF-8 byte, so a long string is refused before it is encoded.
  if (text.length > MAX_SPEC_BYTES || utf8Length(text) > MAX_SPEC_BYTES) {
    refuse([{ path: '', message: `the spec is larger than ${MAX_SPEC_BYTES} bytes` }])
  }
  const source = format === 'json' ? readJson(text) : readYaml(text)
  if (Array.isArray(source)) refuse(source)

  const deep = tooDeep(source.value)
  if (deep !== undefined) refuse([place(source, { path: deep, message: `nested deeper than ${MAX_NESTING_DEPTH} levels` })])

  const schemaProblems = validateAgainstSchema(source.value)
  if (schemaProblems.length > 0) refuse(inTextOrder(schemaProblems.map(problem => place(source, problem))))
  const spec = source.value as WorkflowSpec

  const problems = checkMeaning(spec).map(problem => place(source, problem))
  const indexOf = (name: string): number => spec.dag.tasks.findIndex(step => step.name === name)
  const cycles = findCycles(stepDependencies(spec))
  for (const cycle of cycles) {
    problems.push(place(source, { path: `/dag/tasks/${indexOf(cycle[0] as string)}/name`, message: describeCycle(cycle) }))
  }
  if (cycles.length === 0 && problems.length === 0) {
    for (const [name, depth] of stepDepths(spec)) {
      if (depth > MAX_DAG_DEPTH) {
        problems.push(place(source, { path: `/dag/tasks/${indexOf(name)}/name`, message: `step ${name} ends a chain of ${depth} steps; the limit is ${MAX_DAG_DEPTH}` }))
        break
      }
    }
  }
  if (problems.length > 0) refuse(inTextOrder(problems))
  return spec
}
