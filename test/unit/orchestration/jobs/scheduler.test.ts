import { describe, expect, it } from 'vitest'
import { InvalidJobSchedulerInitError, JobScheduler, UnknownSliceError } from '../../../../src/orchestration/jobs/index.ts'
import type { Assignment } from '../../../../src/orchestration/jobs/index.ts'

const slots = (entries: Record<string, number>): Array<{ peerId: string, free: number }> =>
  Object.entries(entries).map(([peerId, free]) => ({ peerId, free }))

const perExecutor = (assignments: Assignment[]): Record<string, number[]> => {
  const by: Record<string, number[]> = {}
  for (const a of assignments) (by[a.executor] ??= []).push(a.slice)
  return by
}

describe('JobScheduler.next', () => {
  it('spreads slices over executors, most free first, never beyond their free slots', () => {
    const scheduler = new JobScheduler<string>({ slices: 10 })
    const assignments = scheduler.next(0, slots({ a: 1, b: 3, c: 2 }))
    expect(assignments.map(a => a.slice)).toEqual([0, 1, 2, 3, 4, 5])
    expect(assignments.map(a => a.executor)).toEqual(['b', 'b', 'c', 'a', 'b', 'c'])
    expect(assignments.every(a => a.attempt === 1)).toBe(true)
    expect(scheduler.status()).toMatchObject({ state: 'working', total: 10, distributed: 6, running: 6, pending: 4, computed: 0 })
  })

  it('breaks ties by the order the executors were given', () => {
    const scheduler = new JobScheduler<string>({ slices: 4 })
    expect(scheduler.next(0, slots({ z: 2, y: 2 })).map(a => a.executor)).toEqual(['z', 'y', 'z', 'y'])
  })

  it('ignores executors without free slots, repeated peer ids and stops at the last slice', () => {
    const scheduler = new JobScheduler<string>({ slices: 3 })
    const assignments = scheduler.next(0, [{ peerId: 'a', free: 0 }, { peerId: 'b', free: 5 }, { peerId: 'b', free: 5 }, { peerId: 'c', free: -1 }, { peerId: 'd', free: Number.NaN }])
    expect(perExecutor(assignments)).toEqual({ b: [0, 1, 2] })
    expect(scheduler.next(0, slots({ a: 4 }))).toEqual([])
  })

  it('hands out only what was asked of it again once capacity frees up', () => {
    const scheduler = new JobScheduler<string>({ slices: 5 })
    expect(scheduler.next(0, slots({ a: 2 })).map(a => a.slice)).toEqual([0, 1])
    expect(scheduler.succeeded(1, 'a', 'one', 5).accepted).toBe(true)
    expect(scheduler.next(5, slots({ a: 1 })).map(a => a.slice)).toEqual([2])
  })
})

