/** The simulation's event queue: time order, FIFO on ties, and no scheduling into the past. */
import { describe, expect, it } from 'vitest'
import { EventQueue } from '../../sim/event-queue.ts'
import { mulberry32 } from '../../../src/core/index.ts'

function drain<T> (q: EventQueue<T>): Array<[number, T]> {
  const out: Array<[number, T]> = []
  for (let e = q.next(); e !== undefined; e = q.next()) out.push([e.time, e.item])
  return out
}

describe('EventQueue', () => {
  it('returns events in time order and advances now', () => {
    const q = new EventQueue<string>()
    q.schedule(30, 'c')
    q.schedule(10, 'a')
    q.schedule(20, 'b')
    expect(q.size).toBe(3)
    expect(q.next()).toEqual({ time: 10, item: 'a' })
    expect(q.now).toBe(10)
    expect(drain(q)).toEqual([[20, 'b'], [30, 'c']])
    expect(q.next()).toBeUndefined()
    expect(q.now).toBe(30)
  })

  it('breaks ties in scheduling order, including events scheduled while draining', () => {
    const q = new EventQueue<number>()
    for (let i = 0; i < 10; i++) q.schedule(5, i)
    q.schedule(1, -1)
    expect(q.next()?.item).toBe(-1)
    q.schedule(5, 10) // now = 1, same time as the others: after them
    expect(drain(q).map(([, x]) => x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('agrees with a stable sort on many random events', () => {
    const rnd = mulberry32(3)
    const q = new EventQueue<number>()
    const all: Array<[number, number]> = []
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rnd() * 100)
      q.schedule(t, i)
      all.push([t, i])
    }
    all.sort((a, b) => a[0] - b[0])
    expect(drain(q)).toEqual(all)
  })

  it('rejects times in the past or not finite', () => {
    const q = new EventQueue<number>()
    q.schedule(10, 1)
    q.next()
    for (const t of [9, NaN, Infinity]) expect(() => q.schedule(t, 2)).toThrow(expect.objectContaining({ name: 'InvalidEventTimeError' }))
    q.schedule(10, 3)
    expect(q.next()?.item).toBe(3)
  })
})
