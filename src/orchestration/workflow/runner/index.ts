/**
 * The workflow runner: drives a WorkflowRun (the pure scheduler) on the
 * mesh. Every event is appended to the run's log before the runner acts on
 * it, so after a reload `resumeWorkflow` goes on from the log and never runs
 * a finished step again. Steps whose memo key has verified outputs are not
 * run at all. The run id is the A2A `contextId` of the run's tasks, and the
 * run's states are A2A's task states (submitted, working, completed, failed,
 * canceled).
 *
 * @example
 * ```ts
 * import { startWorkflow, resumeWorkflow } from './orchestration/workflow/runner/index.ts'
 *
 * const components = { dispatch, modules, blobs, log, memo, settle }   // IndexedDB and TaskDispatch behind them
 * const defaults = { timeoutMs: 30_000, memoryLimitBytes: 64 << 20, fuel: 1e10, maxTotalPrice: 1000, seed }
 * const runner = await startWorkflow(components, { runId, spec, inputs: { text }, defaults })
 * runner.addEventListener('status', e => { render((e as WorkflowRunnerEvent<RunStatus>).detail) })
 * const { state, outputs } = await runner.result()      // outputs.perLanguage: text; a file output: [{ kind: 'blob', hash }]
 * // after a reload:
 * const again = await resumeWorkflow(components, { runId, spec, inputs: { text }, defaults })
 * ```
 */
export { resumeWorkflow, startWorkflow } from './runner.ts'
export { WorkflowRunnerEvent } from './runner-handle.ts'
export type { WorkflowRunner } from './runner-handle.ts'
export { buildOffer, materialize, taskIdOf } from './task-offer.ts'
export { CONTEXT_INPUT_FILE, CONTEXT_UPDATES_FILE, readsContext, writesContext } from './run-context.ts'
export type { ContextInput, RunContextSnapshot } from './run-context.ts'
export * from './errors.ts'
export * from './constants.ts'
export type * from './types.ts'
