/**
 * Helpers of the attack bench (attack.ts): summaries, a newcomer that times
 * its way into the relay, a writer of raw gossipsub frames straight to the
 * relay (so one connection can publish for many identities, as a flood of
 * Agent Cards needs: 100 real gossip peers would pass the relay's 64
 * connections per address), and valid signed Agent Cards. Loopback only;
 * every load is bounded by its caller.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import { lpStream } from '@libp2p/utils'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { utf8ToBytes } from '../../src/core/index.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { signAgentCard } from '../../src/discovery/index.ts'
import { exampleFields } from '../unit/discovery/fixtures.ts'

export const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export interface Summary {
  n: number
  median: number
  p99: number
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

export function summarise (samples: number[]): Summary {
  const sorted = [...samples].sort((x, y) => x - y)
  return { n: sorted.length, median: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

/** The gossipsub protocol the relay and the tabs speak. */
const GOSSIPSUB_PROTOCOL = '/meshsub/1.1.0'

export interface RelayGossipWriter {
  /** Writes `messages` to the relay in one gossipsub RPC frame. */
  send(messages: RPC.Message[]): Promise<void>
  stop(): Promise<void>
}

/**
 * A Node peer connected to the relay directly (websocket, no circuit, so no
 * relayed-data limit) that writes raw gossipsub frames to it: the relay
 * validates each message by its author, whoever sends it, and forwards what
 * passes to the tabs.
 */
export async function startRelayGossipWriter (relayAddr: string): Promise<RelayGossipWriter> {
  const node = await createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  try {
    const stream = await node.dialProtocol(multiaddr(relayAddr), GOSSIPSUB_PROTOCOL)
    const writer = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 })
    return {
      async send (messages) {
        await writer.write(RPC.encode({ subscriptions: [], messages }))
      },
      async stop () {
        await node.stop()
      }
    }
  } catch (err) {
    await node.stop()
    throw err
  }
}

/** A valid Agent Card of `identity`, signed now, as JSON bytes (what a contributing tab publishes). */
export async function agentCardBytes (identity: PeerIdentity, sequence: number): Promise<Uint8Array> {
  const now = Date.now()
  const card = await signAgentCard(exampleFields(identity, { issuedAt: now, expiresAt: now + 5 * 60_000, sequence }), identity)
  return utf8ToBytes(JSON.stringify(card))
}
