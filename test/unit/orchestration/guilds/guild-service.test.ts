/**
 * Guilds between real libp2p nodes (websockets, noise, yamux, gossipsub):
 * formed by invitation — every member signs, or there is no guild —, known
 * by every peer from the topic (a forged record reaches no one), and bid for
 * a workflow run by a member, verified against the guild and the request.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { awardWorkflow, guildHash, signGuild } from '../../../../src/economy/guild/index.ts'
import type { Guild } from '../../../../src/economy/guild/index.ts'
import { GUILD_TOPIC, guildService } from '../../../../src/orchestration/guilds/index.ts'
import type { GuildBidRequest, GuildQuote, GuildService } from '../../../../src/orchestration/guilds/index.ts'
import { gossipStats } from '../../../../src/network/topic-channel.ts'
import { startGossipNode, waitFor } from '../../../support/gossip-node.ts'
import type { GossipNode } from '../../../support/gossip-node.ts'
import { rejection } from '../../../support/rejection.ts'

interface TestPeer { identity: PeerIdentity, id: string, node: GossipNode, guilds: GuildService, invites: string[] }

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startPeer (policy: { accept?: boolean, quote?: (request: GuildBidRequest, guild: Guild) => GuildQuote | undefined } = {}): Promise<TestPeer> {
  const identity = await createIdentity()
  const node = await startGossipNode(identity)
  const invites: string[] = []
  const guilds = guildService({
    acceptInvite: (guild, from) => { invites.push(`${guild.guildId} from ${from}`); return policy.accept ?? false },
    quote: policy.quote
  })({ identity, registrar: node, pubsub: node.services.pubsub, connectionTo: async peer => node.dial(peerIdFromString(peer)) })
  await guilds.start()
  cleanups.push(async () => { await guilds.stop(); await node.stop() })
  return { identity, id: identity.peerId.toString(), node, guilds, invites }
}

async function link (a: TestPeer, b: TestPeer): Promise<void> {
  await b.node.dial(a.node.getMultiaddrs()[0]!)
}

const SPEC_HASH = sha256Hex(utf8ToBytes('version: 1'))
const STEPS = [{ step: 'fetch', role: 'fetcher' }, { step: 'summarise', role: 'summariser' }]

/** A quote that gives each step to the first member listing its role, at `price` each. */
function quoteEach (price: number): (request: GuildBidRequest, guild: Guild) => GuildQuote {
  return (request, guild) => ({
    steps: request.steps.map(step => ({ ...step, member: guild.members.find(member => member.roles.includes(step.role))!.peerId, price })),
    expectedMs: 1000
  })
}

describe('forming a guild', () => {
  it('collects every member\'s signature, then every peer knows the guild from the topic', async () => {
    const [lead, member, watcher] = await Promise.all([startPeer(), startPeer({ accept: true, quote: quoteEach(40) }), startPeer()])
    await link(lead, member)
    await link(lead, watcher)
    await waitFor(() => lead.node.services.pubsub.getSubscribers(GUILD_TOPIC).length === 2, 'both peers to subscribe')
    const guild = await lead.guilds.form({
      guildId: 'scribes',
      name: 'The scribes',
      members: [{ peerId: lead.id, agents: ['fetch'], roles: ['fetcher'] }, { peerId: member.id, agents: ['summary'], roles: ['summariser'] }],
      ttlMs: 60_000
    })
    expect(guild.signatures.map(entry => entry.member)).toEqual([lead.id, member.id])
    expect(member.invites).toEqual([`scribes from ${lead.id}`])
    expect(lead.guilds.own()).toEqual([guild])
    await waitFor(() => watcher.guilds.known().length === 1 && member.guilds.own().length === 1, 'the guild to reach the others')
    expect(guildHash(watcher.guilds.known()[0]!)).toBe(guildHash(guild))
    expect(watcher.guilds.own()).toEqual([])
  })

  it('fails, naming the member, when one declines; nothing is published', async () => {
    const [lead, refuser, watcher] = await Promise.all([startPeer(), startPeer({ accept: false }), startPeer()])
    await link(lead, refuser)
    await link(lead, watcher)
    const failure = await rejection(lead.guilds.form({
      guildId: 'nope',
      name: 'Nope',
      members: [{ peerId: lead.id, agents: [], roles: ['a'] }, { peerId: refuser.id, agents: [], roles: ['b'] }],
      ttlMs: 60_000
    }))
    expect(failure.name).toBe('GuildInviteDeclinedError')
    expect(failure.member).toBe(refuser.id)
    expect(failure.message).toContain('declines')
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(lead.guilds.known()).toEqual([])
    expect(watcher.guilds.known()).toEqual([])
  })

  it('refuses on the topic a guild record with a forged member signature', async () => {
    const [a, b] = await Promise.all([startPeer(), startPeer()])
    await link(a, b)
    await waitFor(() => a.node.services.pubsub.getSubscribers(GUILD_TOPIC).length === 1, 'b to subscribe')
    const stranger = await createIdentity()
    const now = Date.now()
    const guild = await signGuild({
      guildId: 'forged',
      name: 'Forged',
      members: [
        { peerId: a.id, publicKey: keyOf(a.identity), agents: [], roles: ['x'] },
        { peerId: stranger.peerId.toString(), publicKey: keyOf(stranger), agents: [], roles: ['y'] }
      ],
      createdAt: now,
      expiresAt: now + 60_000
    }, [a.identity, stranger])
    // The stranger's signature replaced by a's: the record claims a member who never signed.
    const forged = { ...guild, signatures: [guild.signatures[0]!, { member: stranger.peerId.toString(), signature: guild.signatures[0]!.signature }] }
    await a.node.services.pubsub.publish(GUILD_TOPIC, utf8ToBytes(JSON.stringify(forged)))
    await waitFor(() => (gossipStats(b.node.services.pubsub)[GUILD_TOPIC]?.rejected.GuildSignatureError ?? 0) === 1, 'b to reject the forged guild')
    expect(b.guilds.known()).toEqual([])
  })
})

