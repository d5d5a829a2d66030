/**
 * The executor's fair queue (orchestration/task-protocol/fair-queue.ts), pure:
 * bounded per submitter and in all, served round-robin between submitters
 * rather than in arrival order, with the clock and the slot count injected.
 */
import { describe, expect, it } from 'vitest'
import { FairQueue } from '../../../src/orchestration/task-protocol/fair-queue.ts'
import type { FairQueueInit } from '../../../src/orchestration/task-protocol/fair-queue.ts'

function queue (overrides: Partial<FairQueueInit> = {}): { q: FairQueue<string>, clock: { now: number } } {
  const clock = { now: 1_000_000 }
  const q = new FairQueue<string>({ maxQueued: 16, maxQueuedPerSubmitter: 4, contenderMs: 10_000, slots: () => 1, now: () => clock.now, ...overrides })
  return { q, clock }
}

/** Hands out everything, finishing each as soon as it starts (one slot): the service order. */
function serveAll (q: FairQueue<string>): string[] {
  const order: string[] = []
  for (let next = q.shift(); next !== undefined; next = q.shift()) {
    order.push(next.item)
    q.finish(next.submitter)
  }
  return order
}

describe('FairQueue', () => {
  it('serves submitters round-robin, not in arrival order', () => {
    const { q } = queue()
    for (const item of ['c1', 'c2', 'c3', 'c4']) expect(q.push('C', item)).toBeUndefined()
    expect(q.push('A', 'a1')).toBeUndefined()
    expect(q.push('B', 'b1')).toBeUndefined()
    expect(q.push('A', 'a2')).toBeUndefined()
    expect(serveAll(q)).toEqual(['c1', 'a1', 'b1', 'c2', 'a2', 'c3', 'c4'])
    expect(q.queued).toBe(0)
    expect(q.running).toBe(0)
  })

  it('gives the next slot to the submitter with the fewest tasks running', () => {
    const { q } = queue({ slots: () => 2 })
    for (const item of ['c1', 'c2', 'c3']) q.push('C', item)
    // Two slots, both taken by C before A arrives.
    expect(q.shift()).toEqual({ submitter: 'C', item: 'c1' })
    expect(q.shift()).toEqual({ submitter: 'C', item: 'c2' })
    q.push('A', 'a1')
    q.push('A', 'a2')
    q.finish('C')
    // A has none running, C one: A goes first, though C's c3 came earlier.
    expect(q.shift()).toEqual({ submitter: 'A', item: 'a1' })
    // Then the slots are shared one each: C (none running now) before A's second.
    q.finish('C')
    expect(q.shift()).toEqual({ submitter: 'C', item: 'c3' })
    expect([q.runningBy('A'), q.runningBy('C')]).toEqual([1, 1])
    q.finish('A')
    expect(q.shift()).toEqual({ submitter: 'A', item: 'a2' })
  })

  it('refuses a submitter past its allowance, and anyone once the queue is full', () => {
    const { q } = queue({ maxQueued: 6, maxQueuedPerSubmitter: 4 })
    // Alone: the one slot and 4 more.
    expect(q.allowanceOf('A')).toBe(5)
    for (let i = 0; i < 5; i++) expect(q.push('A', `a${i}`)).toBeUndefined()
    expect(q.push('A', 'a5')).toBe('share-full')
    // With B contending, each may hold ⌈1 / 2⌉ + ⌊6 / 2⌋ = 4; but only 6 may wait beyond the free slot.
    expect(q.allowanceOf('B')).toBe(4)
    expect(q.push('B', 'b0')).toBeUndefined()
    expect(q.push('B', 'b1')).toBeUndefined()
    expect(q.push('B', 'b2')).toBe('queue-full')
    expect([q.queued, q.queuedBy('A'), q.queuedBy('B')]).toEqual([7, 5, 2])
    // A task that starts takes the free slot: still full. Once it ends, one more may wait.
    const first = q.shift()
    expect(q.push('B', 'b2')).toBe('queue-full')
    q.finish(first!.submitter)
    expect(q.push('B', 'b2')).toBeUndefined()
  })

  it('keeps room for a refused submitter while it backs off, and forgets it after contenderMs', () => {
    const { q, clock } = queue({ maxQueued: 4, maxQueuedPerSubmitter: 4 })
    for (let i = 0; i < 5; i++) q.push('A', `a${i}`)
    expect(q.push('B', 'b0')).toBe('queue-full')
    // A task ends and frees room for one; A may not take it while B contends: it holds 4 of its 1 + 2.
    q.finish(q.shift()!.submitter)
    expect(q.allowanceOf('A')).toBe(3)
    expect(q.push('A', 'a5')).toBe('share-full')
    expect(q.push('B', 'b0')).toBeUndefined()
    // Once all is served and B's refusal is old, A is alone again.
    serveAll(q)
    clock.now += 10_001
    expect(q.allowanceOf('A')).toBe(5)
  })

  it('bears any number of refused submitters', () => {
    const { q } = queue({ maxQueued: 2, maxQueuedPerSubmitter: 2 })
    for (let i = 0; i < 3; i++) q.push('A', `a${i}`)
    for (let i = 0; i < 1000; i++) expect(q.push(`S${i}`, 'x')).toBe('queue-full')
    // At least one slot's share and one place each, however many contend.
    expect(q.allowanceOf('A')).toBe(2)
    expect(serveAll(q)).toEqual(['a0', 'a1', 'a2'])
  })

  it('hands out only items marked ready, skipping a submitter whose items are not', () => {
    const { q } = queue()
    q.push('A', 'a1', { ready: false })
    q.push('B', 'b1')
    expect(q.shift()).toEqual({ submitter: 'B', item: 'b1' })
    expect(q.shift()).toBeUndefined()
    expect(q.queued).toBe(1)
    expect(q.markReady('A', 'a1')).toBe(true)
    expect(q.shift()).toEqual({ submitter: 'A', item: 'a1' })
    expect(q.markReady('A', 'a1')).toBe(false)
  })

  it('serves a submitter not served yet before one served already, whatever came first', () => {
    const { q } = queue()
    for (const item of ['c1', 'c2']) q.push('C', item)
    const first = q.shift()
    expect(first?.item).toBe('c1')
    // A comes while c1 runs; c1 ends before the next slot is given: C and A both run nothing.
    q.push('A', 'a1')
    q.finish('C')
    expect(q.shift()?.item).toBe('a1')
  })

  it('takes out an abandoned item, and forgets an idle submitter: it comes back as a new one', () => {
    const { q } = queue()
    q.push('A', 'a1')
    q.push('A', 'a2')
    expect(q.remove('A', 'a1')).toBe(true)
    expect(q.remove('A', 'a1')).toBe(false)
    expect(q.queued).toBe(1)
    q.push('B', 'b1')
    q.push('B', 'b2')
    expect(serveAll(q)).toEqual(['a2', 'b1', 'b2'])
    expect(() => { q.finish('A') }).toThrow(RangeError)
    // B is served and still waits; A, forgotten when idle, comes back new and goes first.
    q.push('B', 'b3')
    q.push('B', 'b4')
    expect(q.shift()?.item).toBe('b3')
    q.finish('B')
    q.push('A', 'a3')
    expect(q.shift()?.item).toBe('a3')
  })

  it('drains every waiting item', () => {
    const { q } = queue()
    q.push('A', 'a1')
    q.push('B', 'b1')
    q.shift()
    expect(q.drain()).toEqual(['b1'])
    expect(q.queued).toBe(0)
    expect(q.running).toBe(1)
  })

  it('checks its bounds', () => {
    expect(() => queue({ maxQueued: 0 })).toThrow(RangeError)
    expect(() => queue({ maxQueuedPerSubmitter: 1.5 })).toThrow(RangeError)
    expect(() => queue({ contenderMs: -1 })).toThrow(RangeError)
  })
})
