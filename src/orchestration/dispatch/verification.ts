/**
 * The submitter's own check of a task's result (docs/trust-and-payments.md
 * §3, "Checks by the submitter"): after a task ran on one executor, the
 * verification policy (trust/verification) decides from what this peer has
 * checked of that executor, and from the task's budget, whether to have it
 * run again — and whether to hold the executor's payment until the check
 * lands.
 *
 * A check runs the same offer (task id + "-check") on a peer the submitter
 * chose among those it has confirmed often enough and never caught
 * (chooseCheckers), never the executor; with nobody trusted yet, or when the
 * chosen checker fails, the submitter re-runs it in its own sandbox. The
 * results are compared on every field a deterministic re-run reproduces
 * (claimedRun, as a witness and a redundant task's majority compare them).
 * When a checker disagrees, the submitter's own re-run settles it, as it
 * settles a witness's dispute: whoever it contradicts is proven wrong —
 * blacklisted, reported (TaskAccountability.provenWrong), never paid for
 * that receipt when its payment was held — and the result it confirms is
 * kept. Only these checks enter the book of checked work.
 *
 * Payment stays one receipt ↔ one channel payment (TaskAccountability.pay,
 * the channel's own crash-safe order of writes): a held payment is the same
 * payment started once the check agreed, or never for a result shown wrong,
 * as only a redundant task's majority is paid. A payment not held starts at
 * once; if the check then shows the executor wrong, it is blacklisted and
 * reported but not refunded (a refund needs a witness's signed attestation,
 * which a checker's receipt is not).
 *
 * Nothing is lost when the tab closes mid-check: a held receipt is kept as
 * owed before the check runs (`keep(…, 'held')`), and marked withheld once
 * the check shows it wrong or cannot confirm it. A check the tab's closing
 * (or the submitter's giving up) cuts short thus leaves the executor's
 * receipt owed, paid at the peer's next start as an unchecked task's: the
 * work was done and nothing showed it wrong.
 */
import type { PeerIdentity } from '../../crypto/identity.ts'
import type { CardRequirements } from '../../discovery/index.ts'
import type { TaskRunner } from '../../execution/types.ts'
import type { PeerMesh } from '../../network/peer-mesh.ts'
import { claimedRun, observedRun, verdictOf } from '../../receipts/attestation/index.ts'
import type { ObservedRun } from '../../receipts/attestation/index.ts'
import { canonicalize } from '../../core/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { ReputationService } from '../../trust/reputation/index.ts'
import { ResultContradictedError, chooseCheckers, decideVerification } from '../../trust/verification/index.ts'
import type { VerificationDecision, VerificationService } from '../../trust/verification/index.ts'
import { NoMajorityError } from '../../trust/witness/index.ts'
import type { TaskOutcome, ValidOffer } from '../task-protocol/index.ts'
import type { TaskAccountability } from './accountability.ts'
import type { DispatchRequest, TaskDispatch } from './task-dispatch.ts'

export interface TaskVerificationComponents {
  identity: PeerIdentity
  mesh: Pick<PeerMesh, 'executors'>
  dispatch: Pick<TaskDispatch, 'runOnce'>
  reputation: Pick<ReputationService, 'book'>
  verification: Pick<VerificationService, 'book' | 'policy' | 'confirm' | 'contradict'>
  accountability: Pick<TaskAccountability, 'pay' | 'provenWrong'>
  /** This peer's own sandbox: the check when nobody is trusted yet, and the arbitration of a disagreement. */
  runner: TaskRunner
  /**
   * Keeps a receipt in this peer's history as `kept` says (see `CheckKeeps`):
   * owed (ReceiptRecord.payment 'owed') before its payment starts, so that a
   * tab closed before the payment is stored has its next start pay it
   * (peer/owed-receipts.ts), or withheld. `stdout` is the run's output, for
   * the record's preview. Never rejects (a record that could not be kept is
   * the store's to tell). Absent, the check keeps nothing itself.
   */
  keep?(receipt: Receipt, kept: CheckKeeps, stdout?: Uint8Array): Promise<void>
}

/** Why a check keeps a receipt in the submitter's history (`TaskVerificationComponents.keep`). */
export type CheckKeeps =
  /** The checker's receipt, paid beside the executor's when that stands (its caller keeps the executor's): owed. */
  | 'checker'
  /** The executor's, while its payment is held until the check agrees: owed, and kept again by the caller when it stands. */
  | 'held'
  /** The executor's held receipt, which the check showed wrong: withheld, never paid. */
  | 'shown-wrong'
  /** The executor's held receipt, which the check could not confirm (executor, checker and own re-run disagree, or the own re-run failed): withheld. */
  | 'unconfirmed'

