import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../../src/core/index.ts'
import { canonicalSigningBytes, createIdentity, signCanonicalBytes } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import {
  MAX_SPLIT_RECORD_BYTES, SPLIT_RECORD_KIND, computeSplitRecord, parseSplitRecord, paymentsFor, shapleyExact, signSplitRecord, splitRecordHash,
  verifySplitRecord, workflowGame
} from '../../../../src/economy/shapley/index.ts'
import type { SplitGame, SplitRecord, SplitRecordInit, UnsignedSplitRecord } from '../../../../src/economy/shapley/index.ts'
import { UNSIGNED_SPLIT_RECORD_FIELDS } from '../../../../src/economy/shapley/record-format.ts'
import { rejection, thrown } from '../../../support/rejection.ts'

const T0 = 1_767_225_600_000
const RUN_ID = 'wf-01J9Z3K6QX'

async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 5 + n * 29 + 7) & 0xff))
}
const id = (p: PeerIdentity): string => p.peerId.toString()
const byId = <T extends { member: string }>(entries: T[]): T[] => [...entries].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))

let orchestrator: PeerIdentity
let alice: string
let bob: string
let carol: string
let crowd: string[]

/** The worked example of docs/shapley-split.md with PeerIds: value 10 000 000 µ; fetch, train, eval at 2, 3, 1 million from their auctions. */
function example (): SplitGame {
  return {
    value: 10_000_000,
    roles: [
      { role: 'fetch', substitutePrice: 2_000_000, source: 'auction', evidence: 'a'.repeat(64) },
      { role: 'train', substitutePrice: 3_000_000, source: 'auction', evidence: null },
      { role: 'eval', substitutePrice: 1_000_000, source: 'card', evidence: null }
    ],
    members: byId([
      { member: alice, costs: [{ role: 'fetch', cost: 500_000 }] },
      { member: bob, costs: [{ role: 'train', cost: 2_000_000 }] },
      { member: carol, costs: [{ role: 'eval', cost: 900_000 }] }
    ]),
    synergies: []
  }
}

/** 14 members (more than MAX_EXACT_PLAYERS), each filling its own step: sampled. */
function crowdGame (): SplitGame {
  return {
    value: 30_000_000,
    roles: crowd.map((_, k) => ({ role: `step-${k}`, substitutePrice: 1_000_000 + 100_000 * k, source: 'auction' as const, evidence: null })),
    members: byId(crowd.map((member, k) => ({ member, costs: [{ role: `step-${k}`, cost: 50_000 * k }] }))),
    synergies: [{ members: [crowd[0]!, crowd[1]!], bonus: 400_000 }]
  }
}

function init (game: SplitGame, overrides: Partial<SplitRecordInit> = {}): SplitRecordInit {
  return {
    runId: RUN_ID,
    budget: 12_000_000,
    game,
    signer: id(orchestrator),
    publicKey: bytesToBase64Url(orchestrator.publicKey),
    at: T0,
    ...overrides
  }
}

/** A signer that signs whatever it is given, as a dishonest one would. */
async function signAsIs (unsigned: UnsignedSplitRecord, signer: PeerIdentity = orchestrator): Promise<SplitRecord> {
  const signature = await signCanonicalBytes(canonicalSigningBytes(unsigned, UNSIGNED_SPLIT_RECORD_FIELDS), signer)
  return { ...unsigned, signature }
}

const paidOut = (record: { shares: ReadonlyArray<{ payment: number }> }): number => record.shares.reduce((sum, share) => sum + share.payment, 0)

beforeAll(async () => {
  orchestrator = await identity(0)
  ;[alice, bob, carol] = [id(await identity(1)), id(await identity(2)), id(await identity(3))]
  crowd = await Promise.all(Array.from({ length: 14 }, async (_, k) => id(await identity(10 + k))))
})

