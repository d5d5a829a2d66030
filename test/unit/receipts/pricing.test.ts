import { describe, expect, it } from 'vitest'
import {
  FREE_PRICES, MAX_UNIT_PRICE, chargeFor, checkPriceSchedule, computeCharge, quoteFits
} from '../../../src/receipts/pricing/index.ts'
import type { PriceSchedule, ResourceUse } from '../../../src/receipts/pricing/index.ts'
import { thrown } from '../../support/rejection.ts'

const MIB = 1024 * 1024
const PRICES: PriceSchedule = { perMegaFuel: 200, perSecond: 1000, perMb: 10 }
const NONE: ResourceUse = { fuel: 0, durationMs: 0, memoryBytes: 0 }

describe('computeCharge', () => {
  it('gives known answers', () => {
    // 5·10^9 fuel × 200 / 10^6 = 1,000,000; 2.5 s × 1000 = 2,500; 64 MiB × 10 = 640.
    expect(computeCharge(PRICES, { fuel: 5e9, durationMs: 2500, memoryBytes: 64 * MIB })).toBe(1_000_000 + 2_500 + 640)
    expect(computeCharge({ perMegaFuel: 1, perSecond: 0, perMb: 0 }, { fuel: 3_000_000, durationMs: 9, memoryBytes: 9 })).toBe(3)
    expect(computeCharge({ perMegaFuel: 0, perSecond: 7, perMb: 0 }, { fuel: 9, durationMs: 60_000, memoryBytes: 9 })).toBe(420)
    expect(computeCharge({ perMegaFuel: 0, perSecond: 0, perMb: 3 }, { fuel: 9, durationMs: 9, memoryBytes: 128 * MIB })).toBe(384)
  })

  it('rounds each resource up on its own, so any priced use costs at least 1', () => {
    expect(computeCharge(PRICES, { ...NONE, fuel: 1 })).toBe(1)
    expect(computeCharge(PRICES, { ...NONE, durationMs: 1 })).toBe(1)
    expect(computeCharge(PRICES, { ...NONE, memoryBytes: 1 })).toBe(1)
    expect(computeCharge(PRICES, { fuel: 1, durationMs: 1, memoryBytes: 1 })).toBe(3)
    // 5000 fuel × 200 = 10^6 exactly: no rounding; one more unit rounds up.
    expect(computeCharge(PRICES, { ...NONE, fuel: 5000 })).toBe(1)
    expect(computeCharge(PRICES, { ...NONE, fuel: 5001 })).toBe(2)
    expect(computeCharge(PRICES, { ...NONE, memoryBytes: MIB })).toBe(10)
    expect(computeCharge(PRICES, { ...NONE, memoryBytes: MIB + 1 })).toBe(11)
  })

  it('charges nothing at zero prices or zero use', () => {
    expect(computeCharge(FREE_PRICES, { fuel: Number.MAX_SAFE_INTEGER, durationMs: 300_000, memoryBytes: 128 * MIB })).toBe(0)
    expect(computeCharge(PRICES, NONE)).toBe(0)
  })

  it('counts null fuel (a timed-out run) as 0', () => {
    expect(computeCharge(PRICES, { fuel: null, durationMs: 1000, memoryBytes: 0 })).toBe(1000)
  })

  it('is exact where floating point is not', () => {
    // Products beyond 2^53 are rounded as doubles: Math.ceil((2^53 − 1) × 999999 / 10^6) gives 9007190247541736.
    const use = { ...NONE, fuel: Number.MAX_SAFE_INTEGER }
    expect(computeCharge({ perMegaFuel: 1_000_000, perSecond: 0, perMb: 0 }, use)).toBe(Number.MAX_SAFE_INTEGER)
    expect(computeCharge({ perMegaFuel: 999_999, perSecond: 0, perMb: 0 }, use)).toBe(9_007_190_247_541_737)
    expect(computeCharge({ perMegaFuel: 3, perSecond: 0, perMb: 0 }, use)).toBe(27_021_597_765)
    // (2^33 + 1) × 10^12 / 2^20 = 8192000000953674.31…, which doubles round down to …674.
    expect(computeCharge({ perMegaFuel: 0, perSecond: 0, perMb: MAX_UNIT_PRICE }, { ...NONE, memoryBytes: 2 ** 33 + 1 })).toBe(8_192_000_000_953_675)
  })

  it('throws PriceOverflowError past 2^53 − 1', () => {
    const use = { ...NONE, fuel: Number.MAX_SAFE_INTEGER }
    expect(thrown(() => computeCharge({ perMegaFuel: 1_000_001, perSecond: 0, perMb: 0 }, use)).name).toBe('PriceOverflowError')
    expect(thrown(() => computeCharge({ perMegaFuel: MAX_UNIT_PRICE, perSecond: MAX_UNIT_PRICE, perMb: MAX_UNIT_PRICE }, use)).name).toBe('PriceOverflowError')
    // Two parts, each a safe integer, overflow together.
    const half = Math.ceil(Number.MAX_SAFE_INTEGER / 2)
    const twoParts = { perMegaFuel: 1_000_000, perSecond: 1000, perMb: 0 }
    expect(computeCharge(twoParts, { fuel: half, durationMs: half - 1, memoryBytes: 0 })).toBe(Number.MAX_SAFE_INTEGER)
    expect(thrown(() => computeCharge(twoParts, { fuel: half, durationMs: half, memoryBytes: 0 })).name).toBe('PriceOverflowError')
  })

  it('rejects a malformed resource use, naming the field', () => {
    for (const [use, field] of [
      [{ ...NONE, fuel: -1 }, 'use.fuel'],
      [{ ...NONE, durationMs: 1.5 }, 'use.durationMs'],
      [{ ...NONE, memoryBytes: Number.NaN }, 'use.memoryBytes'],
      [{ ...NONE, fuel: undefined }, 'use.fuel'],
      [{ fuel: 0, durationMs: 0 }, 'use.memoryBytes'],
      [{ ...NONE, cpu: 1 }, 'use.cpu']
    ] as const) {
      expect(thrown(() => computeCharge(PRICES, use as unknown as ResourceUse))).toEqual({ name: 'InvalidResourceUseError', field })
    }
  })
})

