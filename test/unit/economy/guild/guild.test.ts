import { beforeAll, describe, expect, it } from 'vitest'
import {
  GUILD_KIND, MAX_GUILD_BYTES, MAX_GUILD_CLOCK_SKEW_MS, assembleGuild, guildBody, guildHash, parseGuild, signGuildBody, verifyGuild
} from '../../../../src/economy/guild/index.ts'
import type { Guild, GuildFields } from '../../../../src/economy/guild/index.ts'
import { rejection, thrown } from '../../../support/rejection.ts'
import { DAY, T0, cast, guildFields, id, identity, key, makeGuild, catchError } from './fixtures.ts'
import type { Cast } from './fixtures.ts'

let c: Cast
let guild: Guild

beforeAll(async () => {
  c = await cast()
  guild = await makeGuild(c)
})

describe('guild records', () => {
  it('are signed by every member, in member order, survive JSON and verify within their life', () => {
    expect(guild.kind).toBe(GUILD_KIND)
    expect(guild.signatures.map(entry => entry.member)).toEqual([id(c.alice), id(c.bob), id(c.carol)])
    const received = JSON.parse(JSON.stringify(guild)) as unknown
    expect(verifyGuild(received, { now: T0 + DAY })).toEqual(guild)
    expect(guildHash(guild)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('are assembled from signatures made separately, in any order', async () => {
    const body = guildBody(guildFields(c))
    const signatures = [await signGuildBody(body, c.carol), await signGuildBody(body, c.alice), await signGuildBody(body, c.bob)]
    const assembled = assembleGuild(body, signatures)
    expect(verifyGuild(assembled, { now: T0 })).toEqual(guild)
  })

  it('refuse a record missing a member\'s signature, naming the member', async () => {
    const body = guildBody(guildFields(c))
    const partial = assembleGuild.bind(undefined, body, [await signGuildBody(body, c.alice), await signGuildBody(body, c.carol)])
    const missing = thrown(partial)
    expect(missing.name).toBe('GuildSignatureError')
    expect(missing.field).toBe('signatures.1')
    expect((catchError(partial) as { member?: string }).member).toBe(id(c.bob))
    // Cut from a signed record: the last member's signature dropped.
    const cut = { ...guild, signatures: guild.signatures.slice(0, 2) }
    expect((catchError(() => verifyGuild(cut, { now: T0 })) as { member?: string }).member).toBe(id(c.carol))
  })

  it('refuse a forged signature and a member added after signing, naming the member', async () => {
    // mallory signs in bob's place.
    const forged = { ...guild, signatures: guild.signatures.map((entry, i) => i === 1 ? { member: entry.member, signature: guild.signatures[0]!.signature } : entry) }
    const error = catchError(() => verifyGuild(forged, { now: T0 })) as Error & { member?: string, field?: string }
    expect(error.name).toBe('GuildSignatureError')
    expect(error.member).toBe(id(c.bob))
    expect(error.field).toBe('signatures.1')

    // Adding mallory (with her own valid signature) breaks everyone else's: they signed another member list.
    const body = guildBody({ ...guildFields(c), members: [...guildFields(c).members, { peerId: id(c.mallory), publicKey: key(c.mallory), agents: [], roles: ['eval'] }] })
    const malloryOnly = await signGuildBody(body, c.mallory)
    const grafted = { ...body, signatures: [...guild.signatures, malloryOnly] }
    const grafting = catchError(() => verifyGuild(grafted, { now: T0 })) as Error & { member?: string }
    expect(grafting.name).toBe('GuildSignatureError')
    expect(grafting.member).toBe(id(c.alice))

    // Tampering with any signed field.
    expect(thrown(() => verifyGuild({ ...guild, expiresAt: guild.expiresAt + DAY }, { now: T0 })).name).toBe('GuildSignatureError')
    expect(thrown(() => verifyGuild({ ...guild, name: 'Other' }, { now: T0 })).name).toBe('GuildSignatureError')
  })

  it('refuse a listed key that is not the member\'s own', async () => {
    const fields = guildFields(c)
    fields.members[2] = { ...fields.members[2]!, publicKey: key(c.mallory) }
    expect((await rejection(signGuildBody(guildBody(fields), c.carol))).name).toBe('GuildSignatureError')
    // mallory signs for carol's slot with her own key listed under carol's PeerId.
    const body = guildBody(fields)
    const sigs = [await signGuildBody(body, c.alice), await signGuildBody(body, c.bob)]
    const mallorySig = { member: id(c.carol), signature: (await signGuildBody(guildBody({ ...fields, members: [...fields.members.slice(0, 2), { ...fields.members[2]!, peerId: id(c.mallory) }] }), c.mallory)).signature }
    const error = catchError(() => verifyGuild({ ...body, signatures: [...sigs, mallorySig] }, { now: T0 })) as Error & { member?: string, field?: string }
    expect(error.name).toBe('GuildSignatureError')
    expect(error.field).toBe('members.2.publicKey')
    expect(error.member).toBe(id(c.carol))
  })

  it('will not be signed by a non-member', async () => {
    const error = await rejection(signGuildBody(guildBody(guildFields(c)), c.mallory))
    expect(error.name).toBe('GuildSignatureError')
    expect(error.member).toBe(id(c.mallory))
  })

  it('are valid from createdAt (with clock skew) until expiresAt', () => {
    expect(thrown(() => verifyGuild(guild, { now: guild.expiresAt })).name).toBe('GuildExpiredError')
    expect(verifyGuild(guild, { now: guild.expiresAt - 1 }).guildId).toBe(guild.guildId)
    expect(verifyGuild(guild, { now: T0 - MAX_GUILD_CLOCK_SKEW_MS }).guildId).toBe(guild.guildId)
    expect(thrown(() => verifyGuild(guild, { now: T0 - MAX_GUILD_CLOCK_SKEW_MS - 1 })).name).toBe('GuildNotYetValidError')
    expect(() => verifyGuild(guild, { now: Number.NaN })).toThrow(RangeError)
  })

  it('validate strictly, naming the field', () => {
    const bad = (change: Record<string, unknown>): { name: string, field?: string } => thrown(() => parseGuild({ ...guild, ...change }))
    expect(bad({ kind: 'zerostate/guild/2' })).toEqual({ name: 'InvalidGuildError', field: 'kind' })
    expect(bad({ guildId: 'has space' })).toEqual({ name: 'InvalidGuildError', field: 'guildId' })
    expect(bad({ name: '' })).toEqual({ name: 'InvalidGuildError', field: 'name' })
    expect(bad({ expiresAt: T0 })).toEqual({ name: 'InvalidGuildError', field: 'expiresAt' })
    expect(bad({ members: [] })).toEqual({ name: 'InvalidGuildError', field: 'members' })
    expect(bad({ extra: 1 })).toEqual({ name: 'InvalidGuildError', field: 'extra' })
    const members = guild.members.map(member => ({ ...member }))
    expect(bad({ members: [members[0], members[0], members[2]] })).toEqual({ name: 'InvalidGuildError', field: 'members.1.peerId' })
    expect(bad({ members: [members[0], { ...members[1], roles: [] }, members[2]] })).toEqual({ name: 'InvalidGuildError', field: 'members.1.roles' })
    expect(bad({ members: [members[0], { ...members[1], roles: ['train', 'train'] }, members[2]] })).toEqual({ name: 'InvalidGuildError', field: 'members.1.roles' })
    expect(bad({ members: [members[0], { ...members[1], roles: ['has space'] }, members[2]] })).toEqual({ name: 'InvalidGuildError', field: 'members.1.roles' })
    expect(bad({ members: [members[0], { ...members[1], peerId: 'bob' }, members[2]] })).toEqual({ name: 'InvalidGuildError', field: 'members.1.peerId' })
    expect(bad({ members: [members[0], { ...members[1], agents: 'trainer' }, members[2]] })).toEqual({ name: 'InvalidGuildError', field: 'members.1.agents' })
    expect(bad({ signatures: [...guild.signatures, guild.signatures[0]] })).toEqual({ name: 'InvalidGuildError', field: 'signatures.3' })
    expect(bad({ signatures: [guild.signatures[1], guild.signatures[0], guild.signatures[2]] })).toEqual({ name: 'GuildSignatureError', field: 'signatures.0' })
  })

  it('refuse a record above the size limit before reading it', async () => {
    const huge = { ...guild, name: 'x'.repeat(MAX_GUILD_BYTES) }
    expect(thrown(() => parseGuild(huge)).name).toBe('GuildTooLargeError')
    // Full lists of agents and roles: three members fit, ten do not (the bytes, not the member count, bound it).
    const full = async (n: number): Promise<GuildFields['members']> => Promise.all(Array.from({ length: n }, async (_, m) => {
      const member = await identity(20 + m)
      return {
        peerId: id(member),
        publicKey: key(member),
        agents: Array.from({ length: 16 }, (_, k) => `${k}`.padEnd(128, 'a')),
        roles: Array.from({ length: 32 }, (_, k) => `${k}`.padEnd(128, 'r'))
      }
    }))
    expect(guildBody(guildFields(c, { members: await full(3) })).members).toHaveLength(3)
    const ten = await full(10)
    expect(thrown(() => guildBody(guildFields(c, { members: ten }))).name).toBe('GuildTooLargeError')
  })
})