describe('split records (exact)', () => {
  it('sign, survive JSON, verify by recomputing, and state the worked example\'s split', async () => {
    const record = await signSplitRecord(init(example()), orchestrator)
    expect(record.kind).toBe(SPLIT_RECORD_KIND)
    expect(record.method).toBe('exact')
    expect(record.sampling).toBeNull()
    const received = JSON.parse(JSON.stringify(record)) as unknown
    expect(verifySplitRecord(received)).toEqual(record)
    // Replacement cost plus a third of the 4 000 000 µ surplus each; one left-over µ, by the rounding rule.
    const payment = Object.fromEntries(record.shares.map(share => [share.member, share.payment]))
    expect(Math.abs(payment[alice]! - 3_333_333.33)).toBeLessThan(1)
    expect(Math.abs(payment[bob]! - 4_333_333.33)).toBeLessThan(1)
    expect(Math.abs(payment[carol]! - 2_333_333.33)).toBeLessThan(1)
    expect(record.total).toBe(10_000_000)
    // Shares are the Shapley values of the game, to within the rounding.
    const game = workflowGame({
      roles: ['fetch', 'train', 'eval'],
      substitutePrice: { fetch: 2_000_000, train: 3_000_000, eval: 1_000_000 },
      members: [{ id: alice, costs: { fetch: 500_000 } }, { id: bob, costs: { train: 2_000_000 } }, { id: carol, costs: { eval: 900_000 } }],
      value: 10_000_000
    })
    const exact = shapleyExact(game.players, game.v)
    for (const share of record.shares) expect(Math.abs(share.share - exact.get(share.member)!)).toBeLessThan(1)
  })

  it('refuses a record altered after signing', async () => {
    const record = await signSplitRecord(init(example()), orchestrator)
    const moved = { ...record, shares: record.shares.map((share, i) => ({ ...share, payment: share.payment + (i === 0 ? 1 : i === 1 ? -1 : 0) })) }
    expect(thrown(() => verifySplitRecord(moved)).name).toBe('SplitRecordSignatureError')
    expect(thrown(() => verifySplitRecord({ ...record, budget: record.budget + 1 })).name).toBe('SplitRecordSignatureError')
  })

  it('refuses a signed split that does not recompute, naming the member', async () => {
    const honest = computeSplitRecord(init(example()))
    // The signer moves one micro-unit from the second member's share and payment to the first's.
    const shares = honest.shares.map((share, i) => i === 0 ? { ...share, share: share.share + 1, payment: share.payment + 1 } : i === 1 ? { ...share, share: share.share - 1, payment: share.payment - 1 } : share)
    const error = await rejection((async () => verifySplitRecord(await signAsIs({ ...honest, shares })))())
    expect([error.name, error.field, error.member]).toEqual(['SplitMismatchError', 'shares.0.share', honest.shares[0]!.member])
    // Or states the right shares over another game (a higher substitute price for its friend's role).
    const game = example()
    game.roles[1] = { ...game.roles[1]!, substitutePrice: 3_600_000 }
    const swapped = await rejection((async () => verifySplitRecord(await signAsIs({ ...honest, game })))())
    expect(swapped.name).toBe('SplitMismatchError')
    expect(typeof swapped.member).toBe('string')
    // Or a wrong total, or the wrong method.
    expect((await rejection((async () => verifySplitRecord(await signAsIs({ ...honest, total: honest.total + 5 })))())).field).toBe('total')
    const sampled = { ...honest, method: 'sampled' as const, sampling: { epsilon: 1, delta: 0.001, range: 100, permutations: 10 } }
    expect((await rejection((async () => verifySplitRecord(await signAsIs(sampled)))())).field).toBe('method')
  })

  it('pays each member its payment through channels, never above the budget', async () => {
    const record = await signSplitRecord(init(example()), orchestrator)
    const payments = paymentsFor(record)
    expect(payments.map(payment => payment.payee)).toEqual(record.shares.map(share => share.member))
    expect(payments.reduce((sum, payment) => sum + payment.amount, 0)).toBe(record.total)
    expect(payments.every(payment => payment.runId === RUN_ID && payment.recordHash === splitRecordHash(record))).toBe(true)
    // A positive synergy can make the payments exceed the value: the budget caps them.
    const bonus = { ...example(), synergies: [{ members: [bob, carol], bonus: 600_000 }] }
    expect(computeSplitRecord(init(bonus, { budget: 10_600_000 })).total).toBe(10_600_000)
    expect(thrown(() => computeSplitRecord(init(bonus, { budget: 10_599_999 }))).name).toBe('SplitOverBudgetError')
    // A record signed over its budget anyway is refused, and nothing is paid.
    const over = computeSplitRecord(init(bonus, { budget: 10_600_000 }))
    const signedOver = await signAsIs({ ...over, budget: 10_000_000 })
    expect(thrown(() => paymentsFor(signedOver)).name).toBe('SplitOverBudgetError')
    // A record whose signature is not over its contents pays nothing either.
    const forged = { ...record, signature: (await signAsIs({ ...record, at: T0 + 1 })).signature }
    expect(thrown(() => paymentsFor(forged)).name).toBe('SplitRecordSignatureError')
  })

  it('leaves a member that fills no role at the market price out, with nothing to pay', async () => {
    const game = example()
    const idle = id(await identity(7))
    game.members = byId([...game.members, { member: idle, costs: [{ role: 'train', cost: 5_000_000 }] }])
    const record = await signSplitRecord(init(game), orchestrator)
    expect(record.shares.find(share => share.member === idle)).toEqual({ member: idle, share: 0, payment: 0 })
    expect(paymentsFor(record).some(payment => payment.payee === idle)).toBe(false)
  })

  it('is exact when at most 12 members are players, however many are listed', async () => {
    // The crowd's 14 members, but only three fill their step below the market price.
    const game = crowdGame()
    game.members = game.members.map((member, k) => k < 3 ? member : { ...member, costs: member.costs.map(cost => ({ ...cost, cost: 9_999_999 })) })
    game.synergies = []
    const record = await signSplitRecord(init(game, { budget: 31_000_000 }), orchestrator)
    expect(record.method).toBe('exact')
    expect(record.shares.filter(share => share.payment !== 0)).toHaveLength(3)
    expect(verifySplitRecord(record)).toEqual(record)
  })

  it('validates strictly, naming the field', async () => {
    const record = await signSplitRecord(init(example()), orchestrator)
    const bad = (change: Record<string, unknown>): { name: string, field?: string } => thrown(() => parseSplitRecord({ ...record, ...change }))
    expect(bad({ kind: 'zerostate/shapley-split/2' })).toEqual({ name: 'InvalidSplitRecordError', field: 'kind' })
    expect(bad({ sampling: { epsilon: 1, delta: 0.1, range: 2, permutations: 3 } })).toEqual({ name: 'InvalidSplitRecordError', field: 'sampling' })
    expect(bad({ shares: record.shares.slice(1) })).toEqual({ name: 'InvalidSplitRecordError', field: 'shares' })
    expect(bad({ shares: [...record.shares].reverse() })).toEqual({ name: 'InvalidSplitRecordError', field: 'shares.0.member' })
    const game = example()
    expect(bad({ game: { ...game, members: [...game.members].reverse() } })).toEqual({ name: 'InvalidSplitRecordError', field: 'game.members.1.member' })
    expect(bad({ game: { ...game, roles: [game.roles[0], game.roles[0]] } })).toEqual({ name: 'InvalidSplitRecordError', field: 'game.roles.1.role' })
    expect(bad({ game: { ...game, roles: [{ ...game.roles[0], source: 'guess' }] } })).toEqual({ name: 'InvalidSplitRecordError', field: 'game.roles.0.source' })
    expect(bad({ game: { ...game, members: [{ member: game.members[0]!.member, costs: [{ role: 'deploy', cost: 1 }] }] } }).field).toBe('game.members.0.costs.0.role')
    expect(bad({ game: { ...game, synergies: [{ members: [id(orchestrator)], bonus: 1 }] } }).field).toBe('game.synergies.0.members')
    expect(bad({ game: { ...game, value: -1 } }).field).toBe('game.value')
    expect(bad({ game: { ...game, roles: [{ ...game.roles[0], role: 'a'.repeat(MAX_SPLIT_RECORD_BYTES) }] } }).name).toBe('SplitRecordTooLargeError')
    // A synergy naming a member that fills no role is refused by the game itself, under game.
    const idle = id(await identity(7))
    const withIdle = { ...game, members: byId([...game.members, { member: idle, costs: [] }]), synergies: [{ members: [idle, alice], bonus: 5 }] }
    expect(thrown(() => computeSplitRecord(init(withIdle))).field).toBe('game.synergy.0.members')
  })
})

