/**
 * Receipts a peer kept as their submitter and owed a payment for, left
 * unpaid by an earlier session: paid at the peer's next start, through the
 * normal payment path, once their executor is in reach.
 *
 * Why they exist: a task's receipt is kept and its executor paid behind the
 * result, side by side (settlements.ts), and a payer holds a receipt up to
 * the batch window for others owed to the same executor (economy/payments
 * payer.ts). A tab closed in between keeps the receipt and never pays it.
 * The history says which receipts were owed (ReceiptRecord.payment 'owed',
 * written with the record), so nothing owed is lost: each start reads them
 * (an index walk, only those not yet found paid) and settles each one.
 *
 * Which are owed is decided where the receipt is kept (submit.ts, jobs.ts,
 * workflows.ts, and a check's for the checker's receipt it pays beside the
 * executor's: compose.ts, orchestration/dispatch/verification.ts), never
 * here: a receipt the submitter's check showed wrong is never kept (the
 * checker's, which the check pays, is); a redundant task
 * keeps one receipt of its majority, the one it paid; a failed run's receipt
 * is owed too. A guild's step is paid with its run by the split and kept
 * without `payment`; records kept before the history said so have none
 * either. Here a
 * receipt stops being owed when:
 * - this peer's own re-run showed it wrong after a witness disputed it (its
 *   attestation record is resolved 'executor-wrong'): 'withheld';
 * - a payment for it is on a channel already (made, or co-signed by the
 *   payee before its answer was lost: a pending state is settled with the
 *   payee first, `sync`), or the payee refuses it as paid
 *   (ReceiptPaidError), or it is charged nothing: 'paid';
 * - else it is paid now: 'paid', and told to the user.
 *
 * Exactly once: the payment is the channel's (one receipt, one state; the
 * payee co-signs a receipt once), and the record is marked after the
 * payment is stored — a start interrupted in between finds the payment on
 * the channel the next time and only marks it. When: at start for an
 * executor connected then, else when it next connects ('peer:connect'); a
 * payment that failed waits for the executor's next connection, or the
 * next start. Only the receipts owed when the peer started: those of this
 * session are its settlements' to pay.
 */
import type { PeerId, TypedEventTarget } from '@libp2p/interface'
import { noopLogger } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import type { PaymentChannels } from '../economy/payments/index.ts'
import { receiptHash } from '../receipts/index.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import type { ZeroStateStore } from './store.ts'

export interface OwedReceiptsComponents {
  /** This peer's PeerId: the submitter of what it owes. */
  self: string
  store: Pick<ZeroStateStore, 'listOwedReceipts' | 'addReceipts' | 'listAttestations'>
  channels: Pick<PaymentChannels, 'payUnlessPaid' | 'paidFor'>
  /** Where a new peer connection is heard (the libp2p node). */
  events: TypedEventTarget<{ 'peer:connect': CustomEvent<PeerId> }>
  /** Whether this peer holds a connection to `peer` now. */
  connected(peer: string): boolean
  logger?: Logger
}

export interface OwedReceiptsInit {
  /** Something the user should know: receipts owed from an earlier session were paid. */
  onNotice?(message: string): void
}

export class OwedReceipts {
  private readonly components: OwedReceiptsComponents
  private readonly init: OwedReceiptsInit
  private readonly logger: Logger
  /** Per executor, the records still owed to it, oldest first. */
  private readonly owed = new Map<string, ReceiptRecord[]>()
  /** Per executor, its payments under way. */
  private readonly settling = new Map<string, Promise<void>>()
  private controller: AbortController | undefined
  private starting: Promise<void> | undefined

