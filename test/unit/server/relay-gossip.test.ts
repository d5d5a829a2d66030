/**
 * The relay checks gossip before forwarding it: on the presence and Agent Card
 * topics, a peer subscribed through the relay receives none of an oversized,
 * malformed, forged or stale message, nor more of a flood than the rate allows,
 * yet receives the valid ones; the relay counts each drop by topic and reason
 * and reports them through its Logger. Each misbehaving publisher is its own
 * identity: the first rejections graylist a peer, after which its messages are
 * not even looked at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { utf8ToBytes } from '../../../src/core/index.ts'
import type { Logger } from '../../../src/core/index.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { AGENT_CARD_TOPIC, MAX_AGENT_CARD_BYTES, MAX_CARDS_PER_PEER_PER_MINUTE, signAgentCard } from '../../../src/discovery/index.ts'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_TOPIC } from '../../../src/network/presence/constants.ts'
import { encodePresence } from '../../../src/network/presence/index.ts'
import { CARD_FLOOD_PER_WINDOW, PRESENCE_FLOOD_PER_WINDOW, PRESENCE_MESSAGES_PER_WINDOW } from '../../../src/server/constants.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { exampleFields } from '../discovery/fixtures.ts'
import { sleep, startGossipPeer, waitFor } from './relay-peers.ts'
import type { GossipPeer } from './relay-peers.ts'

const TOPICS = [PRESENCE_TOPIC, AGENT_CARD_TOPIC]
/** Messages past the flood threshold: each is rejected, and a few rejections graylist the sender. */
const PAST_FLOOD = 2

const presence = (): Uint8Array => encodePresence([], true, 1, Date.now())

async function cardBytes (identity: PeerIdentity, sequence: number, edit: (card: Record<string, unknown>) => void = () => {}): Promise<Uint8Array> {
  const now = Date.now()
  const card: Record<string, unknown> = { ...await signAgentCard(exampleFields(identity, { issuedAt: now, expiresAt: now + 5 * 60_000, sequence }), identity) }
  edit(card)
  return utf8ToBytes(JSON.stringify(card))
}

