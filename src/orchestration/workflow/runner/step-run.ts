/**
 * A unit's task, dispatched and checked by the submitter as a single task is
 * (orchestration/dispatch checked-run.ts, docs/trust-and-payments.md §3):
 * the runner logs, memoizes and records only the result the check kept.
 */
import type { CardRequirements } from '../../../discovery/index.ts'
import { ResultContradictedError } from '../../../trust/verification/index.ts'
import { runChecked } from '../../dispatch/index.ts'
import type { CheckedRun } from '../../dispatch/index.ts'
import type { ValidOffer } from '../../task-protocol/index.ts'
import type { StepAction } from '../scheduler/index.ts'
import { MAX_CONTRADICTED_REDISPATCHES } from './constants.ts'
import { fittedTaskId } from './task-offer.ts'
import type { WorkflowRunnerComponents } from './types.ts'

export interface StepRunOptions {
  signal: AbortSignal
  /** Whether the run has ended (canceled, stopped): nothing is sent again then. */
  ended(): boolean
}

/** What a unit's task came to: the checked run, and whether the submitter's check was applied to it (what the memo marks). */
export interface StepRun extends CheckedRun {
  /**
   * True when the result went through the submitter's check (the
   * verification policy decided, and a check it drew ran): the run has a
   * verifier and the step was not awarded to an executor.
   */
  checked: boolean
}

/**
 * Runs the unit's task and checks it when the components have a verifier.
 * A step awarded to an executor (a guild's member, or a step's own auction
 * winner) runs there and nowhere else, unchecked: the award chose it, and a
 * guild's step is paid by the split. A result this peer's own re-run showed
 * wrong, with no checker's result at hand (ResultContradictedError), is sent
 * again within the same attempt — its executor is caught, so the dispatch
 * ranks it no more — under a task id of its own (`-r1`, `-r2`), at most
 * MAX_CONTRADICTED_REDISPATCHES times: a step has no retry by default, and
 * one cheat must not fail the run. Rejects with the last failure otherwise.
 */
export async function runStepTask (
  components: Pick<WorkflowRunnerComponents, 'dispatch' | 'verifier' | 'executorFor' | 'traceStep'>,
  action: StepAction, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, options: StepRunOptions
): Promise<StepRun> {
  const executor = components.executorFor?.(action.step)
  const { dispatch, verifier } = components
  const checking = { dispatch, ...(executor === undefined && verifier !== undefined ? { verifier } : {}) }
  for (let redispatch = 0; ; redispatch++) {
    const sent = redispatch === 0 ? offer : { ...offer, taskId: fittedTaskId(`${offer.taskId}-r${redispatch}`) }
    const stepTrace = components.traceStep?.({ step: action.step, ...(action.item === undefined ? {} : { item: action.item }), attempt: action.attempt, taskId: sent.taskId })
    try {
      const run = await runChecked(checking, sent, module, requirements, executor === undefined ? {} : { executor }, {
        signal: options.signal,
        // Canceled or stopped meanwhile: the answer is neither kept nor, unchecked, paid for.
        onReturned: () => !options.ended(),
        ...(stepTrace === undefined ? {} : { trace: stepTrace.trace })
      })
      stepTrace?.end()
      return { ...run, checked: checking.verifier !== undefined }
    } catch (err) {
      stepTrace?.end(err)
      if ((err as Error | undefined)?.name !== ResultContradictedError.name || redispatch >= MAX_CONTRADICTED_REDISPATCHES || options.ended()) throw err
    }
  }
}
