/**
 * A witness's dispute settled by the submitter's own re-run is a check: its
 * culprit — the executor or the lying witness — enters the book of checked
 * work as contradicted, so the ranking excludes it for good, not only while
 * the reputation book blacklists it. The real TaskAccountability,
 * ReputationService and VerificationService; the refund request and reports
 * are recorded, and the dispute carries only the fields accountability reads.
 */
import { describe, expect, it } from 'vitest'
import { TaskAccountability } from '../../../src/orchestration/dispatch/index.ts'
import type { TaskAccountabilityComponents } from '../../../src/orchestration/dispatch/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { ReputationService } from '../../../src/trust/reputation/index.ts'
import { VerificationService, executorStanding } from '../../../src/trust/verification/index.ts'
import type { DisputeOutcome } from '../../../src/trust/witness/index.ts'

async function accountable (): Promise<{ accountability: TaskAccountability, reputation: ReputationService, verification: VerificationService, refunds: string[] }> {
  const reputation = new ReputationService({ store: createMemoryStore() })
  const verification = new VerificationService({ store: createMemoryStore() })
  await Promise.all([reputation.start(), verification.start()])
  const refunds: string[] = []
  const accountability = new TaskAccountability({
    payments: {
      channels: { requestRefund: async (receipt: { taskId: string }) => { refunds.push(receipt.taskId) } }
    } as unknown as TaskAccountabilityComponents['payments'],
    witness: { afterTask: async () => false },
    reputation,
    reports: { report: async () => {} },
    verification
  })
  return { accountability, reputation, verification, refunds }
}

const dispute = (wrong: DisputeOutcome['wrong']): DisputeOutcome => ({
  receipt: { taskId: 'task-1', executor: 'the-executor' },
  wrong,
  attestation: { witness: 'the-witness' },
  own: {}
} as unknown as DisputeOutcome)

describe('a dispute settled by this peer\'s own re-run', () => {
  it('records a wrong executor as contradicted: excluded from ranking for good', async () => {
    const { accountability, reputation, verification, refunds } = await accountable()
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
    const { accountability, verification, reputation, refunds } = await accountable()
    await accountability.disputeResolved(dispute('witness'))
    expect(verification.book.record('the-witness').contradicted).toBe(1)
    expect(verification.book.record('the-executor').contradicted).toBe(0)
    expect(reputation.book.isBlacklisted('the-witness')).toBe(true)
    expect(refunds).toEqual([])
    reputation.stop()
    verification.stop()
  })
})
