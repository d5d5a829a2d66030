/**
 * Relays of one mesh peer with each other (src/server/relay-peering.ts): with
 * three relays in one process, a peer attached to relay 1 only publishes
 * presence and an Agent Card, and a peer attached to relay 3 only receives
 * both; a forged card stops at relay 1. Without peering nothing crosses, and a
 * peer relay that restarts is dialled again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { utf8ToBytes } from '../../../src/core/index.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { AGENT_CARD_TOPIC, signAgentCard } from '../../../src/discovery/index.ts'
import { PRESENCE_TOPIC } from '../../../src/network/presence/constants.ts'
import { encodePresence } from '../../../src/network/presence/index.ts'
import { Registry } from 'prom-client'
import { startRelay } from '../../../src/server/relay.ts'
import { RelayMetrics } from '../../../src/server/relay-metrics.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { InvalidRelayPeerError, TooManyRelayPeersError } from '../../../src/server/relay-peering.ts'
import { exampleFields } from '../discovery/fixtures.ts'
import { sleep, startGossipPeer, waitFor } from './relay-peers.ts'
import type { GossipPeer } from './relay-peers.ts'

const TOPICS = [PRESENCE_TOPIC, AGENT_CARD_TOPIC]

async function cardBytes (identity: PeerIdentity, sequence: number, edit: (card: Record<string, unknown>) => void = () => {}): Promise<Uint8Array> {
  const now = Date.now()
  const card: Record<string, unknown> = { ...await signAgentCard(exampleFields(identity, { issuedAt: now, expiresAt: now + 5 * 60_000, sequence }), identity) }
  edit(card)
  return utf8ToBytes(JSON.stringify(card))
}

const addr = (relay: Relay): string => relay.multiaddrs[0] as string

/** `subscriber` knows, through `relay`, that `peer` is subscribed to every topic. */
const seesSubscribed = (subscriber: { services: { pubsub: { getSubscribers(topic: string): Array<{ toString(): string }> } } }, peer: string): boolean =>
  TOPICS.every(topic => subscriber.services.pubsub.getSubscribers(topic).some(id => id.toString() === peer))

const receivedFrom = (receiver: GossipPeer, publisher: GossipPeer, topic: string): number =>
  receiver.received.filter(m => m.topic === topic && m.type === 'signed' && m.from.equals(publisher.peerId)).length

