/**
 * Workflow specs: a DAG of WASI tasks written in YAML or JSON (Argo-like
 * `dag.tasks`), parsed and refused before anything runs. Pure: no I/O, no
 * clock; runs in the browser and in Node. The vocabulary and grammar are in
 * docs/workflow-spec.md.
 *
 * @example
 * ```ts
 * import { parseWorkflowSpec, topologicalOrder, parseExpression, evaluate } from './orchestration/workflow/spec/index.ts'
 *
 * const spec = parseWorkflowSpec(text)            // throws WorkflowSpecError with every problem
 * topologicalOrder(spec)                          // ['split', 'detect', 'count']
 * const when = parseExpression('count.Succeeded && steps.count.json.total > 10')
 * evaluate(when, { steps: { count: { phase: 'Succeeded', json: { total: 12 } } } }) // true
 * ```
 */
export { parseWorkflowSpec } from './parse.ts'
export { parseExpression, parseReference } from './expression.ts'
export { evaluate } from './evaluate.ts'
export { parseTemplate } from './template.ts'
export { stepDependencies, topologicalOrder } from './graph.ts'
export { WORKFLOW_SPEC_SCHEMA } from './schema.ts'
export { ExpressionEvaluationError, ExpressionSyntaxError, WorkflowSpecError } from './errors.ts'
export type { WorkflowSpecProblem } from './errors.ts'
export * from './constants.ts'
export type * from './types.ts'
