/**
 * From a scheduler action to the task one attempt sends: an `agent:` step
 * takes its manifest's defaults where the step sets nothing
 * (docs/agent-manifest.md `defaults`), and how a failed attempt counts.
 */
import type { StepAction, StepAgent } from '../scheduler/index.ts'
import type { StepSpec } from '../spec/index.ts'
import type { LoadedModule, WorkflowTaskDefaults } from './types.ts'

/**
 * The action with an agent's defaults filled in: its `args` when the step
 * gives none, its `timeoutMs` and `fuel` when the step sets none; and the
 * run's defaults with its `memoryLimitBytes` (a step cannot set one).
 */
export function withAgentDefaults (action: StepAction, step: StepSpec, module: LoadedModule, defaults: WorkflowTaskDefaults): { action: StepAction, defaults: WorkflowTaskDefaults } {
  const agent = module.agent?.defaults
  if (agent === undefined) return { action, defaults }
  return {
    action: {
      ...action,
      ...(step.args === undefined && agent.args !== undefined ? { args: [...agent.args] } : {}),
      ...(action.timeoutMs === undefined && agent.timeoutMs !== undefined ? { timeoutMs: agent.timeoutMs } : {}),
      ...(action.fuel === undefined && agent.fuel !== undefined ? { fuel: agent.fuel } : {})
    },
    defaults: agent.memoryLimitBytes === undefined ? defaults : { ...defaults, memoryLimitBytes: agent.memoryLimitBytes }
  }
}

/** The agent an `agent:` step ran, as its `started` event names it. */
export function stepAgentOf (module: LoadedModule): StepAgent | undefined {
  const agent = module.agent
  return agent === undefined ? undefined : { name: agent.name, version: agent.version, author: agent.author, moduleHash: module.hash }
}

export const describeError = (err: unknown): { name: string, message: string } =>
  err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }

/**
 * Whether a failed attempt may be tried again (within the step's retry
 * limit; Argo's default policy retries failures and errors alike) and
 * whether the module never ran (Errored). Not retryable: what would fail the
 * same way every time — an input that cannot be bound, a task the protocol
 * refuses.
 */
export function failureOf (err: unknown, phase: 'module' | 'offer' | 'run'): { retryable: boolean, errored: boolean } {
  if (phase === 'module') return { retryable: true, errored: true }
  if (phase === 'offer') return { retryable: false, errored: true }
  switch ((err as Error | undefined)?.name) {
    case 'InvalidTaskMessageError': return { retryable: false, errored: true }
    case 'NoExecutorError':
    case 'ExecutorBusyError':
    case 'TaskRefusedError':
    case 'TaskOverBudgetError': return { retryable: true, errored: true }
    default: return { retryable: true, errored: false }
  }
}
