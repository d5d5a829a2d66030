import type { ContextEntry } from '../context/index.ts'
import type { StepPhase } from '../spec/index.ts'

/**
 * The value of a workflow input, by its declared type: `text` a string,
 * `json` any JSON value, `bytes` `{ blob: <hash> }` and `files`
 * `{ files: { <name>: <hash> } }` (the runner holds the blobs; the scheduler
 * only passes their hashes on).
 */
export type WorkflowInputValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown }

/** What a step (or one fan-out item) produced. */
export interface StepOutputs {
  /** Its stdout, as text. */
  stdout: string
  /** The hash of its stdout, as the receipt names it. */
  stdoutHash: string
  /** Files it wrote: name → hash. */
  files: Record<string, string>
  /** Stdout read as JSON, when it is JSON. Left out, the scheduler tries `JSON.parse(stdout)` itself. */
  json?: unknown
}

/** The fields every event about one step (or one item of a fan-out) has. */
interface StepEventBase {
  /** When it happened, in ms; never earlier than the event before it. */
  at: number
  step: string
  /** The item index, for a step with `forEach`; absent otherwise. */
  item?: number
}

/** The runner took an action of `next()` for its first attempt. */
export interface ScheduledEvent extends StepEventBase { type: 'scheduled' }
/** The runner took an action of `next()` for a later attempt, once the backoff ended. */
export interface RetriedEvent extends StepEventBase { type: 'retried' }
/** The published agent an `agent:` step ran (docs/agent-manifest.md): the manifest its ref resolved to. */
export interface StepAgent {
  name: string
  version: string
  /** PeerId of the manifest's author: (author, name) is the agent's identity. */
  author: string
  /** Lowercase hex SHA-256 of the entry module that ran. */
  moduleHash: string
}

/**
 * The attempt began on an executor; `attempt` counts from 1. `contextHash`:
 * the shared context's hash (ContextState.hash) when a step that reads it
 * was given it; `agent`: the agent an `agent:` step resolved to.
 */
export interface StartedEvent extends StepEventBase { type: 'started', attempt: number, executor?: string, contextHash?: string, agent?: StepAgent }

/**
 * What became of a `write` step's context updates (/work/context-updates.json,
 * docs/workflow-context.md §6), checkpointed with its success so a resumed run
 * holds the same context: the entries the submitter signed from them, in file
 * order, or why the whole file was refused (the step still succeeded: its
 * executor ran it honestly and is paid; only the updates are not applied).
 */
export interface StepContextOutcome {
  entries: ContextEntry[]
  refused?: { name: string, message: string }
}
/** The attempt ended with a verified result (or an earlier receipt was reused for it). */
export interface SucceededEvent extends StepEventBase {
  type: 'succeeded'
  attempt: number
  outputs: StepOutputs
  receiptHash?: string
  /** Who ran it: the PeerId its verified receipt names (or the runner's memo marker for reused outputs). */
  executor?: string
  /** A `write` step's context updates, as applied or refused. */
  context?: StepContextOutcome
}
/**
 * The attempt failed. `retryable` lets the step's retry policy try again;
 * `errored` says it could not be run at all (no executor, no module, an
 * input that could not be bound: Argo's Errored) rather than that the module
 * failed. `attempt` 0 is a step (or item) that errored before any attempt,
 * as the scheduler itself records it.
 */
export interface FailedEvent extends StepEventBase {
  type: 'failed'
  attempt: number
  error: { name: string, message: string }
  retryable: boolean
  errored?: boolean
}
/**
 * The attempt was in flight when the runner stopped (a reload, a closed tab):
 * its result never came back to this log. It runs again at once, without
 * spending a retry, up to MAX_FREE_INTERRUPTIONS times per unit; past that
 * it counts as a failed, retryable attempt.
 */
export interface InterruptedEvent extends StepEventBase { type: 'interrupted', attempt: number }
/** The step (or one item) will not run: `depends` or `when` is false, or a dependency can no longer succeed. */
export interface SkippedEvent extends StepEventBase { type: 'skipped', reason: string }
/** The whole run was canceled. */
export interface CanceledEvent { type: 'canceled', at: number, reason?: string }

/** One entry of a run's append-only log; plain JSON. */
export type RunEvent = ScheduledEvent | RetriedEvent | StartedEvent | SucceededEvent | FailedEvent | InterruptedEvent | SkippedEvent | CanceledEvent

export type RunEventType = RunEvent['type']

/** One item's outputs inside `steps.<step>.items`; `null` for an item that did not succeed. */
export type ItemOutputs = StepOutputs | null

/**
 * A resolved piece of a templated string. Text is final; the rest the runner
 * fills in: a blob by its hash (`steps.X.files["n"]`, a `bytes` input), a set
 * of files (a `files` input), or every item's outputs of a fan-out step
 * (`steps.X.items`, in item order), which the runner turns into files.
 */
export type BindingPart =
  | { kind: 'text', text: string }
  | { kind: 'blob', hash: string }
  | { kind: 'files', files: Record<string, string> }
  | { kind: 'items', step: string, items: ItemOutputs[] }

/** A resolved templated string: plain text when every part is text, else its parts in order. */
export type Binding = string | BindingPart[]

/** One unit of work to start now: a step, or one item of a fan-out step. */
export interface StepAction {
  step: string
  /** The item index, for a fan-out step. */
  item?: number
  /** The item's value, for a fan-out step. */
  itemValue?: unknown
  /** The attempt this would be (1 for the first): apply `scheduled` when 1, `retried` after. */
  attempt: number
  module: string
  args: Binding[]
  env: Record<string, string>
  stdin?: Binding
  files: Record<string, Binding>
  timeoutMs?: number
  fuel?: number
  /** Exit codes that count as success; absent means [0]. */
  exitCodes?: number[]
  /**
   * Equal for equal (module, args, env, stdin, file hashes): the runner may
   * reuse an earlier verified receipt under this key. Absent when the step
   * sets `memoize: false`.
   */
  memoKey?: string
}

/** A2A's task state names, for the run. */
export type RunState = 'submitted' | 'working' | 'completed' | 'failed' | 'canceled'

/** A2A's task state names plus Argo's `skipped`, for a step. */
export type StepRunState = RunState | 'skipped'

export interface StepStatus {
  name: string
  state: StepRunState
  /** The phase `depends` and `when` see. */
  phase: StepPhase
  /** Attempts started (for a fan-out: over every item). */
  attempts: number
  /** For a fan-out step whose items are known: items settled (succeeded, failed or skipped) of all. */
  items?: { done: number, total: number }
  lastError?: { name: string, message: string }
  /** Why it was skipped, when it was. */
  skipReason?: string
  /** Who ran its succeeded attempts (for a fan-out, over every item), when anyone has. */
  executors?: string[]
}

export interface RunStatus {
  runId: string
  state: RunState
  /** In the spec's order. */
  steps: StepStatus[]
  /** Steps per state. */
  counts: Record<StepRunState, number>
}

/** An attempt the runner holds: scheduled or started, not yet ended. */
export interface InFlight {
  step: string
  item?: number
  attempt: number
  started: boolean
  executor?: string
}
