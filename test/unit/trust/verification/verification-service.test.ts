import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../../src/storage/memory-store.ts'
import { DEFAULT_VERIFICATION_POLICY, VerificationService } from '../../../../src/trust/verification/index.ts'

describe('VerificationService', () => {
  it('keeps the book of checked work across a restart', async () => {
    const store = createMemoryStore()
    const first = new VerificationService({ store }, { now: () => 1000 })
    await first.start()
    first.confirm('a')
    first.confirm('a')
    first.contradict('b')
    first.stop() // writes what is pending
    await new Promise(resolve => setTimeout(resolve, 0))
    const second = new VerificationService({ store }, { now: () => 2000 })
    await second.start()
    expect(second.book.record('a')).toEqual({ confirmed: 2, contradicted: 0, lastCheckedAt: 1000 })
    expect(second.book.record('b')).toEqual({ confirmed: 0, contradicted: 1, lastCheckedAt: 1000 })
  })

  it('resets an unusable saved book, and says so', async () => {
    const store = createMemoryStore()
    await store.saveState('checked-work', { version: 99, peers: [] })
    const resets: string[] = []
    const service = new VerificationService({ store }, { onReset: message => { resets.push(message) } })
    await service.start()
    expect(resets).toHaveLength(1)
    expect(service.book.peers()).toEqual([])
    expect(await store.loadState('checked-work')).toBeUndefined()
  })

  it('measures value in µ of budget: the default budget is the reference value', () => {
    const service = new VerificationService({ store: createMemoryStore() })
    expect(service.policy).toEqual({ ...DEFAULT_VERIFICATION_POLICY, referenceValue: 1_000_000 })
    expect(new VerificationService({ store: createMemoryStore() }, { policy: { firstChecks: 5 } }).policy.firstChecks).toBe(5)
  })
})
