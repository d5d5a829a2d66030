/** The reputation book a peer keeps: restored across restarts, reset (with a notice) when unusable, policy kept. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStore } from '../../../../src/storage/index.ts'
import { ReputationService } from '../../../../src/trust/reputation/index.ts'

const PEER = '12D3KooWPeerOfTheTest'

describe('ReputationService', () => {
  afterEach(() => { vi.useRealTimers() })

  it('keeps what it learnt, its policy and its whitelist across a restart on the same store', async () => {
    const store = createMemoryStore()
    const first = new ReputationService({ store })
    await first.start()
    await first.setPolicy({ blacklistThreshold: 0.25 })
    first.record(PEER, 'wrong-result', { proven: true })
    first.whitelist('12D3KooWFriend', true)
    first.stop()
    await Promise.resolve()

    const second = new ReputationService({ store })
    await second.start()
    expect(second.policy).toEqual({ blacklistThreshold: 0.25 })
    expect(second.book.isBlacklisted(PEER)).toBe(true)
    expect(second.book.isWhitelisted('12D3KooWFriend')).toBe(true)
  })

  it('writes a burst of changes once, a while after the first', async () => {
    vi.useFakeTimers()
    const store = createMemoryStore()
    const saves = vi.spyOn(store, 'saveState')
    const service = new ReputationService({ store })
    await service.start()
    for (let i = 0; i < 5; i++) service.record(PEER, 'success')
    expect(saves).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(2500)
    expect(saves.mock.calls.filter(([key]) => key === 'reputation')).toHaveLength(1)
  })

  it('resets an unusable saved book and says so; a bad policy leaves the book as it was', async () => {
    const store = createMemoryStore()
    await store.saveState('reputation', { version: 999 })
    const notices: string[] = []
    const service = new ReputationService({ store }, { onReset: message => { notices.push(message) } })
    await service.start()
    expect(notices).toHaveLength(1)
    expect(await store.loadState('reputation')).toBeUndefined()
    service.record(PEER, 'success')
    await expect(service.setPolicy({ halfLifeMs: -1 })).rejects.toMatchObject({ name: 'InvalidReputationOptionsError' })
    expect(service.book.history(PEER)).toHaveLength(1)
    expect(service.policy).toEqual({})
  })
})
