/**
 * Dial backoff: full-jitter delays stay within [cap/2, cap] of each attempt's
 * cap, the caps double up to DIAL_BACKOFF_MAX_MS, and `sleep` honours aborts.
 */
import { describe, expect, it } from 'vitest'
import { sleep } from '../../../src/core/abort.ts'
import { backoffDelay } from '../../../src/network/backoff.ts'
import { DIAL_BACKOFF_INITIAL_MS, DIAL_BACKOFF_MAX_MS } from '../../../src/network/constants.ts'

const attempts = Array.from({ length: 21 }, (_, i) => i)
const capOf = (attempt: number): number => Math.min(DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_INITIAL_MS * 2 ** attempt)

describe('backoffDelay', () => {
  it('gives known delays for the first attempts', () => {
    expect(backoffDelay(0, () => 0)).toBe(DIAL_BACKOFF_INITIAL_MS / 2)
    expect(backoffDelay(0, () => 0.5)).toBe(DIAL_BACKOFF_INITIAL_MS * 3 / 4)
    expect(backoffDelay(1, () => 0)).toBe(DIAL_BACKOFF_INITIAL_MS)
    expect(backoffDelay(20, () => 0)).toBe(DIAL_BACKOFF_MAX_MS / 2)
  })

  for (const r of [0, 0.5, 0.999]) {
    it(`stays within [cap/2, cap] of each attempt with random() = ${r}`, () => {
      for (const attempt of attempts) {
        const delay = backoffDelay(attempt, () => r)
        expect(Number.isInteger(delay)).toBe(true)
        expect(delay).toBeLessThanOrEqual(DIAL_BACKOFF_MAX_MS)
        expect(delay).toBeLessThanOrEqual(capOf(attempt))
        expect(delay).toBeGreaterThanOrEqual(capOf(attempt) / 2)
      }
    })

    it(`never decreases from one attempt to the next with random() = ${r}`, () => {
      const delays = attempts.map(attempt => backoffDelay(attempt, () => r))
      for (let i = 1; i < delays.length; i++) {
        expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!)
      }
    })
  }

  it('has caps that double from the initial delay and then stay at the maximum', () => {
    // The largest delay an attempt can give (random() → 1) is its cap.
    const caps = attempts.map(attempt => backoffDelay(attempt, () => 1))
    expect(caps[0]).toBe(DIAL_BACKOFF_INITIAL_MS)
    for (let i = 1; i < caps.length; i++) {
      expect(caps[i]).toBeGreaterThanOrEqual(caps[i - 1]!)
      expect(caps[i]).toBe(Math.min(DIAL_BACKOFF_MAX_MS, caps[i - 1]! * 2))
    }
    expect(caps.at(-1)).toBe(DIAL_BACKOFF_MAX_MS)
  })

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, () => 0.5)).toBe(backoffDelay(0, () => 0.5))
  })

  it('stays within bounds for any random() in [0, 1) (property)', () => {
    for (let i = 0; i < 1000; i++) {
      const attempt = Math.floor(Math.random() * 40)
      const delay = backoffDelay(attempt)
      expect(delay).toBeGreaterThanOrEqual(capOf(attempt) / 2)
      expect(delay).toBeLessThanOrEqual(capOf(attempt))
    }
  })
})

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const started = performance.now()
    await expect(sleep(20)).resolves.toBeUndefined()
    // Timers may fire a little early by rounding; allow a millisecond or two.
    expect(performance.now() - started).toBeGreaterThanOrEqual(18)
  })

  it('resolves with a signal that never aborts', async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined()
  })

  it('rejects with the signal\'s reason when already aborted', async () => {
    const reason = new Error('gone')
    reason.name = 'GoneError'
    await expect(sleep(10_000, AbortSignal.abort(reason))).rejects.toMatchObject({ name: 'GoneError' })
  })

  it('rejects with the signal\'s reason when aborted while waiting', async () => {
    const controller = new AbortController()
    const started = performance.now()
    const waiting = sleep(10_000, controller.signal)
    setTimeout(() => { controller.abort() }, 10)
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('rejects with a timeout signal\'s TimeoutError', async () => {
    await expect(sleep(10_000, AbortSignal.timeout(5))).rejects.toMatchObject({ name: 'TimeoutError' })
  })
})
