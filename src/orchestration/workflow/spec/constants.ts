/**
 * Limits of a workflow spec. Each is checked before anything runs, so a spec
 * that passes `parseWorkflowSpec` is bounded in size, width and depth.
 */

/** The only spec version this code reads (`version: 1`). */
export const WORKFLOW_SPEC_VERSION = 1

/** Largest spec text, in UTF-8 bytes (64 KiB). */
export const MAX_SPEC_BYTES = 64 * 1024

/** Most steps in `dag.tasks`. */
export const MAX_STEPS = 64

/** Most items one fan-out (`forEach`) may run, for a literal list here and for a referenced array at run time. */
export const MAX_FAN_OUT_ITEMS = 1000

/** Longest chain of steps, each depending on the one before (a lone step has depth 1). */
export const MAX_DAG_DEPTH = 32

/** Deepest nesting of the spec document, and of parentheses, `!` and member access inside one expression. */
export const MAX_NESTING_DEPTH = 32

/** Longest expression: `depends`, `when`, a `forEach` reference, or the inside of one `${{ … }}` template. */
export const MAX_EXPRESSION_LENGTH = 512

/** Longest step, input or output name. */
export const MAX_NAME_LENGTH = 64

/** Most declared workflow inputs, and most declared outputs. */
export const MAX_WORKFLOW_INPUTS = 32
export const MAX_WORKFLOW_OUTPUTS = 32

/** What opens and closes a template in args, stdin, files and outputs. */
export const TEMPLATE_OPEN = '$' + '{{'
export const TEMPLATE_CLOSE = '}}'

/** Most templates in one string. */
export const MAX_TEMPLATES_PER_STRING = 16

/** Most retries of one step, and the bounds of its backoff. */
export const MAX_RETRY_LIMIT = 10

/** Most exit codes a step may count as success (`exitCodes`). */
export const MAX_EXIT_CODES = 16
export const MAX_BACKOFF_MS = 60 * 60_000
export const MAX_BACKOFF_FACTOR = 10

/** The step statuses an expression can test (Argo's `depends` vocabulary, plus `Completed`). */
export const STATUS_PREDICATES = ['Succeeded', 'Failed', 'Skipped', 'Errored', 'Completed', 'AnySucceeded', 'AllFailed'] as const

/** Predicates that only make sense for a step with `forEach`. */
export const FAN_OUT_PREDICATES = ['AnySucceeded', 'AllFailed'] as const

/** Names an expression reads as something else, so no step or input may take them. */
export const RESERVED_NAMES = ['steps', 'inputs', 'item', 'true', 'false', 'null'] as const

/** Keys that would reach a JavaScript prototype; refused wherever a name or a path segment appears. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const
