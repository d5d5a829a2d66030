/**
 * This tab's money and word: it pays the executors of its tasks over payment
 * channels (economy/payments) and is paid for the tasks it runs; it publishes
 * the settlement record of every channel it closes and keeps those it hears;
 * it publishes signed reputation reports on what it proved of others and
 * weighs the reports it hears by the reporter's own reputation
 * (aggregateReports, EigenTrust-style). The ledger view gathers all of it.
 */
import type { Connection } from '@libp2p/interface'
import { bytesToBase64Url, utf8ToBytes } from '../core/index.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import { MAX_CHANNEL_NOTICE_BYTES, PaymentChannels, readNotice } from '../economy/payments/index.ts'
import type { ChannelNotice } from '../economy/payments/index.ts'
import type { Settlement } from '../economy/channel/index.ts'
import type { BrowserNode } from '../network/browser-node.ts'
import { PAYMENT_PROTOCOL, REPUTATION_TOPIC, SETTLEMENT_TOPIC } from '../network/constants.ts'
import { TopicChannel } from '../network/topic-channel.ts'
import type { ZeroStateStore } from './store.ts'
import type { Receipt } from '../receipts/index.ts'
import { MAX_REPORT_BYTES, ReportBoard, aggregateReports, signReport, verifyReport } from '../trust/reputation/index.ts'
import type { Outcome, Report, ReputationBook } from '../trust/reputation/index.ts'
import type { Attestation } from '../receipts/attestation/index.ts'
import type { LedgerView } from './types.ts'

/** Reports the ledger view lists, newest first. */
const SHOWN_REPORTS = 100
/** Settlement records of other peers' channels kept for the ledger view. */
const MAX_KEPT_SETTLEMENTS = 200
/** How often unilateral closes whose challenge period is over are settled. */
const SETTLE_CHECK_MS = 10_000

export interface LedgerServiceInit {
  identity: PeerIdentity
  store: ZeroStateStore
  node: BrowserNode
  connectionTo(peer: string, options: { signal?: AbortSignal }): Promise<Connection>
  chargeOf(receipt: Receipt): number
  reputation(): ReputationBook
  onChange(): void
}

export class LedgerService {
  readonly payments: PaymentChannels
  private readonly init: LedgerServiceInit
  private readonly reportsTopic: TopicChannel
  private readonly settlementsTopic: TopicChannel
  private readonly reports = new ReportBoard()
  private heardSettlements: Settlement[] = []
  private settleTimer: ReturnType<typeof setInterval> | undefined

  constructor (init: LedgerServiceInit) {
    this.init = init
    this.payments = new PaymentChannels(
      { identity: init.identity, store: init.store, connectionTo: init.connectionTo },
      {
        chargeOf: init.chargeOf,
        onChange: init.onChange,
        onSettlement: settlement => { void this.publishNotice({ type: 'settlement', settlement }) },
        onClosing: closing => { void this.publishNotice({ type: 'closing', closing }) }
      }
    )
    this.reportsTopic = new TopicChannel(init.node.services.pubsub, {
      topic: REPUTATION_TOPIC,
      maxMessageBytes: MAX_REPORT_BYTES,
      onMessage: message => { void this.onReport(message.from.toString(), message.data).catch(() => {}) }
    })
    this.settlementsTopic = new TopicChannel(init.node.services.pubsub, {
      topic: SETTLEMENT_TOPIC,
      maxMessageBytes: MAX_CHANNEL_NOTICE_BYTES,
      onMessage: message => { void this.onNotice(message.from.toString(), message.data).catch(() => {}) }
    })
  }

  async start (): Promise<void> {
    await this.init.node.handle(PAYMENT_PROTOCOL, async (stream, connection) => this.payments.handle(stream, connection), {
      runOnLimitedConnection: true,
      maxInboundStreams: 16
    })
    this.reportsTopic.start()
    this.settlementsTopic.start()
    this.settleTimer = setInterval(() => { void this.payments.settleDue().catch(() => {}) }, SETTLE_CHECK_MS)
  }

  stop (): void {
    clearInterval(this.settleTimer)
    this.reportsTopic.stop()
    this.settlementsTopic.stop()
  }

  /** Signs and publishes what this tab observed of `subject` on `taskId`. */
  async report (subject: string, outcome: Outcome, taskId: string): Promise<void> {
    const { identity } = this.init
    const report = await signReport({
      reporter: identity.peerId.toString(), publicKey: bytesToBase64Url(identity.publicKey), subject, outcome, taskId, at: Date.now()
    }, identity)
    this.keepReport(report)
    await this.reportsTopic.publish(utf8ToBytes(JSON.stringify(report)))
  }

  /** Asks the executor of `receipt` to pay back what it was paid, with the witnesses' attestations as evidence. */
  async refund (receipt: Receipt, attestations: Attestation[]): Promise<void> {
    await this.payments.requestRefund(receipt, attestations)
  }

  async view (): Promise<LedgerView> {
    const { store } = this.init
    const book = this.init.reputation()
    const self = this.init.identity.peerId.toString()
    const [channels, payments, attestations] = await Promise.all([store.listChannels(), store.listPayments(200), store.listAttestations(200)])
    const reports = this.reports.reports()
    const network = aggregateReports(reports, { trustOf: id => book.trustOf(id), self })
    const peers = new Set([...book.peers(), ...network.scores.keys()])
    peers.delete(self)
    return {
      channels,
      payments,
      attestations,
      settlements: [...channels.flatMap(c => c.settlement === undefined ? [] : [c.settlement]), ...this.heardSettlements],
      reports: reports.sort((x, y) => y.at - x.at).slice(0, SHOWN_REPORTS),
      reputation: [...peers].map(peerId => ({
        peerId,
        score: book.score(peerId),
        network: network.scores.get(peerId),
        blacklisted: book.isBlacklisted(peerId),
        whitelisted: book.isWhitelisted(peerId),
        history: book.history(peerId)
      })).sort((x, y) => x.score - y.score || (x.peerId < y.peerId ? -1 : 1))
    }
  }

  private async onReport (from: string, data: Uint8Array): Promise<void> {
    const report = await verifyReport(JSON.parse(new TextDecoder().decode(data)) as Report, { now: Date.now(), from })
    this.keepReport(report)
  }

  private keepReport (report: Report): void {
    this.reports.add(report)
    this.init.onChange()
  }

  private async publishNotice (notice: ChannelNotice): Promise<void> {
    await this.settlementsTopic.publish(utf8ToBytes(JSON.stringify(notice)))
  }

  /** A settlement record or closing record from the mesh: kept for the ledger, and acted on when it concerns a channel of this tab's. */
  private async onNotice (from: string, data: Uint8Array): Promise<void> {
    const notice = readNotice(JSON.parse(new TextDecoder().decode(data)))
    if (notice.type === 'closing') {
      await this.payments.onClosingNotice(notice.closing, from)
      return
    }
    const { settlement } = notice
    this.heardSettlements = [settlement, ...this.heardSettlements.filter(s => !(s.channelId === settlement.channelId && s.by === settlement.by))]
      .slice(0, MAX_KEPT_SETTLEMENTS)
    this.init.onChange()
  }
}
