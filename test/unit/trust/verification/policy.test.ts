import { describe, expect, it } from 'vitest'
import {
  CheckedWorkBook, DEFAULT_FIRST_CHECKS, DEFAULT_VERIFICATION_POLICY, checkProbability, checkVerificationPolicy, checkedTrust, chooseCheckers,
  decideVerification, expectedWrongRate
} from '../../../../src/trust/verification/index.ts'
import type { CheckedRecord } from '../../../../src/trust/verification/index.ts'

const DAY = 24 * 60 * 60 * 1000
const NOW = 1_000_000_000

function nameOf (fn: () => unknown): string {
  try { fn() } catch (err) { return (err as Error).name }
  throw new Error('expected a throw')
}

/** A deterministic stream of uniform numbers in [0, 1) (mulberry32). */
function seeded (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const confirmed = (n: number, at = NOW): CheckedRecord => ({ confirmed: n, contradicted: 0, lastCheckedAt: at })

describe('decideVerification', () => {
  it('always checks a new executor\'s first tasks, whatever the value and the draw, and holds their payment', () => {
    for (let n = 0; n < DEFAULT_FIRST_CHECKS; n++) {
      for (const value of [0, 1e-6, 1, 1e9]) {
        const decision = decideVerification(confirmed(n), { value }, 0.999999, NOW)
        expect(decision).toEqual({ check: true, holdPayment: true, probability: 1, reason: 'newcomer' })
      }
    }
    // The first task after them is a gamble: a draw of almost 1 accepts a cheap task.
    expect(decideVerification(confirmed(DEFAULT_FIRST_CHECKS), { value: 0.01 }, 0.999999, NOW)).toMatchObject({ check: false, holdPayment: false, reason: 'risk' })
  })

  it('always checks an executor once contradicted, and holds its payment', () => {
    const caught = { confirmed: 500, contradicted: 1, lastCheckedAt: NOW }
    expect(decideVerification(caught, { value: 0 }, 0.999999, NOW)).toEqual({ check: true, holdPayment: true, probability: 1, reason: 'contradicted' })
  })

  it('checks with a probability that grows with the task\'s value and never falls below the floor', () => {
    const record = confirmed(40)
    let previous = -1
    for (const value of [0, 0.01, 0.1, 0.5, 1, 2, 5, 20, 100, 1e6]) {
      const p = checkProbability(record, { value }, NOW)
      expect(p).toBeGreaterThanOrEqual(previous)
      expect(p).toBeGreaterThanOrEqual(DEFAULT_VERIFICATION_POLICY.minCheckRate)
      expect(p).toBeLessThanOrEqual(1)
      previous = p
    }
    expect(checkProbability(record, { value: 0 }, NOW)).toBe(DEFAULT_VERIFICATION_POLICY.minCheckRate)
    expect(checkProbability(record, { value: 1e6 }, NOW)).toBe(1)
    expect(checkProbability(record, { value: 2 }, NOW)).toBeGreaterThan(checkProbability(record, { value: 1 }, NOW))
  })

  it('checks less as confirmations accumulate, and more again as they grow stale', () => {
    let previous = 2
    for (const n of [3, 4, 6, 10, 20, 50, 100]) {
      const p = checkProbability(confirmed(n), { value: 1 }, NOW)
      expect(p).toBeLessThanOrEqual(previous)
      previous = p
    }
    expect(checkProbability(confirmed(20), { value: 1 }, NOW)).toBeLessThan(checkProbability(confirmed(10), { value: 1 }, NOW))
    const fresh = checkProbability(confirmed(20, NOW), { value: 1 }, NOW)
    const stale = checkProbability(confirmed(20, NOW - 14 * DAY), { value: 1 }, NOW)
    expect(stale).toBeGreaterThan(fresh)
    // Two half-lives: 20 confirmations count as 5.
    expect(expectedWrongRate(confirmed(20, NOW - 14 * DAY), NOW)).toBeCloseTo(1 / 7, 12)
  })

  it('draws against the probability: a lower draw checks, the same draw with a higher value never accepts', () => {
    const record = confirmed(30)
    const p = checkProbability(record, { value: 1 }, NOW)
    expect(decideVerification(record, { value: 1 }, p * 0.99, NOW).check).toBe(true)
    expect(decideVerification(record, { value: 1 }, Math.min(0.999, p * 1.01), NOW).check).toBe(false)
    const random = seeded(7)
    for (let i = 0; i < 200; i++) {
      const r = random()
      if (decideVerification(record, { value: 1 }, r, NOW).check) expect(decideVerification(record, { value: 3 }, r, NOW).check).toBe(true)
    }
  })

  it('holds payment for a checked task only while the executor is risky', () => {
    const policy = checkVerificationPolicy({ holdUntilConfirmed: 10, minCheckRate: 1 })
    expect(decideVerification(confirmed(9), { value: 1 }, 0.5, NOW, policy)).toMatchObject({ check: true, holdPayment: true })
    expect(decideVerification(confirmed(10), { value: 1 }, 0.5, NOW, policy)).toMatchObject({ check: true, holdPayment: false })
  })

  it('checks at the measured rate: the share of checks over many draws is the probability', () => {
    const record = confirmed(25)
    const p = checkProbability(record, { value: 1 }, NOW)
    const random = seeded(1)
    let checks = 0
    const draws = 20000
    for (let i = 0; i < draws; i++) if (decideVerification(record, { value: 1 }, random(), NOW).check) checks++
    expect(checks / draws).toBeCloseTo(p, 1)
  })

  it('rejects a bad draw, value, record or policy with InvalidVerificationPolicyError', () => {
    expect(nameOf(() => decideVerification(confirmed(5), { value: 1 }, 1, NOW))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => decideVerification(confirmed(5), { value: 1 }, Number.NaN, NOW))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => decideVerification(confirmed(5), { value: -1 }, 0.5, NOW))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => decideVerification(confirmed(5), { value: Infinity }, 0.5, NOW))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => decideVerification({ confirmed: 1.5, contradicted: 0 }, { value: 1 }, 0.5, NOW))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => checkVerificationPolicy({ firstChecks: -1 }))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => checkVerificationPolicy({ minCheckRate: 1.5 }))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => checkVerificationPolicy({ checkGain: 0 }))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => checkVerificationPolicy({ minCheckerConfirmed: 0 }))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => checkVerificationPolicy({ nonsense: 1 } as never))).toBe('InvalidVerificationPolicyError')
    expect(checkVerificationPolicy({ firstChecks: 0, evidenceHalfLifeMs: Infinity })).toMatchObject({ firstChecks: 0, evidenceHalfLifeMs: Infinity })
  })
})