describe('relay peering', () => {
  const relays: Relay[] = []
  const peers: GossipPeer[] = []

  async function gossipPeer (relay: Relay, topics: string[]): Promise<GossipPeer> {
    const peer = await startGossipPeer(addr(relay), topics)
    peers.push(peer)
    await waitFor(() => seesSubscribed(peer, relay.node.peerId.toString()), 5000, 'the peer to see its relay subscribed')
    return peer
  }

  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async peer => { await peer.stop() }))
    await Promise.all(relays.splice(0).map(async relay => { await relay.stop() }))
  })

  it('carries presence and Agent Cards from a peer on relay 1 to a peer on relay 3, and stops a forged card at relay 1', async () => {
    for (let i = 0; i < 3; i++) relays.push(await startRelay({ host: '127.0.0.1', port: 0 }))
    const [r1, r2, r3] = relays as [Relay, Relay, Relay]
    // As the mesh does: every relay is given every relay's address, itself included.
    for (const relay of relays) relay.peerWith(relays.map(addr))
    await waitFor(() => relays.every(relay => relay.relayPeers().length === 2 && relay.relayPeers().every(p => p.connected)), 10_000, 'the relays to connect')
    await waitFor(() => seesSubscribed(r1.node, r3.node.peerId.toString()) && seesSubscribed(r3.node, r1.node.peerId.toString()), 10_000,
      'relays 1 and 3 to see each other subscribed')
    const registry = new Registry()
    new RelayMetrics(registry).track(r1)
    const exposition = await registry.metrics()
    expect(exposition).toContain(`zerostate_relay_peer_relays{relay="${r1.node.peerId.toString()}",state="connected"} 2`)
    expect(exposition).toContain(`zerostate_relay_peer_relays{relay="${r1.node.peerId.toString()}",state="disconnected"} 0`)

    const receiver = await gossipPeer(r3, TOPICS)
    const publisher = await gossipPeer(r1, [])
    await publisher.services.pubsub.publish(PRESENCE_TOPIC, encodePresence([], true, 1, Date.now()))
    await publisher.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(publisher.identity, 1))
    await waitFor(() => receivedFrom(receiver, publisher, PRESENCE_TOPIC) === 1 && receivedFrom(receiver, publisher, AGENT_CARD_TOPIC) === 1, 10_000,
      'the peer on relay 3 to hear presence and a card published on relay 1')
    // Each relay checked what it forwarded: relay 1 from the publisher, relay 3 from a peer relay.
    expect(r1.stats().gossip.accepted[PRESENCE_TOPIC]).toBe(1)
    expect(r3.stats().gossip.accepted[AGENT_CARD_TOPIC]).toBe(1)
    // The peers are attached to one relay each: what crossed, crossed between relays.
    expect(publisher.getConnections().map(c => c.remotePeer.toString())).toEqual([r1.node.peerId.toString()])
    expect(receiver.getConnections().map(c => c.remotePeer.toString())).toEqual([r3.node.peerId.toString()])
    // Direct peers, outside the mesh: gossipsub forwards to them whatever the mesh holds, and never grafts them.
    const meshOf = (relay: Relay): string[] => (relay.node.services.pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(PRESENCE_TOPIC)
    expect(meshOf(r1)).not.toContain(r3.node.peerId.toString())
    expect(meshOf(r3)).not.toContain(r1.node.peerId.toString())

    // A card changed after it was signed: relay 1 rejects it, so no peer relay ever sees it.
    await publisher.services.pubsub.publish(AGENT_CARD_TOPIC, await cardBytes(publisher.identity, 2, card => { card.workerSlots = 64 }))
    await waitFor(() => (r1.stats().gossip.dropped[AGENT_CARD_TOPIC]?.forged ?? 0) === 1, 10_000, 'relay 1 to drop the forged card')
    await sleep(1500) // a gossipsub heartbeat or so: anything still on its way arrives
    expect(receivedFrom(receiver, publisher, AGENT_CARD_TOPIC)).toBe(1)
    for (const relay of [r2, r3]) expect(relay.stats().gossip.dropped[AGENT_CARD_TOPIC]?.forged ?? 0).toBe(0)
  }, 40_000)

  it('carries nothing between relays that do not peer', async () => {
    for (let i = 0; i < 2; i++) relays.push(await startRelay({ host: '127.0.0.1', port: 0 }))
    const [r1, r3] = relays as [Relay, Relay]
    const receiver = await gossipPeer(r3, TOPICS)
    const publisher = await gossipPeer(r1, [])
    await publisher.services.pubsub.publish(PRESENCE_TOPIC, encodePresence([], true, 1, Date.now()))
    await waitFor(() => r1.stats().gossip.accepted[PRESENCE_TOPIC] === 1, 10_000, 'relay 1 to take the announcement')
    await sleep(1500)
    expect(receivedFrom(receiver, publisher, PRESENCE_TOPIC)).toBe(0)
  }, 20_000)

  it('dials a peer relay again after it restarts, and carries gossip through it again', async () => {
    const key = await generateKeyPair('Ed25519')
    const r1 = await startRelay({ host: '127.0.0.1', port: 0 })
    relays.push(r1)
    let r3 = await startRelay({ host: '127.0.0.1', port: 0, privateKey: key, peerRelays: [addr(r1)] })
    const r3Addr = addr(r3)
    relays.push(r3)
    r1.peerWith([r3Addr])
    await waitFor(() => r1.relayPeers()[0]?.connected === true && r3.relayPeers()[0]?.connected === true, 10_000, 'the relays to connect')

    await r3.stop()
    relays.splice(relays.indexOf(r3), 1)
    await waitFor(() => r1.relayPeers()[0]?.connected === false, 10_000, 'relay 1 to notice')
    const port = Number(r3Addr.split('/')[4])
    r3 = await startRelay({ host: '127.0.0.1', port, privateKey: key, peerRelays: [addr(r1)] })
    relays.push(r3)
    await waitFor(() => r1.relayPeers()[0]?.connected === true && (r1.relayPeers()[0]?.connects ?? 0) >= 2, 20_000, 'relay 1 to be connected again')
    await waitFor(() => seesSubscribed(r1.node, r3.node.peerId.toString()), 10_000, 'relay 1 to see relay 3 subscribed again')

    const receiver = await gossipPeer(r3, TOPICS)
    const publisher = await gossipPeer(r1, [])
    await publisher.services.pubsub.publish(PRESENCE_TOPIC, encodePresence([], true, 1, Date.now()))
    await waitFor(() => receivedFrom(receiver, publisher, PRESENCE_TOPIC) === 1, 10_000, 'the announcement to cross the restarted peering')
  }, 60_000)

  describe('what it refuses', () => {
    let relay: Relay
    beforeAll(async () => { relay = await startRelay({ host: '127.0.0.1', port: 0 }) })
    afterAll(async () => { await relay.stop() })

    it('refuses an address naming no relay, and more peer relays than MAX_RELAY_PEERS', async () => {
      expect(() => { relay.peerWith(['/ip4/127.0.0.1/tcp/1/ws']) }).toThrow(expect.objectContaining({ name: InvalidRelayPeerError.name }))
      expect(() => { relay.peerWith(['not a multiaddr']) }).toThrow(expect.objectContaining({ name: InvalidRelayPeerError.name }))
      expect(() => { relay.peerWith(['/ip4/127.0.0.1/tcp/1/ws/p2p/notapeerid']) }).toThrow(expect.objectContaining({ name: InvalidRelayPeerError.name }))
      const many = await Promise.all(Array.from({ length: 17 }, async () => {
        const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
        return `/ip4/127.0.0.1/tcp/1/ws/p2p/${peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()}`
      }))
      expect(() => { relay.peerWith(many) }).toThrow(expect.objectContaining({ name: TooManyRelayPeersError.name }))
      // Nothing was added by the refused call; itself is skipped.
      relay.peerWith([addr(relay)])
      expect(relay.relayPeers()).toEqual([])
    })
  })
})
