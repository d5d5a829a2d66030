/**
 * The workflow scheduler: one run of a parsed WorkflowSpec as a pure state
 * machine driven by an append-only, JSON-serialisable event log. No I/O, no
 * timers, no clock of its own; the runner (next slice) dispatches the actions
 * it returns on TaskDispatch and records what happens. A reload replays the
 * stored log, so finished steps are never run again.
 *
 * @example
 * ```ts
 * import { WorkflowRun } from './orchestration/workflow/scheduler/index.ts'
 *
 * const run = new WorkflowRun(spec, { text }, runId)   // or WorkflowRun.replay(spec, inputs, runId, stored)
 * for (const action of run.next(now)) {
 *   run.apply({ type: action.attempt === 1 ? 'scheduled' : 'retried', at: now, step: action.step, item: action.item })
 *   dispatch(action)                                   // memoKey: reuse an earlier verified receipt
 * }
 * // …an attempt ended…
 * run.apply({ type: 'succeeded', at, step, item, attempt, outputs: { stdout, stdoutHash, files } })
 * save(run.events); setTimer(run.nextWakeAt())
 * run.status()                                         // { state: 'working', steps: […], counts: {…} }
 * ```
 */
export { WorkflowRun } from './run.ts'
export { memoKey } from './bindings.ts'
export { ForEachValueError, InvalidRunEventError, InvalidWorkflowInputsError, RunEventOrderError } from './errors.ts'
export * from './constants.ts'
export type * from './types.ts'
