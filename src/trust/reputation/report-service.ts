/**
 * Second-hand reputation on the mesh: this peer signs and publishes what it
 * proved of others on REPUTATION_TOPIC, verifies the reports it hears and
 * keeps them in a bounded ReportBoard, and weighs them by each reporter's
 * standing in this peer's own book (aggregateReports, EigenTrust-style).
 */
import type { GossipSub } from '@libp2p/gossipsub'
import { bytesToBase64Url, bytesToUtf8, noopLogger, utf8ToBytes } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { TopicChannel, accept } from '../../network/topic-channel.ts'
import { aggregateReports } from './aggregate.ts'
import type { AggregateResult } from './aggregate.ts'
import { MAX_REPORT_BYTES, REPUTATION_TOPIC } from './constants.ts'
import type { Outcome } from './constants.ts'
import { ReportBoard } from './report-board.ts'
import { signReport, verifyReport } from './reports.ts'
import type { Report } from './reports.ts'

export interface ReportServiceComponents {
  identity: PeerIdentity
  pubsub: GossipSub
  logger?: Logger
}

export interface ReportServiceInit {
  /** A report was kept (heard or signed here). */
  onChange?(): void
}

export class ReportService {
  private readonly components: ReportServiceComponents
  private readonly init: ReportServiceInit
  private readonly logger: Logger
  private readonly topic: TopicChannel
  private readonly board = new ReportBoard()
  private running = false

  constructor (components: ReportServiceComponents, init: ReportServiceInit = {}) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
    // Checked before gossipsub forwards it (schema, signature, reporter = sender, clock): only verified reports spread.
    this.topic = new TopicChannel<Report>(components.pubsub, {
      topic: REPUTATION_TOPIC,
      maxMessageBytes: MAX_REPORT_BYTES,
      validate: async message => accept(await verifyReport(JSON.parse(bytesToUtf8(message.data)) as Report, { now: Date.now(), from: message.from.toString() })),
      onMessage: report => { this.keep(report) },
      logger: this.logger
    })
  }

  /** Safe to call twice. */
  start (): void {
    if (this.running) return
    this.running = true
    this.topic.start()
  }

  /** Safe to call twice. */
  stop (): void {
    if (!this.running) return
    this.running = false
    this.topic.stop()
  }

  /** Signs and publishes what this peer observed of `subject` on `taskId`. */
  async report (subject: string, outcome: Outcome, taskId: string): Promise<void> {
    const { identity } = this.components
    const report = await signReport({
      reporter: identity.peerId.toString(), publicKey: bytesToBase64Url(identity.publicKey), subject, outcome, taskId, at: Date.now()
    }, identity)
    this.keep(report)
    await this.topic.publish(utf8ToBytes(JSON.stringify(report)))
  }

  /** Every report kept (a copy). */
  reports (): Report[] {
    return this.board.reports()
  }

  /** The mesh's word on each peer, weighed by `trustOf` (this peer's own trust in each reporter). */
  networkScores (trustOf: (peerId: string) => number | undefined): AggregateResult {
    return aggregateReports(this.board.reports(), { trustOf, self: this.components.identity.peerId.toString() })
  }

  private keep (report: Report): void {
    this.board.add(report)
    this.init.onChange?.()
  }
}
