/**
 * TopicChannel's validator, which gossipsub runs before it delivers or
 * forwards a message: unsigned, oversized and flooding messages are
 * rejected before the topic's own check; the topic's verdict decides the
 * rest; only accepted messages reach onMessage, with what the validator read;
 * every drop is counted by topic and reason.
 */
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message, SignedMessage } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { TopicChannel, accept, gossipStats, ignore, reject } from '../../../src/network/topic-channel.ts'
import type { Validation } from '../../../src/network/topic-channel.ts'

const TOPIC = '/test/topic/1.0.0'

/** The parts of GossipSub a TopicChannel uses: validators, events, subscriptions. */
class FakePubsub extends EventTarget {
  readonly topicValidators = new Map<string, (peer: PeerId, message: Message) => Promise<TopicValidatorResult>>()
  readonly subscriptions = new Set<string>()
  subscribe (topic: string): void { this.subscriptions.add(topic) }
  unsubscribe (topic: string): void { this.subscriptions.delete(topic) }
  async publish (): Promise<{ recipients: PeerId[] }> { return { recipients: [] } }

  /** What gossipsub does with a received message: validate, then (only if accepted) dispatch it. */
  async receive (from: PeerId, message: Message): Promise<TopicValidatorResult> {
    const validator = this.topicValidators.get(message.topic)
    const result = validator === undefined ? TopicValidatorResult.Accept : await validator(from, message)
    if (result === TopicValidatorResult.Accept && this.subscriptions.has(message.topic)) {
      this.dispatchEvent(new CustomEvent('message', { detail: message }))
    }
    return result
  }
}

let author: PeerIdentity

beforeAll(async () => {
  author = await createIdentity(new Uint8Array(32).fill(7))
})

const signed = (data: Uint8Array, from: PeerIdentity = author, topic = TOPIC): SignedMessage => ({
  type: 'signed', from: from.peerId, topic, data, sequenceNumber: 1n, signature: new Uint8Array(64), key: from.privateKey.publicKey
})

function setup<T> (validate: (message: SignedMessage) => Validation<T> | Promise<Validation<T>>, options: { maxMessageBytes?: number, burst?: number } = {}): {
  pubsub: FakePubsub
  delivered: Array<{ value: T, message: SignedMessage }>
  topic: TopicChannel<T>
} {
  const pubsub = new FakePubsub()
  const delivered: Array<{ value: T, message: SignedMessage }> = []
  const topic = new TopicChannel<T>(pubsub as unknown as GossipSub, {
    topic: TOPIC,
    maxMessageBytes: options.maxMessageBytes ?? 100,
    rate: { burst: options.burst ?? 100, perSecond: 0 },
    validate,
    onMessage: (value, message) => { delivered.push({ value, message }) }
  })
  topic.start()
  return { pubsub, delivered, topic }
}

describe('TopicChannel', () => {
  it('delivers what the validator accepted, with what it read, once', async () => {
    const { pubsub, delivered } = setup(message => accept(new TextDecoder().decode(message.data).toUpperCase()))
    const message = signed(new TextEncoder().encode('hello'))
    expect(await pubsub.receive(author.peerId, message)).toBe(TopicValidatorResult.Accept)
    expect(delivered).toEqual([{ value: 'HELLO', message }])
    // A 'message' event for a message the validator never accepted is not delivered.
    pubsub.dispatchEvent(new CustomEvent('message', { detail: signed(new TextEncoder().encode('sneaky')) }))
    pubsub.dispatchEvent(new CustomEvent('message', { detail: message }))
    expect(delivered).toHaveLength(1)
    expect(gossipStats(pubsub as unknown as GossipSub)[TOPIC]).toEqual({ accepted: 1, rejected: {}, ignored: {} })
  })

  it('rejects or ignores what the validator says, delivering neither, and counts each by reason', async () => {
    const verdicts = [reject('bad-signature'), ignore('stale'), reject('bad-signature')]
    const { pubsub, delivered } = setup(() => verdicts.shift()!)
    const results = []
    for (let i = 0; i < 3; i++) results.push(await pubsub.receive(author.peerId, signed(Uint8Array.of(i))))
    expect(results).toEqual([TopicValidatorResult.Reject, TopicValidatorResult.Ignore, TopicValidatorResult.Reject])
    expect(delivered).toEqual([])
    expect(gossipStats(pubsub as unknown as GossipSub)[TOPIC]).toEqual({ accepted: 0, rejected: { 'bad-signature': 2 }, ignored: { stale: 1 } })
  })

  it('rejects a message whose validation throws, named after the error (malformed for bad JSON)', async () => {
    class ForgedThingError extends Error { override name = 'ForgedThingError' }
    const errors: Error[] = [new ForgedThingError('no'), new SyntaxError('Unexpected token')]
    const next = (): Error => errors.shift() ?? new Error('no more')
    const { pubsub, delivered } = setup(async () => { throw next() })
    expect(await pubsub.receive(author.peerId, signed(Uint8Array.of(1)))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(author.peerId, signed(Uint8Array.of(2)))).toBe(TopicValidatorResult.Reject)
    expect(delivered).toEqual([])
    expect(gossipStats(pubsub as unknown as GossipSub)[TOPIC]!.rejected).toEqual({ ForgedThingError: 1, malformed: 1 })
  })

  it('rejects unsigned and oversized messages without asking the topic', async () => {
    let asked = 0
    const { pubsub } = setup(() => { asked++; return accept(1) }, { maxMessageBytes: 10 })
    expect(await pubsub.receive(author.peerId, { type: 'unsigned', topic: TOPIC, data: Uint8Array.of(1) })).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(author.peerId, signed(new Uint8Array(11)))).toBe(TopicValidatorResult.Reject)
    expect(await pubsub.receive(author.peerId, signed(new Uint8Array(10)))).toBe(TopicValidatorResult.Accept)
    expect(asked).toBe(1)
    expect(gossipStats(pubsub as unknown as GossipSub)[TOPIC]!.rejected).toEqual({ unsigned: 1, oversized: 1 })
  })

  it('rejects a flood from one identity before the topic checks it, and not another identity', async () => {
    let asked = 0
    const { pubsub, delivered } = setup(() => { asked++; return accept(asked) }, { burst: 3 })
    const other = await createIdentity(new Uint8Array(32).fill(8))
    for (let i = 0; i < 10; i++) await pubsub.receive(author.peerId, signed(Uint8Array.of(i)))
    await pubsub.receive(other.peerId, signed(Uint8Array.of(0), other))
    expect(asked).toBe(4)
    expect(delivered).toHaveLength(4)
    expect(gossipStats(pubsub as unknown as GossipSub)[TOPIC]!.rejected).toEqual({ flood: 7 })
  })

  it('stops validating and delivering once stopped', async () => {
    const { pubsub, delivered, topic } = setup(() => accept(1))
    topic.stop()
    expect(pubsub.topicValidators.has(TOPIC)).toBe(false)
    expect(pubsub.subscriptions.has(TOPIC)).toBe(false)
    await pubsub.receive(author.peerId, signed(Uint8Array.of(1)))
    expect(delivered).toEqual([])
  })
})
