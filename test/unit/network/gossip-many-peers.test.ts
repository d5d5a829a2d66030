/**
 * A tab keeps hearing the mesh through its relay after meeting many peers
 * (network/browser-node.ts meshGossipsubInit, GOSSIP_IP_COLOCATION_WEIGHT).
 * Every peer a tab first meets through a relay shows the relay's address, and
 * gossipsub remembers the addresses of peers that left for an hour: with its
 * default IP colocation penalty the relay itself fell below the gossip
 * threshold once about a dozen peers had come and gone, and the tab heard
 * nothing more through it. Real libp2p nodes in Node (websockets on loopback:
 * every peer has the same address, as every peer met through a relay does)
 * with real gossipsub.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub, GossipsubOpts } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { meshGossipsubInit } from '../../../src/network/browser-node.ts'

const TOPIC = '/zerostate/test/1.0.0'
type GossipNode = Libp2p<{ pubsub: GossipSub }>

const started: GossipNode[] = []
afterEach(async () => {
  for (const node of started.splice(0).reverse()) await node.stop()
})

async function gossipNode (init: Partial<GossipsubOpts>): Promise<GossipNode> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Visitors come faster than libp2p's default of 5 new connections per second from one address.
    connectionManager: { inboundConnectionThreshold: 100 },
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, ...init }) }
  })
  started.push(node)
  node.services.pubsub.subscribe(TOPIC)
  return node
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** A tab (gossip options `tabInit`) behind a relay, after `visitors` peers of the relay's address came and went. */
async function heardAfterVisitors (tabInit: Partial<GossipsubOpts>, visitors: number): Promise<boolean> {
  const relay = await gossipNode({})
  const tab = await gossipNode(tabInit)
  const origin = await gossipNode({})
  await tab.dial(relay.getMultiaddrs()[0]!)
  await origin.dial(relay.getMultiaddrs()[0]!)
  for (let i = 0; i < visitors; i++) {
    const visitor = await gossipNode({})
    await visitor.dial(tab.getMultiaddrs()[0]!)
    // Long enough for gossipsub to take it for a peer (its stream, its subscription).
    await sleep(150)
    await visitor.stop()
  }
  // Heartbeats (1 s): the tab's mesh maintenance prunes a peer whose score went negative.
  await sleep(2500)
  const heard = new Promise<boolean>(resolve => {
    tab.services.pubsub.addEventListener('message', event => { if (event.detail.topic === TOPIC) resolve(true) })
    setTimeout(() => { resolve(false) }, 5000)
  })
  // The origin reaches the tab only through the relay, which forwards to its mesh and gossips to the others.
  await origin.services.pubsub.publish(TOPIC, new TextEncoder().encode('presence'))
  return heard
}

describe('a tab that met many peers through one relay', () => {
  it('still hears gossip through the relay after 14 peers came and went', async () => {
    expect(await heardAfterVisitors(meshGossipsubInit(), 14)).toBe(true)
  }, 60_000)

  it('(gossipsub with its default IP colocation penalty does not: what the tab\'s options turn off)', async () => {
    expect(await heardAfterVisitors({}, 14)).toBe(false)
  }, 60_000)
})
