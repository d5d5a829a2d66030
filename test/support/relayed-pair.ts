/**
 * Two real libp2p nodes in Node (websockets on loopback, noise, yamux,
 * identify, gossipsub) that reach each other only through the real relay
 * (src/server/relay.ts): their connection is limited by the relay's data
 * limit (circuit relay v2: 128 KiB in all), as a tab's is before the mesh
 * upgrades it to WebRTC. Only that upgrade is a stand-in: `direct()` dials
 * the far node's loopback websocket where a tab would dial WebRTC.
 *
 * Gossipsub runs on the limited connection (as browser-node.ts lets it), so
 * the services that learn of work by gossip (witness, agent registry) meet
 * over the relay too.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Connection, Libp2p } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach } from 'vitest'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { bulkConnection } from '../../src/network/bulk-connection.ts'
import type { BulkConnectionTo } from '../../src/network/components.ts'
import { startRelay } from '../../src/server/relay.ts'
import { waitFor } from './gossip-node.ts'

export type RelayedNode = Libp2p<{ pubsub: GossipSub }>

export interface RelayedPeer {
  identity: PeerIdentity
  node: RelayedNode
  id: string
}

export interface RelayedPair {
  /** Listens on loopback and holds a reservation on the relay, as a tab does. */
  far: RelayedPeer
  /** Reaches `far` only through the relay (listens on loopback too with `nearListens`, for a third peer to dial it). */
  near: RelayedPeer
  /** near's connection to far through the relay: limited. */
  relayed: Connection
  /** Dials far straight from near, as the mesh's WebRTC upgrade would; counts its calls. */
  direct(): Promise<Connection>
  directDials(): number
  /**
   * near's way to far for a bulk transfer, as PeerMesh.bulkConnectionTo
   * chooses (network/bulk-connection.ts), with `direct()` for the upgrade.
   */
  bulkConnectionTo: BulkConnectionTo
  /** near's way to far with no upgrade to be had: the relayed connection, whatever it carries. */
  relayedOnly: BulkConnectionTo
}

const stops: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

/** Stopped after the test, in reverse order of registration, with the pair's nodes and relay. */
export function stopAfterTest (stop: () => Promise<void> | void): void {
  stops.push(stop)
}

async function startPeer (listen: string[]): Promise<RelayedPeer> {
  const identity = await createIdentity()
  const node = await createLibp2p({
    privateKey: identity.privateKey,
    addresses: { listen },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, runOnLimitedConnection: true }) }
  })
  stops.push(async () => { await node.stop() })
  return { identity, node, id: identity.peerId.toString() }
}

/** A relay, a far peer with a reservation on it, and a near peer connected to the far one through the relay only. */
export async function startRelayedPair (options: { nearListens?: boolean } = {}): Promise<RelayedPair> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0 })
  stops.push(async () => { await relay.stop() })
  const relayAddr = relay.multiaddrs[0]!
  const far = await startPeer(['/ip4/127.0.0.1/tcp/0/ws', `${relayAddr}/p2p-circuit`])
  await waitFor(() => far.node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit')), 'a reservation on the relay')
  const near = await startPeer(options.nearListens === true ? ['/ip4/127.0.0.1/tcp/0/ws'] : [])
  const relayed = await near.node.dial(multiaddr(`${relayAddr}/p2p-circuit/p2p/${far.id}`))
  const directAddr = far.node.getMultiaddrs().find(ma => !ma.toString().includes('/p2p-circuit'))!
  let dials = 0
  const direct = async (): Promise<Connection> => { dials++; return near.node.dial(directAddr) }
  const toFar = (peer: string): void => {
    if (peer !== far.id) throw new Error(`only ${far.id} is reachable in this pair, not ${peer}`)
  }
  return {
    far,
    near,
    relayed,
    direct,
    directDials: () => dials,
    bulkConnectionTo: async (peer, bulk) => { toFar(peer); return bulkConnection(relayed, bulk?.bytes, direct) },
    relayedOnly: async peer => { toFar(peer); return relayed }
  }
}
