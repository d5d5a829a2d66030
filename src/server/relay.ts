import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { AGENT_CARD_TOPIC } from '../discovery/constants.ts'
import { PRESENCE_TOPIC } from '../network/presence/constants.ts'

export interface RelayInit {
  /** Interface to listen on; only loopback is reachable by the browser tests. */
  host: string
  port: number
  /** The relay's identity; a new one each start when omitted. */
  privateKey?: PrivateKey
  /** How many tabs may hold a reservation at once. */
  maxReservations?: number
}

export interface Relay {
  node: Libp2p
  /** Dialable websocket multiaddrs including /p2p/<relay id>. */
  multiaddrs: string[]
  stop(): Promise<void>
}

/**
 * The companion bootstrap node: a websocket listener that tabs can reach
 * before they know anyone, a circuit relay v2 server through which they reserve
 * a slot and signal WebRTC, and a gossipsub router for the presence topic.
 * It does not run tasks.
 *
 * Relayed connections keep the server's default data/duration limits on
 * purpose: tabs tell a relayed connection from a direct one by its `limits`,
 * and only use the relay to meet and to fall back.
 */
export async function startRelay (init: RelayInit): Promise<Relay> {
  const node = await createLibp2p({
    ...(init.privateKey == null ? {} : { privateKey: init.privateKey }),
    addresses: {
      listen: [`/ip4/${init.host}/tcp/${init.port}/ws`]
    },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: 1024
    },
    services: {
      identify: identify(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: init.maxReservations ?? 512
        }
      }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        canRelayMessage: true
      })
    }
  })
  // The relay forwards gossip between tabs that are not (yet) directly connected.
  for (const topic of [PRESENCE_TOPIC, AGENT_CARD_TOPIC]) node.services.pubsub.subscribe(topic)
  const multiaddrs = node.getMultiaddrs().map(ma => ma.toString())
  return {
    node,
    multiaddrs,
    stop: async () => { await node.stop() }
  }
}
