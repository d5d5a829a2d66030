/**
 * Many identities behind one address: gossipsub's default IP-colocation
 * penalty graylisted every peer once more than a dozen shared an address
 * (a NAT, a school — and every test, on 127.0.0.1), so the relay stopped
 * forwarding presence between them. Sixteen peers of one address must hear
 * each other through the relay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRESENCE_TOPIC } from '../../../src/network/presence/constants.ts'
import { encodePresence } from '../../../src/network/presence/index.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { sleep, startGossipPeer, waitFor } from './relay-peers.ts'
import type { GossipPeer } from './relay-peers.ts'

const PEERS = 16

describe('relay gossip between many identities of one address', () => {
  let relay: Relay
  const peers: GossipPeer[] = []

  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    const addr = relay.multiaddrs[0] as string
    for (let i = 0; i < PEERS; i++) {
      peers.push(await startGossipPeer(addr, [PRESENCE_TOPIC]))
      // Under libp2p's default of 5 new connections a second from one address, which is not what is tested here.
      await sleep(250)
    }
    // Every peer knows the relay routes the topic (the relay's own view is what the test is about).
    const relayId = relay.node.peerId
    await waitFor(() => peers.every(peer => peer.services.pubsub.getSubscribers(PRESENCE_TOPIC).some(id => id.equals(relayId))), 10_000,
      'every peer to see the relay subscribed')
  }, 30_000)

  afterAll(async () => {
    await Promise.all(peers.map(async peer => { await peer.stop() }))
    await relay?.stop()
  })

  it(`delivers a presence announcement from one of ${PEERS} peers of 127.0.0.1 to all the others`, async () => {
    const [sender, ...others] = peers as [GossipPeer, ...GossipPeer[]]
    const started = performance.now()
    await sender.services.pubsub.publish(PRESENCE_TOPIC, encodePresence([], false, 0, Date.now()))
    const heard = (peer: GossipPeer): boolean => peer.received.some(m => m.type === 'signed' && m.from.equals(sender.peerId))
    await waitFor(() => others.every(heard), 10_000, `all ${others.length} others to hear the announcement`)
      .catch(err => {
        const subscribers = relay.node.services.pubsub.getSubscribers(PRESENCE_TOPIC).length
        throw new Error(`${String(err)}; ${others.filter(heard).length} of ${others.length} heard it; the relay knows ${subscribers} subscribers`)
      })
    console.info(`all ${others.length} peers heard the announcement in ${(performance.now() - started).toFixed(0)} ms`)
    expect(relay.stats().gossip.accepted[PRESENCE_TOPIC]).toBe(1)
  }, 20_000)
})
