import { nameError } from '../../../core/errors.ts'

/** One thing wrong with a spec: where (a JSON pointer, and the line and column when known) and what. */
export interface WorkflowSpecProblem {
  /** JSON pointer (RFC 6901) into the spec, e.g. `/dag/tasks/2/depends`; `''` is the whole spec. */
  path: string
  /** 1-based line in the spec text. */
  line?: number
  /** 1-based column in the spec text. */
  column?: number
  message: string
}

function where (problem: WorkflowSpecProblem): string {
  const position = problem.line === undefined ? '' : ` (${problem.line}:${problem.column ?? 1})`
  return `${problem.path === '' ? '/' : problem.path}${position}`
}

/**
 * Thrown by `parseWorkflowSpec` when a spec is refused: a syntax error, a schema
 * violation, an unknown step, a cycle, a bad expression or a limit exceeded.
 * `problems` lists everything found in the stage that failed (syntax, then
 * schema, then meaning); the message names the first.
 */
export class WorkflowSpecError extends Error {
  static { nameError(this, 'WorkflowSpecError') }
  readonly problems: WorkflowSpecProblem[]

  constructor (problems: WorkflowSpecProblem[]) {
    const first = problems[0] ?? { path: '', message: 'invalid workflow spec' }
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''
    super(`${where(first)}: ${first.message}${more}`)
    this.problems = problems
  }
}

/** Thrown when an expression or a `${{ … }}` reference does not parse; `position` is the 0-based offset in it. */
export class ExpressionSyntaxError extends SyntaxError {
  static { nameError(this, 'ExpressionSyntaxError') }
  /** 0-based offset in the expression. */
  readonly position: number
  /** The message without the position. */
  readonly reason: string

  constructor (reason: string, position: number) {
    super(`${reason} (at character ${position + 1})`)
    this.position = position
    this.reason = reason
  }
}

/**
 * Thrown by `evaluate` when a value is missing or of the wrong type (a
 * comparison of a number with a string, `&&` on a non-boolean, a path into
 * something that is not there); `position` is the offset of the part that failed.
 */
export class ExpressionEvaluationError extends Error {
  static { nameError(this, 'ExpressionEvaluationError') }
  /** 0-based offset in the expression. */
  readonly position: number
  /** The message without the position. */
  readonly reason: string

  constructor (reason: string, position: number) {
    super(`${reason} (at character ${position + 1})`)
    this.position = position
    this.reason = reason
  }
}
