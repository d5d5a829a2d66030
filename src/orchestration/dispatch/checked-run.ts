/**
 * A task run on one executor and, when a verifier is given, checked by the
 * submitter exactly as a single task is (verification.ts,
 * docs/trust-and-payments.md §3, "Checks by the submitter"): for the many
 * tasks of a job's slices and a workflow's steps, which the job runner and
 * the workflow runner send themselves. A job of a thousand inputs is where
 * cheating pays most (issue 16): unchecked, a malicious executor's wrong
 * slice or step output would reach the submitter as it came.
 *
 * A run that failed on its executor (a trap, out of fuel: a verified receipt
 * says so) is checked too: the failure would be kept — a job's inputs' error,
 * a step's failed attempt — and paid for, so an executor claiming failures
 * it never had would be paid for no work. A timeout is not: it is the one
 * status a re-run cannot reproduce, and the callers try it elsewhere anyway.
 */
import type { CardRequirements } from '../../discovery/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import { RemoteTaskError, failedRunOutcome } from '../task-protocol/index.ts'
import type { TaskOutcome, ValidOffer } from '../task-protocol/index.ts'
import type { DispatchOptions, DispatchRequest, TaskDispatch } from './task-dispatch.ts'
import type { TaskVerification } from './verification.ts'

export interface CheckedRunComponents {
  dispatch: Pick<TaskDispatch, 'runOnce'>
  /** This peer's checks; absent, nothing is checked. */
  verifier?: Pick<TaskVerification, 'verify'>
}

export interface CheckedRunOptions extends Pick<DispatchOptions, 'signal' | 'trace'> {
  /**
   * The executor answered and its answer is about to be checked (only called
   * when there is a verifier). Return false when the answer is no longer
   * wanted (its attempt was given up meanwhile): it is then neither checked
   * nor paid for here, and comes back unchecked for the caller to refuse — a
   * check pays for what it checks, so checking a late answer would pay for a
   * result nobody keeps.
   */
  onReturned?(executor: string): boolean | undefined
  /** The check starts paying for `receipt` (the executor's or its checker's): what a job counts against its budget. */
  onPaid?(receipt: Receipt): void
}

/** What a checked run keeps. */
export interface CheckedRun {
  /** The result to keep: the executor's, or its checker's when the check showed the executor wrong. */
  outcome: TaskOutcome
  /** The offer as sent (the dispatch may have changed it: an auction's price). */
  sent: ValidOffer
  /** The run failed on its executor with this verified error, and that failure is what is kept (the check agreed, or there was none). */
  failure?: RemoteTaskError
  /**
   * True when the check paid for the receipts (or withheld payment from one
   * it showed wrong): the caller pays nothing. False: the caller pays for
   * `outcome.receipt` as for any task.
   */
  paidByCheck: boolean
  /** The check's payments, made behind the result. */
  payments: Promise<void>
}

/**
 * Runs `offer` through the dispatch (on `request.executor` when named) and
 * checks the answer when a verifier is given. Rejects as the dispatch does
 * (a lost executor, a refusal, a timeout, a failure without a receipt) and
 * as the check does: ResultContradictedError when this peer's own re-run
 * showed the executor wrong and no checker's result was at hand,
 * NoMajorityError when nothing could settle it — the caller runs the task
 * again elsewhere.
 */
export async function runChecked (
  components: CheckedRunComponents, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, request: DispatchRequest, options: CheckedRunOptions = {}
): Promise<CheckedRun> {
  const { signal } = options
  let ran: { outcome: TaskOutcome, sent: ValidOffer, failure?: RemoteTaskError }
  try {
    const { outcome, offer: sent } = await components.dispatch.runOnce(offer, module, requirements, request, {
      ...(signal === undefined ? {} : { signal }),
      ...(options.trace === undefined ? {} : { trace: options.trace })
    })
    ran = { outcome, sent }
  } catch (err) {
    if (!(err instanceof RemoteTaskError) || err.receipt === undefined || err.name === 'TaskTimeoutError') throw err
    ran = { outcome: failedRunOutcome(err.receipt), sent: offer, failure: err }
  }
  const { verifier } = components
  if (verifier === undefined) return { ...ran, paidByCheck: false, payments: Promise.resolve() }
  signal?.throwIfAborted()
  if (options.onReturned?.(ran.outcome.receipt.executor) === false) return { ...ran, paidByCheck: false, payments: Promise.resolve() }
  const verified = await verifier.verify(ran.outcome, ran.sent, module, requirements, {
    ...(signal === undefined ? {} : { signal }),
    ...(options.onPaid === undefined ? {} : { onPaid: options.onPaid })
  })
  // The checker's result replaces a run shown wrong, a claimed failure included: it ran, and its receipt verifies.
  const replaced = verified.outcome.receipt !== ran.outcome.receipt
  return {
    outcome: verified.outcome,
    sent: ran.sent,
    ...(replaced || ran.failure === undefined ? {} : { failure: ran.failure }),
    paidByCheck: verified.settled,
    payments: verified.payments
  }
}