describe('split records (sampled, more than 12 members)', () => {
  let record: SplitRecord

  beforeAll(async () => {
    record = await signSplitRecord(init(crowdGame(), { budget: 31_000_000 }), orchestrator)
  })

  it('recompute identically from the run id, by anyone', () => {
    expect(record.method).toBe('sampled')
    expect(record.sampling).not.toBeNull()
    const { epsilon, delta, range, permutations } = record.sampling!
    expect(epsilon).toBe(range / 100)
    expect(delta).toBe(0.001)
    expect(permutations).toBe(Math.ceil(100 * 100 * Math.log(2 * 14 / delta) / 2))
    expect(verifySplitRecord(JSON.parse(JSON.stringify(record)))).toEqual(record)
    const { signature, ...unsigned } = record
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/)
    expect(computeSplitRecord(init(crowdGame(), { budget: 31_000_000 }))).toEqual(unsigned)
    // Each member fills its own step below the market: paid its substitute's price plus a 14th of the
    // 6 900 000 µ surplus over the all-market price, and the first two 200 000 µ each of their synergy.
    expect(record.total).toBe(30_400_000)
    expect(paidOut(record)).toBe(record.total)
    const game = crowdGame()
    for (const share of record.shares) {
      const k = crowd.indexOf(share.member)
      const exact = game.roles[k]!.substitutePrice + 6_900_000 / 14 + (k < 2 ? 200_000 : 0)
      expect(Math.abs(share.payment - exact)).toBeLessThanOrEqual(epsilon + 1)
    }
  })

  it('refuse the shares of another seed under this run id', async () => {
    const other = computeSplitRecord(init(crowdGame(), { budget: 31_000_000, runId: 'wf-other-run' }))
    const differs = other.shares.findIndex((share, i) => share.share !== record.shares[i]!.share)
    expect(differs).toBeGreaterThanOrEqual(0)
    const { signature, ...unsigned } = record
    void signature
    const error = await rejection((async () => verifySplitRecord(await signAsIs({ ...unsigned, shares: other.shares })))())
    expect(error.name).toBe('SplitMismatchError')
    expect(error.member).toBe(record.shares[differs]!.member)
  })

  it('refuse a stated m below Hoeffding\'s bound, or a range below the game\'s own', async () => {
    const { signature, ...unsigned } = record
    void signature
    const few = { ...unsigned, sampling: { ...unsigned.sampling!, permutations: 1_000 } }
    expect((await rejection((async () => verifySplitRecord(await signAsIs(few)))())).field).toBe('sampling.permutations')
    const narrow = { ...unsigned, sampling: { ...unsigned.sampling!, range: unsigned.sampling!.range / 2 } }
    expect((await rejection((async () => verifySplitRecord(await signAsIs(narrow)))())).field).toBe('sampling.range')
  })

  it('refuse a split too costly to recompute before doing it', async () => {
    // 24 members, too many to memoize v: at ε = range / 400 about 20 million evaluations.
    const many = await Promise.all(Array.from({ length: 24 }, async (_, k) => id(await identity(40 + k))))
    const game: SplitGame = {
      value: 40_000_000,
      roles: many.map((_, k) => ({ role: `step-${k}`, substitutePrice: 1_000_000, source: 'auction' as const, evidence: null })),
      members: byId(many.map((member, k) => ({ member, costs: [{ role: `step-${k}`, cost: 0 }] }))),
      synergies: []
    }
    const started = Date.now()
    const range = 40_000_000 - 23_000_000
    const error = thrown(() => computeSplitRecord(init(game, { budget: 40_000_000, sampling: { epsilon: range / 400 } })))
    expect(error.name).toBe('SplitTooCostlyError')
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})