describe('checkedTrust', () => {
  it('is the prior for a newcomer, rises with confirmations, and falls below the prior on a contradiction', () => {
    expect(checkedTrust({ confirmed: 0, contradicted: 0 }, NOW)).toBe(0.5)
    expect(checkedTrust(confirmed(4), NOW)).toBeCloseTo(5 / 6, 12)
    expect(checkedTrust(confirmed(10), NOW)).toBeGreaterThan(checkedTrust(confirmed(4), NOW))
    expect(checkedTrust({ confirmed: 10, contradicted: 1, lastCheckedAt: NOW }, NOW)).toBeLessThan(checkedTrust(confirmed(10), NOW))
  })
})

describe('CheckedWorkBook', () => {
  it('counts checked work only: there is no way to record an unchecked success', () => {
    let t = NOW
    const book = new CheckedWorkBook({ now: () => t })
    expect(book.record('a')).toEqual({ confirmed: 0, contradicted: 0 })
    expect(Object.getOwnPropertyNames(CheckedWorkBook.prototype).sort()).toEqual(['add', 'confirm', 'constructor', 'contradict', 'makeRoom', 'peers', 'record', 'toJSON'])
    book.confirm('a')
    t += 1000
    expect(book.confirm('a')).toEqual({ confirmed: 2, contradicted: 0, lastCheckedAt: NOW + 1000 })
    expect(book.contradict('b')).toEqual({ confirmed: 0, contradicted: 1, lastCheckedAt: NOW + 1000 })
    // The policy's view follows the book: two confirmations are still a newcomer's, a contradiction is always checked.
    expect(decideVerification(book.record('a'), { value: 1 }, 0.99, t).reason).toBe('newcomer')
    expect(decideVerification(book.record('b'), { value: 0 }, 0.99, t).check).toBe(true)
  })

  it('round-trips through JSON and rejects a malformed book', () => {
    const book = new CheckedWorkBook({ now: () => NOW })
    book.confirm('a')
    book.contradict('b')
    const copy = CheckedWorkBook.fromJSON(JSON.parse(JSON.stringify(book.toJSON())), { now: () => NOW })
    expect(copy.record('a')).toEqual(book.record('a'))
    expect(copy.record('b')).toEqual(book.record('b'))
    expect(nameOf(() => CheckedWorkBook.fromJSON({ version: 2, peers: [] }, { now: () => NOW }))).toBe('InvalidCheckedWorkBookError')
    expect(nameOf(() => CheckedWorkBook.fromJSON({ version: 1, peers: [{ peerId: 'a', confirmed: -1, contradicted: 0, lastCheckedAt: 0 }] }, { now: () => NOW })))
      .toBe('InvalidCheckedWorkBookError')
    const twice = { peerId: 'a', confirmed: 1, contradicted: 0, lastCheckedAt: 0 }
    expect(nameOf(() => CheckedWorkBook.fromJSON({ version: 1, peers: [twice, twice] }, { now: () => NOW }))).toBe('InvalidCheckedWorkBookError')
    expect(nameOf(() => book.confirm(''))).toBe('InvalidCheckedPeerKeyError')
  })

  it('when full, forgets the least recently checked peer but remembers a caught cheat', () => {
    let t = NOW
    const book = new CheckedWorkBook({ now: () => t, maxPeers: 2 })
    book.contradict('cheat')
    t++
    book.confirm('old')
    t++
    book.confirm('new')
    expect(book.peers().sort()).toEqual(['cheat', 'new'])
  })
})

