/**
 * A peer's payments on the mesh: its PaymentChannels serve
 * /zerostate/payment/1.0.0 and its many-requests stream 1.1.0 (the payee's
 * side) and pay over them (the payer's);
 * settlement and closing records travel on SETTLEMENT_TOPIC — this peer
 * publishes its own, keeps those it hears for the ledger, and answers a
 * unilateral close of a channel of its own with a challenge when it holds a
 * later state; unilateral closes whose challenge period is over are settled
 * every SETTLE_CHECK_MS.
 */
import type { TraceRecorder } from '../../network/tracing/index.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import { bytesToUtf8, noopLogger, utf8ToBytes, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import type { ConnectionTo, ProtocolRegistrar } from '../../network/components.ts'
import { ProtocolHandler } from '../../network/protocol-handler.ts'
import { TopicChannel, accept } from '../../network/topic-channel.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { Settlement } from '../channel/index.ts'
import { MAX_INBOUND_PAYMENT_STREAMS, MAX_KEPT_SETTLEMENTS, PAYMENT_PROTOCOL, PAYMENT_STREAM_PROTOCOL, SETTLE_CHECK_MS, SETTLEMENT_TOPIC } from './constants.ts'
import { InvalidPaymentMessageError } from './errors.ts'
import { MAX_CHANNEL_NOTICE_BYTES, readNotice } from './notices.ts'
import type { ChannelNotice } from './notices.ts'
import { PaymentChannels } from './payment-channels.ts'
import type { ChannelStore } from './records.ts'

export interface PaymentServiceComponents {
  identity: PeerIdentity
  store: ChannelStore
  registrar: ProtocolRegistrar
  pubsub: GossipSub
  connectionTo: ConnectionTo
  logger?: Logger
  /** Records the span of each payment co-signed under the payer's traceparent; none: no spans. */
  tracer?: TraceRecorder
}

export interface PaymentServiceInit {
  /** What a receipt is charged, in micro-units: the payee accepts exactly this for it. */
  chargeOf(receipt: Receipt): number
  /** A channel, a payment or a heard settlement changed (for the ledger view). */
  onChange?(): void
}

export class PaymentService {
  readonly channels: PaymentChannels
  private readonly components: PaymentServiceComponents
  private readonly init: PaymentServiceInit
  private readonly logger: Logger
  private readonly topic: TopicChannel
  private readonly handler: ProtocolHandler
  private readonly streamHandler: ProtocolHandler
  private heard: Settlement[] = []
  private running = false
  private settleTimer: ReturnType<typeof setInterval> | undefined

  constructor (components: PaymentServiceComponents, init: PaymentServiceInit) {
    this.components = components
    this.init = init
    this.logger = components.logger ?? noopLogger
    this.channels = new PaymentChannels(
      { identity: components.identity, store: components.store, connectionTo: components.connectionTo, ...(components.tracer === undefined ? {} : { tracer: components.tracer }) },
      {
        chargeOf: init.chargeOf,
        onChange: init.onChange,
        onSettlement: settlement => { this.publish({ type: 'settlement', settlement }) },
        onClosing: closing => { this.publish({ type: 'closing', closing }) }
      }
    )
    this.handler = new ProtocolHandler(components.registrar, PAYMENT_PROTOCOL, async (stream, connection) => this.channels.handle(stream, connection), {
      maxInboundStreams: MAX_INBOUND_PAYMENT_STREAMS
    })
    this.streamHandler = new ProtocolHandler(components.registrar, PAYMENT_STREAM_PROTOCOL, async (stream, connection) => this.channels.handleStream(stream, connection), {
      maxInboundStreams: MAX_INBOUND_PAYMENT_STREAMS
    })
    // Checked before gossipsub forwards it (every co-signed state inside, and who sent it): junk stops here.
    this.topic = new TopicChannel<ChannelNotice>(components.pubsub, {
      topic: SETTLEMENT_TOPIC,
      maxMessageBytes: MAX_CHANNEL_NOTICE_BYTES,
      validate: message => accept(noticeFrom(message.from.toString(), JSON.parse(bytesToUtf8(message.data)))),
      onMessage: (notice, message) => { this.onNotice(message.from.toString(), notice).catch(warnOn(this.logger, 'a channel notice could not be acted on')) },
      logger: this.logger
    })
  }

  /** Safe to call twice. */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    await this.handler.start()
    await this.streamHandler.start()
    this.topic.start()
    this.settleTimer = setInterval(() => { this.channels.settleDue().catch(warnOn(this.logger, 'settling closed channels')) }, SETTLE_CHECK_MS)
  }

  /** Safe to call twice. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    clearInterval(this.settleTimer)
    this.topic.stop()
    this.channels.stop()
    await this.streamHandler.stop()
    await this.handler.stop()
  }

  /** Settlement records of other peers' channels heard on the mesh, newest first. */
  heardSettlements (): Settlement[] {
    return [...this.heard]
  }

  private publish (notice: ChannelNotice): void {
    this.topic.publish(utf8ToBytes(JSON.stringify(notice))).catch(warnOn(this.logger, `publishing a ${notice.type} record`))
  }

  /** A settlement record or closing record from the mesh: kept for the ledger, and acted on when it concerns a channel of this peer's. */
  private async onNotice (from: string, notice: ChannelNotice): Promise<void> {
    if (notice.type === 'closing') {
      await this.channels.onClosingNotice(notice.closing, from)
      return
    }
    const { settlement } = notice
    this.heard = [settlement, ...this.heard.filter(s => !(s.channelId === settlement.channelId && s.by === settlement.by))]
      .slice(0, MAX_KEPT_SETTLEMENTS)
    this.init.onChange?.()
  }
}

/**
 * A notice as published: a settlement record only by the party that signed
 * it (`by`), a closing record only by a party of the channel (the closer, or
 * the other party challenging). Throws InvalidPaymentMessageError (or the
 * channel's own errors) on anything else.
 */
function noticeFrom (from: string, value: unknown): ChannelNotice {
  const notice = readNotice(value)
  if (notice.type === 'settlement' && notice.settlement.by !== from) {
    throw new InvalidPaymentMessageError(`a settlement record signed by ${notice.settlement.by} was published by ${from}`)
  }
  if (notice.type === 'closing' && from !== notice.closing.state.state.a && from !== notice.closing.state.state.b) {
    throw new InvalidPaymentMessageError(`a closing record of ${notice.closing.channelId} was published by ${from}, not a party`)
  }
  return notice
}