  constructor (components: OwedReceiptsComponents, init: OwedReceiptsInit = {}) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
  }

  /** How many receipts are still owed (their executor not reached yet, or its payment failed). */
  get size (): number {
    let count = 0
    for (const records of this.owed.values()) count += records.length
    return count
  }

  /**
   * Reads what the history says is owed and settles what needs no executor
   * (shown wrong, paid already); resolves then, the payments to executors
   * connected now under way. Safe to call twice.
   */
  async start (): Promise<void> {
    if (this.controller !== undefined) return this.starting
    this.controller = new AbortController()
    this.starting = this.load()
    return this.starting
  }

  /** Stops paying: payments under way are aborted (a receipt not paid stays owed, for the next start). Safe to call twice. */
  async stop (): Promise<void> {
    if (this.controller === undefined) return
    this.controller.abort()
    this.components.events.removeEventListener('peer:connect', this.onConnect)
    await this.starting?.catch(() => {})
    await this.settled()
    this.owed.clear()
    this.controller = undefined
  }

  /** Resolves once the payments under way when called (and any started meanwhile) have ended. */
  async settled (): Promise<void> {
    await this.starting?.catch(() => {})
    while (this.settling.size > 0) await Promise.all(this.settling.values())
  }

  private async load (): Promise<void> {
    const { store, channels, self } = this.components
    const listed = (await store.listOwedReceipts()).filter(record => record.role === 'submitter' && record.receipt.submitter === self)
    if (listed.length === 0) return
    // A dispute about this peer's own task, settled by its own re-run against the executor: never paid.
    const shownWrong = new Set((await store.listAttestations()).flatMap(record => record.resolution === 'executor-wrong' ? [record.attestation.receiptHash] : []))
    const ended: ReceiptRecord[] = []
    for (const record of listed) {
      // Hashed once (RFC 8785 canonical JSON, then SHA-256): most of what a start spends per receipt.
      const hash = receiptHash(record.receipt)
      if (shownWrong.has(hash)) ended.push({ ...record, payment: 'withheld' })
      else if (await channels.paidFor(hash)) ended.push({ ...record, payment: 'paid' })
      else this.owed.set(record.receipt.executor, [...this.owed.get(record.receipt.executor) ?? [], record])
    }
    if (ended.length > 0) await store.addReceipts(ended)
    if (this.owed.size === 0 || this.controller?.signal.aborted !== false) return
    this.components.events.addEventListener('peer:connect', this.onConnect)
    for (const peer of this.owed.keys()) if (this.components.connected(peer)) this.settle(peer)
  }

  private readonly onConnect = (event: CustomEvent<PeerId>): void => {
    this.settle(event.detail.toString())
  }

  /** Pays what is owed to `peer`, unless a payment to it is under way already. */
  private settle (peer: string): void {
    if (this.settling.has(peer) || !this.owed.has(peer)) return
    const work = this.payAll(peer)
      .catch(err => { this.logger.warn(`settling the receipts owed to ${peer}`, err) })
      .finally(() => { this.settling.delete(peer) })
    this.settling.set(peer, work)
  }

  private async payAll (peer: string): Promise<void> {
    const records = this.owed.get(peer) ?? []
    const signal = this.controller?.signal
    if (signal === undefined || signal.aborted) return
    // All at once: the payer pays the receipts owed to one payee together, a batch to a state.
    const outcomes = await Promise.allSettled(records.map(async record => this.components.channels.payUnlessPaid(record.receipt, { signal })))
    const ended: ReceiptRecord[] = []
    const left: ReceiptRecord[] = []
    let paidNow = 0
    let failure: unknown
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        left.push(records[i]!)
        failure = outcome.reason
        return
      }
      ended.push({ ...records[i]!, payment: 'paid' })
      if (outcome.value === 'paid') paidNow++
    })
    if (left.length === 0) this.owed.delete(peer)
    else this.owed.set(peer, left)
    if (this.owed.size === 0) this.components.events.removeEventListener('peer:connect', this.onConnect)
    if (paidNow > 0) this.init.onNotice?.(`paid ${paidNow} receipt${paidNow === 1 ? '' : 's'} owed from an earlier session (executor …${peer.slice(-8)})`)
    if (failure !== undefined && !signal.aborted) {
      this.logger.warn(`${left.length} receipt(s) owed to ${peer} from an earlier session are not paid yet (again at its next connection)`, failure)
    }
    // After the payments are stored: a start that ends before this finds them on the channel next time.
    if (ended.length > 0) await this.components.store.addReceipts(ended)
  }
}