describe('JobScheduler retries', () => {
  it('retries a failed slice elsewhere after an exponential backoff, and says when to wake', () => {
    const scheduler = new JobScheduler<string>({ slices: 1, maxExecutorsPerSlice: 5, backoff: { initialMs: 100, factor: 3, maxMs: 500 } })
    expect(scheduler.next(0, slots({ a: 1 }))).toEqual([{ slice: 0, executor: 'a', attempt: 1 }])
    expect(scheduler.nextWakeAt()).toBeUndefined()
    expect(scheduler.failed(0, 'a', 'timeout', 'took too long', 1000)).toEqual({ quarantined: false, released: [] })
    expect(scheduler.nextWakeAt()).toBe(1100)
    expect(scheduler.next(1099, slots({ a: 1, b: 1 }))).toEqual([])
    // Never back to the executor that failed it, even when it is the only one free.
    expect(scheduler.next(1100, slots({ a: 4 }))).toEqual([])
    expect(scheduler.next(1100, slots({ a: 4, b: 1 }))).toEqual([{ slice: 0, executor: 'b', attempt: 2 }])
    expect(scheduler.nextWakeAt()).toBeUndefined()
    scheduler.failed(0, 'b', 'error', 'trap', 2000)
    expect(scheduler.nextWakeAt()).toBe(2300)
    scheduler.next(2300, slots({ c: 1 }))
    scheduler.failed(0, 'c', 'refused', 'busy', 3000)
    expect(scheduler.nextWakeAt()).toBe(3500) // 100 · 3² = 900, capped at 500
    expect(scheduler.nextWakeAt(3500)).toBeUndefined()
    expect(scheduler.status()).toMatchObject({ retries: 2, distributed: 1, pending: 1, running: 0 })
  })

  it('offers retries before fresh slices', () => {
    const scheduler = new JobScheduler<string>({ slices: 4, backoff: { initialMs: 0 } })
    scheduler.next(0, slots({ a: 2 }))
    scheduler.failed(1, 'a', 'timeout', '', 10)
    expect(scheduler.next(10, slots({ b: 2 })).map(a => a.slice)).toEqual([1, 2])
  })

  it('quarantines a slice after three distinct executors failed it, releases it in order, and the job goes on', () => {
    const scheduler = new JobScheduler<string>({ slices: 3, backoff: { initialMs: 0 } })
    scheduler.next(0, slots({ a: 3 }))
    expect(scheduler.succeeded(1, 'a', 'r1', 1).released).toEqual([])
    scheduler.failed(0, 'a', 'wrong-result', 'bad hash', 1)
    expect(scheduler.next(1, slots({ a: 1, b: 1 }))).toEqual([{ slice: 0, executor: 'b', attempt: 2 }])
    scheduler.failed(0, 'b', 'timeout', 'slow', 2)
    scheduler.next(2, slots({ c: 1 }))
    const last = scheduler.failed(0, 'c', 'error', 'out of fuel', 3)
    expect(last.quarantined).toBe(true)
    expect(last.released).toEqual([
      { slice: 0, error: expect.stringMatching(/failed on 3 executors; last: error: out of fuel/) },
      { slice: 1, result: 'r1' }
    ])
    expect(scheduler.status()).toMatchObject({ state: 'working', failed: 1, computed: 1, running: 1, released: 2 })
    expect(scheduler.succeeded(2, 'a', 'r2', 4).released).toEqual([{ slice: 2, result: 'r2' }])
    expect(scheduler.done).toBe(true)
    expect(scheduler.status()).toMatchObject({ state: 'completed', failed: 1, computed: 2, pending: 0 })
  })

  it('ends failed when every slice was quarantined', () => {
    const scheduler = new JobScheduler<string>({ slices: 1, maxExecutorsPerSlice: 1 })
    scheduler.next(0, slots({ a: 1 }))
    expect(scheduler.failed(0, 'a', 'error', 'crash', 1)).toMatchObject({ quarantined: true, released: [{ slice: 0 }] })
    expect(scheduler.done).toBe(true)
    expect(scheduler.status().state).toBe('failed')
  })

  it('lists slices no executor may take, and gives them up on request', () => {
    const scheduler = new JobScheduler<string>({ slices: 2, backoff: { initialMs: 0 } })
    scheduler.next(0, slots({ a: 1, b: 1 }))
    scheduler.failed(0, 'a', 'error', '', 1)
    expect(scheduler.blockedSlices(slots({ a: 1 }))).toEqual([0])
    expect(scheduler.blockedSlices(slots({ a: 1, c: 1 }))).toEqual([])
    expect(scheduler.quarantine(0, 'no executor left to try')).toEqual([{ slice: 0, error: 'no executor left to try' }])
    expect(scheduler.quarantine(0, 'again')).toEqual([])
    expect(scheduler.succeeded(1, 'b', 'r1', 2).released).toEqual([{ slice: 1, result: 'r1' }])
    expect(scheduler.status().state).toBe('completed')
  })

  it('skips a slice given up before its first attempt', () => {
    const scheduler = new JobScheduler<string>({ slices: 3 })
    scheduler.quarantine(1, 'input too large')
    expect(scheduler.next(0, slots({ a: 3 })).map(a => a.slice)).toEqual([0, 2])
    expect(scheduler.status()).toMatchObject({ distributed: 2, failed: 1, running: 2, pending: 0 })
  })
})

