import { describe, expect, it } from 'vitest'
import { Settlements } from '../../../src/peer/settlements.ts'

/** A promise and the functions that settle it. */
function deferred (): { promise: Promise<void>, resolve: () => void, reject: (err: Error) => void } {
  const { promise, resolve, reject } = Promise.withResolvers<void>()
  return { promise, resolve: () => { resolve() }, reject }
}

describe('Settlements', () => {
  it('lets a submission go on while fewer than the limit are under way, and holds it at the limit until the oldest ends', async () => {
    const settlements = new Settlements(2)
    const [a, b, c] = [deferred(), deferred(), deferred()]
    await settlements.track(a.promise)
    await settlements.track(b.promise)
    expect(settlements.size).toBe(2)
    let third = false
    const tracking = settlements.track(c.promise).then(() => { third = true })
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(third).toBe(false)
    a.resolve()
    await tracking
    expect(third).toBe(true)
    expect(settlements.size).toBe(2)
    b.resolve()
    c.resolve()
    await settlements.settled()
    expect(settlements.size).toBe(0)
  })

  it('settled() waits for every settlement under way, those started meanwhile too, and survives a failed one', async () => {
    const settlements = new Settlements()
    const [a, b] = [deferred(), deferred()]
    await settlements.track(a.promise)
    let done = false
    const waiting = settlements.settled().then(() => { done = true })
    await settlements.track(b.promise)
    a.reject(new Error('the store is closed'))
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(done).toBe(false)
    b.resolve()
    await waiting
    expect(done).toBe(true)
  })

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Settlements(0)).toThrow(RangeError)
    expect(() => new Settlements(1.5)).toThrow(RangeError)
  })
})
