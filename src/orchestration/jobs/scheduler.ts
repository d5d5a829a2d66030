/**
 * Which slice of a job runs where and when, pure: no I/O, no timers, no clock
 * of its own — every method that needs the time takes it as `now` (ms). The
 * job runner asks `next(now, executors)` for assignments whenever capacity or
 * time changes, reports each attempt's end with `succeeded`/`failed` (and
 * `executorGone` when a tab leaves), and passes on what they release: results
 * come out strictly in slice order, each slice exactly once.
 *
 * A slice runs on one executor at a time. A failed attempt sends it back to
 * wait out an exponential backoff and then to an executor that has not failed
 * it yet; once `maxExecutorsPerSlice` distinct executors have failed it, it is
 * quarantined — given up, released in order as an error — and the job goes
 * on without it: one poisoned input (or one that crashes every sandbox) must
 * not sink the other ten thousand. Only the current attempt of a slice counts,
 * so a late answer from an attempt already given up (a timeout, a vanished
 * tab that comes back) is refused and no slice ever yields two results.
 *
 * The job ends `completed` when every slice is released and at least one of
 * them succeeded (`status().failed` counts the quarantined ones), `failed`
 * when every slice was quarantined — then nothing of the job is usable, which
 * is what A2A's `failed` says — and `canceled` after cancel().
 *
 * @example
 * const scheduler = new JobScheduler<string[]>({ slices: plan.length })
 * for (const { slice, executor } of scheduler.next(now, freeSlots)) start(slice, executor)
 * // …a task ended…
 * const { accepted, released } = scheduler.succeeded(slice, executor, lines, now)
 * if (accepted) pay(receipt)
 * for (const r of released) emit(r)
 */
import {
  DEFAULT_BACKOFF_FACTOR, DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, DEFAULT_MAX_EXECUTORS_PER_SLICE, MAX_BACKOFF_MS,
  MAX_JOB_SLICES
} from './constants.ts'
import { InvalidJobSchedulerInitError, UnknownSliceError } from './errors.ts'
import { SLICE_FAILURES } from './scheduler-types.ts'
import type { Assignment, JobSchedulerInit, JobState, JobStatus, ReleasedSlice, SliceFailure } from './scheduler-types.ts'

export { SLICE_FAILURES } from './scheduler-types.ts'
export type { Assignment, JobSchedulerInit, JobState, JobStatus, ReleasedSlice, SliceFailure } from './scheduler-types.ts'

/** The most a slice's executor limit may be: far beyond any sensible retry policy. */
const MAX_EXECUTORS_PER_SLICE_LIMIT = 1000

interface SliceRecord<R> {
  phase: 'pending' | 'running' | 'succeeded' | 'quarantined'
  /** Who runs it, while running. */
  executor?: string
  attempts: number
  /** Executors it has failed on; never offered to them again. */
  failedOn: Set<string>
  /** While pending after a failure: when its backoff ends. */
  notBefore?: number
  /** The accepted result, or the quarantine error, until released. */
  result?: R
  error?: string
}