export interface TaskVerificationInit {
  /** Uniform in [0, 1). Default Math.random. */
  random?(): number
  /** Default Date.now. */
  now?(): number
}

/** What the check made of a task. */
export interface VerifiedOutcome {
  /** The result to keep: the executor's, or the checker's when the executor was shown wrong. */
  outcome: TaskOutcome
  decision: VerificationDecision
  /** Who checked: a peer id, 'self' (this peer's own sandbox), or undefined when not checked. */
  checker?: string
  /**
   * True when the check pays for the receipts (or, for one shown wrong,
   * withholds payment): the caller must not pay `outcome.receipt` itself;
   * false: the caller pays for it as for an unchecked task.
   */
  settled: boolean
  /** The check's payments, made behind the result: resolves when they are settled (a failed payment is told by TaskAccountability, never thrown). */
  payments: Promise<void>
}

export interface VerifyOptions {
  signal?: AbortSignal
  /** A check is about to run, on `checker` ('self' for this peer's sandbox). */
  onCheck?(checker: string, decision: VerificationDecision): void
  /** The check starts paying for `receipt` (the executor's, or the checker's): what a job counts against its budget, as `DispatchOptions.onPaid`. */
  onPaid?(receipt: Receipt): void
}

export class TaskVerification {
  private readonly components: TaskVerificationComponents
  private readonly random: () => number
  private readonly now: () => number

  constructor (components: TaskVerificationComponents, init: TaskVerificationInit = {}) {
    this.components = components
    this.random = init.random ?? Math.random
    this.now = init.now ?? Date.now
  }