describe('JobScheduler.executorGone', () => {
  it('fails every slice running on the executor as vanished', () => {
    const scheduler = new JobScheduler<string>({ slices: 4, maxExecutorsPerSlice: 2, backoff: { initialMs: 50 } })
    scheduler.next(0, slots({ a: 2, b: 2 }))
    expect(scheduler.runningAssignments().filter(a => a.executor === 'a').map(a => a.slice)).toEqual([0, 2])
    expect(scheduler.executorGone('a', 100)).toEqual([])
    expect(scheduler.status()).toMatchObject({ running: 2, pending: 2 })
    expect(scheduler.nextWakeAt()).toBe(150)
    // A result from the vanished tab that comes back is no longer current.
    expect(scheduler.succeeded(0, 'a', 'late', 120).accepted).toBe(false)
    expect(scheduler.next(150, slots({ a: 2, c: 2 }))).toEqual([{ slice: 0, executor: 'c', attempt: 2 }, { slice: 2, executor: 'c', attempt: 2 }])
    expect(scheduler.executorGone('nobody', 150)).toEqual([])
  })

  it('releases what a vanished executor\'s quarantined slices unblock', () => {
    const scheduler = new JobScheduler<string>({ slices: 2, maxExecutorsPerSlice: 1 })
    scheduler.next(0, slots({ a: 1, b: 1 }))
    scheduler.succeeded(1, 'b', 'r1', 1)
    expect(scheduler.executorGone('a', 2)).toEqual([{ slice: 0, error: expect.stringContaining('vanished') }, { slice: 1, result: 'r1' }])
  })

  it('passes by a slice whose executor answered and is being checked: it stays current, to be kept or failed as wrong', () => {
    const scheduler = new JobScheduler<string>({ slices: 3, maxExecutorsPerSlice: 2, backoff: { initialMs: 50 } })
    scheduler.next(0, slots({ a: 3 }))
    scheduler.returned(0, 'a')
    scheduler.returned(1, 'a')
    scheduler.returned(2, 'elsewhere') // not its current attempt: ignored
    expect(scheduler.executorGone('a', 10)).toEqual([])
    // Slice 2 was still running on 'a': it failed. The checked ones are still running, and current.
    expect(scheduler.status()).toMatchObject({ running: 2, pending: 1 })
    expect(scheduler.succeeded(0, 'a', 'r0', 20)).toEqual({ accepted: true, released: [{ slice: 0, result: 'r0' }] })
    expect(scheduler.failed(1, 'a', 'wrong-result', 'ResultContradictedError', 20)).toEqual({ quarantined: false, released: [] })
    // Shown wrong on 'a', slice 1 never goes back to it (nor slice 2, lost with it); 'b' has room for one.
    expect(scheduler.next(100, slots({ a: 3, b: 1 }))).toEqual([{ slice: 1, executor: 'b', attempt: 2 }])
  })
})

describe('JobScheduler release', () => {
  it('releases results in slice order whatever order they finish in', () => {
    const scheduler = new JobScheduler<number>({ slices: 5 })
    scheduler.next(0, slots({ a: 5 }))
    expect(scheduler.succeeded(3, 'a', 30, 1).released).toEqual([])
    expect(scheduler.succeeded(1, 'a', 10, 2).released).toEqual([])
    expect(scheduler.succeeded(0, 'a', 0, 3).released).toEqual([{ slice: 0, result: 0 }, { slice: 1, result: 10 }])
    expect(scheduler.succeeded(4, 'a', 40, 4).released).toEqual([])
    expect(scheduler.succeeded(2, 'a', 20, 5).released).toEqual([{ slice: 2, result: 20 }, { slice: 3, result: 30 }, { slice: 4, result: 40 }])
    expect(scheduler.done).toBe(true)
    expect(scheduler.next(6, slots({ a: 5 }))).toEqual([])
  })

  it('refuses a late duplicate success, so no slice yields two results', () => {
    const scheduler = new JobScheduler<string>({ slices: 1, backoff: { initialMs: 0 } })
    scheduler.next(0, slots({ a: 1 }))
    scheduler.failed(0, 'a', 'timeout', 'no answer in time', 10)
    scheduler.next(10, slots({ b: 1 }))
    expect(scheduler.succeeded(0, 'b', 'from b', 20)).toEqual({ accepted: true, released: [{ slice: 0, result: 'from b' }] })
    expect(scheduler.succeeded(0, 'a', 'from a, late', 30)).toEqual({ accepted: false, released: [] })
    expect(scheduler.succeeded(0, 'b', 'from b, twice', 30)).toEqual({ accepted: false, released: [] })
    expect(scheduler.failed(0, 'b', 'error', 'after the fact', 30)).toEqual({ quarantined: false, released: [] })
    expect(scheduler.status()).toMatchObject({ computed: 1, failed: 0 })
  })

  it('throws for a slice that is not in the job', () => {
    const scheduler = new JobScheduler<string>({ slices: 2 })
    for (const slice of [-1, 2, 0.5]) expect(() => scheduler.succeeded(slice, 'a', 'x', 0)).toThrow(UnknownSliceError)
  })
})