describe('guild bids for a workflow run', () => {
  it('a member bids; the bid verifies, and the award picks the guild when it is cheaper than the steps apart', async () => {
    const [submitter, lead, member] = await Promise.all([startPeer(), startPeer({ quote: quoteEach(40) }), startPeer({ accept: true, quote: quoteEach(40) })])
    await link(lead, member)
    await link(lead, submitter)
    await link(member, submitter)
    await lead.guilds.form({
      guildId: 'scribes',
      name: 'The scribes',
      members: [{ peerId: lead.id, agents: [], roles: ['fetcher'] }, { peerId: member.id, agents: [], roles: ['summariser'] }],
      ttlMs: 60_000
    })
    await waitFor(() => submitter.guilds.known().length === 1, 'the submitter to learn the guild')
    const call = { runId: 'run_1', specHash: SPEC_HASH, steps: STEPS, budget: 1000, deadline: Date.now() + 5000 }
    const { offers, declined } = await submitter.guilds.requestBids(call)
    expect(declined).toEqual([])
    expect(offers).toHaveLength(1)
    expect(offers[0]!.bid).toMatchObject({ runId: 'run_1', lead: lead.id, price: 80 })
    const stepOffers = [{ step: 'fetch', bidder: 'x', price: 60, expectedMs: 500 }, { step: 'summarise', bidder: 'y', price: 60, expectedMs: 500 }]
    const { award } = awardWorkflow({ ...call }, offers, stepOffers.map(offer => ({ ...offer, bidder: member.id })),
      { score: () => 0.5, isBlacklisted: () => false }, { reputationFloor: 0.3, now: Date.now() })
    expect(award?.guild?.guildId).toBe('scribes')
    expect(award?.price).toBe(80)
  })

  it('a member that does not quote, a request over budget, and a peer outside the guild decline', async () => {
    const [submitter, lead, member] = await Promise.all([startPeer(), startPeer(), startPeer({ accept: true })])
    await link(lead, member)
    await link(lead, submitter)
    await link(member, submitter)
    const guild = await lead.guilds.form({
      guildId: 'quiet',
      name: 'Quiet',
      members: [{ peerId: lead.id, agents: [], roles: ['fetcher'] }, { peerId: member.id, agents: [], roles: ['summariser'] }],
      ttlMs: 60_000
    })
    await waitFor(() => submitter.guilds.known().length === 1, 'the submitter to learn the guild')
    const { offers, declined } = await submitter.guilds.requestBids({ runId: 'run_2', specHash: SPEC_HASH, steps: STEPS, budget: 1000, deadline: Date.now() + 5000 })
    expect(offers).toEqual([])
    expect(declined).toEqual([{ guildId: 'quiet', guildHash: guildHash(guild), reason: expect.stringContaining('GuildBidDeclinedError') }])
    // Roles nobody in the guild lists: the guild is not even asked.
    expect(await submitter.guilds.requestBids({ runId: 'run_3', specHash: SPEC_HASH, steps: [{ step: 's', role: 'painter' }], budget: 1, deadline: Date.now() + 5000 }))
      .toEqual({ offers: [], declined: [] })
  })
})

function keyOf (identity: PeerIdentity): string {
  return Buffer.from(identity.publicKey).toString('base64url')
}
