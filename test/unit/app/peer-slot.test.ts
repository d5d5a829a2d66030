import { describe, expect, it } from 'vitest'
import { MAX_PEER_SLOTS, claimPeerSlot, databaseName } from '../../../src/app/peer-slot.ts'
import { rejection } from '../../support/rejection.ts'

/** A LockManager with `ifAvailable` semantics whose held locks can be released, as closing a tab does. */
function fakeLocks (): { locks: LockManager, release: (name: string) => void } {
  const held = new Map<string, () => void>()
  const locks = {
    async request (name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<unknown>) {
      if (held.has(name) && options.ifAvailable === true) return callback(null)
      let release = (): void => {}
      held.set(name, () => { release() })
      void callback({ name, mode: 'exclusive' } as Lock)
      await new Promise<void>(resolve => { release = () => { held.delete(name); resolve() } })
    }
  } as unknown as LockManager
  return { locks, release: name => { held.get(name)?.() } }
}

describe('peer slots', () => {
  it('gives each open tab its own slot, the lowest free one, and slot 0 the old database name', async () => {
    const { locks, release } = fakeLocks()
    expect(await claimPeerSlot(locks)).toBe(0)
    expect(await claimPeerSlot(locks)).toBe(1)
    expect(await claimPeerSlot(locks)).toBe(2)
    release('zerostate-peer-slot-1')
    expect(await claimPeerSlot(locks)).toBe(1)
    expect(databaseName(0)).toBe('zerostate')
    expect(databaseName(3)).toBe('zerostate-3')
  })

  it('without the Web Locks API every tab is slot 0; with every slot held, says so', async () => {
    expect(await claimPeerSlot(null)).toBe(0)
    const { locks } = fakeLocks()
    for (let i = 0; i < MAX_PEER_SLOTS; i++) await claimPeerSlot(locks)
    expect((await rejection(claimPeerSlot(locks))).name).toBe('TooManyTabsError')
  })
})
