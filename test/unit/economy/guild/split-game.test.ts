import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../../src/core/index.ts'
import { awardWorkflow, guildPrice, guildSplitGame, reawardWorkflow } from '../../../../src/economy/guild/index.ts'
import type { Guild, GuildBid, StepOffer, StepSubstitute, WorkflowAwardRequest } from '../../../../src/economy/guild/index.ts'
import { paymentsFor, signSplitRecord, verifySplitRecord } from '../../../../src/economy/shapley/index.ts'
import { RUN_ID, SPEC_HASH, STEPS, T0, cast, catchError, id, identity, makeBid, makeGuild, reputationOf } from './fixtures.ts'
import type { Cast } from './fixtures.ts'

const NOW = T0 + 2_000
const OPTIONS = { reputationFloor: 0.3, now: NOW }
const REQUEST: WorkflowAwardRequest = { runId: RUN_ID, specHash: SPEC_HASH, steps: STEPS, budget: 8_000_000 }

let c: Cast
let guild: Guild
let bid: GuildBid
let offers: StepOffer[]
let substitutes: StepSubstitute[]

beforeAll(async () => {
  c = await cast()
  guild = await makeGuild(c)
  bid = await makeBid(c, guild) // fetch 1 000 000 (alice), train 3 000 000 (bob), eval 1 000 000 (carol)
  offers = [
    { step: 'fetch', bidder: id(c.dave), price: 1_500_000, expectedMs: 20_000 },
    { step: 'train', bidder: id(c.erin), price: 3_500_000, expectedMs: 20_000 },
    { step: 'eval', bidder: id(c.dave), price: 1_200_000, expectedMs: 20_000 }
  ]
  // The outside market's price for each step is its own auction's.
  substitutes = offers.map(offer => ({ step: offer.step, price: offer.price, source: 'auction', evidence: null }))
})

describe('guildSplitGame and the guild\'s payments', () => {
  it('splits the guild\'s price among its members, all of it, and pays it', async () => {
    const award = awardWorkflow(REQUEST, [{ guild, bid }], offers, reputationOf(), OPTIONS).award!
    const game = guildSplitGame(award, substitutes)
    expect(game.value).toBe(5_000_000)
    expect(game.members.map(member => member.member)).toEqual([id(c.alice), id(c.bob), id(c.carol)].sort())
    const orchestrator = await identity(0)
    const record = await signSplitRecord({
      runId: RUN_ID, budget: guildPrice(award), game, signer: id(orchestrator), publicKey: bytesToBase64Url(orchestrator.publicKey), at: NOW
    }, orchestrator)
    const payments = paymentsFor(JSON.parse(JSON.stringify(record)))
    // The all-market price is 6 200 000 and the guild takes 5 000 000: each member is paid its step's
    // market price less a third of the 1 200 000 µ the guild saves the payer.
    const paid = Object.fromEntries(payments.map(payment => [payment.payee, payment.amount]))
    expect(Math.abs(paid[id(c.alice)]! - (1_500_000 - 400_000))).toBeLessThanOrEqual(1)
    expect(Math.abs(paid[id(c.bob)]! - (3_500_000 - 400_000))).toBeLessThanOrEqual(1)
    expect(Math.abs(paid[id(c.carol)]! - (1_200_000 - 400_000))).toBeLessThanOrEqual(1)
    expect(payments.reduce((sum, payment) => sum + payment.amount, 0)).toBe(5_000_000)
  })

  it('pays a member that left mid-workflow nothing for the step it did not finish, and the guild no more', async () => {
    const award = awardWorkflow(REQUEST, [{ guild, bid }], offers, reputationOf(), OPTIONS).award!
    const { award: next } = reawardWorkflow(award, { member: id(c.bob), finished: [] }, offers, reputationOf(), OPTIONS)
    const game = guildSplitGame(next, substitutes)
    expect(game.value).toBe(2_000_000)
    expect(game.roles.map(role => role.role)).toEqual(['fetch', 'eval'])
    const orchestrator = await identity(0)
    const record = verifySplitRecord(await signSplitRecord({
      runId: RUN_ID, budget: guildPrice(next), game, signer: id(orchestrator), publicKey: bytesToBase64Url(orchestrator.publicKey), at: NOW
    }, orchestrator))
    const payments = paymentsFor(record)
    expect(payments.some(payment => payment.payee === id(c.bob))).toBe(false)
    expect(payments.reduce((sum, payment) => sum + payment.amount, 0)).toBe(2_000_000)
    // erin, who took over training, is paid her own offer outside the guild's split.
    expect(next.steps.find(step => step.step === 'train')).toMatchObject({ executor: id(c.erin), price: 3_500_000, source: 'auction' })
  })

  it('pays a departed member for the step it finished, and only for that', async () => {
    // bob trains and evaluates; he finishes training, then leaves: evaluation goes to dave's offer.
    const bobTwice = await makeBid(c, guild, { steps: bid.steps.map(s => s.step === 'eval' ? { ...s, member: id(c.bob) } : s) })
    const award = awardWorkflow(REQUEST, [{ guild, bid: bobTwice }], offers, reputationOf(), OPTIONS).award!
    const { award: next, forfeited } = reawardWorkflow(award, { member: id(c.bob), finished: ['train'] }, offers, reputationOf(), OPTIONS)
    expect(forfeited.map(step => step.step)).toEqual(['eval'])
    const game = guildSplitGame(next, substitutes)
    expect(game.value).toBe(4_000_000)
    expect(game.members.find(member => member.member === id(c.bob))?.costs).toEqual([{ role: 'train', cost: 0 }])
    const orchestrator = await identity(0)
    const record = await signSplitRecord({
      runId: RUN_ID, budget: guildPrice(next), game, signer: id(orchestrator), publicKey: bytesToBase64Url(orchestrator.publicKey), at: NOW
    }, orchestrator)
    const paid = Object.fromEntries(paymentsFor(record).map(payment => [payment.payee, payment.amount]))
    // Market 1 500 000 + 3 500 000 for fetch and train against the guild's 4 000 000: each is paid its
    // step's market price less half the 1 000 000 µ saved.
    expect(paid).toEqual({ [id(c.alice)]: 1_000_000, [id(c.bob)]: 3_000_000 })
  })

  it('refuses an award that went to no guild, or a step without a substitute price', () => {
    const perStep = awardWorkflow(REQUEST, [], offers, reputationOf(), OPTIONS).award!
    expect(catchError(() => guildSplitGame(perStep, substitutes)).field).toBe('award.guild')
    const award = awardWorkflow(REQUEST, [{ guild, bid }], offers, reputationOf(), OPTIONS).award!
    expect(catchError(() => guildSplitGame(award, substitutes.slice(1))).field).toBe('substitutes.fetch')
  })
})
