/**
 * One task submitted from this tab, from request to kept receipt: prepared
 * and checked (task-request.ts), dispatched (orchestration/dispatch) with
 * its progress shown on its task card, then kept in the history and paid for
 * side by side. A task that ran and failed still has a verified receipt: it
 * is shown, kept and paid for too.
 */
import { sniffImageType } from '../core/media-type.ts'
import { MAX_REDUNDANCY } from '../orchestration/dispatch/index.ts'
import type { DispatchProgress } from '../orchestration/dispatch/index.ts'
import { RemoteTaskError } from '../orchestration/task-protocol/index.ts'
import type { PeerSession } from './session.ts'
import { prepareTask, sampleLabel } from './task-request.ts'
import type { SubmitRequest, SubmitResult, TaskView } from './types.ts'
import type { ViewModel } from './view-model.ts'
import { preview, taskPatch } from './view-state.ts'

/** Tasks of this session kept on screen; older ones live on in the history. */
const SESSION_TASKS_LIMIT = 20

export async function submitTask (view: ViewModel, session: PeerSession, request: SubmitRequest, signal?: AbortSignal): Promise<SubmitResult> {
  const taskId = crypto.randomUUID()
  const label = request.label ?? (typeof request.module === 'string' ? sampleLabel(request.module) : 'upload')
  const task: TaskView = { taskId, label, phase: 'preparing', verified: false }
  view.update({ tasks: [task, ...view.state.tasks].slice(0, SESSION_TASKS_LIMIT) })
  const { dispatch, accountability } = session.peer
  try {
    const { module, offer: prepared } = await prepareTask(taskId, request, signal)
    view.updateTask(taskId, { phase: 'choosing-executor', ...(sniffImageType(prepared.stdin) === undefined ? {} : { inputImage: prepared.stdin }) })
    const requirements = { moduleHash: prepared.moduleHash, ...request.requirements }
    const redundancy = request.executor == null ? request.redundancy ?? 1 : 1
    if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) {
      throw new RangeError(`redundancy must be 1–${MAX_REDUNDANCY} executors, got ${String(request.redundancy)}`)
    }
    const options = {
      signal,
      onChoice: (executor: string, selection: string) => { view.updateTask(taskId, { executor, selection }) },
      // Waiting in this tab's queue for a turn at the executor (or to offer it again to a busy one): queued.
      onProgress: (progress: DispatchProgress) => { view.updateTask(taskId, progress.phase === 'waiting' ? { phase: 'queued' } : taskPatch(progress)) }
    }
    const { outcome, offer } = redundancy > 1
      ? { outcome: await dispatch.runRedundant(prepared, module, requirements, redundancy, options), offer: prepared }
      : await dispatch.runOnce(prepared, module, requirements, request, options)
    view.updateTask(taskId, {
      phase: 'done',
      verified: true,
      receipt: outcome.receipt,
      result: { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode, durationMs: outcome.receipt.durationMs, files: outcome.files }
    })
    // Kept and paid for side by side: two separate stores, neither waits on the other.
    // A redundant task was checked by its own majority, and its executors paid by it.
    await Promise.all([
      session.remember({ receipt: outcome.receipt, role: 'submitter', label, stdoutPreview: preview(outcome.stdout), storedAt: Date.now() }),
      redundancy === 1 ? accountability.afterTask(outcome.receipt, offer, module, request.witnesses ?? true) : undefined
    ])
    return { ...outcome, executor: outcome.receipt.executor }
  } catch (err) {
    const receipt = err instanceof RemoteTaskError ? err.receipt : undefined
    const lastPhase = view.state.tasks.find(task => task.taskId === taskId)?.phase
    const failedDuring = receipt != null ? 'running' : lastPhase === 'done' || lastPhase === 'failed' ? undefined : lastPhase
    view.updateTask(taskId, {
      phase: 'failed',
      failedDuring,
      error: { name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) },
      ...(receipt == null ? {} : { receipt, verified: true })
    })
    if (receipt != null) {
      await session.remember({ receipt, role: 'submitter', label, stdoutPreview: '', storedAt: Date.now() })
        .catch((keepErr: unknown) => { view.update({ notice: `the receipt of task ${taskId.slice(0, 8)} could not be kept: ${String(keepErr)}` }) })
      await accountability.pay(receipt)
    }
    throw err
  }
}
