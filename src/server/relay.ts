import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import type { TopicScoreParams } from '@libp2p/gossipsub/score'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { noopLogger } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import {
  DEFAULT_INBOUND_CONNECTIONS_PER_SECOND_PER_ADDRESS, DEFAULT_INBOUND_UPGRADE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_RESERVATIONS, DEFAULT_MAX_RESERVATIONS_PER_ADDRESS, DEFAULT_RESERVATION_TTL_MS, SCORE_FIRST_DELIVERY_CAP,
  SCORE_FIRST_DELIVERY_DECAY, SCORE_FIRST_DELIVERY_WEIGHT, SCORE_GOSSIP_THRESHOLD, SCORE_GRAYLIST_THRESHOLD,
  SCORE_INVALID_MESSAGE_DECAY, SCORE_INVALID_MESSAGE_WEIGHT, SCORE_IP_COLOCATION_WEIGHT, SCORE_PUBLISH_THRESHOLD, SCORE_RETAIN_MS,
  SCORE_TIME_IN_MESH_CAP, SCORE_TIME_IN_MESH_QUANTUM_MS, SCORE_TIME_IN_MESH_WEIGHT, WEBSOCKET_HANDSHAKE_TIMEOUT_MS
} from './constants.ts'
import { RelayGate } from './relay-gate.ts'
import type { RelayGateStats } from './relay-gate.ts'
import { MeshFiguresBoard } from '../receipts/mesh-figures/index.ts'
import type { MeshFigures } from '../receipts/mesh-figures/index.ts'
import { RelayGossipValidators, agentCardRule, meshFiguresRule, presenceRule } from './relay-validators.ts'
import { agentManifestRule, guildRule, splitRule } from './relay-agent-rules.ts'
import type { GossipStats } from './relay-validators.ts'
import { RelayPeering } from './relay-peering.ts'
import type { RelayPeerView } from './relay-peering.ts'

/** Every limit is optional; the defaults, and why, are in ./constants.ts. */
export interface RelayInit {
  /** Interface to listen on; only loopback is reachable by the browser tests. */
  host: string
  port: number
  /** The relay's identity; a new one each start when omitted. */
  privateKey?: PrivateKey
  /** How many tabs may hold a reservation at once (default DEFAULT_MAX_RESERVATIONS, 512). */
  maxReservations?: number
  /** Reservations held by peers of one address (default DEFAULT_MAX_RESERVATIONS_PER_ADDRESS, 32). */
  maxReservationsPerAddress?: number
  /** How long a reservation lasts unless refreshed (default DEFAULT_RESERVATION_TTL_MS, 15 min). */
  reservationTtlMs?: number
  /** Connections open at once (default DEFAULT_MAX_CONNECTIONS, 1024). */
  maxConnections?: number
  /** Connections open or pending from one address (default DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 64). */
  maxConnectionsPerAddress?: number
  /** Connections in their upgrade at once (default DEFAULT_MAX_PENDING_CONNECTIONS, 256). */
  maxPendingConnections?: number
  /** Connections in their upgrade at once from one address (default DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS, 16). */
  maxPendingConnectionsPerAddress?: number
  /** Time an inbound connection has to finish noise and yamux (default DEFAULT_INBOUND_UPGRADE_TIMEOUT_MS, 5 s). */
  inboundUpgradeTimeoutMs?: number
  /** New connections one address may open per second (default DEFAULT_INBOUND_CONNECTIONS_PER_SECOND_PER_ADDRESS, 20). */
  inboundConnectionsPerSecondPerAddress?: number
  /** Where dropped gossip, refused connections and reservations are reported; default: nowhere. */
  logger?: Logger
  /**
   * Relays of the same mesh to peer with (multiaddrs ending in /p2p/<id>): held
   * connections and gossipsub direct peering (relay-peering.ts). More can be
   * added once started, with `peerWith`. At most MAX_RELAY_PEERS.
   */
  peerRelays?: string[]
  /**
   * The relay's gossipsub mesh degree per topic (gossipsub v1.0 spec D, D_lo,
   * D_hi); default gossipsub's 6, 4, 12. A tab on this relay and no other peer
   * hears a message eagerly only while in the relay's mesh, and otherwise by
   * lazy gossip (IHAVE, to a quarter of the others per heartbeat); raising D_hi
   * towards the number of tabs makes the relay push to every tab that grafts
   * it, at the cost of sending each message to all of them
   * (`npm run bench:relay -- --relay-mesh N` measures both).
   */
  gossipMesh?: { D: number, Dlo: number, Dhi: number }
}

