import { describe, expect, it } from 'vitest'
import { ReputationBook } from '../../../../src/trust/reputation/index.ts'
import type { ReputationBookOptions } from '../../../../src/trust/reputation/index.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

function clocked (options: Omit<ReputationBookOptions, 'now'> = {}): { book: ReputationBook, advance: (ms: number) => void } {
  let t = 1_000_000
  return { book: new ReputationBook({ ...options, now: () => t }), advance: ms => { t += ms } }
}

function nameOf (fn: () => unknown): string {
  try { fn() } catch (err) { return (err as Error).name }
  throw new Error('expected a throw')
}

describe('ReputationBook', () => {
  it('starts neutral and moves by an EMA, a wrong result weighing three steps', () => {
    const { book } = clocked()
    expect(book.score('a')).toBe(0.5)
    expect(book.record('a', 'success')).toBeCloseTo(0.55, 12)
    expect(book.record('b', 'wrong-result')).toBeCloseTo(0.5 * 0.9 ** 3, 12)
    expect(book.record('c', 'timeout')).toBeCloseTo(0.2 + 0.3 * 0.9, 12)
    expect(book.record('d', 'refusal')).toBeCloseTo(0.4 + 0.1 * 0.9, 12)
    expect(book.record('e', 'no-show')).toBeCloseTo(0.45, 12)
  })

  it('blacklists at once for a proven wrong result, unless whitelisted; an unproven one only lowers the score', () => {
    const { book, advance } = clocked()
    book.record('a', 'wrong-result')
    expect(book.isBlacklisted('a')).toBe(false)
    book.record('b', 'wrong-result', { proven: true })
    expect(book.isBlacklisted('b')).toBe(true)
    book.record('c', 'timeout', { proven: true })
    expect(book.isBlacklisted('c')).toBe(false)
    book.allow('d')
    book.record('d', 'wrong-result', { proven: true })
    expect(book.isBlacklisted('d')).toBe(false)
    advance(DAY)
    expect(book.isBlacklisted('b')).toBe(false)
  })

  it('halves the distance to neutral every half-life', () => {
    const { book, advance } = clocked()
    for (let i = 0; i < 10; i++) book.record('a', 'success')
    const s0 = book.score('a')
    advance(7 * DAY)
    expect(book.score('a') - 0.5).toBeCloseTo((s0 - 0.5) / 2, 12)
    advance(7 * DAY)
    expect(book.score('a') - 0.5).toBeCloseTo((s0 - 0.5) / 4, 12)
    const custom = clocked({ halfLifeMs: HOUR })
    custom.book.record('x', 'no-show')
    custom.advance(HOUR)
    expect(custom.book.score('x')).toBeCloseTo(0.475, 12)
  })

  it('blacklists below 0.3 for 24 h, then lets good work recover the peer', () => {
    const { book, advance } = clocked()
    book.record('p', 'wrong-result')
    expect(book.isBlacklisted('p')).toBe(false) // 0.3645
    book.record('p', 'wrong-result')
    expect(book.score('p')).toBeLessThan(0.3)
    expect(book.isBlacklisted('p')).toBe(true)
    expect(book.trustOf('p')).toBe(0)
    advance(DAY - 1)
    expect(book.isBlacklisted('p')).toBe(true)
    advance(1)
    expect(book.isBlacklisted('p')).toBe(false)
    expect(book.score('p')).toBeLessThan(0.3) // still low: expiry is not amnesty
    // Good work never re-blacklists, and lifts the score.
    for (let i = 0; i < 5; i++) book.record('p', 'success')
    expect(book.isBlacklisted('p')).toBe(false)
    expect(book.score('p')).toBeGreaterThan(0.5)
    expect(book.history('p').map(h => h.outcome)).toEqual(['wrong-result', 'wrong-result', 'success', 'success', 'success', 'success', 'success'])
  })

  it('takes a configurable threshold and duration', () => {
    const { book, advance } = clocked({ blacklistThreshold: 0.46, blacklistMs: HOUR })
    book.record('p', 'no-show')
    expect(book.isBlacklisted('p')).toBe(true)
    advance(HOUR)
    expect(book.isBlacklisted('p')).toBe(false)
  })

  it('never blacklists a whitelisted peer, and whitelisting lifts a blacklisting', () => {
    const { book } = clocked()
    book.allow('w')
    for (let i = 0; i < 5; i++) book.record('w', 'wrong-result')
    expect(book.score('w')).toBeLessThan(0.3)
    expect(book.isBlacklisted('w')).toBe(false)
    for (let i = 0; i < 3; i++) book.record('q', 'wrong-result')
    expect(book.isBlacklisted('q')).toBe(true)
    book.allow('q')
    expect(book.isBlacklisted('q')).toBe(false)
    book.disallow('q')
    expect(book.isBlacklisted('q')).toBe(false)
    expect(book.trustOf('unknown')).toBeUndefined()
    book.allow('friend')
    expect(book.trustOf('friend')).toBe(0.5)
  })

  it('bounds history and the number of peers', () => {
    const { book, advance } = clocked({ historyLength: 3, maxPeers: 2 })
    for (let i = 0; i < 5; i++) { book.record('a', i % 2 === 0 ? 'success' : 'timeout'); advance(1) }
    expect(book.history('a').map(h => h.outcome)).toEqual(['success', 'timeout', 'success'])
    book.record('b', 'success'); advance(1)
    book.record('c', 'success')
    expect(book.peers().sort()).toEqual(['b', 'c'])
  })

  it('round-trips through JSON and rejects bad input by name', () => {
    const { book, advance } = clocked()
    book.record('a', 'success')
    for (let i = 0; i < 3; i++) book.record('b', 'wrong-result')
    book.allow('c')
    advance(HOUR)
    const json = JSON.parse(JSON.stringify(book.toJSON()))
    let t = 1_000_000 + HOUR
    const copy = ReputationBook.fromJSON(json, { now: () => t })
    expect(copy.toJSON()).toEqual(book.toJSON())
    expect(copy.score('a')).toBe(book.score('a'))
    expect(copy.isBlacklisted('b')).toBe(true)
    expect(copy.isWhitelisted('c')).toBe(true)
    t += DAY
    expect(copy.isBlacklisted('b')).toBe(false)

    const now = (): number => 0
    const bad = (value: unknown): string => nameOf(() => ReputationBook.fromJSON(value, { now }))
    const peer = json.peers[0]
    expect(bad(null)).toBe('InvalidReputationBookError')
    expect(bad({ ...json, version: 2 })).toBe('InvalidReputationBookError')
    expect(bad({ ...json, peers: [{ ...peer, score: 1.5 }] })).toBe('InvalidReputationBookError')
    expect(bad({ ...json, peers: [peer, peer] })).toBe('InvalidReputationBookError')
    expect(bad({ ...json, peers: [{ ...peer, history: [{ outcome: 'great', at: 0 }] }] })).toBe('InvalidReputationBookError')
    expect(bad({ ...json, peers: [{ ...peer, blacklistedUntil: 'never' }] })).toBe('InvalidReputationBookError')
    expect(bad({ ...json, whitelist: ['c', 'c'] })).toBe('InvalidReputationBookError')
    const many = Array.from({ length: 3 }, (_, i) => ({ ...peer, peerId: `p${i}` }))
    expect(nameOf(() => ReputationBook.fromJSON({ ...json, peers: many }, { now, maxPeers: 2 }))).toBe('InvalidReputationBookError')
    const longHistory = { ...peer, history: Array.from({ length: 21 }, () => ({ outcome: 'success', at: 0 })) }
    expect(bad({ ...json, peers: [longHistory] })).toBe('InvalidReputationBookError')
  })

  it('rejects bad options, keys and outcomes by name', () => {
    expect(nameOf(() => new ReputationBook({} as ReputationBookOptions))).toBe('InvalidReputationOptionsError')
    expect(nameOf(() => new ReputationBook({ now: () => 0, learningRate: 0 }))).toBe('InvalidReputationOptionsError')
    expect(nameOf(() => new ReputationBook({ now: () => 0, halfLifeMs: -1 }))).toBe('InvalidReputationOptionsError')
    expect(nameOf(() => new ReputationBook({ now: () => 0, blacklistThreshold: 2 }))).toBe('InvalidReputationOptionsError')
    const { book } = clocked()
    expect(nameOf(() => book.record('', 'success'))).toBe('InvalidPeerKeyError')
    expect(nameOf(() => book.record('a'.repeat(129), 'success'))).toBe('InvalidPeerKeyError')
    expect(nameOf(() => book.record('a', 'great' as 'success'))).toBe('InvalidOutcomeError')
  })
})