  /**
   * Decides on a check of `outcome` (the result of `offer` on one executor)
   * and runs it. Resolves with the result to keep; rejects with
   * ResultContradictedError when this peer's own re-run contradicted the
   * executor and no checker's result is at hand, NoMajorityError when the
   * executor, the checker and this peer's own run all disagree.
   */
  async verify (outcome: TaskOutcome, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, options: VerifyOptions = {}): Promise<VerifiedOutcome> {
    const { verification, accountability, reputation, identity, mesh } = this.components
    const receipt = outcome.receipt
    const executor = receipt.executor
    const now = this.now()
    const decision = decideVerification(verification.book.record(executor), { value: offer.maxTotalPrice }, this.random(), now, verification.policy)
    if (!decision.check) return { outcome, decision, settled: false, payments: Promise.resolve() }
    const keep = async (r: Receipt, kept: CheckKeeps, stdout?: Uint8Array): Promise<void> => this.components.keep?.(r, kept, stdout)
    // An established executor is paid now, as unchecked; only a risky one waits for the check.
    // `owed`: a receipt the caller does not keep (the checker's, while the executor's result stands), kept as owed before it is paid.
    const startPaying = async (r: Receipt, owed = false): Promise<void> => {
      options.onPaid?.(r)
      if (owed) await keep(r, 'checker')
      return accountability.pay(r)
    }
    const paid = decision.holdPayment ? undefined : startPaying(receipt)
    // A held receipt is owed from now on, so that a check cut short leaves it owed rather than lost; the check
    // runs meanwhile (a store writes in the order asked: the record's later states come after this one).
    const keptHeld = paid === undefined ? keep(receipt, 'held', outcome.stdout) : Promise.resolve()
    const withhold = async (kept: 'shown-wrong' | 'unconfirmed'): Promise<void> => {
      await keptHeld
      if (paid === undefined) await keep(receipt, kept)
    }
    // Whatever the check comes to, even a throw (the submitter gave up), the held record is written before verify ends.
    try {
      // A held receipt's payment starts once it is kept as owed (as the checker's: `startPaying`).
      const pay = (...receipts: Receipt[]): Promise<void> => Promise.all([paid, ...receipts.map(async r => { await keptHeld; return startPaying(r) })]).then(() => {})
      // The executor's payment, once the check agrees: the one already under way, or the held one, started now.
      const payExecutor = (): Promise<void> => pay(...(paid === undefined ? [receipt] : []))
      const [checker] = chooseCheckers({
        submitter: identity.peerId.toString(),
        executor,
        candidates: mesh.executors(),
        recordOf: peerId => verification.book.record(peerId),
        isBlacklisted: peerId => reputation.book.isBlacklisted(peerId),
        count: 1,
        now,
        random: this.random
      }, verification.policy)
      let checked: TaskOutcome | undefined
      if (checker !== undefined) {
        options.onCheck?.(checker, decision)
        const request: DispatchRequest = { executor: checker }
        checked = await this.components.dispatch.runOnce({ ...offer, taskId: `${offer.taskId}-check` }, module, requirements, request, { signal: options.signal })
          .then(({ outcome: o }) => o, () => undefined) // a checker that fails is replaced by this peer's own re-run
      }
      options.signal?.throwIfAborted()
      if (checked === undefined) {
        options.onCheck?.('self', decision)
        const own = await this.ownRun(offer, module, receipt, options.signal)
        if (own === undefined) {
          // This peer's sandbox could not tell (it failed, or ran out of time where the executor did not): nothing is shown, nothing recorded.
          return { outcome, decision, settled: true, payments: payExecutor() }
        }
        if (verdictOf(receipt, own) === 'agree') {
          verification.confirm(executor)
          return { outcome, decision, checker: 'self', settled: true, payments: payExecutor() }
        }
        await this.shownWrong(receipt)
        await withhold('shown-wrong')
        await paid
        throw new ResultContradictedError(`this peer's own re-run of task ${receipt.taskId} contradicts the result of ${executor}; it is blacklisted${paid === undefined ? ' and not paid' : ''}`, receipt)
      }
      const theirs = checked.receipt
      if (sameRun(receipt, theirs)) {
        verification.confirm(executor)
        return { outcome, decision, checker: theirs.executor, settled: true, payments: Promise.all([payExecutor(), startPaying(theirs, true)]).then(() => {}) }
      }
      // The executor and the checker disagree: this peer's own re-run settles who was wrong.
      const own = await this.ownRun(offer, module, receipt, options.signal)
      if (own === undefined) {
        await withhold('unconfirmed')
        await paid
        throw new NoMajorityError(`the executor and the checker of task ${receipt.taskId} disagree, and this peer's own re-run could not settle it`)
      }
      const executorRight = verdictOf(receipt, own) === 'agree'
      const checkerRight = verdictOf(theirs, own) === 'agree'
      if (!executorRight) await this.shownWrong(receipt)
      if (!checkerRight) await this.shownWrong(theirs)
      if (executorRight) {
        verification.confirm(executor)
        return { outcome, decision, checker: theirs.executor, settled: true, payments: payExecutor() }
      }
      if (checkerRight) {
        await withhold('shown-wrong')
        return { outcome: checked, decision, checker: theirs.executor, settled: true, payments: pay(theirs) }
      }
      await withhold('shown-wrong')
      await paid
      throw new NoMajorityError(`the executor, the checker and this peer's own re-run of task ${receipt.taskId} all disagree`)
    } finally {
      await keptHeld
    }
  }

  /** Records and acts on a receipt shown wrong: the book of checked work, then blacklisting and a report. */
  private async shownWrong (receipt: Receipt): Promise<void> {
    this.components.verification.contradict(receipt.executor)
    await this.components.accountability.provenWrong(receipt)
  }

  /**
   * The offer run in this peer's own sandbox, with the receipt's limits;
   * undefined when it proves nothing: the sandbox failed, or the run timed
   * out (wall time is the one thing a slower machine does not reproduce).
   */
  private async ownRun (offer: ValidOffer, module: Uint8Array<ArrayBuffer>, receipt: Receipt, signal?: AbortSignal): Promise<ObservedRun | undefined> {
    try {
      const result = await this.components.runner.run(offer.moduleHash, module, {
        args: offer.args, env: offer.env, stdin: offer.stdin, files: offer.files, seed: offer.seed
      }, { timeoutMs: receipt.limits.timeoutMs, memoryLimitBytes: receipt.limits.memoryBytes, fuel: receipt.limits.fuel }, { signal })
      return result.status === 'timeout' ? undefined : observedRun(result)
    } catch {
      signal?.throwIfAborted() // the caller gave up: not a sandbox that could not tell
      return undefined
    }
  }
}

/** Whether two receipts state the same run, on every field a re-run reproduces. */
function sameRun (a: Receipt, b: Receipt): boolean {
  return canonicalize(claimedRun(a)) === canonicalize(claimedRun(b))
}
