/** The Q-router a peer keeps: restored across restarts, reset (with a notice) when unusable. */
import { describe, expect, it } from 'vitest'
import { StoredRouter } from '../../../../src/orchestration/routing/index.ts'
import { createMemoryStore } from '../../../../src/storage/index.ts'

const clock = { random: () => 0.5, now: () => 1_000_000 }

describe('StoredRouter', () => {
  it('restores what it learnt after a restart on the same store (stop writes what is pending)', async () => {
    const store = createMemoryStore()
    const first = new StoredRouter({ store }, { clock })
    await first.start()
    first.record('class:sha256', 'peerA', 40)
    first.stop()
    await new Promise(resolve => setTimeout(resolve, 0))

    const second = new StoredRouter({ store }, { clock })
    await second.start()
    expect(second.router.toJSON()).toEqual(first.router.toJSON())
    expect(second.router.toJSON().entries.some(e => e.dest === 'class:sha256' && e.via === 'peerA')).toBe(true)
  })

  it('resets an unusable saved table and says so', async () => {
    const store = createMemoryStore()
    await store.saveState('q-router', 'not a table')
    const notices: string[] = []
    const router = new StoredRouter({ store }, { clock, onReset: message => { notices.push(message) } })
    await router.start()
    expect(notices).toEqual([expect.stringContaining('routing table')])
    expect(await store.loadState('q-router')).toBeUndefined()
    expect(router.router.toJSON().entries).toEqual([])
  })
})
