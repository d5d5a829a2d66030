/**
 * What the Workflows view shows of a run's shared context
 * (docs/workflow-context.md) and of its steps' dealings with it, from the
 * run's log: the context's keys with their rule, value and writers; each
 * step's refused updates; and the agent an `agent:` step ran.
 */
import { canonicalize } from '../core/index.ts'
import { ContextEntryLimitError, ContextState } from '../orchestration/workflow/context/index.ts'
import type { RunContextSnapshot } from '../orchestration/workflow/runner/index.ts'
import type { RunEvent, StepAgent } from '../orchestration/workflow/scheduler/index.ts'
import type { WorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import type { WorkflowContextView, WorkflowStepView } from './types.ts'

/** Longest value text a row shows; the whole value is the step's to read. */
const CONTEXT_VALUE_VIEW_CHARS = 240

/** Per step, from its events: the refused context updates of its units and the agent it ran. */
export interface StepContextNotes {
  add(event: RunEvent): void
  /** The step that wrote an entry citing this receipt. */
  stepOfReceipt(receiptHash: string): string | undefined
  of(step: string): Pick<WorkflowStepView, 'contextRefused' | 'agent'>
}

export function stepContextNotes (): StepContextNotes {
  const refused = new Map<string, Map<number, string>>()
  const agents = new Map<string, StepAgent>()
  const receipts = new Map<string, string>()
  return {
    add (event) {
      if (event.type === 'started' && event.agent !== undefined) agents.set(event.step, event.agent)
      if (event.type !== 'succeeded') return
      if (event.receiptHash !== undefined) receipts.set(event.receiptHash, event.step)
      const why = event.context?.refused
      if (why === undefined) return
      const units = refused.get(event.step) ?? new Map<number, string>()
      refused.set(event.step, units)
      units.set(event.item ?? -1, `${why.name}: ${why.message}`)
    },
    stepOfReceipt: hash => receipts.get(hash),
    of (step) {
      const units = refused.get(step)
      const agent = agents.get(step)
      return {
        ...(units === undefined ? {} : { contextRefused: [...units].sort(([a], [b]) => a - b).map(([item, error]) => ({ ...(item === -1 ? {} : { item }), error })) }),
        ...(agent === undefined ? {} : { agent })
      }
    }
  }
}

/** The view of a context: every declared key, in name order, with its value as a step reads it and who wrote it from which step. */
export function contextView (snapshot: RunContextSnapshot, stepOfReceipt: (hash: string) => string | undefined): WorkflowContextView {
  const keys = Object.keys(snapshot.schema).sort()
  return {
    hash: snapshot.hash,
    keys: keys.map(key => {
      const value = Object.hasOwn(snapshot.value, key) ? clip(canonicalize(snapshot.value[key])) : undefined
      const writes = snapshot.entries.filter(entry => entry.key === key).map(entry => {
        const step = entry.receiptHash === null ? undefined : stepOfReceipt(entry.receiptHash)
        return { writer: entry.writer, lamport: entry.lamport, ...(step === undefined ? {} : { step }) }
      })
      return { key, rule: snapshot.schema[key]!.rule, ...(value === undefined ? {} : { value }), writes }
    })
  }
}

/**
 * A stored run's context, rebuilt from the entries its log holds (each
 * verified, as any replica would); undefined when the spec declares none or
 * an entry does not verify (the view then shows no context rather than a wrong one).
 */
export function contextFromLog (spec: WorkflowSpec, runId: string, events: readonly RunEvent[]): RunContextSnapshot | undefined {
  if (spec.context === undefined) return undefined
  try {
    const state = new ContextState({ contextId: runId, schema: spec.context as Record<string, unknown> })
    for (const event of events) {
      if (event.type !== 'succeeded') continue
      for (const entry of event.context?.entries ?? []) {
        try {
          state.apply(entry)
        } catch (err) {
          if (!(err instanceof ContextEntryLimitError)) throw err
        }
      }
    }
    return { hash: state.hash(), value: state.value(), schema: state.schema, entries: state.entries() }
  } catch {
    return undefined
  }
}

function clip (text: string): string {
  return text.length <= CONTEXT_VALUE_VIEW_CHARS ? text : `${text.slice(0, CONTEXT_VALUE_VIEW_CHARS - 1)}…`
}
