import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message, SignedMessage, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'

export interface TopicChannelInit {
  topic: string
  /** Messages above this are rejected before they are delivered or forwarded. */
  maxMessageBytes: number
  /** Gossipsub checked the signature: `message.from` is authentic; `message.data` is still unchecked bytes. */
  onMessage(message: SignedMessage): void
  /** A peer subscribed to the topic: a chance to send it what it has missed. */
  onSubscriber?(peerId: string): void
}

/**
 * One gossipsub topic: subscribe, publish, and deliver only signed messages
 * within the size limit. The validator runs before gossipsub forwards a
 * message, so an oversized or unsigned one stops at the first honest peer.
 */
export class TopicChannel {
  private readonly pubsub: GossipSub
  private readonly init: TopicChannelInit

  constructor (pubsub: GossipSub, init: TopicChannelInit) {
    this.pubsub = pubsub
    this.init = init
  }

  start (): void {
    this.pubsub.topicValidators.set(this.init.topic, (_peer: PeerId, message: Message) =>
      message.type === 'signed' && message.data.byteLength <= this.init.maxMessageBytes
        ? TopicValidatorResult.Accept
        : TopicValidatorResult.Reject)
    this.pubsub.addEventListener('message', this.onMessage)
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.subscribe(this.init.topic)
  }

  stop (): void {
    this.pubsub.unsubscribe(this.init.topic)
    this.pubsub.removeEventListener('message', this.onMessage)
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.topicValidators.delete(this.init.topic)
  }

  /** Publishes to whoever is subscribed; false when nobody is yet (the caller republishes later). */
  async publish (data: Uint8Array): Promise<boolean> {
    try {
      const { recipients } = await this.pubsub.publish(this.init.topic, data)
      return recipients.length > 0
    } catch {
      return false
    }
  }

  private readonly onSubscriptionChange = (event: CustomEvent<SubscriptionChangeData>): void => {
    if (event.detail.subscriptions.some(s => s.subscribe && s.topic === this.init.topic)) {
      this.init.onSubscriber?.(event.detail.peerId.toString())
    }
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== this.init.topic || message.type !== 'signed') return
    this.init.onMessage(message)
  }
}
