/**
 * How a guild's run reaches its executors (docs/guild.md §7). Each step runs
 * where its award says (guild-run.ts awardedExecutor, asked before each
 * attempt). A member that cannot be reached when its step is due — the task
 * fails before any executor took it (no receipt) and no connection to the
 * member is left — has left, whatever its last announcement said (a closed
 * tab's presence lives on for PRESENCE_TTL_MS): its unfinished steps are
 * re-awarded at once and this one is sent to its new executor, instead of
 * failing the attempt.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { RemoteTaskError } from '../orchestration/task-protocol/index.ts'
import type { WorkflowDispatch, WorkflowRunnerComponents } from '../orchestration/workflow/runner/index.ts'
import { awardedExecutor, type AwardedRun } from './guild-run.ts'
import type { PeerContext } from './context.ts'

/** Errors that say nothing of whether the member is there: the run was stopped, or the member answered. */
const NOT_ABOUT_REACHING = new Set(['AbortError', 'ExecutorBusyError', 'TaskOverBudgetError'])

export function guildStepDispatch (
  ctx: PeerContext, award: AwardedRun, dispatch: WorkflowDispatch, onReaward: () => void
): Pick<WorkflowRunnerComponents, 'dispatch' | 'executorFor'> {
  const connected = (peer: string): boolean => ctx.peer.node.getConnections(peerIdFromString(peer)).length > 0
  const departed = new Set<string>()
  // Present: connected, or still announcing itself as contributing (a tab just reloaded has not reconnected yet).
  const present = (peer: string): boolean => !departed.has(peer) && (connected(peer) || ctx.peer.mesh.executors().includes(peer))
  /** The steps asked for, by the executor they were given, in order: the runner dispatches each in the turn it asked. */
  const asked = new Map<string, string[]>()
  const executorOf = (step: string): string | undefined => {
    const before = award.forfeited.length
    const executor = awardedExecutor(ctx, award, step, present)
    if (award.forfeited.length !== before) onReaward()
    return executor
  }
  return {
    executorFor: step => {
      const executor = executorOf(step)
      if (executor !== undefined) asked.set(executor, [...(asked.get(executor) ?? []), step])
      return executor
    },
    dispatch: {
      async runOnce (offer, module, requirements, request, options) {
        const member = request.executor
        const step = member === undefined ? undefined : asked.get(member)?.shift()
        try {
          return await dispatch.runOnce(offer, module, requirements, request, options)
        } catch (err) {
          const name = err instanceof Error ? err.name : ''
          const unreached = !(err instanceof RemoteTaskError) && !NOT_ABOUT_REACHING.has(name) && options?.signal?.aborted !== true
          if (member === undefined || step === undefined || !unreached || connected(member)) throw err
          departed.add(member)
          const next = executorOf(step)
          if (next === undefined || next === member) throw err
          return await dispatch.runOnce(offer, module, requirements, { executor: next }, options)
        }
      }
    }
  }
}