function checkInteger (value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidJobSchedulerInitError(`${field} must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
  return value
}

function checkNow (now: number): void {
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new RangeError(`now must be a finite number of ms, got ${String(now)}`)
}

export class JobScheduler<R> {
  readonly total: number
  readonly maxExecutorsPerSlice: number
  readonly backoff: Readonly<{ initialMs: number, factor: number, maxMs: number }>
  private readonly slices: Array<SliceRecord<R>>
  /** Every slice from here on has never been started. */
  private nextFresh = 0
  /** Pending slices that have been started before (and failed): they go first, once their backoff ends. */
  private readonly retrying = new Set<number>()
  /** Running slices by executor, for executorGone. */
  private readonly runningOn = new Map<string, Set<number>>()
  /** Running slices whose executor has answered (returned()): its leaving does not fail them. */
  private readonly returnedSlices = new Set<number>()
  /** Every slice before this one has been released. */
  private releasedUpTo = 0
  private running = 0
  private distributed = 0
  private computed = 0
  private quarantined = 0
  private retries = 0
  private pausedReason: string | undefined
  private canceled = false
  /** The latest `now` any method was given: what nextWakeAt() compares with when given none. */
  private latestNow = -Infinity

  constructor (init: JobSchedulerInit) {
    if (init == null || typeof init !== 'object') throw new InvalidJobSchedulerInitError('init must be an object')
    this.total = checkInteger(init.slices, 'slices', 0, MAX_JOB_SLICES)
    this.maxExecutorsPerSlice = checkInteger(init.maxExecutorsPerSlice ?? DEFAULT_MAX_EXECUTORS_PER_SLICE, 'maxExecutorsPerSlice', 1, MAX_EXECUTORS_PER_SLICE_LIMIT)
    const backoff = init.backoff ?? {}
    const initialMs = backoff.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS
    const factor = backoff.factor ?? DEFAULT_BACKOFF_FACTOR
    const maxMs = backoff.maxMs ?? DEFAULT_BACKOFF_MAX_MS
    for (const [field, value] of [['backoff.initialMs', initialMs], ['backoff.maxMs', maxMs]] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_BACKOFF_MS) {
        throw new InvalidJobSchedulerInitError(`${field} must be a number of ms from 0 to ${MAX_BACKOFF_MS}, got ${String(value)}`)
      }
    }
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
      throw new InvalidJobSchedulerInitError(`backoff.factor must be a finite number ≥ 1, got ${String(factor)}`)
    }
    this.backoff = Object.freeze({ initialMs, factor, maxMs })
    this.slices = Array.from({ length: this.total }, () => ({ phase: 'pending', attempts: 0, failedOn: new Set<string>() }))
  }

  /** True when every slice is released. A canceled job never becomes done; see `finished`. */
  get done (): boolean {
    return this.releasedUpTo === this.total
  }

  /** Done or canceled: nothing more will be assigned or released. */
  get finished (): boolean {
    return this.done || this.canceled
  }

  get state (): JobState {
    if (this.canceled) return 'canceled'
    if (this.done) return this.computed > 0 || this.total === 0 ? 'completed' : 'failed'
    return this.pausedReason != null ? 'paused' : 'working'
  }

  /**
   * The assignments to start now, marked running: pending slices whose
   * backoff has passed (retries first, then in slice order, so that the
   * slices next in line for release are worked on first), each to an
   * executor with free > 0 that has not already failed it. Each goes to the
   * executor with the most free slots left (ties by the order given), which
   * spreads a job over the mesh rather than filling the first tab, and never
   * more to one executor than its `free`. A peerId given twice counts once
   * (its first entry); a free that is not a positive number counts as 0.
   * Empty while paused, canceled or done.
   */
  next (now: number, executors: ReadonlyArray<{ peerId: string, free: number }>): Assignment[] {
    checkNow(now)
    this.latestNow = Math.max(this.latestNow, now)
    if (this.state !== 'working') return []
    const capacity: Array<{ peerId: string, free: number }> = []
    const seen = new Set<string>()
    for (const { peerId, free } of executors) {
      if (seen.has(peerId)) continue
      seen.add(peerId)
      const slots = typeof free === 'number' && free > 0 ? Math.floor(free) : 0
      if (slots > 0) capacity.push({ peerId, free: slots })
    }
    let freeLeft = capacity.reduce((sum, e) => sum + e.free, 0)
    const assignments: Assignment[] = []
    const pick = (excluded: ReadonlySet<string>): { peerId: string, free: number } | undefined => {
      let best: { peerId: string, free: number } | undefined
      for (const candidate of capacity) {
        if (candidate.free > (best?.free ?? 0) && !excluded.has(candidate.peerId)) best = candidate
      }
      return best
    }
    const ready = [...this.retrying].filter(index => (this.slices[index]!.notBefore ?? -Infinity) <= now).sort((a, b) => a - b)
    for (const index of ready) {
      if (freeLeft === 0) break
      const executor = pick(this.slices[index]!.failedOn)
      if (executor == null) continue
      executor.free--
      freeLeft--
      assignments.push(this.start(index, executor.peerId))
    }
    const none = new Set<string>()
    while (freeLeft > 0 && this.nextFresh < this.total) {
      const index = this.nextFresh++
      // A slice given up by quarantine() before its first attempt is skipped.
      if (this.slices[index]!.phase !== 'pending') continue
      const executor = pick(none)!
      executor.free--
      freeLeft--
      assignments.push(this.start(index, executor.peerId))
    }
    return assignments
  }

  /**
   * The slice's task on `executor` finished with a verified result. Refused
   * (accepted false, nothing released) unless that is the slice's current
   * attempt and the job is not canceled — a late or duplicate answer never
   * replaces or doubles a result. Otherwise returns the slices now releasable
   * in order: the contiguous run of finished slices after the last released
   * one, quarantined ones as { slice, error }.
   */
  succeeded (slice: number, executor: string, result: R, now: number): { accepted: boolean, released: Array<ReleasedSlice<R>> } {
    const record = this.record(slice)
    checkNow(now)
    this.latestNow = Math.max(this.latestNow, now)
    if (!this.isCurrent(record, executor)) return { accepted: false, released: [] }
    this.stop(slice, record)
    record.phase = 'succeeded'
    record.result = result
    this.computed++
    return { accepted: true, released: this.release() }
  }

  /**
   * The slice's current attempt on `executor` failed: it goes back to pending
   * for a backoff of initialMs · factor^(failures − 1), at most maxMs, and
   * will not be offered to that executor again; once maxExecutorsPerSlice
   * distinct executors have failed it, it is quarantined instead and
   * released in order with an error naming the last failure. A report about
   * an attempt that is no longer current, or after cancel, is ignored.
   */
  failed (slice: number, executor: string, reason: SliceFailure, message: string, now: number): { quarantined: boolean, released: Array<ReleasedSlice<R>> } {
    const record = this.record(slice)
    checkNow(now)
    if (!SLICE_FAILURES.includes(reason)) throw new TypeError(`unknown slice failure ${String(reason)}; expected one of ${SLICE_FAILURES.join(', ')}`)
    this.latestNow = Math.max(this.latestNow, now)
    if (!this.isCurrent(record, executor)) return { quarantined: false, released: [] }
    this.stop(slice, record)
    record.failedOn.add(executor)
    const failures = record.failedOn.size
    if (failures >= this.maxExecutorsPerSlice) {
      return { quarantined: true, released: this.giveUp(slice, record, `failed on ${failures} executor${failures === 1 ? '' : 's'}; last: ${reason}: ${message}`) }
    }
    record.phase = 'pending'
    record.notBefore = now + this.backoffMs(failures)
    this.retrying.add(slice)
    return { quarantined: false, released: [] }
  }

  /**
   * The slice's current attempt came back from `executor` and is being
   * checked before it is kept (the submitter's own check,
   * docs/trust-and-payments.md §3): the executor is done with it, so its
   * leaving the mesh no longer fails the slice (executorGone passes it by).
   * The attempt stays current: succeeded() or failed() for `executor` still
   * end it. False, and ignored, for an attempt that is not current (a late
   * answer: the slice was given up on, or the job canceled).
   */
  returned (slice: number, executor: string): boolean {
    if (!this.isCurrent(this.record(slice), executor)) return false
    this.returnedSlices.add(slice)
    return true
  }

  /** An executor left the mesh: every slice running on it fails with 'vanished', by the rules of failed(). Returns what became releasable. */
  executorGone (executor: string, now: number): Array<ReleasedSlice<R>> {
    checkNow(now)
    const slices = [...(this.runningOn.get(executor) ?? [])].filter(slice => !this.returnedSlices.has(slice)).sort((a, b) => a - b)
    return slices.flatMap(slice => this.failed(slice, executor, 'vanished', `executor ${executor} left the mesh`, now).released)
  }

  /**
   * Gives a slice up now, whatever its failures so far: quarantined with
   * `message` and released in order. For a slice the runner sees no way to
   * finish, e.g. one of blockedSlices() when no new executor is coming. A
   * running attempt of it stops being current. No-op (nothing released) for
   * a slice already finished, or after cancel.
   */
  quarantine (slice: number, message: string): Array<ReleasedSlice<R>> {
    const record = this.record(slice)
    if (this.canceled || record.phase === 'succeeded' || record.phase === 'quarantined') return []
    if (record.phase === 'running') this.stop(slice, record)
    return this.giveUp(slice, record, message)
  }

  /**
   * Pending slices that none of `executors` may take, because each of them
   * has already failed it. With new executors they may yet run; without, the
   * runner can quarantine() them rather than wait forever. Every pending
   * slice when `executors` is empty.
   */
  blockedSlices (executors: ReadonlyArray<{ peerId: string }>): number[] {
    const blocked: number[] = []
    for (let index = this.releasedUpTo; index < this.total; index++) {
      const record = this.slices[index]!
      if (record.phase === 'pending' && executors.every(e => record.failedOn.has(e.peerId))) blocked.push(index)
    }
    return blocked
  }

  /** The attempts in progress, in slice order (e.g. to abort them on cancel, or to time them out). */
  runningAssignments (): Assignment[] {
    const running: Assignment[] = []
    for (const [executor, slices] of this.runningOn) {
      for (const slice of slices) running.push({ slice, executor, attempt: this.slices[slice]!.attempts })
    }
    return running.sort((a, b) => a.slice - b.slice)
  }

  /** No new assignments until resume() (e.g. reason 'budget'); running slices may still finish or fail. Again while paused replaces the reason. No-op once finished. */
  pause (reason: string): void {
    if (this.finished) return
    this.pausedReason = String(reason)
  }

  resume (): void {
    this.pausedReason = undefined
  }

  /**
   * Ends the job as 'canceled': next() returns nothing, and any later report
   * of a running attempt is refused (succeeded returns accepted false), so
   * nothing more is released or paid for. No-op when already done.
   */
  cancel (): void {
    if (this.done) return
    this.canceled = true
    this.pausedReason = undefined
    for (const [, slices] of this.runningOn) {
      for (const slice of slices) {
        const record = this.slices[slice]!
        record.phase = 'pending'
        record.executor = undefined
      }
    }
    this.runningOn.clear()
    this.returnedSlices.clear()
    this.running = 0
    this.retrying.clear()
  }

  status (): JobStatus {
    const status: JobStatus = {
      state: this.state,
      total: this.total,
      distributed: this.distributed,
      computed: this.computed,
      failed: this.quarantined,
      running: this.running,
      pending: this.total - this.computed - this.quarantined - this.running,
      retries: this.retries,
      released: this.releasedUpTo
    }
    if (this.pausedReason != null) status.pausedReason = this.pausedReason
    return status
  }

  /**
   * The earliest time (ms) a pending slice's backoff ends after `now`
   * (default: the latest `now` this scheduler was given), for the runner's
   * timer; undefined when no backoff is in the way. Backoffs already over do
   * not count: those slices wait for capacity, which a timer cannot bring.
   */
  nextWakeAt (now: number = this.latestNow): number | undefined {
    let earliest: number | undefined
    if (this.finished || this.pausedReason != null) return undefined
    for (const index of this.retrying) {
      const at = this.slices[index]!.notBefore
      if (at != null && at > now && (earliest == null || at < earliest)) earliest = at
    }
    return earliest
  }

  /** The backoff after a slice's `failures`-th failure. */
  backoffMs (failures: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * this.backoff.factor ** (failures - 1))
  }

  private record (slice: number): SliceRecord<R> {
    const record = Number.isInteger(slice) ? this.slices[slice] : undefined
    if (record == null) throw new UnknownSliceError(`no slice ${String(slice)} in a job of ${this.total}`)
    return record
  }

  private isCurrent (record: SliceRecord<R>, executor: string): boolean {
    return !this.canceled && record.phase === 'running' && record.executor === executor
  }

  private start (slice: number, executor: string): Assignment {
    const record = this.slices[slice]!
    record.phase = 'running'
    record.executor = executor
    record.notBefore = undefined
    record.attempts++
    if (record.attempts === 1) this.distributed++
    else this.retries++
    this.retrying.delete(slice)
    let slices = this.runningOn.get(executor)
    if (slices == null) this.runningOn.set(executor, slices = new Set())
    slices.add(slice)
    this.running++
    return { slice, executor, attempt: record.attempts }
  }

  private stop (slice: number, record: SliceRecord<R>): void {
    const slices = this.runningOn.get(record.executor!)
    slices?.delete(slice)
    if (slices?.size === 0) this.runningOn.delete(record.executor!)
    this.returnedSlices.delete(slice)
    record.executor = undefined
    this.running--
  }

  private giveUp (slice: number, record: SliceRecord<R>, error: string): Array<ReleasedSlice<R>> {
    record.phase = 'quarantined'
    record.error = error
    record.notBefore = undefined
    this.retrying.delete(slice)
    this.quarantined++
    return this.release()
  }

  /** Hands back the contiguous run of finished slices after the last released one, dropping what they held. */
  private release (): Array<ReleasedSlice<R>> {
    const released: Array<ReleasedSlice<R>> = []
    for (let record = this.slices[this.releasedUpTo]; record != null; record = this.slices[this.releasedUpTo]) {
      if (record.phase === 'succeeded') {
        released.push({ slice: this.releasedUpTo, result: record.result })
      } else if (record.phase === 'quarantined') {
        released.push({ slice: this.releasedUpTo, error: record.error })
      } else {
        break
      }
      record.result = undefined
      record.error = undefined
      this.releasedUpTo++
    }
    return released
  }
}
