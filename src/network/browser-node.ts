import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub, GossipsubOpts } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import { isPrivate } from '@libp2p/utils'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Metrics } from '../core/index.ts'
import { DIAL_TIMEOUT_MS, GOSSIP_IP_COLOCATION_WEIGHT } from './constants.ts'
import { libp2pMetrics } from './libp2p-metrics.ts'

export type BrowserNode = Libp2p<{ identify: Identify, pubsub: GossipSub }>

export interface BrowserNodeInit {
  privateKey: PrivateKey
  /** The relays this page was given by the server it was loaded from. */
  relayAddrs: string[]
  /**
   * ICE servers for WebRTC. Empty works between tabs on one host or LAN; a
   * public deployment wants STUN/TURN here.
   */
  iceServers?: RTCIceServer[]
  /**
   * Asked for every inbound connection from a peer: false refuses it (the tab
   * is at its connection budget). Relays are never asked: tabs dial them.
   */
  acceptsInbound?(peerId: string): boolean
  /**
   * Where libp2p's own metrics go, read every second (libp2p-metrics.ts):
   * bytes in/out per protocol and transport, connections per transport,
   * streams per protocol. None: libp2p collects none.
   */
  metrics?: Metrics
}

/** A tab's (and a Node peer's) gossipsub options. */
export function meshGossipsubInit (): Partial<GossipsubOpts> {
  return {
    allowPublishToZeroTopicPeers: true,
    // Relayed connections are how tabs first meet; gossip must work on them.
    runOnLimitedConnection: true,
    scoreParams: { IPColocationFactorWeight: GOSSIP_IP_COLOCATION_WEIGHT }
  }
}

/**
 * A tab's libp2p node: reaches relays over websockets, reserves a circuit
 * relay slot so others can reach it, and upgrades to direct WebRTC.
 */
export async function createBrowserNode (init: BrowserNodeInit): Promise<BrowserNode> {
  return createLibp2p({
    privateKey: init.privateKey,
    start: false,
    addresses: {
      listen: ['/p2p-circuit', '/webrtc']
    },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: { iceServers: init.iceServers ?? [] } }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      ...relayScopedGater(init.relayAddrs),
      // Both stages: relayed connections are encrypted by noise, WebRTC ones only reach the upgraded stage.
      denyInboundEncryptedConnection: (peerId) => !(init.acceptsInbound?.(peerId.toString()) ?? true),
      denyInboundUpgradedConnection: (peerId) => !(init.acceptsInbound?.(peerId.toString()) ?? true)
    },
    connectionManager: {
      dialTimeout: DIAL_TIMEOUT_MS
    },
    ...(init.metrics === undefined ? {} : { metrics: libp2pMetrics({ metrics: init.metrics }) }),
    services: {
      identify: identify(),
      pubsub: gossipsub(meshGossipsubInit())
    }
  })
}

/**
 * The browser's default gater refuses plain ws:// and private addresses, which
 * is right for the open internet but would also refuse a relay on loopback or
 * a LAN. Allow exactly the relays this page was handed (and circuits through
 * them); keep the defaults for everything else.
 */
export function relayScopedGater (relayAddrs: string[]): { denyDialMultiaddr(ma: Multiaddr): boolean } {
  const relays = relayAddrs.map(addr => addr.replace(/\/p2p\/[^/]+$/, ''))
  return {
    denyDialMultiaddr: (ma) => {
      const addr = ma.toString()
      if (relays.some(relay => addr === relay || addr.startsWith(`${relay}/`))) {
        return false
      }
      if (WebSockets.matches(ma)) {
        return true
      }
      return isPrivate(ma)
    }
  }
}
