/**
 * The token bucket per key: a burst, then a steady rate, per key; bounded
 * memory whatever number of keys a flood uses.
 */
import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../../src/network/rate-limit.ts'

function clock (start = 1_000_000): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => { t += ms } }
}

describe('RateLimiter', () => {
  it('allows a burst, then one per 1/perSecond', () => {
    const time = clock()
    const limiter = new RateLimiter({ burst: 3, perSecond: 2, now: time.now })
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, true, false])
    time.advance(499)
    expect(limiter.take('a')).toBe(false)
    time.advance(1)
    expect(limiter.take('a')).toBe(true)
    expect(limiter.take('a')).toBe(false)
  })

  it('keeps one bucket per key', () => {
    const time = clock()
    const limiter = new RateLimiter({ burst: 1, perSecond: 0, now: time.now })
    expect(limiter.take('a')).toBe(true)
    expect(limiter.take('a')).toBe(false)
    expect(limiter.take('b')).toBe(true)
    time.advance(3_600_000)
    expect(limiter.take('a')).toBe(false)
  })

  it('refills no further than the burst', () => {
    const time = clock()
    const limiter = new RateLimiter({ burst: 2, perSecond: 10, now: time.now })
    limiter.take('a')
    time.advance(60_000)
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false])
  })

  it('tells whether a key has a token without spending it', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 0, now: () => 0 })
    expect(limiter.allows('a')).toBe(true)
    expect(limiter.allows('a')).toBe(true)
    limiter.take('a')
    expect(limiter.allows('a')).toBe(false)
  })

  it('holds at most maxKeys buckets, forgetting the least recently used', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 0, maxKeys: 100, now: () => 0 })
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`)
    expect(limiter.size).toBe(100)
    // The newest keys are still spent; a forgotten one comes back with a full bucket.
    expect(limiter.take('k9999')).toBe(false)
    expect(limiter.take('k0')).toBe(true)
  })

  it('refuses a burst below 1 or a negative rate', () => {
    expect(() => new RateLimiter({ burst: 0, perSecond: 1, now: () => 0 })).toThrow(RangeError)
    expect(() => new RateLimiter({ burst: 1, perSecond: -1, now: () => 0 })).toThrow(RangeError)
    expect(() => new RateLimiter({ burst: Number.NaN, perSecond: 1, now: () => 0 })).toThrow(RangeError)
  })
})
