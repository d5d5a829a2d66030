/** Real libp2p peers (websockets, noise, yamux, gossipsub) each running an agent registry service, for the tests beside this file. */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { afterEach } from 'vitest'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { agentRegistryService } from '../../../../src/discovery/agent-registry/index.ts'
import type { AgentRegistryEvent, AgentRegistryService } from '../../../../src/discovery/agent-registry/index.ts'
import { createMemoryStore } from '../../../../src/storage/index.ts'
import type { PeerStore } from '../../../../src/storage/index.ts'
import { identity } from '../agent-manifest/fixtures.ts'

export type GossipNode = Libp2p<{ pubsub: GossipSub }>

export interface TestPeer {
  identity: PeerIdentity
  node: GossipNode
  store: PeerStore
  agents: AgentRegistryService
  events: AgentRegistryEvent[]
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

let seeds = 10
export async function startPeer (options: { store?: PeerStore, identity?: PeerIdentity } = {}): Promise<TestPeer> {
  const id = options.identity ?? await identity(++seeds)
  const node = await createLibp2p({
    privateKey: id.privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
  })
  const store = options.store ?? createMemoryStore()
  const events: AgentRegistryEvent[] = []
  const agents = agentRegistryService({ onAgent: event => { events.push(event) } })({
    identity: id,
    store,
    pubsub: node.services.pubsub,
    registrar: node,
    connectionTo: async peer => node.dial(peerIdFromString(peer)),
    connectedPeers: () => node.getConnections().map(connection => connection.remotePeer.toString())
  })
  await agents.start()
  cleanups.push(async () => { await agents.stop(); await node.stop() })
  return { identity: id, node, store, agents, events }
}

export async function link (a: TestPeer, b: TestPeer): Promise<void> {
  await b.node.dial(a.node.getMultiaddrs()[0]!)
}

export async function waitFor (predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !predicate();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
