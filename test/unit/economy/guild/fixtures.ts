import { bytesToBase64Url, sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { guildHash, signGuild, signGuildBid } from '../../../../src/economy/guild/index.ts'
import type { Guild, GuildBid, GuildBidFields, GuildFields, ReputationView } from '../../../../src/economy/guild/index.ts'

export const T0 = 1_767_225_600_000
export const DAY = 24 * 60 * 60 * 1000
export const RUN_ID = 'wf-01J9Z3K6QX'
export const SPEC_HASH = sha256Hex(utf8ToBytes('name: detect-and-archive\n'))

/** A deterministic identity per n. */
export async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + n * 17 + 3) & 0xff))
}

export const id = (p: PeerIdentity): string => p.peerId.toString()
export const key = (p: PeerIdentity): string => bytesToBase64Url(p.publicKey)

/** alice fetches, bob trains, carol evaluates; dave runs the same steps outside the guild. */
export interface Cast {
  alice: PeerIdentity
  bob: PeerIdentity
  carol: PeerIdentity
  dave: PeerIdentity
  erin: PeerIdentity
  mallory: PeerIdentity
}

export async function cast (): Promise<Cast> {
  return {
    alice: await identity(1),
    bob: await identity(2),
    carol: await identity(3),
    dave: await identity(4),
    erin: await identity(5),
    mallory: await identity(9)
  }
}

export function guildFields (c: Cast, overrides: Partial<GuildFields> = {}): GuildFields {
  return {
    guildId: 'guild-ml-01',
    name: 'Fetch, train & eval',
    members: [
      { peerId: id(c.alice), publicKey: key(c.alice), agents: ['fetcher'], roles: ['fetch'] },
      { peerId: id(c.bob), publicKey: key(c.bob), agents: ['trainer', 'tuner'], roles: ['train', 'eval'] },
      { peerId: id(c.carol), publicKey: key(c.carol), agents: [], roles: ['eval'] }
    ],
    createdAt: T0,
    expiresAt: T0 + 30 * DAY,
    ...overrides
  }
}

export async function makeGuild (c: Cast, overrides: Partial<GuildFields> = {}): Promise<Guild> {
  return signGuild(guildFields(c, overrides), [c.alice, c.bob, c.carol])
}

/** The workflow's steps and their roles. */
export const STEPS = [{ step: 'fetch', role: 'fetch' }, { step: 'train', role: 'train' }, { step: 'eval', role: 'eval' }]

export function bidFields (c: Cast, guild: Guild, overrides: Partial<GuildBidFields> = {}): GuildBidFields {
  return {
    guildId: guild.guildId,
    guildHash: guildHash(guild),
    runId: RUN_ID,
    specHash: SPEC_HASH,
    lead: id(c.alice),
    price: 5_000_000,
    expectedMs: 60_000,
    steps: [
      { step: 'fetch', role: 'fetch', member: id(c.alice), price: 1_000_000 },
      { step: 'train', role: 'train', member: id(c.bob), price: 3_000_000 },
      { step: 'eval', role: 'eval', member: id(c.carol), price: 1_000_000 }
    ],
    at: T0 + 1_000,
    publicKey: key(c.alice),
    ...overrides
  }
}

export async function makeBid (c: Cast, guild: Guild, overrides: Partial<GuildBidFields> = {}, signer: PeerIdentity = c.alice): Promise<GuildBid> {
  return signGuildBid(bidFields(c, guild, overrides), signer)
}

/** A reputation view over fixed scores (0.5 for anyone not listed) and a blacklist. */
export function reputationOf (scores: Record<string, number> = {}, blacklisted: readonly string[] = []): ReputationView {
  return {
    score: peerId => scores[peerId] ?? 0.5,
    isBlacklisted: peerId => blacklisted.includes(peerId)
  }
}

/** The error `fn` throws, with whatever properties it carries (`member`, `field`, `step`); fails the test if it returns. */
export function catchError (fn: () => unknown): Error & { field?: string, member?: string | null, step?: string } {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}