describe('chooseCheckers', () => {
  const peers = Array.from({ length: 20 }, (_, i) => `p${i}`)
  const records = new Map<string, CheckedRecord>(peers.map((p, i) => [p, confirmed(i)]))
  records.set('p15', { confirmed: 15, contradicted: 1, lastCheckedAt: NOW })
  const base = {
    submitter: 'p19',
    executor: 'p18',
    candidates: peers,
    recordOf: (p: string) => records.get(p) ?? { confirmed: 0, contradicted: 0 },
    isBlacklisted: (p: string) => p === 'p17',
    now: NOW
  }

  it('never picks the executor, the submitter, a blacklisted, contradicted or little-confirmed peer', () => {
    const random = seeded(3)
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const chosen = chooseCheckers({ ...base, count: 3, random })
      expect(chosen).toHaveLength(3)
      expect(new Set(chosen).size).toBe(3)
      for (const p of chosen) seen.add(p)
    }
    for (const excluded of ['p19', 'p18', 'p17', 'p15', 'p0', 'p7']) expect(seen.has(excluded)).toBe(false)
    // Every trusted peer (8 confirmations or more) gets its turn: p8…p14 and p16.
    expect([...seen].sort()).toEqual(['p10', 'p11', 'p12', 'p13', 'p14', 'p16', 'p8', 'p9'])
  })

  it('returns fewer (or none) when too few peers are trusted: the submitter then checks itself', () => {
    expect(chooseCheckers({ ...base, candidates: ['p18', 'p19', 'p1', 'p2', 'p16'], count: 2, random: seeded(1) })).toEqual(['p16'])
    expect(chooseCheckers({ ...base, candidates: ['p18', 'p19', 'p1'], count: 1, random: seeded(1) })).toEqual([])
    // Exactly the threshold counts, checked a moment ago; a record whose last check is older than a half-life does not.
    const recent = { ...base, candidates: ['p16'], recordOf: () => confirmed(DEFAULT_VERIFICATION_POLICY.minCheckerConfirmed, NOW - 1), count: 1, random: seeded(1) }
    expect(chooseCheckers(recent)).toEqual(['p16'])
    const stale = { ...base, candidates: ['p16'], recordOf: () => confirmed(16, NOW - 8 * DAY), count: 1, random: seeded(1) }
    expect(chooseCheckers(stale)).toEqual([])
  })

  it('rejects a bad count or draw', () => {
    expect(nameOf(() => chooseCheckers({ ...base, count: 0, random: seeded(1) }))).toBe('InvalidVerificationPolicyError')
    expect(nameOf(() => chooseCheckers({ ...base, count: 1, random: () => 1 }))).toBe('InvalidVerificationPolicyError')
  })
})