/** What the relay holds and what it refused, for tests and metrics. */
export interface RelayStats extends RelayGateStats {
  /** Reservations held now. */
  reservations: number
  gossip: GossipStats
}

export type RelayNode = Libp2p<{ relay: CircuitRelayService, pubsub: GossipSub }>

export interface Relay {
  node: RelayNode
  /** Dialable websocket multiaddrs including /p2p/<relay id>. */
  multiaddrs: string[]
  stats(): RelayStats
  /**
   * Calls `listener` with each report of mesh figures the relay took (checked,
   * newer than what it held of that peer); returns the unsubscribe.
   * RelayMetrics sums them (docs/metrics.md "Mesh figures").
   */
  onMeshFigures(listener: (figures: MeshFigures) => void): () => void
  /** Peers with more relays of the mesh (see RelayInit.peerRelays); ones already peered, and this relay itself, are skipped. */
  peerWith(addrs: string[]): void
  /** The relays this one peers with, and whether each is connected now. */
  relayPeers(): RelayPeerView[]
  stop(): Promise<void>
}

/** Scoring of a routed topic: P1, P2 and P4 on; P3 and P3b off (see ./constants.ts). */
function topicScore (): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: SCORE_TIME_IN_MESH_WEIGHT,
    timeInMeshQuantum: SCORE_TIME_IN_MESH_QUANTUM_MS,
    timeInMeshCap: SCORE_TIME_IN_MESH_CAP,
    firstMessageDeliveriesWeight: SCORE_FIRST_DELIVERY_WEIGHT,
    firstMessageDeliveriesDecay: SCORE_FIRST_DELIVERY_DECAY,
    firstMessageDeliveriesCap: SCORE_FIRST_DELIVERY_CAP,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: SCORE_INVALID_MESSAGE_WEIGHT,
    invalidMessageDeliveriesDecay: SCORE_INVALID_MESSAGE_DECAY
  })
}

/**
 * The companion bootstrap node: a websocket listener that tabs can reach
 * before they know anyone, a circuit relay v2 server through which they reserve
 * a slot and signal WebRTC, and a gossipsub router for the presence, Agent
 * Card and mesh figures topics. It does not run tasks.
 *
 * It is public, so it bounds what anyone can make it hold: connections being
 * upgraded, and connections and reservations per remote address (RelayGate);
 * reservations end with their peer's connection; gossip is checked before it is
 * forwarded (RelayGossipValidators), and peers are scored per topic rather
 * than per IP address, since tabs share NATs.
 *
 * The relays of one mesh peer with each other (relay-peering.ts), so tabs
 * attached to different relays hear each other's presence and cards.
 *
 * Relayed connections keep the server's default data/duration limits on
 * purpose: tabs tell a relayed connection from a direct one by its `limits`,
 * and only use the relay to meet and to fall back.
 */
