/**
 * Pricing, pure logic: what a run costs under an executor's price schedule,
 * capped by the task's maxTotalPrice. Amounts are micro-units (µ, 10^6 µ = 1
 * unit of the abstract currency), non-negative safe integers, computed exactly.
 *
 * @example
 * const prices = checkPriceSchedule(card.prices)
 * if (!quoteFits(prices, { fuel: 2e9, durationMs: 1500, memoryBytes: 8 << 20 }, manifest.maxTotalPrice)) refuse()
 * // …after the run…
 * const owed = chargeFor(prices, { fuel: receipt.fuelUsed, durationMs: receipt.durationMs, memoryBytes: receipt.memoryPeakBytes }, manifest.maxTotalPrice)
 */
export { BYTES_PER_PRICE_UNIT, FUEL_PER_PRICE_UNIT, MAX_UNIT_PRICE, MS_PER_PRICE_UNIT } from './constants.ts'
export { InvalidMaxTotalPriceError, InvalidPriceScheduleError, InvalidResourceUseError, PriceOverflowError } from './errors.ts'
export { FREE_PRICES, PRICE_SCHEDULE_FIELDS, checkPriceSchedule } from './schedule.ts'
export type { PriceSchedule } from './schedule.ts'
export { chargeFor, computeCharge, quoteFits } from './charge.ts'
export type { ResourceUse } from './charge.ts'
