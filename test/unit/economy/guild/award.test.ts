import { beforeAll, describe, expect, it } from 'vitest'
import { awardWorkflow, guildBidHash, guildHash, guildPrice, reawardWorkflow } from '../../../../src/economy/guild/index.ts'
import type { Guild, GuildBid, StepOffer, WorkflowAward, WorkflowAwardRequest } from '../../../../src/economy/guild/index.ts'
import { RUN_ID, SPEC_HASH, STEPS, T0, bidFields, cast, catchError, id, makeBid, makeGuild, reputationOf } from './fixtures.ts'
import type { Cast } from './fixtures.ts'

const NOW = T0 + 2_000
const FLOOR = { reputationFloor: 0.3, now: NOW }
const REQUEST: WorkflowAwardRequest = { runId: RUN_ID, specHash: SPEC_HASH, steps: STEPS, budget: 8_000_000 }

let c: Cast
let guild: Guild
let bid: GuildBid

/** dave and erin bid for the steps one by one (their steps' auctions). */
function offers (prices: { fetch: number, train: number, eval: number }, expectedMs = 20_000): StepOffer[] {
  return [
    { step: 'fetch', bidder: id(c.dave), price: prices.fetch, expectedMs },
    { step: 'train', bidder: id(c.erin), price: prices.train, expectedMs },
    { step: 'eval', bidder: id(c.dave), price: prices.eval, expectedMs },
    // erin also bids for fetch and eval, dearer.
    { step: 'fetch', bidder: id(c.erin), price: prices.fetch + 100_000, expectedMs },
    { step: 'eval', bidder: id(c.erin), price: prices.eval + 100_000, expectedMs }
  ]
}

const DEAR = { fetch: 1_500_000, train: 3_500_000, eval: 1_200_000 } // 6 200 000: the guild's 5 000 000 wins
const CHEAP = { fetch: 1_000_000, train: 2_500_000, eval: 1_000_000 } // 4 500 000: separate executors win

beforeAll(async () => {
  c = await cast()
  guild = await makeGuild(c)
  bid = await makeBid(c, guild)
})

