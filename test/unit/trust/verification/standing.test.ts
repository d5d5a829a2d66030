/**
 * The standing executors are ranked and awarded by (trust/verification
 * standing.ts), read from the real books: the ReputationBook that records
 * every outcome and the CheckedWorkBook that records only checks.
 */
import { describe, expect, it } from 'vitest'
import { ReputationBook } from '../../../../src/trust/reputation/index.ts'
import {
  CheckedWorkBook, DEFAULT_EVIDENCE_HALF_LIFE_MS, DEFAULT_VERIFICATION_POLICY, UNCHECKED, checkedTrust, executorStanding
} from '../../../../src/trust/verification/index.ts'
import type { ExecutorStanding } from '../../../../src/trust/verification/index.ts'
import { thrown } from '../../../support/rejection.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/** A submitter's two books on one clock it moves by hand. */
function submitter (): { reputation: ReputationBook, checked: CheckedWorkBook, standing(peerId: string): ExecutorStanding, advance(ms: number): void } {
  let now = 1_700_000_000_000
  const reputation = new ReputationBook({ now: () => now })
  const checked = new CheckedWorkBook({ now: () => now })
  return {
    reputation,
    checked,
    standing: peerId => executorStanding({
      checked: checked.record(peerId),
      observedScore: reputation.score(peerId),
      blacklisted: reputation.isBlacklisted(peerId),
      whitelisted: reputation.isWhitelisted(peerId)
    }, now),
    advance: ms => { now += ms }
  }
}

describe('an executor\'s standing', () => {
  it('is neutral for a peer this submitter knows nothing of', () => {
    const { standing } = submitter()
    expect(standing('stranger')).toEqual({ score: 0.5, blacklisted: false })
    expect(executorStanding({ checked: UNCHECKED, observedScore: 0.5, blacklisted: false }, 0).score).toBe(0.5)
  })

  it('is not raised by unchecked successes: many of them rank below one checked confirmation', () => {
    const { reputation, checked, standing } = submitter()
    for (let i = 0; i < 50; i++) reputation.record('busy-unchecked', 'success')
    reputation.record('checked-once', 'success')
    checked.confirm('checked-once')
    // The reputation book alone would put the unchecked one far ahead…
    expect(reputation.score('busy-unchecked')).toBeGreaterThan(0.9)
    expect(reputation.score('busy-unchecked')).toBeGreaterThan(reputation.score('checked-once'))
    // …the standing does not move for it at all.
    expect(standing('busy-unchecked')).toEqual({ score: 0.5, blacklisted: false })
    expect(standing('checked-once').score).toBeCloseTo(2 / 3, 12)
    expect(standing('checked-once').score).toBeGreaterThan(standing('busy-unchecked').score)
  })

  it('grows with confirmations as the Beta posterior mean of being right, and fades as they grow stale', () => {
    const { reputation, checked, standing, advance } = submitter()
    for (let i = 0; i < 8; i++) {
      reputation.record('steady', 'success')
      checked.confirm('steady')
    }
    expect(standing('steady').score).toBeCloseTo(9 / 10, 12)
    advance(DEFAULT_EVIDENCE_HALF_LIFE_MS)
    // 8 confirmations count as 4 after one half-life: (1 + 4) / (2 + 4).
    expect(standing('steady').score).toBeCloseTo(5 / 6, 6)
  })

  it('excludes a peer caught once for good: after the reputation blacklist expires, and whatever it confirms since', () => {
    const { reputation, checked, standing, advance } = submitter()
    for (let i = 0; i < 5; i++) checked.confirm('camouflaged')
    checked.contradict('camouflaged')
    reputation.record('camouflaged', 'wrong-result', { proven: true })
    expect(standing('camouflaged')).toEqual({ score: 0, blacklisted: true })
    advance(2 * DAY_MS)
    expect(reputation.isBlacklisted('camouflaged')).toBe(false)
    for (let i = 0; i < 20; i++) checked.confirm('camouflaged')
    expect(checkedTrust(checked.record('camouflaged'), 0)).toBeGreaterThan(0.9)
    expect(standing('camouflaged')).toEqual({ score: 0, blacklisted: true })
  })

  it('excludes a peer the reputation book blacklists, for as long as it does', () => {
    const { reputation, standing, advance } = submitter()
    reputation.record('dissenter', 'wrong-result', { proven: true }) // e.g. a redundant task's majority contradicted it
    expect(standing('dissenter')).toEqual({ score: 0, blacklisted: true })
    advance(2 * DAY_MS)
    expect(standing('dissenter').blacklisted).toBe(false)
  })

  it('counts failures the reputation book saw against a peer, and successes only back up to neutral', () => {
    const { reputation, checked, standing } = submitter()
    checked.confirm('flaky')
    const trust = 2 / 3
    reputation.record('flaky', 'timeout')
    reputation.record('flaky', 'refusal')
    const lowered = standing('flaky').score
    expect(lowered).toBeCloseTo(trust * reputation.score('flaky') / 0.5, 12)
    expect(lowered).toBeLessThan(trust)
    for (let i = 0; i < 30; i++) reputation.record('flaky', 'success')
    expect(standing('flaky').score).toBeCloseTo(trust, 12)
  })

  it('never excludes a whitelisted peer, caught or not', () => {
    const { reputation, checked, standing } = submitter()
    reputation.allow('friend')
    checked.confirm('friend')
    checked.contradict('friend')
    reputation.record('friend', 'wrong-result', { proven: true })
    const { score, blacklisted } = standing('friend')
    expect(blacklisted).toBe(false)
    expect(score).toBeGreaterThan(0)
    expect(score).toBeLessThanOrEqual(0.5)
  })

  it('refuses a score or a record out of range, by name', () => {
    expect(thrown(() => executorStanding({ checked: UNCHECKED, observedScore: 1.5, blacklisted: false }, 0)).name).toBe('InvalidVerificationPolicyError')
    expect(thrown(() => executorStanding({ checked: UNCHECKED, observedScore: Number.NaN, blacklisted: false }, 0)).name).toBe('InvalidVerificationPolicyError')
    expect(thrown(() => executorStanding({ checked: { confirmed: -1, contradicted: 0 }, observedScore: 0.5, blacklisted: false }, 0, DEFAULT_VERIFICATION_POLICY)).name)
      .toBe('InvalidVerificationPolicyError')
  })
})