describe('chargeFor and quoteFits', () => {
  const use: ResourceUse = { fuel: 5e9, durationMs: 2500, memoryBytes: 64 * MIB } // 1,003,140 µ

  it('charges the computed price when it is within maxTotalPrice, and maxTotalPrice when above', () => {
    expect(chargeFor(PRICES, use, 2_000_000)).toBe(1_003_140)
    expect(chargeFor(PRICES, use, 1_003_140)).toBe(1_003_140)
    expect(chargeFor(PRICES, use, 1_003_139)).toBe(1_003_139)
    expect(chargeFor(PRICES, use, 0)).toBe(0)
    expect(chargeFor(FREE_PRICES, use, 10)).toBe(0)
  })

  it('caps a charge that would overflow at maxTotalPrice', () => {
    const huge = { perMegaFuel: MAX_UNIT_PRICE, perSecond: 0, perMb: 0 }
    expect(chargeFor(huge, { ...NONE, fuel: Number.MAX_SAFE_INTEGER }, 5_000)).toBe(5_000)
    expect(quoteFits(huge, { ...NONE, fuel: Number.MAX_SAFE_INTEGER }, Number.MAX_SAFE_INTEGER)).toBe(false)
  })

  it('quotes fit exactly up to the budget', () => {
    expect(quoteFits(PRICES, use, 1_003_140)).toBe(true)
    expect(quoteFits(PRICES, use, 1_003_139)).toBe(false)
    expect(quoteFits(FREE_PRICES, use, 0)).toBe(true)
  })

  it('rejects a maxTotalPrice that is not a non-negative safe integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100']) {
      expect(thrown(() => chargeFor(PRICES, use, bad as number)).name).toBe('InvalidMaxTotalPriceError')
      expect(thrown(() => quoteFits(PRICES, use, bad as number)).name).toBe('InvalidMaxTotalPriceError')
    }
  })
})

describe('checkPriceSchedule', () => {
  it('returns a copy holding exactly the three prices', () => {
    const input = { perMegaFuel: 1, perSecond: 2, perMb: MAX_UNIT_PRICE }
    const checked = checkPriceSchedule(input)
    expect(checked).toEqual(input)
    expect(checked).not.toBe(input)
    expect(checkPriceSchedule(FREE_PRICES)).toEqual({ perMegaFuel: 0, perSecond: 0, perMb: 0 })
    expect(Object.is(checkPriceSchedule({ perMegaFuel: -0, perSecond: 0, perMb: 0 }).perMegaFuel, 0)).toBe(true)
  })

  it('rejects every bad member, naming it under the given field', () => {
    const good = { perMegaFuel: 1, perSecond: 2, perMb: 3 }
    for (const member of ['perMegaFuel', 'perSecond', 'perMb'] as const) {
      for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, true, MAX_UNIT_PRICE + 1, 2 ** 53]) {
        expect(thrown(() => checkPriceSchedule({ ...good, [member]: bad }))).toEqual({ name: 'InvalidPriceScheduleError', field: `prices.${member}` })
      }
      const { [member]: _, ...missing } = good
      expect(thrown(() => checkPriceSchedule(missing))).toEqual({ name: 'InvalidPriceScheduleError', field: `prices.${member}` })
    }
    expect(thrown(() => checkPriceSchedule({ ...good, perGpu: 1 }))).toEqual({ name: 'InvalidPriceScheduleError', field: 'prices.perGpu' })
    expect(thrown(() => checkPriceSchedule({ ...good, perMb: -5 }, 'card.prices')).field).toBe('card.prices.perMb')
    for (const notObject of [null, [], 'free', 0, undefined]) {
      expect(thrown(() => checkPriceSchedule(notObject))).toEqual({ name: 'InvalidPriceScheduleError', field: 'prices' })
    }
  })

  it('is applied by computeCharge to the schedule it is given', () => {
    expect(thrown(() => computeCharge({ ...PRICES, perSecond: -1 }, NONE))).toEqual({ name: 'InvalidPriceScheduleError', field: 'schedule.perSecond' })
  })
})
