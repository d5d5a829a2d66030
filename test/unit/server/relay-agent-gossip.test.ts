/**
 * The relay routes what agents publish (src/server/relay-agent-rules.ts):
 * agent manifests, guild records and Shapley split records reach a peer
 * attached to the same relay only through it, and only when they verify —
 * a manifest relayed by anyone but signed by its author, a guild every
 * member signed, a split signed by its publisher that recomputes. Forgeries
 * are dropped and counted by reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, utf8ToBytes } from '../../../src/core/index.ts'
import { AGENT_MANIFEST_TOPIC } from '../../../src/discovery/agent-manifest/index.ts'
import { signGuild } from '../../../src/economy/guild/index.ts'
import { signSplitRecord } from '../../../src/economy/shapley/index.ts'
import type { SplitGame } from '../../../src/economy/shapley/index.ts'
import { GUILD_TOPIC, SPLIT_TOPIC } from '../../../src/orchestration/guilds/index.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { signed as signedManifest } from '../discovery/agent-manifest/fixtures.ts'
import { DAY, cast, guildFields } from '../economy/guild/fixtures.ts'
import type { Cast } from '../economy/guild/fixtures.ts'
import { sleep, startGossipPeer, waitFor } from './relay-peers.ts'
import type { GossipPeer } from './relay-peers.ts'

const TOPICS = [AGENT_MANIFEST_TOPIC, GUILD_TOPIC, SPLIT_TOPIC]

const json = (value: unknown): Uint8Array => utf8ToBytes(JSON.stringify(value))

/** Two members filling a role each, a guild price of 600 µ: an exact split. */
function game (a: string, b: string): SplitGame {
  const [first, second] = a < b ? [a, b] : [b, a]
  return {
    value: 600,
    roles: [{ role: 'stats', substitutePrice: 500, source: 'card', evidence: null }, { role: 'zip', substitutePrice: 400, source: 'card', evidence: null }],
    members: [{ member: first, costs: [{ role: 'stats', cost: 3 }] }, { member: second, costs: [{ role: 'zip', cost: 2 }] }],
    synergies: []
  }
}

describe('the relay routes agent manifests, guilds and splits', () => {
  let relay: Relay
  let receiver: GossipPeer
  let c: Cast
  const peers: GossipPeer[] = []

  async function publisher (): Promise<GossipPeer> {
    const peer = await startGossipPeer(relay.multiaddrs[0] as string, [])
    peers.push(peer)
    await waitFor(() => TOPICS.every(t => peer.services.pubsub.getSubscribers(t).some(id => id.equals(relay.node.peerId))), 5000,
      'the publisher to see the relay subscribed')
    await sleep(250)
    return peer
  }

  const received = (topic: string): number => receiver.received.filter(m => m.topic === topic).length
  const drops = (topic: string): Record<string, number> => relay.stats().gossip.dropped[topic] ?? {}

  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    receiver = await startGossipPeer(relay.multiaddrs[0] as string, TOPICS)
    peers.push(receiver)
    c = await cast()
  }, 20_000)

  afterAll(async () => {
    await Promise.all(peers.map(async peer => { await peer.stop() }))
    await relay?.stop()
  })

  it('forwards a manifest relayed by another peer, and drops a tampered one', async () => {
    const relayer = await publisher()
    const manifest = await signedManifest(c.alice)
    await relayer.services.pubsub.publish(AGENT_MANIFEST_TOPIC, json(manifest))
    await waitFor(() => received(AGENT_MANIFEST_TOPIC) === 1, 10_000, 'the receiver to hear the manifest')
    await relayer.services.pubsub.publish(AGENT_MANIFEST_TOPIC, json({ ...manifest, description: 'Now says something else.' }))
    await relayer.services.pubsub.publish(AGENT_MANIFEST_TOPIC, utf8ToBytes('{"kind":"not a manifest"}'))
    await waitFor(() => (drops(AGENT_MANIFEST_TOPIC).forged ?? 0) === 1 && (drops(AGENT_MANIFEST_TOPIC).malformed ?? 0) === 1, 10_000, 'the drops')
    await sleep(1000)
    expect(received(AGENT_MANIFEST_TOPIC)).toBe(1)
  }, 30_000)

  it('forwards a guild every member signed, and drops one with a member\'s signature forged or one that expired', async () => {
    const member = await publisher()
    const now = Date.now()
    const guild = await signGuild(guildFields(c, { createdAt: now - 1000, expiresAt: now + DAY }), [c.alice, c.bob, c.carol])
    await member.services.pubsub.publish(GUILD_TOPIC, json(guild))
    await waitFor(() => received(GUILD_TOPIC) === 1, 10_000, 'the receiver to hear the guild')
    const forged = { ...guild, signatures: guild.signatures.map((s, i) => i === 1 ? { ...s, signature: guild.signatures[0]!.signature } : s) }
    await member.services.pubsub.publish(GUILD_TOPIC, json(forged))
    const expired = await signGuild(guildFields(c, { guildId: 'old-guild', createdAt: now - 2 * DAY, expiresAt: now - DAY }), [c.alice, c.bob, c.carol])
    await member.services.pubsub.publish(GUILD_TOPIC, json(expired))
    await waitFor(() => (drops(GUILD_TOPIC).forged ?? 0) === 1 && (drops(GUILD_TOPIC).stale ?? 0) === 1, 10_000, 'the drops')
    await sleep(1000)
    expect(received(GUILD_TOPIC)).toBe(1)
  }, 30_000)

  it('forwards a split its publisher signed that recomputes; drops one published by another and one that does not recompute', async () => {
    const submitter = await publisher()
    const init = {
      runId: 'wf-relay-split',
      budget: 600,
      game: game(c.alice.peerId.toString(), c.bob.peerId.toString()),
      signer: submitter.identity.peerId.toString(),
      publicKey: bytesToBase64Url(submitter.identity.publicKey),
      at: Date.now()
    }
    const record = await signSplitRecord(init, submitter.identity)
    await submitter.services.pubsub.publish(SPLIT_TOPIC, json(record))
    await waitFor(() => received(SPLIT_TOPIC) === 1, 10_000, 'the receiver to hear the split')
    // Someone else's record, valid, published as one's own.
    const other = await publisher()
    await other.services.pubsub.publish(SPLIT_TOPIC, json(record))
    // A share moved from one member to the other: the record no longer recomputes (or its signature breaks).
    const moved = { ...record, shares: record.shares.map((s, i) => i === 0 ? { ...s, share: s.share + 1, payment: s.payment + 1 } : { ...s, share: s.share - 1, payment: s.payment - 1 }) }
    await submitter.services.pubsub.publish(SPLIT_TOPIC, json(moved))
    await waitFor(() => (drops(SPLIT_TOPIC).forged ?? 0) === 2, 10_000, 'the two forged splits dropped')
    await sleep(1000)
    expect(received(SPLIT_TOPIC)).toBe(1)
  }, 30_000)
})