export async function startRelay (init: RelayInit): Promise<Relay> {
  const logger = init.logger ?? noopLogger
  const maxPendingConnections = init.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS
  const maxPendingConnectionsPerAddress = init.maxPendingConnectionsPerAddress ?? DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS
  const maxReservations = init.maxReservations ?? DEFAULT_MAX_RESERVATIONS
  const gate = new RelayGate({
    maxPendingConnections,
    maxPendingConnectionsPerAddress,
    maxConnectionsPerAddress: init.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    maxReservationsPerAddress: init.maxReservationsPerAddress ?? DEFAULT_MAX_RESERVATIONS_PER_ADDRESS,
    maxReservations,
    logger
  })
  // The relay's own memory of each peer's figures: what its validator tells replays by (the sums are the metrics').
  const figuresListeners = new Set<(figures: MeshFigures) => void>()
  const figuresRule = meshFiguresRule(new MeshFiguresBoard(), figures => {
    for (const listener of figuresListeners) listener(figures)
  })
  const validators = new RelayGossipValidators({ rules: [presenceRule(), agentCardRule(), figuresRule, agentManifestRule(), guildRule(), splitRule()], logger })
  const node: RelayNode = await createLibp2p({
    ...(init.privateKey == null ? {} : { privateKey: init.privateKey }),
    addresses: {
      listen: [`/ip4/${init.host}/tcp/${init.port}/ws`]
    },
    // A socket that stalls in its HTTP upgrade request is closed (Node's defaults: 60 s and 300 s).
    transports: [webSockets({ http: { headersTimeout: WEBSOCKET_HANDSHAKE_TIMEOUT_MS, requestTimeout: WEBSOCKET_HANDSHAKE_TIMEOUT_MS } })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gate.gater,
    connectionManager: {
      maxConnections: init.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      // libp2p refuses newcomers at its own cap; the gate makes room before it is reached, with one address's worth of headroom
      // for evicted connections whose upgrade has not yet noticed.
      maxIncomingPendingConnections: maxPendingConnections + maxPendingConnectionsPerAddress,
      inboundUpgradeTimeout: init.inboundUpgradeTimeoutMs ?? DEFAULT_INBOUND_UPGRADE_TIMEOUT_MS,
      inboundConnectionThreshold: init.inboundConnectionsPerSecondPerAddress ?? DEFAULT_INBOUND_CONNECTIONS_PER_SECOND_PER_ADDRESS
    },
    services: {
      identify: identify(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations,
          reservationTtl: init.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS
        }
      }),
      pubsub: gossipsub({
        ...init.gossipMesh,
        allowPublishToZeroTopicPeers: true,
        canRelayMessage: true,
        scoreParams: {
          IPColocationFactorWeight: SCORE_IP_COLOCATION_WEIGHT,
          retainScore: SCORE_RETAIN_MS,
          topics: Object.fromEntries(validators.topics().map(topic => [topic, topicScore()]))
        },
        scoreThresholds: {
          gossipThreshold: SCORE_GOSSIP_THRESHOLD,
          publishThreshold: SCORE_PUBLISH_THRESHOLD,
          graylistThreshold: SCORE_GRAYLIST_THRESHOLD
        }
      })
    }
  })
  gate.attach(node)
  validators.install(node.services.pubsub)
  // The relay forwards gossip between tabs that are not (yet) directly connected.
  for (const topic of validators.topics()) node.services.pubsub.subscribe(topic)
  const multiaddrs = node.getMultiaddrs().map(ma => ma.toString())
  const peering = new RelayPeering(node, { logger })
  try {
    peering.add(init.peerRelays ?? [])
  } catch (err) {
    await node.stop()
    throw err
  }
  peering.start()
  return {
    node,
    multiaddrs,
    stats: () => ({ ...gate.stats(), reservations: node.services.relay.reservations.size, gossip: validators.stats() }),
    onMeshFigures: listener => {
      figuresListeners.add(listener)
      return () => { figuresListeners.delete(listener) }
    },
    peerWith: addrs => { peering.add(addrs) },
    relayPeers: () => peering.view(),
    stop: async () => {
      peering.stop()
      gate.detach()
      validators.uninstall(node.services.pubsub)
      await node.stop()
    }
  }
}
