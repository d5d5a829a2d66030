/**
 * One task submitted from this peer, from request to kept receipt: prepared
 * and checked (task-request.ts), dispatched (orchestration/dispatch), then
 * kept in the history and paid for side by side. A task that ran and failed
 * still has a verified receipt: it is kept and paid for too. Whoever shows
 * the task (a tab's task card) follows it through the observer's callbacks.
 */
import { formatTraceparent } from '../core/tracing/index.ts'
import { MAX_REDUNDANCY } from '../orchestration/dispatch/index.ts'
import type { DispatchProgress } from '../orchestration/dispatch/index.ts'
import { RemoteTaskError } from '../orchestration/task-protocol/index.ts'
import type { TaskOutcome, ValidOffer } from '../orchestration/task-protocol/index.ts'
import type { Receipt } from '../receipts/index.ts'
import type { PeerContext } from './context.ts'
import { preview } from './preview.ts'
import { prepareTask, sampleLabel } from './task-request.ts'
import type { SubmitRequest, SubmitResult } from './types.ts'

/** What a submitted task reports as it goes; every callback is optional and called synchronously. */
export interface SubmitObserver {
  /** The module is loaded and the request checked: the offer as it will be sent. */
  onPrepared?(offer: ValidOffer): void
  /** An executor was chosen, and why. */
  onChoice?(executor: string, selection: string): void
  /** Queued here, offered, sending the module, running (with heartbeats), verifying. */
  onProgress?(progress: DispatchProgress): void
  /** The verified result, before it is kept and paid for. */
  onDone?(outcome: TaskOutcome): void
  /** The task failed; `receipt` when it ran and failed (a verified receipt, kept and paid for next). */
  onFailed?(err: unknown, receipt: Receipt | undefined): void
  /** Something worth telling that is not the task's own error (its receipt could not be kept). */
  onNotice?(message: string): void
  /**
   * The task is traced (docs/tracing.md) under this W3C trace id: its spans,
   * this peer's and its executor's, are in the peer's TraceRecorder. Called
   * when the task starts, and again once it ended (its last span recorded).
   */
  onTrace?(traceId: string, ended: boolean): void
}

export interface SubmitOptions extends SubmitObserver {
  signal?: AbortSignal
  /** The task's id (default a random UUID). */
  taskId?: string
}

/** The label a task's receipt is kept under: the request's, else the sample id or "upload". */
export function taskLabel (request: SubmitRequest): string {
  return request.label ?? (typeof request.module === 'string' ? sampleLabel(request.module) : 'upload')
}

