import { beforeAll, describe, expect, it } from 'vitest'
import { GUILD_BID_KIND, guildBidHash, guildHash, parseGuildBid, verifyGuildBid } from '../../../../src/economy/guild/index.ts'
import type { Guild, GuildBid } from '../../../../src/economy/guild/index.ts'
import { rejection, thrown } from '../../../support/rejection.ts'
import { DAY, T0, bidFields, cast, id, key, makeBid, makeGuild, catchError } from './fixtures.ts'
import type { Cast } from './fixtures.ts'

let c: Cast
let guild: Guild
let bid: GuildBid

beforeAll(async () => {
  c = await cast()
  guild = await makeGuild(c)
  bid = await makeBid(c, guild)
})

describe('guild bids', () => {
  it('are signed by the lead, survive JSON and verify against their guild', () => {
    expect(bid.kind).toBe(GUILD_BID_KIND)
    const received = JSON.parse(JSON.stringify(bid)) as unknown
    expect(verifyGuildBid(received, guild, { now: T0 + 2_000 })).toEqual(bid)
    expect(guildBidHash(bid)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuse a tampered bid', () => {
    const now = { now: T0 + 2_000 }
    expect(thrown(() => verifyGuildBid({ ...bid, price: bid.price + 1, steps: bid.steps.map((s, i) => i === 0 ? { ...s, price: s.price + 1 } : s) }, guild, now)).name).toBe('GuildBidSignatureError')
    expect(thrown(() => verifyGuildBid({ ...bid, expectedMs: 1 }, guild, now)).name).toBe('GuildBidSignatureError')
    const swapped = bid.steps.map(s => s.step === 'eval' ? { ...s, member: id(c.bob) } : s)
    expect(thrown(() => verifyGuildBid({ ...bid, steps: swapped }, guild, now)).name).toBe('GuildBidSignatureError')
  })

  it('refuse a lead who is not a member, naming it', async () => {
    const byMallory = await makeBid(c, guild, { lead: id(c.mallory), publicKey: key(c.mallory) }, c.mallory)
    const error = thrown(() => verifyGuildBid(byMallory, guild, { now: T0 + 2_000 }))
    expect(error).toEqual({ name: 'GuildMemberError', field: 'lead' })
    // Nor will a lead sign in another's name.
    expect((await rejection(makeBid(c, guild, {}, c.bob))).name).toBe('GuildBidKeyMismatchError')
  })

  it('refuse a step given to a non-member, or to a member that cannot fill its role', async () => {
    const toMallory = await makeBid(c, guild, {
      steps: bidFields(c, guild).steps.map(s => s.step === 'eval' ? { ...s, member: id(c.mallory) } : s)
    })
    const outsider = catchError(() => verifyGuildBid(toMallory, guild, { now: T0 + 2_000 })) as Error & { field: string, member: string }
    expect([outsider.name, outsider.field, outsider.member]).toEqual(['GuildMemberError', 'steps.2.member', id(c.mallory)])
    // carol does not list `train`.
    const carolTrains = await makeBid(c, guild, {
      steps: bidFields(c, guild).steps.map(s => s.step === 'train' ? { ...s, member: id(c.carol) } : s)
    })
    const unskilled = catchError(() => verifyGuildBid(carolTrains, guild, { now: T0 + 2_000 })) as Error & { field: string, member: string }
    expect([unskilled.name, unskilled.field, unskilled.member]).toEqual(['GuildMemberError', 'steps.1.role', id(c.carol)])
  })

  it('are for exactly the guild record they name', async () => {
    const later = await makeGuild(c, { name: 'Fetch, train & eval (renewed)' })
    expect(guildHash(later)).not.toBe(bid.guildHash)
    expect(thrown(() => verifyGuildBid(bid, later, { now: T0 + 2_000 })).name).toBe('GuildBidMismatchError')
    const other = await makeGuild(c, { guildId: 'guild-other' })
    expect(thrown(() => verifyGuildBid(bid, other, { now: T0 + 2_000 })).name).toBe('GuildBidMismatchError')
    // The guild itself is checked: a forged guild is refused before the bid is looked at.
    const forgedGuild = { ...guild, signatures: [guild.signatures[0]!, guild.signatures[0]!, guild.signatures[2]!].map((entry, i) => ({ ...entry, member: guild.members[i]!.peerId })) }
    expect(thrown(() => verifyGuildBid(bid, forgedGuild, { now: T0 + 2_000 })).name).toBe('GuildSignatureError')
  })

  it('are dated within the guild\'s life and used only while it lasts', async () => {
    expect(thrown(() => verifyGuildBid(bid, guild, { now: guild.expiresAt })).name).toBe('GuildExpiredError')
    const early = await makeBid(c, guild, { at: T0 - 1 })
    expect(thrown(() => verifyGuildBid(early, guild, { now: T0 + 2_000 })).name).toBe('GuildExpiredError')
    const late = await makeBid(c, guild, { at: T0 + 30 * DAY })
    expect(thrown(() => verifyGuildBid(late, guild, { now: T0 + 2_000 })).name).toBe('GuildExpiredError')
  })

  it('validate strictly, naming the field', async () => {
    const bad = (change: Record<string, unknown>): { name: string, field?: string } => thrown(() => parseGuildBid({ ...bid, ...change }))
    expect(bad({ kind: 'zerostate/bid/1' })).toEqual({ name: 'InvalidGuildBidError', field: 'kind' })
    expect(bad({ price: bid.price - 1 })).toEqual({ name: 'InvalidGuildBidError', field: 'price' })
    expect(bad({ expectedMs: 0 })).toEqual({ name: 'InvalidGuildBidError', field: 'expectedMs' })
    expect(bad({ runId: '' })).toEqual({ name: 'InvalidGuildBidError', field: 'runId' })
    expect(bad({ specHash: 'ABC' })).toEqual({ name: 'InvalidGuildBidError', field: 'specHash' })
    expect(bad({ steps: [] })).toEqual({ name: 'InvalidGuildBidError', field: 'steps' })
    expect(bad({ steps: [bid.steps[0], bid.steps[0]], price: 2 * bid.steps[0]!.price })).toEqual({ name: 'InvalidGuildBidError', field: 'steps.1.step' })
    expect(bad({ steps: [{ ...bid.steps[0], price: -1 }] })).toEqual({ name: 'InvalidGuildBidError', field: 'steps.0.price' })
    expect(bad({ steps: [{ ...bid.steps[0], extra: true }] })).toEqual({ name: 'InvalidGuildBidError', field: 'steps.0.extra' })
    expect(bad({ lead: 'alice' })).toEqual({ name: 'InvalidGuildBidError', field: 'lead' })
    expect((await rejection(makeBid(c, guild, { price: 1 }))).name).toBe('InvalidGuildBidError')
  })
})
