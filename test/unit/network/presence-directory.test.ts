/**
 * The presence directory: newest announcement per peer, silent peers
 * forgotten, and bounded — claims (peers never shown real) hold at most
 * their share and push out only each other; proven peers stay.
 */
import { describe, expect, it } from 'vitest'
import { PRESENCE_TTL_MS } from '../../../src/network/presence/constants.ts'
import { PresenceDirectory } from '../../../src/network/presence/directory.ts'
import type { PresenceRecord } from '../../../src/network/presence/index.ts'

const T0 = 1_700_000_000_000

function setup (limits: { maxEntries?: number, maxUnproven?: number } = {}): { directory: PresenceDirectory, advance: (ms: number) => void, now: () => number } {
  let t = T0
  const now = (): number => t
  return { directory: new PresenceDirectory({ now, ...limits }), advance: (ms) => { t += ms }, now }
}

const record = (peerId: string, receivedAt: number, sentAt = receivedAt): PresenceRecord =>
  ({ peerId, multiaddrs: [], contributing: true, slots: 1, receivedAt, sentAt })

describe('PresenceDirectory', () => {
  it('keeps the newest announcement of each peer and ignores older or equal ones', () => {
    const { directory } = setup()
    expect(directory.offer(record('a', T0, 10), { proven: false })).toBe('accepted')
    expect(directory.offer(record('a', T0, 9), { proven: false })).toBe('stale')
    expect(directory.offer(record('a', T0, 10), { proven: false })).toBe('stale')
    expect(directory.offer(record('a', T0, 11), { proven: false })).toBe('accepted')
    expect(directory.get('a')?.sentAt).toBe(11)
    expect(directory.stats()).toMatchObject({ size: 1, accepted: 2, stale: 2 })
  })

  it('forgets a peer silent for longer than the TTL, by its arrival time', () => {
    const { directory, advance, now } = setup()
    directory.offer(record('a', now()), { proven: false })
    advance(PRESENCE_TTL_MS)
    expect(directory.get('a')).toBeDefined()
    advance(1)
    expect(directory.get('a')).toBeUndefined()
    expect(directory.records()).toEqual([])
    expect(directory.prune()).toEqual(['a'])
    expect(directory.stats()).toMatchObject({ size: 0, unproven: 0, expired: 1 })
  })

  it('takes a newer announcement after the old one expired, even with an older sender clock', () => {
    const { directory, advance, now } = setup()
    directory.offer(record('a', now(), 100), { proven: false })
    advance(PRESENCE_TTL_MS + 1)
    expect(directory.offer(record('a', now(), 50), { proven: false })).toBe('accepted')
  })

  it('holds at most maxUnproven claims, pushing out the one heard from least recently', () => {
    const { directory, advance, now } = setup({ maxEntries: 10, maxUnproven: 3 })
    for (const id of ['a', 'b', 'c']) {
      directory.offer(record(id, now()), { proven: false })
      advance(1)
    }
    // 'a' speaks again: now 'b' is the least recently heard.
    directory.offer(record('a', now(), now()), { proven: false })
    advance(1)
    expect(directory.offer(record('d', now()), { proven: false })).toBe('accepted')
    expect(directory.records().map(r => r.peerId).sort()).toEqual(['a', 'c', 'd'])
    expect(directory.stats()).toMatchObject({ size: 3, unproven: 3, evicted: 1 })
  })

  it('never lets claims push out a proven peer', () => {
    const { directory, now } = setup({ maxEntries: 4, maxUnproven: 2 })
    directory.offer(record('real-1', now()), { proven: true })
    directory.offer(record('real-2', now()), { proven: false })
    directory.markProven('real-2')
    for (let i = 0; i < 1000; i++) directory.offer(record(`fake-${i}`, now()), { proven: false })
    const ids = directory.records().map(r => r.peerId)
    expect(ids).toContain('real-1')
    expect(ids).toContain('real-2')
    expect(ids).toHaveLength(4)
    expect(directory.stats()).toMatchObject({ size: 4, unproven: 2, max: 4, maxUnproven: 2, evicted: 998 })
  })

  it('admits a proven peer past the claims by pushing one out, and refuses only when every place is proven', () => {
    const { directory, now } = setup({ maxEntries: 3, maxUnproven: 3 })
    for (const id of ['f1', 'f2', 'f3']) directory.offer(record(id, now()), { proven: false })
    expect(directory.offer(record('r1', now()), { proven: true })).toBe('accepted')
    expect(directory.offer(record('r2', now()), { proven: true })).toBe('accepted')
    expect(directory.offer(record('r3', now()), { proven: true })).toBe('accepted')
    expect(directory.offer(record('r4', now()), { proven: true })).toBe('capacity')
    expect(directory.offer(record('f4', now()), { proven: false })).toBe('capacity')
    expect(directory.stats()).toMatchObject({ size: 3, unproven: 0, capacity: 2 })
  })

  it('makes room from expired peers before pushing anyone out', () => {
    const { directory, advance, now } = setup({ maxEntries: 2, maxUnproven: 2 })
    directory.offer(record('old', now()), { proven: true })
    advance(PRESENCE_TTL_MS + 1)
    directory.offer(record('a', now()), { proven: false })
    expect(directory.offer(record('b', now()), { proven: false })).toBe('accepted')
    expect(directory.stats()).toMatchObject({ size: 2, expired: 1, evicted: 0 })
  })

  it('keeps a peer proven across its later announcements, and counts claims exactly', () => {
    const { directory, now } = setup()
    directory.offer(record('a', now(), 1), { proven: false })
    expect(directory.stats().unproven).toBe(1)
    directory.markProven('a')
    directory.markProven('a')
    expect(directory.stats().unproven).toBe(0)
    directory.offer(record('a', now(), 2), { proven: false })
    expect(directory.isProven('a')).toBe(true)
    expect(directory.stats().unproven).toBe(0)
    directory.markProven('nobody')
    expect(directory.stats().size).toBe(1)
  })

  it('refuses bounds that are not positive integers', () => {
    expect(() => new PresenceDirectory({ now: () => 0, maxEntries: 0 })).toThrow(RangeError)
    expect(() => new PresenceDirectory({ now: () => 0, maxUnproven: 1.5 })).toThrow(RangeError)
  })
})
