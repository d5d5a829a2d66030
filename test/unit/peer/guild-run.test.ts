/**
 * The re-award of a departed guild member's steps, as the runner asks for a
 * step's executor before each attempt: a member no longer present has left,
 * its unfinished steps go to the best per-step offer (not to it), it keeps
 * only what it finished, and the split then leaves the re-awarded steps out.
 */
import { describe, expect, it } from 'vitest'
import { guildPrice } from '../../../src/economy/guild/index.ts'
import type { StepOffer, WorkflowAward } from '../../../src/economy/guild/index.ts'
import { awardCheckpoint, awardedExecutor, isGuildStep, restoreAward } from '../../../src/peer/guild-run.ts'
import type { AwardedRun } from '../../../src/peer/guild-run.ts'
import type { PeerContext } from '../../../src/peer/context.ts'

const LEAD = '12D3KooWLeadLeadLeadLeadLeadLeadLeadLeadLeadLead01'
const MEMBER = '12D3KooWMemberMemberMemberMemberMemberMemberMem01'
const OTHER = '12D3KooWOtherOtherOtherOtherOtherOtherOtherOthe01'

const ctx = { peer: { dispatch: { standing: () => ({ score: 0.5, blacklisted: false }) } } } as unknown as PeerContext

function awarded (offers: StepOffer[]): AwardedRun {
  const award: WorkflowAward = {
    runId: 'run_1',
    specHash: 'a'.repeat(64),
    budget: 100_000,
    guild: { guildId: 'g', guildHash: 'b'.repeat(64), bidHash: 'c'.repeat(64), lead: LEAD },
    steps: [
      { step: 'stats', role: 'text-stats', executor: LEAD, price: 300, source: 'guild' },
      { step: 'zip', role: 'gzip', executor: MEMBER, price: 300, source: 'guild' }
    ],
    price: 600,
    expectedMs: 10_000,
    reputation: 0.5
  }
  return { award, substitutes: [], excluded: [], stepOffers: offers, costs: new Map(), forfeited: [], reputationFloor: 0 }
}

const offers: StepOffer[] = [
  { step: 'stats', bidder: OTHER, price: 5_000, expectedMs: 1000 },
  { step: 'zip', bidder: MEMBER, price: 100, expectedMs: 1000 },
  { step: 'zip', bidder: OTHER, price: 7_000, expectedMs: 1000 }
]

describe('awardedExecutor', () => {
  it('keeps each step with its member while it is present', () => {
    const run = awarded(offers)
    expect(awardedExecutor(ctx, run, 'stats', () => true)).toBe(LEAD)
    expect(awardedExecutor(ctx, run, 'zip', () => true)).toBe(MEMBER)
    expect(run.forfeited).toEqual([])
  })

  it('re-awards a departed member\'s unfinished step to the best offer not its own, which is then paid by task', () => {
    const run = awarded(offers)
    run.costs.set('stats', { executor: LEAD, charge: 7 })
    expect(awardedExecutor(ctx, run, 'zip', peer => peer !== MEMBER)).toBe(OTHER)
    expect(run.forfeited.map(step => [step.step, step.executor])).toEqual([['zip', MEMBER]])
    expect(run.award.steps.find(step => step.step === 'zip')).toMatchObject({ executor: OTHER, price: 7_000, source: 'auction' })
    expect(isGuildStep(run, 'zip')).toBe(false)
    expect(isGuildStep(run, 'stats')).toBe(true)
    expect(guildPrice(run.award)).toBe(300)
  })

  it('leaves the step with its member when no offer can take it', () => {
    const run = awarded(offers.filter(offer => offer.bidder === MEMBER))
    expect(awardedExecutor(ctx, run, 'zip', () => false)).toBe(MEMBER)
    expect(run.forfeited).toEqual([])
  })
})

describe('awardCheckpoint and restoreAward', () => {
  it('keep an award with its re-awards and costs through JSON, as a run record is stored', () => {
    const run = awarded(offers)
    run.costs.set('stats', { executor: LEAD, charge: 7 })
    awardedExecutor(ctx, run, 'zip', peer => peer !== MEMBER)
    const stored = JSON.parse(JSON.stringify(awardCheckpoint(run))) as unknown
    const restored = restoreAward(stored, 'run_1')
    expect(restored).toEqual(run)
    expect(restored.costs.get('stats')).toEqual({ executor: LEAD, charge: 7 })
    expect(isGuildStep(restored, 'zip')).toBe(false)
    // A copy, not the same objects: a later re-award of one does not change the other.
    restored.award.steps[0]!.executor = OTHER
    expect(run.award.steps[0]!.executor).toBe(LEAD)
  })

  it('refuses a stored award of another run or of another shape, by name', () => {
    const stored = awardCheckpoint(awarded(offers))
    const cases: unknown[] = [null, 'award', { ...stored, award: { ...stored.award, runId: 'run_2' } }, { ...stored, costs: {} }, { ...stored, reputationFloor: '0' }]
    for (const value of cases) expect(() => restoreAward(value, 'run_1')).toThrow(expect.objectContaining({ name: 'AwardCheckpointError' }))
  })
})