export async function submitTask (ctx: PeerContext, request: SubmitRequest, options: SubmitOptions = {}): Promise<SubmitResult> {
  const { signal } = options
  const taskId = options.taskId ?? crypto.randomUUID()
  const label = taskLabel(request)
  const { dispatch, accountability } = ctx.peer
  const traces = ctx.peer.traces?.enabled === true ? ctx.peer.traces : undefined
  // The whole task is one span, `task`, the root of its trace; its phases hang under it.
  const root = traces?.start('task', undefined, { 'zerostate.task_id': taskId, 'zerostate.label': label })
  const traceId = root === undefined ? undefined : root.spanContext().traceId
  if (traceId !== undefined) options.onTrace?.(traceId, false)
  // A phase's traceparent is written only for the phase that sends it on (`pay`): writing one checks its ids.
  const phase = async <T>(name: string, work: (traceparent?: () => string) => Promise<T>): Promise<T> =>
    traces === undefined || root === undefined ? work() : traces.within(name, root, async span => work(() => formatTraceparent(traces.contextOf(span))))
  try {
    const { module, offer: prepared } = await phase('prepare', async () => prepareTask(taskId, request, ctx.fetchModule, signal))
    options.onPrepared?.(prepared)
    const requirements = { moduleHash: prepared.moduleHash, ...request.requirements }
    const redundancy = request.executor == null ? request.redundancy ?? 1 : 1
    if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) {
      throw new RangeError(`redundancy must be 1–${MAX_REDUNDANCY} executors, got ${String(request.redundancy)}`)
    }
    let chosenBecause = ''
    const dispatchOptions = {
      signal,
      trace: traces === undefined || root === undefined ? undefined : { recorder: traces, parent: root },
      onChoice: (executor: string, selection: string) => {
        chosenBecause = selection
        options.onChoice?.(executor, selection)
      },
      onProgress: (progress: DispatchProgress) => { options.onProgress?.(progress) }
    }
    const { outcome: ran, offer } = redundancy > 1
      ? { outcome: await dispatch.runRedundant(prepared, module, requirements, redundancy, dispatchOptions), offer: prepared }
      : await dispatch.runOnce(prepared, module, requirements, request, dispatchOptions)
    // One executor the submitter did not name: checked when the verification policy says so (orchestration/dispatch/verification.ts).
    const verifier = redundancy === 1 && request.executor == null && request.verify !== false && request.witnesses !== false ? ctx.peer.verifier : undefined
    const verified = verifier === undefined
      ? undefined
      : await phase('check', async () => verifier.verify(ran, offer, module, requirements, {
        signal,
        // Said beside why the executor was chosen (and how it was reached), not instead of it.
        onCheck: checker => { options.onChoice?.(ran.receipt.executor, `${chosenBecause}; its result is checked by ${checker === 'self' ? 'this peer\'s own re-run' : checker}`) }
      }))
    const outcome = verified?.outcome ?? ran
    options.onDone?.(outcome)
    // Kept and paid for behind the result (settlements.ts): two separate stores, neither waits on the
    // other. Both start now, in this turn, so the receipts are written in the order the results came
    // (IndexedDB runs read-write transactions over the same store in the order they were created,
    // W3C IndexedDB 3.0 §2.7.2). A redundant task was checked by its own majority, and its executors paid by it.
    const settling = Promise.all([
      // Kept as owed (the check's receipt, the majority's, or the one executor's: each paid by a state naming
      // it), so that a tab closed before the payment has its next start pay it (owed-receipts.ts).
      phase('store', async () => ctx.remember({ receipt: outcome.receipt, role: 'submitter', label, stdoutPreview: preview(outcome.stdout), storedAt: Date.now(), payment: 'owed' })),
      redundancy === 1
        ? phase('pay', async traceparent => accountability.afterTask(outcome.receipt, offer, module, request.witnesses ?? true, {
          // A checked task's receipts were paid (or, shown wrong, not) by the check (orchestration/dispatch/verification.ts).
          pay: verified?.settled !== true,
          ...(traceparent === undefined ? {} : { traceparent: traceparent() })
        }))
        : undefined,
      verified?.payments
    ]).then(() => {
      if (root !== undefined) traces?.end(root)
    }, (err: unknown) => {
      if (root !== undefined) traces?.end(root, err)
      options.onNotice?.(`the receipt of task ${taskId.slice(0, 8)} could not be kept: ${String(err)}`)
    }).finally(() => {
      if (traceId !== undefined) options.onTrace?.(traceId, true)
    })
    await ctx.peer.settlements.track(settling)
    return { ...outcome, executor: outcome.receipt.executor }
  } catch (err) {
    if (root !== undefined) traces?.end(root, err)
    const receipt = err instanceof RemoteTaskError ? err.receipt : undefined
    options.onFailed?.(err, receipt)
    if (receipt != null) {
      await ctx.remember({ receipt, role: 'submitter', label, stdoutPreview: '', storedAt: Date.now(), payment: 'owed' })
        .catch((keepErr: unknown) => { options.onNotice?.(`the receipt of task ${taskId.slice(0, 8)} could not be kept: ${String(keepErr)}`) })
      await accountability.pay(receipt)
    }
    if (traceId !== undefined) options.onTrace?.(traceId, true)
    throw err
  }
}
