/**
 * A witness's dispute settled by the submitter's own re-run is a check: its
 * culprit — the executor or the lying witness — enters the book of checked
 * work as contradicted, so the ranking excludes it for good, not only while
 * the reputation book blacklists it. The real TaskAccountability,
 * ReputationService and VerificationService; the refund request and reports
 * are recorded, and the dispute carries only the fields accountability reads.
 */
import { describe, expect, it } from 'vitest'
import { executorStanding } from '../../../src/trust/verification/index.ts'
import type { DisputeOutcome } from '../../../src/trust/witness/index.ts'
import { checkedBooks } from '../../support/checked-mesh.ts'

const dispute = (wrong: DisputeOutcome['wrong']): DisputeOutcome => ({
  receipt: { taskId: 'task-1', executor: 'the-executor' },
  wrong,
  attestation: { witness: 'the-witness' },
  own: {}
} as unknown as DisputeOutcome)

describe('a dispute settled by this peer\'s own re-run', () => {
  it('records a wrong executor as contradicted: excluded from ranking for good', async () => {
    const { accountability, reputation, verification, refunds } = await checkedBooks()
    await accountability.disputeResolved(dispute('executor'))
    expect(verification.book.record('the-executor')).toMatchObject({ confirmed: 0, contradicted: 1 })
    expect(verification.book.record('the-witness')).toMatchObject({ confirmed: 0, contradicted: 0 })
    expect(refunds).toEqual(['task-1'])
    expect(executorStanding({
      checked: verification.book.record('the-executor'), observedScore: reputation.book.score('the-executor'), blacklisted: false
    }, Date.now()).blacklisted).toBe(true)
    reputation.stop()
    verification.stop()
  })

  it('records a lying witness as contradicted, and leaves the executor it accused alone', async () => {
    const { accountability, verification, reputation, refunds } = await checkedBooks()
    await accountability.disputeResolved(dispute('witness'))
    expect(verification.book.record('the-witness').contradicted).toBe(1)
    expect(verification.book.record('the-executor').contradicted).toBe(0)
    expect(reputation.book.isBlacklisted('the-witness')).toBe(true)
    expect(refunds).toEqual([])
    reputation.stop()
    verification.stop()
  })
})
