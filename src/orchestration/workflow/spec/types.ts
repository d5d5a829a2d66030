import type { ContextKeyDeclaration } from '../context/schema.ts'
import type { STATUS_PREDICATES } from './constants.ts'

/** The kinds of value a workflow input can hold. */
export type WorkflowInputType = 'text' | 'bytes' | 'files' | 'json'

/** A declared workflow input (`inputs.<name>`). */
export interface WorkflowInput {
  type: WorkflowInputType
  description?: string
}

/** How a failed step is tried again. */
export interface RetrySpec {
  /** Retries after the first attempt (0 = none). */
  limit: number
  backoff?: {
    /** Wait before the first retry. */
    initialMs?: number
    /** Each wait is the previous one times this. */
    factor?: number
    /** No wait is longer than this. */
    maxMs?: number
  }
}

/**
 * How a step uses the run's shared context (docs/workflow-context.md §6):
 * `read` is given it as /work/context.json, `write` has its
 * /work/context-updates.json applied, `read-write` both.
 */
export type StepContextUse = 'read' | 'write' | 'read-write'

/** One step of `dag.tasks` (Argo calls it a task). Exactly one of `module` and `agent` is set. */
export interface StepSpec {
  name: string
  /** A sample id (`lang-detect`) or a module hash (`sha256:<64 hex>`). */
  module?: string
  /** A published agent, `name@range` (docs/agent-manifest.md): its entry module runs, its manifest's defaults apply. */
  agent?: string
  /** Whether the step reads the shared context, writes it, or both; neither when absent. */
  context?: StepContextUse
  /** Arguments; each may hold `${{ … }}` templates. */
  args?: string[]
  /** Environment variables; literal strings. */
  env?: Record<string, string>
  /** Standard input; may hold `${{ … }}` templates. */
  stdin?: string
  /** Input files by path; each content may hold `${{ … }}` templates. */
  files?: Record<string, string>
  /** Argo's `depends`: an expression of status predicates (`a.Succeeded && !b.Failed`). */
  depends?: string
  /** Argo's `dependencies` shorthand: every listed step must have Succeeded. */
  dependencies?: string[]
  /** Runs the step only when this expression is true. */
  when?: string
  /** Fan-out: a literal list, or a reference to an array (`steps.split.json.chunks`, `inputs.lines`). */
  forEach?: unknown[] | string
  retry?: RetrySpec
  timeoutMs?: number
  fuel?: number
  /** Exit codes that count as success (default [0]): the step's outputs are kept and passed on. */
  exitCodes?: number[]
  /** Reuse an earlier result of the same module and inputs; `true` after parsing unless set to `false`. */
  memoize?: boolean
}

/** A parsed, validated workflow spec. */
export interface WorkflowSpec {
  version: 1
  name?: string
  description?: string
  inputs?: Record<string, WorkflowInput>
  /** Workflow outputs, each a string holding `${{ … }}` templates over step outputs. */
  outputs?: Record<string, string>
  /** The run's shared context: key → declaration (docs/workflow-context.md §2). */
  context?: Record<string, ContextKeyDeclaration>
  dag: { tasks: StepSpec[] }
}

/** A status predicate: `<step>.Succeeded` and the rest. */
export type StatusPredicate = typeof STATUS_PREDICATES[number]

/** A comparison operator. */
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>='

/** One member access in a reference: `.name`, `["name"]` or `[0]`, with its offset in the expression. */
export interface PathSegment {
  key: string | number
  start: number
}

/** Where an expression node sits in its text: 0-based, end exclusive. */
interface Span {
  start: number
  end: number
}

/**
 * A reference to data: `steps.<name>.<member>…`, `inputs.<name>…` or `item…`.
 * `path` holds every segment after the root.
 */
export interface ReferenceNode extends Span {
  kind: 'reference'
  root: 'steps' | 'inputs' | 'item'
  path: PathSegment[]
}

/** `<step>.<Predicate>`. */
export interface StatusNode extends Span {
  kind: 'status'
  step: string
  predicate: StatusPredicate
}

export interface LiteralNode extends Span {
  kind: 'literal'
  value: string | number | boolean | null
}

export interface NotNode extends Span {
  kind: 'not'
  operand: ExpressionNode
}

export interface LogicalNode extends Span {
  kind: 'logical'
  operator: '&&' | '||'
  left: ExpressionNode
  right: ExpressionNode
}

export interface ComparisonNode extends Span {
  kind: 'comparison'
  operator: ComparisonOperator
  left: ExpressionNode
  right: ExpressionNode
}

/** The AST of an expression. */
export type ExpressionNode = LiteralNode | NotNode | LogicalNode | ComparisonNode | StatusNode | ReferenceNode

/** A step's state as an expression sees it. */
export type StepPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Errored'

export interface StepState {
  phase: StepPhase
  /** For a fan-out step: the phase of each item. */
  items?: StepPhase[]
  stdout?: string
  /** Stdout read as JSON, when it was JSON. */
  json?: unknown
}

/** What `evaluate` may read; nothing else is reachable. */
export interface EvaluationContext {
  steps?: Record<string, StepState>
  inputs?: Record<string, unknown>
  item?: unknown
}

/** A string split into literal text and `${{ … }}` references. */
export type TemplatePart = string | ReferenceNode

/** Where a reference is used, which decides the members it may name. */
export type ReferenceUse = 'expression' | 'template' | 'forEach'
