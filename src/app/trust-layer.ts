/**
 * The trust and money half of a tab, composed: the ledger (payment channels,
 * settlements, reputation reports) and the witness (announcements,
 * re-execution, attestations), and what the tab does when a dispute about
 * its own task is settled. The composition root hands it what it needs and
 * hears back through callbacks; it holds no view state.
 */
import type { Connection } from '@libp2p/interface'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { ClosingChannel, Settlement } from '../economy/channel/index.ts'
import type { BrowserNode } from '../network/browser-node.ts'
import type { TaskRunner, ValidOffer } from '../orchestration/task-protocol/index.ts'
import type { ZeroStateStore } from './store.ts'
import type { Receipt } from '../receipts/types.ts'
import type { CheckRates } from '../trust/witness/index.ts'
import type { CapabilityService } from './capability-service.ts'
import { LedgerService } from './ledger-service.ts'
import type { LedgerView } from './types.ts'
import { WitnessService } from './witness-service.ts'
import type { DisputeOutcome } from './witness-service.ts'

/** The ledger view is rebuilt from the store at most this often. */
const LEDGER_REFRESH_DELAY_MS = 200

export interface TrustLayerInit {
  identity: PeerIdentity
  store: ZeroStateStore
  node: BrowserNode
  capabilities: CapabilityService
  connectionTo(peer: string, options: { signal?: AbortSignal }): Promise<Connection>
  /** The sandbox witnesses re-run tasks in (the contributed worker slots). */
  runner: TaskRunner
  isContributing(): boolean
  witnessRates(): CheckRates
  /** The ledger changed; here it is as the store now holds it. */
  onLedger(view: LedgerView): void
  /** Something the user should know: a payment that failed, a dispute settled. */
  onNotice(message: string): void
  /** This tab's task `taskId` was shown to have a wrong result. */
  onDisputed(taskId: string): void
}

export class TrustLayer {
  private readonly init: TrustLayerInit
  private readonly ledger: LedgerService
  private readonly witness: WitnessService
  private refreshTimer: ReturnType<typeof setTimeout> | undefined

  constructor (init: TrustLayerInit) {
    this.init = init
    const { identity, store, node, capabilities, connectionTo } = init
    const onChange = (): void => { this.refreshSoon() }
    this.ledger = new LedgerService({
      identity, store, node, connectionTo, onChange, reputation: () => capabilities.reputation, chargeOf: receipt => receipt.price.charge
    })
    this.witness = new WitnessService({
      identity,
      store,
      node,
      connectionTo,
      runner: init.runner,
      isContributing: init.isContributing,
      rates: init.witnessRates,
      standing: peerId => ({ score: capabilities.reputation.score(peerId), observations: capabilities.reputation.history(peerId).length }),
      onResolved: outcome => { void this.onDisputeResolved(outcome) },
      // Work a witness confirmed is worth telling the mesh about: it is the only praise with a check behind it.
      onConfirmed: attestation => { void this.ledger.report(attestation.executor, 'success', attestation.taskId).catch(() => {}) },
      onChange
    })
  }

  async start (): Promise<void> {
    await this.ledger.start()
    await this.witness.start()
    this.refreshSoon()
  }

  stop (): void {
    clearTimeout(this.refreshTimer)
    this.witness.stop()
    this.ledger.stop()
  }

  /**
   * After a task's receipt verified: pay the executor (the state is stored
   * before this resolves), then keep the input for a dispute and, when
   * allowed, publish the receipt for witnesses. A payment that fails is told, not
   * thrown: the task's result stands.
   */
  async afterTask (receipt: Receipt, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, announce: boolean): Promise<void> {
    await this.pay(receipt)
    // The announcement is not waited for: the task's result is the submitter's already.
    this.witness.afterTask({ receipt, stdin: offer.stdin, files: offer.files }, module, announce).catch(() => false)
  }

  /** Pays for a receipt (a failed run is paid too: the executor did the work it signed for). */
  async pay (receipt: Receipt): Promise<void> {
    try {
      await this.ledger.payments.pay(receipt)
    } catch (err) {
      this.init.onNotice(`payment for ${receipt.taskId} failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /** `receipt` was shown wrong by independent executions (a redundant task's majority): blacklist and report its executor. */
  async provenWrong (receipt: Receipt): Promise<void> {
    this.init.capabilities.recordReputation(receipt.executor, 'wrong-result', { proven: true })
    await this.ledger.report(receipt.executor, 'wrong-result', receipt.taskId).catch(() => {})
  }

  async view (): Promise<LedgerView> {
    return this.ledger.view()
  }

  async closeChannel (channelId: string): Promise<Settlement> {
    return this.ledger.payments.close(channelId)
  }

  async closeChannelUnilaterally (channelId: string, challengePeriodMs: number): Promise<ClosingChannel> {
    return this.ledger.payments.closeUnilaterally(channelId, challengePeriodMs)
  }

  /** A witness disputed a receipt of this tab's and this tab's own re-run settled who was wrong. */
  private async onDisputeResolved ({ receipt, wrong, attestation, own }: DisputeOutcome): Promise<void> {
    const culprit = wrong === 'executor' ? receipt.executor : attestation.witness
    if (wrong === 'witness') {
      this.init.capabilities.recordReputation(culprit, 'wrong-result', { proven: true })
      await this.ledger.report(culprit, 'wrong-result', receipt.taskId).catch(() => {})
      this.init.onNotice(`witness ${culprit.slice(-8)} disputed task ${receipt.taskId.slice(0, 8)} falsely; it is blacklisted`)
      return
    }
    await this.provenWrong(receipt)
    this.init.onDisputed(receipt.taskId)
    const refunded = await this.ledger.refund(receipt, [attestation, own])
      .then(() => 'refunded', (err: unknown) => `refund refused (${err instanceof Error ? err.name : 'Error'})`)
    this.init.onNotice(`the result of task ${receipt.taskId.slice(0, 8)} from ${culprit.slice(-8)} was wrong (a witness and this tab's own re-run agree): ${refunded}; the executor is blacklisted`)
  }

  /** Rebuilds the ledger view soon (several calls in a row make one). */
  refreshSoon (): void {
    if (this.refreshTimer !== undefined) return
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined
      this.ledger.view().then(view => { this.init.onLedger(view) }, () => {})
    }, LEDGER_REFRESH_DELAY_MS)
  }
}