describe('relay gossip validation', () => {
  let relay: Relay
  let receiver: GossipPeer
  const peers: GossipPeer[] = []
  const warnings: string[] = []
  const logger: Logger = { debug () {}, warn (message) { warnings.push(message) }, error () {} }

  /** A new publisher, connected to the relay only, once it knows the relay routes both topics. */
  async function publisher (): Promise<GossipPeer> {
    const peer = await startGossipPeer(relay.multiaddrs[0] as string, [])
    peers.push(peer)
    await waitFor(() => TOPICS.every(t => peer.services.pubsub.getSubscribers(t).some(id => id.equals(relay.node.peerId))), 5000,
      'the publisher to see the relay subscribed')
    // Under libp2p's default of 5 new connections a second from one address.
    await sleep(250)
    return peer
  }

  const receivedFrom = (peer: GossipPeer, topic: string): number =>
    receiver.received.filter(m => m.topic === topic && m.type === 'signed' && m.from.equals(peer.peerId)).length

  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, logger })
    receiver = await startGossipPeer(relay.multiaddrs[0] as string, TOPICS)
    peers.push(receiver)
  }, 20_000)

  afterAll(async () => {
    await Promise.all(peers.map(async peer => { await peer.stop() }))
    await relay?.stop()
  })

  it('forwards valid presence, and drops oversized, malformed and flooding presence', async () => {
    const honest = await publisher()
    // A first valid announcement proves the path through the relay before anything is dropped.
    await honest.services.pubsub.publish(PRESENCE_TOPIC, presence())
    await waitFor(() => receivedFrom(honest, PRESENCE_TOPIC) === 1, 10_000, 'the receiver to hear a valid announcement')

    const oversized = await publisher()
    await oversized.services.pubsub.publish(PRESENCE_TOPIC, new Uint8Array(MAX_PRESENCE_MESSAGE_BYTES + 1))
    const malformed = await publisher()
    await malformed.services.pubsub.publish(PRESENCE_TOPIC, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))
    const flooder = await publisher()
    const flood = PRESENCE_FLOOD_PER_WINDOW + PAST_FLOOD
    for (let i = 0; i < flood; i++) await flooder.services.pubsub.publish(PRESENCE_TOPIC, presence())
    await honest.services.pubsub.publish(PRESENCE_TOPIC, presence())

    const drops = (): Record<string, number> => relay.stats().gossip.dropped[PRESENCE_TOPIC] ?? {}
    await waitFor(() => receivedFrom(honest, PRESENCE_TOPIC) === 2 && (drops().flood ?? 0) === PAST_FLOOD, 10_000, 'the second valid announcement and the flood')
    await sleep(1500) // a gossipsub heartbeat or so: anything still on its way arrives
    expect(receivedFrom(oversized, PRESENCE_TOPIC)).toBe(0)
    expect(receivedFrom(malformed, PRESENCE_TOPIC)).toBe(0)
    expect(receivedFrom(flooder, PRESENCE_TOPIC)).toBe(PRESENCE_MESSAGES_PER_WINDOW)
    expect(drops()).toEqual({
      unsigned: 0, 'too-large': 1, malformed: 1, forged: 0, stale: 0, rate: PRESENCE_FLOOD_PER_WINDOW - PRESENCE_MESSAGES_PER_WINDOW, flood: PAST_FLOOD
    })
    expect(relay.stats().gossip.accepted[PRESENCE_TOPIC]).toBe(2 + PRESENCE_MESSAGES_PER_WINDOW)
  }, 40_000)

  it('forwards a valid Agent Card, and drops oversized, malformed, forged, stale and flooding cards', async () => {
    const honest = await publisher()
    await honest.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(honest.identity, 1))
    await waitFor(() => receivedFrom(honest, AGENT_CARD_TOPIC) === 1, 10_000, 'the receiver to hear a valid card')

    const oversized = await publisher()
    await oversized.services.pubsub.publish(AGENT_CARD_TOPIC, utf8ToBytes(`"${'x'.repeat(2 * MAX_AGENT_CARD_BYTES)}"`))
    const malformed = await publisher()
    await malformed.services.pubsub.publish(AGENT_CARD_TOPIC, utf8ToBytes('{"cardVersion":1,"name":"not a card"}'))
    // Someone else's card, validly signed by them, published as one's own.
    const impostor = await publisher()
    await impostor.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(honest.identity, 2))
    // One's own card, changed after it was signed.
    const tamperer = await publisher()
    await tamperer.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(tamperer.identity, 1, card => { card.workerSlots = 64 }))
    const stale = await publisher()
    const longAgo = Date.now() - 60 * 60_000
    await stale.services.pubsub.publish(AGENT_CARD_TOPIC, utf8ToBytes(JSON.stringify(
      await signAgentCard(exampleFields(stale.identity, { issuedAt: longAgo, expiresAt: longAgo + 5 * 60_000, sequence: 1 }), stale.identity))))
    const flooder = await publisher()
    const flood = CARD_FLOOD_PER_WINDOW + PAST_FLOOD
    for (let i = 0; i < flood; i++) await flooder.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(flooder.identity, i + 1))
    await honest.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(honest.identity, 3))

    const drops = (): Record<string, number> => relay.stats().gossip.dropped[AGENT_CARD_TOPIC] ?? {}
    await waitFor(() => receivedFrom(honest, AGENT_CARD_TOPIC) === 2 && (drops().flood ?? 0) === PAST_FLOOD, 10_000, 'the second valid card and the flood')
    await sleep(1500)
    for (const peer of [oversized, malformed, impostor, tamperer, stale]) expect(receivedFrom(peer, AGENT_CARD_TOPIC)).toBe(0)
    expect(receivedFrom(flooder, AGENT_CARD_TOPIC)).toBe(MAX_CARDS_PER_PEER_PER_MINUTE)
    expect(drops()).toEqual({
      unsigned: 0, 'too-large': 1, malformed: 1, forged: 2, stale: 1, rate: CARD_FLOOD_PER_WINDOW - MAX_CARDS_PER_PEER_PER_MINUTE, flood: PAST_FLOOD
    })
    expect(relay.stats().gossip.accepted[AGENT_CARD_TOPIC]).toBe(2 + MAX_CARDS_PER_PEER_PER_MINUTE)
  }, 40_000)

  it('reports dropped gossip through its Logger', () => {
    expect(warnings.some(w => w.includes(PRESENCE_TOPIC) && w.includes('too-large'))).toBe(true)
  })
})