describe('JobScheduler pause, resume and cancel', () => {
  it('assigns nothing while paused, yet lets running slices finish', () => {
    const scheduler = new JobScheduler<string>({ slices: 3 })
    scheduler.next(0, slots({ a: 1 }))
    scheduler.pause('budget')
    expect(scheduler.status()).toMatchObject({ state: 'paused', pausedReason: 'budget', running: 1 })
    expect(scheduler.next(1, slots({ a: 3 }))).toEqual([])
    expect(scheduler.succeeded(0, 'a', 'r0', 2)).toEqual({ accepted: true, released: [{ slice: 0, result: 'r0' }] })
    scheduler.resume()
    expect(scheduler.status().state).toBe('working')
    expect(scheduler.status().pausedReason).toBeUndefined()
    expect(scheduler.next(3, slots({ a: 3 })).map(a => a.slice)).toEqual([1, 2])
  })

  it('does not wake for backoffs while paused', () => {
    const scheduler = new JobScheduler<string>({ slices: 1 })
    scheduler.next(0, slots({ a: 1 }))
    scheduler.failed(0, 'a', 'timeout', '', 0)
    scheduler.pause('budget')
    expect(scheduler.nextWakeAt()).toBeUndefined()
    scheduler.resume()
    expect(scheduler.nextWakeAt()).toBe(500)
  })

  it('refuses every result after cancel and assigns nothing', () => {
    const scheduler = new JobScheduler<string>({ slices: 3 })
    scheduler.next(0, slots({ a: 2 }))
    expect(scheduler.runningAssignments()).toEqual([{ slice: 0, executor: 'a', attempt: 1 }, { slice: 1, executor: 'a', attempt: 1 }])
    scheduler.cancel()
    expect(scheduler.status()).toMatchObject({ state: 'canceled', running: 0, pending: 3 })
    expect(scheduler.succeeded(0, 'a', 'r0', 1)).toEqual({ accepted: false, released: [] })
    expect(scheduler.executorGone('a', 1)).toEqual([])
    expect(scheduler.next(1, slots({ a: 2 }))).toEqual([])
    scheduler.pause('budget')
    scheduler.resume()
    expect(scheduler.status().state).toBe('canceled')
    expect(scheduler.done).toBe(false)
    expect(scheduler.finished).toBe(true)
    expect(scheduler.quarantine(2, 'x')).toEqual([])
  })

  it('stays completed when canceled after the end', () => {
    const scheduler = new JobScheduler<string>({ slices: 1 })
    scheduler.next(0, slots({ a: 1 }))
    scheduler.succeeded(0, 'a', 'r', 1)
    scheduler.cancel()
    expect(scheduler.status().state).toBe('completed')
  })

  it('is done at once with no slices', () => {
    const scheduler = new JobScheduler<string>({ slices: 0 })
    expect(scheduler.done).toBe(true)
    expect(scheduler.status()).toMatchObject({ state: 'completed', total: 0 })
  })
})

describe('JobScheduler init', () => {
  it('refuses settings out of range', () => {
    for (const init of [
      { slices: -1 }, { slices: 1.5 }, { slices: 10_001 }, { slices: 1, maxExecutorsPerSlice: 0 },
      { slices: 1, backoff: { initialMs: -1 } }, { slices: 1, backoff: { factor: 0.5 } }, { slices: 1, backoff: { maxMs: Infinity } }
    ]) {
      expect(() => new JobScheduler(init)).toThrow(InvalidJobSchedulerInitError)
    }
  })

  it('computes backoff as initialMs · factor^(failures − 1), capped', () => {
    const scheduler = new JobScheduler({ slices: 1 })
    expect([1, 2, 3, 4, 5, 6, 100].map(n => scheduler.backoffMs(n))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000])
  })
})
