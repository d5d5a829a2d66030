/**
 * Pure formatting for the Workflows view: a template's outline for its
 * gallery card, a step's one-line summary, who ran it, and its details.
 * No DOM, no clock (test/unit/ui/workflow-format.test.ts).
 */
import { MEMO_EXECUTOR, parseWorkflowSpec, stepDependencies, type WorkflowStepView } from '../app/index.ts'

/** Characters of a PeerId's end shown on a step's box: enough to tell the executors of one run apart. */
const PEER_TAIL = 6

/** A template's shape, for its card: each step with its workload and what it waits for. */
export interface TemplateOutline {
  steps: Array<{ name: string, module: string, after: string[], fanOut: boolean }>
  /** The workloads it runs, each once, in order of first use. */
  modules: string[]
  /** Steps that fan out (`forEach`). */
  fanOuts: number
}

/** The outline of a template's spec; undefined when the spec does not parse (a template never should: workflow-templates.test.ts). */
export function templateOutline (specText: string): TemplateOutline | undefined {
  let spec: ReturnType<typeof parseWorkflowSpec>
  try {
    spec = parseWorkflowSpec(specText)
  } catch {
    return undefined
  }
  const after = stepDependencies(spec)
  const steps = spec.dag.tasks.map(task => ({ name: task.name, module: task.module ?? `agent:${task.agent ?? ''}`, after: after.get(task.name) ?? [], fanOut: task.forEach !== undefined }))
  return { steps, modules: [...new Set(steps.map(step => step.module))], fanOuts: steps.filter(step => step.fanOut).length }
}

/** `4 steps · 1 fan-out`. */
export function outlineLine (outline: TemplateOutline): string {
  const steps = `${outline.steps.length} step${outline.steps.length === 1 ? '' : 's'}`
  return outline.fanOuts === 0 ? steps : `${steps} · ${outline.fanOuts} fan-out${outline.fanOuts === 1 ? '' : 's'}`
}

/** `…abcd12` for a PeerId, `memo` for outputs reused from an earlier run. */
export function executorTail (executor: string): string {
  return executor === MEMO_EXECUTOR || executor.length <= PEER_TAIL ? executor : `…${executor.slice(-PEER_TAIL)}`
}

/** Who ran a step, for its box: `on …abcd12`, `on …abcd12 +2` for several, `memo` when every result was reused; '' before any result. */
export function ranOnLabel (executors: readonly string[] | undefined): string {
  if (executors === undefined || executors.length === 0) return ''
  const peers = executors.filter(executor => executor !== MEMO_EXECUTOR)
  if (peers.length === 0) return 'memo'
  const more = executors.length - 1
  return `on ${executorTail(peers[0]!)}${more > 0 ? ` +${more}` : ''}`
}

/** Attempts beyond one per unit (the step, or each item of a fan-out): the retries. */
export function retriesOf (step: Pick<WorkflowStepView, 'attempts' | 'items'>): number {
  return Math.max(0, step.attempts - (step.items?.total ?? 1))
}

/** A step's box's second line: `working · 3/5 · 1 retried`. */
export function stepLine (step: Pick<WorkflowStepView, 'state' | 'attempts' | 'items'>): string {
  const retries = retriesOf(step)
  return [step.state, step.items === undefined ? '' : `${step.items.done}/${step.items.total}`, retries > 0 ? `${retries} retried` : ''].filter(Boolean).join(' · ')
}

/** The share of a fan-out's items settled, 0–1; undefined for a step that does not fan out (or has no items yet). */
export function itemsShare (step: Pick<WorkflowStepView, 'items'>): number | undefined {
  if (step.items === undefined || step.items.total === 0) return undefined
  return Math.min(1, step.items.done / step.items.total)
}

/** `3 (1 retry)`, `5 over 5 items`, `7 over 5 items (2 retries)`. */
export function attemptsLine (step: Pick<WorkflowStepView, 'attempts' | 'items'>): string {
  const retries = retriesOf(step)
  const over = step.items === undefined ? '' : ` over ${step.items.total} item${step.items.total === 1 ? '' : 's'}`
  return `${step.attempts}${over}${retries > 0 ? ` (${retries} ${retries === 1 ? 'retry' : 'retries'})` : ''}`
}

/** A one-step spec running the agent `ref` on a text input (docs/workflow-spec.md, "Agent steps"). */
export function agentSpec (name: string, ref: string): string {
  const step = name.replace(/[^A-Za-z0-9_-]/g, '-')
  return `version: 1
name: use-${step}
inputs:
  text: { type: text }
dag:
  tasks:
    - name: ${step}
      agent: "${ref}"
      stdin: "\${{ inputs.text }}"
      retry: { limit: 2 }
outputs:
  result: "\${{ steps.${step}.stdout }}"
`
}
