import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Debounced } from '../../../src/core/index.ts'

describe('Debounced', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('runs once for a burst, after the delay from the first request', () => {
    let runs = 0
    const saving = new Debounced(() => { runs++ }, 100)
    saving.schedule()
    vi.advanceTimersByTime(50)
    saving.schedule()
    saving.schedule()
    expect(runs).toBe(0)
    vi.advanceTimersByTime(50)
    expect(runs).toBe(1)
    vi.advanceTimersByTime(500)
    expect(runs).toBe(1)
    saving.schedule()
    vi.advanceTimersByTime(100)
    expect(runs).toBe(2)
  })

  it('flush runs a due action at once and only then; cancel drops it', () => {
    let runs = 0
    const saving = new Debounced(() => { runs++ }, 100)
    saving.flush()
    expect(runs).toBe(0)
    saving.schedule()
    saving.flush()
    expect(runs).toBe(1)
    vi.advanceTimersByTime(200)
    expect(runs).toBe(1)
    saving.schedule()
    saving.cancel()
    vi.advanceTimersByTime(200)
    expect(runs).toBe(1)
  })
})
