/**
 * Random job runs against the scheduler's promises, seeded (mulberry32) so a
 * failure replays: executors with random capacity come, finish, fail, vanish
 * and answer late; the job is paused, resumed and sometimes canceled. Every
 * run checks that each slice is released exactly once and in order, with the
 * result of its one accepted success, that no executor ever holds more than
 * its free slots or a slice it failed, and that no retry starts before its
 * backoff ends.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../src/core/index.ts'
import { JobScheduler, SLICE_FAILURES } from '../../../../src/orchestration/jobs/index.ts'
import type { Assignment, ReleasedSlice } from '../../../../src/orchestration/jobs/index.ts'

interface Executor { peerId: string, capacity: number, running: Assignment[] }

interface RunStats { state: string, quarantined: number, lateRefused: number, retries: number }

function runJob (seed: number): RunStats {
  const random = mulberry32(seed)
  const pickOf = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const slices = 1 + Math.floor(random() * 60)
  const maxExecutorsPerSlice = 1 + Math.floor(random() * 4)
  const backoff = { initialMs: Math.floor(random() * 100), factor: 1 + random() * 2, maxMs: 50 + Math.floor(random() * 500) }
  const scheduler = new JobScheduler<string>({ slices, maxExecutorsPerSlice, backoff })
  // Now and then every attempt fails, so that the whole job ends 'failed'.
  const failureRate = random() < 0.05 ? 1 : random() * 0.5
  const cancelAt = random() < 0.2 ? Math.floor(random() * 400) : Infinity

  let now = 0
  let nextPeer = 0
  const executors: Executor[] = []
  const join = (): void => { executors.push({ peerId: `peer-${nextPeer++}`, capacity: 1 + Math.floor(random() * 4), running: [] }) }
  for (let i = 0; i < 1 + random() * 4; i++) join()

  const released: Array<ReleasedSlice<string>> = []
  const accepted = new Map<number, string>()
  const failedOn = new Map<number, Set<string>>()
  const readyAt = new Map<number, number>()
  const stale: Assignment[] = []
  let lateRefused = 0
  const release = (items: Array<ReleasedSlice<string>>): void => { released.push(...items) }

  for (let step = 0; step < 20_000 && !scheduler.finished; step++) {
    now += Math.floor(random() * 30)
    if (step === cancelAt) scheduler.cancel()
    const roll = random()
    if (roll < 0.02 && executors.length > 0) {
      // An executor leaves; whatever it ran fails as vanished (and may answer late).
      const gone = executors.splice(Math.floor(random() * executors.length), 1)[0]!
      stale.push(...gone.running)
      if (!scheduler.finished) {
        for (const a of gone.running) {
          const seen = failedOn.get(a.slice) ?? new Set()
          failedOn.set(a.slice, seen.add(gone.peerId))
          readyAt.set(a.slice, now + scheduler.backoffMs(seen.size))
        }
      }
      release(scheduler.executorGone(gone.peerId, now))
    } else if (roll < 0.05 || executors.length === 0) {
      join()
    } else if (roll < 0.06) {
      scheduler.pause('budget')
    } else if (roll < 0.08) {
      scheduler.resume()
    } else if (roll < 0.1 && stale.length > 0) {
      // A late or duplicate answer from an attempt no longer current.
      const late = stale.splice(Math.floor(random() * stale.length), 1)[0]!
      expect(scheduler.succeeded(late.slice, late.executor, `late ${late.slice}`, now)).toEqual({ accepted: false, released: [] })
      lateRefused++
    } else if (roll < 0.6) {
      const busy = executors.filter(e => e.running.length > 0)
      if (busy.length > 0) {
        const executor = pickOf(busy)
        const attempt = executor.running.splice(Math.floor(random() * executor.running.length), 1)[0]!
        if (random() < failureRate) {
          const outcome = scheduler.failed(attempt.slice, attempt.executor, pickOf(SLICE_FAILURES), 'random failure', now)
          const seen = failedOn.get(attempt.slice) ?? new Set()
          failedOn.set(attempt.slice, seen)
          if (!scheduler.finished) seen.add(attempt.executor)
          if (!scheduler.finished && !outcome.quarantined) readyAt.set(attempt.slice, now + scheduler.backoffMs(seen.size))
          release(outcome.released)
        } else {
          const result = `result ${attempt.slice} from ${attempt.executor} #${attempt.attempt}`
          const outcome = scheduler.succeeded(attempt.slice, attempt.executor, result, now)
          expect(outcome.accepted).toBe(!scheduler.finished || scheduler.done)
          if (outcome.accepted) {
            expect(accepted.has(attempt.slice)).toBe(false)
            accepted.set(attempt.slice, result)
          }
          release(outcome.released)
          stale.push(attempt)
        }
      }
    }
    const assignments = scheduler.next(now, executors.map(e => ({ peerId: e.peerId, free: e.capacity - e.running.length })))
    for (const assignment of assignments) {
      const executor = executors.find(e => e.peerId === assignment.executor)!
      expect(failedOn.get(assignment.slice)?.has(assignment.executor) ?? false).toBe(false)
      expect(now).toBeGreaterThanOrEqual(readyAt.get(assignment.slice) ?? 0)
      executor.running.push(assignment)
    }
    for (const e of executors) expect(e.running.length).toBeLessThanOrEqual(e.capacity)
    const status = scheduler.status()
    expect(status.pending + status.running + status.computed + status.failed).toBe(slices)
    expect(status.released).toBe(released.length)
  }

  // Exactly once, in order: the released slices are 0, 1, 2… without a gap.
  expect(released.map(r => r.slice)).toEqual(Array.from({ length: released.length }, (_, i) => i))
  for (const item of released) {
    if (item.error != null) {
      expect(accepted.has(item.slice)).toBe(false)
    } else {
      expect(item.result).toBe(accepted.get(item.slice))
    }
  }
  const status = scheduler.status()
  if (status.state === 'canceled') {
    expect(released.length).toBeLessThanOrEqual(slices)
  } else {
    expect(scheduler.done).toBe(true)
    expect(released).toHaveLength(slices)
    expect(accepted.size).toBe(status.computed)
    expect(released.filter(r => r.error != null)).toHaveLength(status.failed)
    expect(status.state).toBe(status.computed > 0 ? 'completed' : 'failed')
  }
  return { state: status.state, quarantined: status.failed, lateRefused, retries: status.retries }
}

describe('JobScheduler under random completions, failures and executor losses', () => {
  it('releases every slice exactly once, in order, over 300 seeded runs', () => {
    const runs: RunStats[] = []
    for (let seed = 1; seed <= 300; seed++) {
      try {
        runs.push(runJob(seed))
      } catch (err) {
        throw new Error(`seed ${seed}: ${(err as Error).message}`, { cause: err })
      }
    }
    // The runs did go through every path: the properties above are not vacuous.
    const count = (state: string): number => runs.filter(run => run.state === state).length
    expect(count('completed')).toBeGreaterThan(100)
    expect(count('canceled')).toBeGreaterThan(10)
    expect(count('failed')).toBeGreaterThan(0)
    expect(runs.filter(run => run.quarantined > 0 && run.state === 'completed').length).toBeGreaterThan(10)
    expect(runs.reduce((sum, run) => sum + run.lateRefused, 0)).toBeGreaterThan(100)
    expect(runs.reduce((sum, run) => sum + run.retries, 0)).toBeGreaterThan(100)
  })
})
