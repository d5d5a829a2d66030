/**
 * The submitter's own queue per executor (orchestration/dispatch/executor-queue.ts)
 * and the backoff before offering a task again to a busy executor.
 */
import { describe, expect, it } from 'vitest'
import { ExecutorQueue, busyBackoffMs } from '../../../src/orchestration/dispatch/index.ts'
import { BUSY_RETRY_FIRST_DELAY_MS, BUSY_RETRY_MAX_DELAY_MS } from '../../../src/orchestration/dispatch/index.ts'

const tick = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 0)) }

describe('ExecutorQueue', () => {
  it('lets `limit` tasks through per executor and queues the rest in submit order', async () => {
    const queue = new ExecutorQueue({ limit: () => 2 })
    const waits: number[] = []
    const order: number[] = []
    const releases = await Promise.all([0, 1].map(async () => queue.acquire('B')))
    const queued = [2, 3, 4].map(async (i) => {
      const release = await queue.acquire('B', { onWait: ahead => { waits.push(ahead) } })
      order.push(i)
      return release
    })
    // Another executor has its own limit.
    const other = await queue.acquire('C')
    await tick()
    expect(waits).toEqual([0, 1, 2])
    expect(order).toEqual([])
    expect(queue.inFlight('B')).toBe(2)
    expect(queue.waiting('B')).toBe(3)

    releases[0]!()
    releases[0]!() // twice: no effect
    await tick()
    expect(order).toEqual([2])
    releases[1]!()
    await tick()
    expect(order).toEqual([2, 3])
    expect(queue.inFlight('B')).toBe(2)
    for (const release of await Promise.all(queued.slice(0, 2))) release()
    const last = await queued[2]!
    expect(order).toEqual([2, 3, 4])
    last()
    other()
    expect(queue.inFlight('B')).toBe(0)
    expect(queue.waiting('B')).toBe(0)
  })

  it('asks for the limit again at each turn (an Agent Card may arrive), using at least 1', async () => {
    let limit = 0
    const queue = new ExecutorQueue({ limit: () => limit })
    const first = await queue.acquire('B')
    let secondIn = false
    const second = queue.acquire('B').then(release => { secondIn = true; return release })
    await tick()
    expect(secondIn).toBe(false)
    limit = 3
    first()
    ;(await second)()
    expect(secondIn).toBe(true)
    const all = await Promise.all([0, 1, 2].map(async () => queue.acquire('B')))
    expect(queue.inFlight('B')).toBe(3)
    for (const release of all) release()
  })

  it('stops waiting when the signal aborts, and the tasks behind it move up', async () => {
    const queue = new ExecutorQueue({ limit: () => 1 })
    const first = await queue.acquire('B')
    const controller = new AbortController()
    const abandoned = queue.acquire('B', { signal: controller.signal })
    const next = queue.acquire('B')
    controller.abort(new Error('gave up'))
    await expect(abandoned).rejects.toThrow('gave up')
    expect(queue.waiting('B')).toBe(1)
    first()
    ;(await next)()
    expect(queue.inFlight('B')).toBe(0)
    await expect(queue.acquire('B', { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already')
  })
})

describe('busyBackoffMs', () => {
  it('doubles from the first delay up to the cap, with ±50 % jitter', () => {
    expect(busyBackoffMs(0, () => 0.5)).toBe(BUSY_RETRY_FIRST_DELAY_MS)
    expect(busyBackoffMs(1, () => 0.5)).toBe(2 * BUSY_RETRY_FIRST_DELAY_MS)
    expect(busyBackoffMs(20, () => 0.5)).toBe(BUSY_RETRY_MAX_DELAY_MS)
    expect(busyBackoffMs(0, () => 0)).toBe(BUSY_RETRY_FIRST_DELAY_MS / 2)
    expect(busyBackoffMs(20, () => 0.999)).toBeLessThan(1.5 * BUSY_RETRY_MAX_DELAY_MS)
  })
})