describe('awardWorkflow', () => {
  it('awards a cheaper guild the whole workflow', () => {
    const { award, excluded } = awardWorkflow(REQUEST, [{ guild, bid }], offers(DEAR), reputationOf(), FLOOR)
    expect(excluded).toEqual([])
    expect(award).toEqual({
      runId: RUN_ID,
      specHash: SPEC_HASH,
      budget: REQUEST.budget,
      guild: { guildId: guild.guildId, guildHash: guildHash(guild), bidHash: guildBidHash(bid), lead: id(c.alice) },
      steps: [
        { step: 'fetch', role: 'fetch', executor: id(c.alice), price: 1_000_000, source: 'guild' },
        { step: 'train', role: 'train', executor: id(c.bob), price: 3_000_000, source: 'guild' },
        { step: 'eval', role: 'eval', executor: id(c.carol), price: 1_000_000, source: 'guild' }
      ],
      price: 5_000_000,
      expectedMs: 60_000,
      reputation: 0.5
    })
    expect(guildPrice(award!)).toBe(5_000_000)
  })

  it('awards the steps separately when their best offers total less, whatever the order of the inputs', () => {
    const { award } = awardWorkflow(REQUEST, [{ guild, bid }], offers(CHEAP), reputationOf(), FLOOR)
    expect(award?.guild).toBeNull()
    expect(award?.price).toBe(4_500_000)
    expect(award?.steps.map(step => [step.step, step.executor, step.source])).toEqual([
      ['fetch', id(c.dave), 'auction'], ['train', id(c.erin), 'auction'], ['eval', id(c.dave), 'auction']
    ])
    const reversed = awardWorkflow(REQUEST, [{ guild, bid }], offers(CHEAP).reverse(), reputationOf(), FLOOR)
    expect(reversed.award).toEqual(award)
  })

  it('on an equal price and time prefers separate executors: a guild must be strictly better', () => {
    const equal = offers({ fetch: 1_000_000, train: 3_000_000, eval: 1_000_000 })
    expect(awardWorkflow(REQUEST, [{ guild, bid }], equal, reputationOf(), FLOOR).award?.guild).toBeNull()
    // Faster at the same price, the guild wins (60 000 ms against 3 × 25 000).
    const slower = offers({ fetch: 1_000_000, train: 3_000_000, eval: 1_000_000 }, 25_000)
    expect(awardWorkflow(REQUEST, [{ guild, bid }], slower, reputationOf(), FLOOR).award?.guild?.guildId).toBe(guild.guildId)
  })

  it('holds a guild to the floor by its least trusted member in a step', () => {
    // Average 0.67 would pass; carol's 0.2 does not.
    const view = reputationOf({ [id(c.alice)]: 0.9, [id(c.bob)]: 0.9, [id(c.carol)]: 0.2 })
    const { award, excluded } = awardWorkflow(REQUEST, [{ guild, bid }], offers(DEAR), view, FLOOR)
    expect(award?.guild).toBeNull()
    expect(award?.price).toBe(6_200_000)
    expect(excluded).toHaveLength(1)
    expect(excluded[0]!.candidate).toBe(guild.guildId)
    expect(excluded[0]!.reason).toMatch(/below the floor/)
    // The floor applies to each separate executor too: dave below it, erin's dearer offers take his steps.
    const daveLow = reputationOf({ [id(c.dave)]: 0.1 })
    const plan = awardWorkflow(REQUEST, [], offers(CHEAP), daveLow, FLOOR).award!
    expect(plan.steps.map(step => step.executor)).toEqual([id(c.erin), id(c.erin), id(c.erin)])
    expect(plan.price).toBe(4_700_000)
  })

  it('takes out a guild with a blacklisted member in a step, but not for a member without one', async () => {
    const { award, excluded } = awardWorkflow(REQUEST, [{ guild, bid }], offers(DEAR), reputationOf({}, [id(c.bob)]), FLOOR)
    expect(award?.guild).toBeNull()
    expect(excluded[0]!.reason).toMatch(/blacklisted/)
    // bob evaluates as well as trains here: carol runs no step, and her blacklisting does not matter.
    const bobEvaluates = await makeBid(c, guild, { steps: bidFields(c, guild).steps.map(s => s.step === 'eval' ? { ...s, member: id(c.bob) } : s) })
    const outcome = awardWorkflow(REQUEST, [{ guild, bid: bobEvaluates }], offers(DEAR), reputationOf({}, [id(c.carol)]), FLOOR)
    expect(outcome.award?.guild?.guildId).toBe(guild.guildId)
    // A blacklisted per-step bidder is skipped like one below the floor.
    const daveOut = awardWorkflow(REQUEST, [], offers(CHEAP), reputationOf({}, [id(c.dave)]), FLOOR).award!
    expect(daveOut.steps.every(step => step.executor === id(c.erin))).toBe(true)
  })

  it('leaves out guild bids that are refused, for another run, incomplete or over budget, saying why', async () => {
    const tampered = { ...bid, expectedMs: 1 }
    const otherRun = await makeBid(c, guild, { runId: 'wf-other' })
    const twoSteps = await makeBid(c, guild, { price: 4_000_000, steps: bidFields(c, guild).steps.slice(0, 2) })
    const dear = await makeBid(c, guild, { price: 9_000_000, steps: bidFields(c, guild).steps.map(s => s.step === 'train' ? { ...s, price: 7_000_000 } : s) })
    const { award, excluded } = awardWorkflow(REQUEST, [tampered, otherRun, twoSteps, dear].map(b => ({ guild, bid: b })), offers(DEAR), reputationOf(), FLOOR)
    expect(award?.guild).toBeNull()
    expect(excluded.map(entry => entry.reason)).toEqual([
      expect.stringMatching(/^GuildBidSignatureError/),
      expect.stringMatching(/run wf-other/),
      expect.stringMatching(/covers 2 steps/),
      expect.stringMatching(/above the budget/)
    ])
  })

  it('returns no award when no candidate is eligible', () => {
    const { award, excluded } = awardWorkflow(REQUEST, [], offers(CHEAP).filter(offer => offer.step !== 'train'), reputationOf(), FLOOR)
    expect(award).toBeUndefined()
    expect(excluded).toEqual([{ candidate: 'steps', reason: 'no eligible offer for step train' }])
    expect(awardWorkflow({ ...REQUEST, budget: 4_000_000 }, [], offers(CHEAP), reputationOf(), FLOOR).award).toBeUndefined()
  })

  it('refuses malformed inputs, naming the field', () => {
    expect(catchError(() => awardWorkflow({ ...REQUEST, steps: [] }, [], [], reputationOf(), FLOOR)).field).toBe('steps')
    expect(catchError(() => awardWorkflow({ ...REQUEST, steps: [STEPS[0]!, STEPS[0]!] }, [], [], reputationOf(), FLOOR)).field).toBe('steps.1')
    expect(catchError(() => awardWorkflow(REQUEST, [], [{ ...offers(CHEAP)[0]!, price: -1 }], reputationOf(), FLOOR)).field).toBe('offers.0.price')
    expect(catchError(() => awardWorkflow(REQUEST, [], [], reputationOf(), { reputationFloor: Number.NaN, now: NOW })).field).toBe('reputationFloor')
    expect(catchError(() => awardWorkflow(REQUEST, [], offers(CHEAP), { score: () => Number.NaN, isBlacklisted: () => false }, FLOOR)).name).toBe('InvalidWorkflowAwardError')
  })
})

