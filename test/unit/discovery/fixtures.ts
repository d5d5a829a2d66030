import type { GossipSub } from '@libp2p/gossipsub'
import { bytesToBase64Url, bytesToUtf8, sha256Hex } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { parseAgentCard, signAgentCard } from '../../../src/discovery/index.ts'
import type { AgentCard, AgentCardFields } from '../../../src/discovery/index.ts'

const enc = new TextEncoder()

/** Fixed seeds so the example card in docs/agent-card.md is reproducible. */
export const PEER_SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
export const OTHER_SEED = Uint8Array.from({ length: 32 }, (_, i) => 0xff - i)

/** 2026-01-01T00:00:00Z, the example's signing time. */
export const ISSUED_AT = 1767225600000
export const TTL_MS = 5 * 60_000

export async function peer (): Promise<PeerIdentity> {
  return createIdentity(PEER_SEED)
}

export async function otherPeer (): Promise<PeerIdentity> {
  return createIdentity(OTHER_SEED)
}

/** The example card's fields: a sentiment/text-stats worker. */
export function exampleFields (identity: PeerIdentity, overrides: Partial<AgentCardFields> = {}): AgentCardFields {
  return {
    cardVersion: 1,
    name: 'Ada\'s laptop',
    description: 'Spare cores for text analysis, while this tab is open.',
    version: '0.4.0',
    skills: [
      { id: 'sentiment', name: 'Sentiment analysis', description: 'Scores text from −1 to 1.', tags: ['nlp', 'text', 'classification'] },
      { id: 'text-stats', name: 'Text statistics', description: 'Counts lines, words and bytes.', tags: ['text', 'wc'] }
    ],
    peerId: identity.peerId.toString(),
    publicKey: bytesToBase64Url(identity.publicKey),
    issuedAt: ISSUED_AT,
    expiresAt: ISSUED_AT + TTL_MS,
    sequence: ISSUED_AT,
    workerSlots: 4,
    memoryLimitBytes: 256 * 2 ** 20,
    benchmark: { fuelPerMs: 180000, reference: sha256Hex(enc.encode('bench/primes.wasm')) },
    prices: { perMegaFuel: 250, perSecond: 1000, perMb: 10 },
    warmModules: [sha256Hex(enc.encode('sentiment.wasm')), sha256Hex(enc.encode('text-stats.wasm'))],
    availability: { visible: true, charging: true, battery: 0.8 },
    ...overrides
  }
}

export async function signedExample (overrides: Partial<AgentCardFields> = {}): Promise<AgentCard> {
  const identity = await peer()
  return signAgentCard(exampleFields(identity, overrides), identity)
}

/** The error `fn` throws; fails the test if it returns. */
export function thrown (fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn()
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected an exception')
}

/**
 * The part of gossipsub an AgentCardService uses, standing in for it: every
 * card the service publishes reaches `identity` itself, and lands in `sent`,
 * parsed, in the order published.
 */
export function cardPubsub (identity: Pick<PeerIdentity, 'peerId'>): { pubsub: GossipSub, sent: AgentCard[] } {
  const sent: AgentCard[] = []
  const pubsub = Object.assign(new EventTarget(), {
    topicValidators: new Map(),
    subscribe: () => {},
    unsubscribe: () => {},
    getSubscribers: () => [identity.peerId],
    publish: async (_topic: string, data: Uint8Array) => {
      sent.push(parseAgentCard(JSON.parse(bytesToUtf8(data))))
      return { recipients: [identity.peerId] }
    }
  })
  return { pubsub: pubsub as unknown as GossipSub, sent }
}
