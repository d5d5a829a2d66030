/**
 * One task submitted from this tab, shown on its task card: the peer's
 * submitTask (src/peer/submit.ts — prepared, dispatched, kept and paid for)
 * with each step it reports turned into the card's phase.
 */
import { sniffImageType } from '../core/media-type.ts'
import type { DispatchProgress } from '../orchestration/dispatch/index.ts'
import { submitTask as submitPeerTask, taskLabel } from '../peer/submit.ts'
import type { PeerSession } from './session.ts'
import type { SubmitRequest, SubmitResult, TaskView } from './types.ts'
import type { ViewModel } from './view-model.ts'
import { taskPatch } from './view-state.ts'

/** Tasks of this session kept on screen; older ones live on in the history. */
const SESSION_TASKS_LIMIT = 20

export async function submitTask (view: ViewModel, session: PeerSession, request: SubmitRequest, signal?: AbortSignal): Promise<SubmitResult> {
  const taskId = crypto.randomUUID()
  const task: TaskView = { taskId, label: taskLabel(request), phase: 'preparing', verified: false }
  view.update({ tasks: [task, ...view.state.tasks].slice(0, SESSION_TASKS_LIMIT) })
  return submitPeerTask(session, request, {
    signal,
    taskId,
    onPrepared: offer => { view.updateTask(taskId, { phase: 'choosing-executor', ...(sniffImageType(offer.stdin) === undefined ? {} : { inputImage: offer.stdin }) }) },
    onChoice: (executor, selection) => { view.updateTask(taskId, { executor, selection }) },
    // Waiting in this tab's queue for a turn at the executor (or to offer it again to a busy one): queued.
    onProgress: (progress: DispatchProgress) => { view.updateTask(taskId, progress.phase === 'waiting' ? { phase: 'queued' } : taskPatch(progress)) },
    onDone: outcome => {
      view.updateTask(taskId, {
        phase: 'done',
        verified: true,
        receipt: outcome.receipt,
        result: { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode, durationMs: outcome.receipt.durationMs, files: outcome.files }
      })
    },
    onFailed: (err, receipt) => {
      const lastPhase = view.state.tasks.find(task => task.taskId === taskId)?.phase
      const failedDuring = receipt != null ? 'running' : lastPhase === 'done' || lastPhase === 'failed' ? undefined : lastPhase
      view.updateTask(taskId, {
        phase: 'failed',
        failedDuring,
        error: { name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) },
        ...(receipt == null ? {} : { receipt, verified: true })
      })
    },
    onNotice: notice => { view.update({ notice }) },
    // At the start only the trace id (called in the same turn as the card's creation, so drawn with it), then all the
    // spans once the task's last span ended: the card is not redrawn for each span (bench:roundtrip weighs tracing's cost).
    // That last update waits for the next task of the event loop: the result goes to whoever awaits it first, the
    // diagnostics after.
    onTrace: (traceId, ended) => {
      if (!ended) {
        view.updateTask(taskId, { trace: { traceId, spans: [] } })
        return
      }
      setTimeout(() => { view.updateTask(taskId, { trace: { traceId, spans: session.peer.traces?.trace(traceId) ?? [] } }) }, 0)
    }
  })
}
