/**
 * What a submitter owes and is owed once a task is done: it pays the
 * executor for the receipt (a failed run too: the executor did the work it
 * signed for), keeps the task's input and announces the receipt to witnesses
 * when allowed, and acts on what the checks prove — an executor contradicted
 * by a majority or by this peer's own re-run is blacklisted, reported and
 * asked for a refund; a witness that lied is blacklisted and reported.
 */
import { noopLogger, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { PaymentService } from '../../economy/payments/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { ReportService, ReputationService } from '../../trust/reputation/index.ts'
import type { VerificationService } from '../../trust/verification/index.ts'
import type { DisputeOutcome, WitnessService } from '../../trust/witness/index.ts'
import type { ValidOffer } from '../task-protocol/index.ts'

export interface TaskAccountabilityComponents {
  payments: Pick<PaymentService, 'channels'>
  witness: Pick<WitnessService, 'afterTask'>
  reputation: Pick<ReputationService, 'record'>
  reports: Pick<ReportService, 'report'>
  /**
   * The book of checked work: a dispute settled by this peer's own re-run is
   * a check, so its culprit is recorded as contradicted there — excluded from
   * ranking for good, not only for the reputation book's blacklisting.
   */
  verification?: Pick<VerificationService, 'contradict'>
  logger?: Logger
}

export interface TaskAccountabilityInit {
  /** Something the user should know: a payment that failed, a dispute settled. */
  onNotice?(message: string): void
  /** This peer's task `taskId` was shown to have a wrong result. */
  onDisputed?(taskId: string): void
}

export class TaskAccountability {
  private readonly components: TaskAccountabilityComponents
  private readonly init: TaskAccountabilityInit
  private readonly logger: Logger

  constructor (components: TaskAccountabilityComponents, init: TaskAccountabilityInit = {}) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
  }

  /**
   * After a task's receipt verified: pay the executor (the state is stored
   * before this resolves), then keep the input for a dispute and, when
   * allowed, publish the receipt for witnesses. A payment that fails is told, not
   * thrown: the task's result stands.
   */
  async afterTask (receipt: Receipt, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, announce: boolean, options: { pay?: boolean, traceparent?: string } = {}): Promise<void> {
    // A guild's step is paid with the whole run (docs/guild.md §6), not task by task.
    if (options.pay ?? true) await this.pay(receipt, options.traceparent)
    // The announcement is not waited for: the task's result is the submitter's already.
    this.components.witness.afterTask({ receipt, stdin: offer.stdin, files: offer.files, ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }) }, module, announce)
      .catch(warnOn(this.logger, `announcing task ${receipt.taskId} to witnesses`))
  }

  /**
   * Pays for a receipt (a failed run is paid too: the executor did the work it
   * signed for); `traceparent`, the submitter's `pay` span, goes with the
   * payment so that the payee's co-signing joins the task's trace.
   */
  async pay (receipt: Receipt, traceparent?: string): Promise<void> {
    try {
      await this.components.payments.channels.pay(receipt, traceparent === undefined ? {} : { traceparent })
    } catch (err) {
      this.init.onNotice?.(`payment for ${receipt.taskId} failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /** `receipt` was shown wrong by independent executions (a redundant task's majority): blacklist and report its executor. */
  async provenWrong (receipt: Receipt): Promise<void> {
    this.components.reputation.record(receipt.executor, 'wrong-result', { proven: true })
    await this.components.reports.report(receipt.executor, 'wrong-result', receipt.taskId)
      .catch(warnOn(this.logger, `reporting executor ${receipt.executor}`))
  }

  /** A witness disputed a receipt of this peer's and this peer's own re-run settled who was wrong. */
  async disputeResolved ({ receipt, wrong, attestation, own }: DisputeOutcome): Promise<void> {
    const culprit = wrong === 'executor' ? receipt.executor : attestation.witness
    this.components.verification?.contradict(culprit)
    if (wrong === 'witness') {
      this.components.reputation.record(culprit, 'wrong-result', { proven: true })
      await this.components.reports.report(culprit, 'wrong-result', receipt.taskId).catch(warnOn(this.logger, `reporting witness ${culprit}`))
      this.init.onNotice?.(`witness ${culprit.slice(-8)} disputed task ${receipt.taskId.slice(0, 8)} falsely; it is blacklisted`)
      return
    }
    await this.provenWrong(receipt)
    this.init.onDisputed?.(receipt.taskId)
    const refunded = await this.components.payments.channels.requestRefund(receipt, [attestation, own])
      .then(() => 'refunded', (err: unknown) => `refund refused (${err instanceof Error ? err.name : 'Error'})`)
    this.init.onNotice?.(`the result of task ${receipt.taskId.slice(0, 8)} from ${culprit.slice(-8)} was wrong (a witness and this tab's own re-run agree): ${refunded}; the executor is blacklisted`)
  }
}