describe('reawardWorkflow', () => {
  let won: WorkflowAward

  beforeAll(() => {
    won = awardWorkflow(REQUEST, [{ guild, bid }], offers(DEAR), reputationOf(), FLOOR).award!
  })

  it('gives a departed member\'s unfinished step to the best per-step offer; it is not paid for it', () => {
    // bob leaves before training; he had also bid for train alone, cheapest, and is passed over.
    const withBob = [...offers(DEAR), { step: 'train', bidder: id(c.bob), price: 100, expectedMs: 1 }]
    const { award, reawarded, forfeited } = reawardWorkflow(won, { member: id(c.bob), finished: [] }, withBob, reputationOf(), FLOOR)
    expect(reawarded).toEqual([{ step: 'train', role: 'train', executor: id(c.erin), price: 3_500_000, source: 'auction' }])
    expect(forfeited).toEqual([won.steps[1]])
    expect(award.steps.map(step => step.executor)).toEqual([id(c.alice), id(c.erin), id(c.carol)])
    expect(award.price).toBe(5_500_000)
    expect(award.guild).toEqual(won.guild)
    // The guild is owed its steps still run under its bid only: bob's train is not among them.
    expect(guildPrice(award)).toBe(2_000_000)
    expect(award.steps.some(step => step.executor === id(c.bob))).toBe(false)
  })

  it('keeps the steps the member finished, and pays for them', async () => {
    const bobTwice = await makeBid(c, guild, { steps: bidFields(c, guild).steps.map(s => s.step === 'eval' ? { ...s, member: id(c.bob) } : s) })
    const award = awardWorkflow(REQUEST, [{ guild, bid: bobTwice }], offers(DEAR), reputationOf(), FLOOR).award!
    const next = reawardWorkflow(award, { member: id(c.bob), finished: ['train'] }, offers(DEAR), reputationOf(), FLOOR)
    expect(next.reawarded.map(step => [step.step, step.executor, step.price])).toEqual([['eval', id(c.dave), 1_200_000]])
    expect(next.award.steps[1]).toEqual(award.steps[1])
    expect(guildPrice(next.award)).toBe(4_000_000)
    // A member that finished everything leaves nothing to re-award.
    const done = reawardWorkflow(award, { member: id(c.alice), finished: ['fetch'] }, offers(DEAR), reputationOf(), FLOOR)
    expect(done.reawarded).toEqual([])
    expect(done.award).toEqual(award)
  })

  it('re-awards a member blacklisted mid-workflow the same way', () => {
    const view = reputationOf({}, [id(c.carol)])
    const next = reawardWorkflow(won, { member: id(c.carol), finished: [] }, offers(DEAR), view, FLOOR)
    expect(next.award.steps[2]!.executor).toBe(id(c.dave))
  })

  it('refuses, re-awarding nothing, when no offer can take a step within the floor and the budget', () => {
    const noTrain = offers(DEAR).filter(offer => offer.step !== 'train')
    const none = catchError(() => reawardWorkflow(won, { member: id(c.bob), finished: [] }, noTrain, reputationOf(), FLOOR))
    expect([none.name, none.step]).toEqual(['NoReplacementError', 'train'])
    const erinLow = catchError(() => reawardWorkflow(won, { member: id(c.bob), finished: [] }, offers(DEAR), reputationOf({ [id(c.erin)]: 0.1 }), FLOOR))
    expect(erinLow.name).toBe('NoReplacementError')
    const tight = { ...won, budget: 5_400_000 }
    expect(catchError(() => reawardWorkflow(tight, { member: id(c.bob), finished: [] }, offers(DEAR), reputationOf(), FLOOR)).name).toBe('NoReplacementError')
  })

  it('refuses a departure of someone who runs no step, or a finished step not its own', () => {
    expect(catchError(() => reawardWorkflow(won, { member: id(c.dave), finished: [] }, offers(DEAR), reputationOf(), FLOOR)).field).toBe('departure.member')
    expect(catchError(() => reawardWorkflow(won, { member: id(c.bob), finished: ['fetch'] }, offers(DEAR), reputationOf(), FLOOR)).field).toBe('departure.finished')
  })
})
