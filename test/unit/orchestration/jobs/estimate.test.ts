import { describe, expect, it } from 'vitest'
import { InvalidJobEstimateError, estimateJob } from '../../../../src/orchestration/jobs/index.ts'
import { computeCharge } from '../../../../src/receipts/pricing/index.ts'

const MiB = 1024 * 1024

describe('estimateJob', () => {
  const fast = { peerId: 'fast', pricePerMegaFuel: 100, pricePerMb: 10, fuelPerMs: 1000, slots: 2 }
  const slow = { peerId: 'slow', pricePerMegaFuel: 50, fuelPerMs: 500, slots: 1 }

  it('spreads slices by speed and slots, and prices each as its receipt would be', () => {
    // fast: 2 s a slice, two at a time; slow: 4 s a slice, one at a time. 8 + 2 slices both end at 8 s.
    const estimate = estimateJob({ slices: 10, sampleFuel: 2_000_000, executors: [fast, slow], inputBytes: 10 * MiB })
    expect(estimate.perExecutor.map(e => [e.peerId, e.slices])).toEqual([['fast', 8], ['slow', 2]])
    expect(estimate.durationMs).toBe(8000)
    expect(estimate.fuel).toBe(20_000_000)
    const fastSlice = computeCharge({ perMegaFuel: 100, perSecond: 0, perMb: 10 }, { fuel: 2_000_000, durationMs: 2000, memoryBytes: MiB })
    const slowSlice = computeCharge({ perMegaFuel: 50, perSecond: 0, perMb: 0 }, { fuel: 2_000_000, durationMs: 4000, memoryBytes: MiB })
    expect([fastSlice, slowSlice]).toEqual([210, 100])
    expect(estimate.price).toBe(8 * 210 + 2 * 100)
    expect(estimate.perExecutor.map(e => e.price)).toEqual([1680, 200])
  })

  it('charges run time when an executor prices it', () => {
    const estimate = estimateJob({ slices: 3, sampleFuel: 1_000_000, executors: [{ ...slow, pricePerSecond: 1000 }], inputBytes: 0 })
    // Each slice: 50 for its fuel plus 2 s at 1000 µ/s.
    expect(estimate.price).toBe(3 * (50 + 2000))
    expect(estimate.durationMs).toBe(6000)
  })

  it('rounds each slice up on its own, as receipts do', () => {
    const estimate = estimateJob({ slices: 4, sampleFuel: 1, executors: [{ peerId: 'a', pricePerMegaFuel: 1, fuelPerMs: 1, slots: 4 }], inputBytes: 0 })
    expect(estimate.price).toBe(4)
    expect(estimate.durationMs).toBe(1)
  })

  it('costs nothing for no slices, even without executors', () => {
    expect(estimateJob({ slices: 0, sampleFuel: 5, executors: [], inputBytes: 0 })).toEqual({ fuel: 0, price: 0, durationMs: 0, perExecutor: [] })
  })

  it('refuses bad input', () => {
    const base = { slices: 2, sampleFuel: 10, executors: [fast], inputBytes: 0 }
    for (const bad of [
      { ...base, executors: [] }, { ...base, slices: -1 }, { ...base, sampleFuel: 1.5 }, { ...base, inputBytes: -1 },
      { ...base, executors: [{ ...fast, fuelPerMs: 0 }] }, { ...base, executors: [{ ...fast, slots: 0 }] }
    ]) {
      expect(() => estimateJob(bad)).toThrow(InvalidJobEstimateError)
    }
    expect(() => estimateJob({ ...base, executors: [{ ...fast, pricePerMegaFuel: -1 }] })).toThrow(expect.objectContaining({ name: 'InvalidPriceScheduleError' }))
  })

  it('reports a price beyond 2^53 − 1 micro-units as an overflow', () => {
    const executors = [{ peerId: 'dear', pricePerMegaFuel: 1e12, fuelPerMs: 1e9, slots: 1 }]
    expect(() => estimateJob({ slices: 10_000, sampleFuel: 1e9, executors, inputBytes: 0 })).toThrow(expect.objectContaining({ name: 'PriceOverflowError' }))
  })
})
