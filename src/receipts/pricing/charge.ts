/**
 * What a run costs under a price schedule. Each resource is rounded up on its
 * own, so any non-zero use of a priced resource costs at least 1 micro-unit
 * (a stream of tiny tasks cannot run for free), and the arithmetic is done in
 * BigInt so that a product such as 2^53 fuel × 10^12 µ is exact before it is
 * divided. The charge is capped by the task's maxTotalPrice: a submitter
 * never owes more than it agreed to.
 */
import { fieldCheckers } from '../../crypto/index.ts'
import { BYTES_PER_PRICE_UNIT, FUEL_PER_PRICE_UNIT, MS_PER_PRICE_UNIT } from './constants.ts'
import { InvalidMaxTotalPriceError, InvalidResourceUseError, PriceOverflowError } from './errors.ts'
import { checkPriceSchedule } from './schedule.ts'
import type { PriceSchedule } from './schedule.ts'

/** Resources one run used (or, for a quote, is expected to use). */
export interface ResourceUse {
  /** Fuel units consumed; null when unknown (a timed-out run, docs/receipt-format.md `fuelUsed`), counted as 0. */
  fuel: number | null
  /** Wall-clock run time in milliseconds. */
  durationMs: number
  /** Peak linear memory in bytes. */
  memoryBytes: number
}

const check = fieldCheckers((field, message) => new InvalidResourceUseError(field, message), 'a resource use')

function checkUse (value: ResourceUse): ResourceUse {
  const record = check.jsonObject(value, 'use')
  check.exactMembers(record, ['fuel', 'durationMs', 'memoryBytes'], 'use.')
  return {
    fuel: record.fuel === null ? null : check.safeInteger(record.fuel, 'use.fuel', 0),
    durationMs: check.safeInteger(record.durationMs, 'use.durationMs', 0),
    memoryBytes: check.safeInteger(record.memoryBytes, 'use.memoryBytes', 0)
  }
}

function checkMaxTotalPrice (value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidMaxTotalPriceError(`maxTotalPrice must be a non-negative safe integer of micro-units, got ${String(value)}`)
  }
  return value === 0 ? 0 : value
}

/** ⌈amount · price / per⌉, exactly. */
function ceilPart (amount: number, price: number, per: number): bigint {
  const product = BigInt(amount) * BigInt(price)
  const divisor = BigInt(per)
  return (product + divisor - 1n) / divisor
}

/**
 * ⌈fuel·perMegaFuel / 10^6⌉ + ⌈durationMs·perSecond / 1000⌉ + ⌈memoryBytes·perMb / 2^20⌉
 * micro-units, uncapped. Throws PriceOverflowError when the sum is above
 * Number.MAX_SAFE_INTEGER.
 */
export function computeCharge (schedule: PriceSchedule, use: ResourceUse): number {
  const prices = checkPriceSchedule(schedule, 'schedule')
  const used = checkUse(use)
  const total = ceilPart(used.fuel ?? 0, prices.perMegaFuel, FUEL_PER_PRICE_UNIT) +
    ceilPart(used.durationMs, prices.perSecond, MS_PER_PRICE_UNIT) +
    ceilPart(used.memoryBytes, prices.perMb, BYTES_PER_PRICE_UNIT)
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new PriceOverflowError(`charge of ${total} micro-units exceeds 2^53 − 1`)
  return Number(total)
}

/**
 * What the submitter owes for `use`: computeCharge, but never above the
 * task's `maxTotalPrice`. A charge that would overflow is capped too, since
 * the cap is by definition a safe integer.
 */
export function chargeFor (schedule: PriceSchedule, use: ResourceUse, maxTotalPrice: number): number {
  const cap = checkMaxTotalPrice(maxTotalPrice)
  let charge: number
  try {
    charge = computeCharge(schedule, use)
  } catch (err) {
    if (err instanceof PriceOverflowError) return cap
    throw err
  }
  return Math.min(charge, cap)
}

/**
 * Whether an executor's estimate `expected` fits the budget: computeCharge ≤
 * maxTotalPrice. An executor accepts a task only when it does; past the
 * budget it would work for less than its prices. An estimate that overflows
 * does not fit.
 */
export function quoteFits (schedule: PriceSchedule, expected: ResourceUse, maxTotalPrice: number): boolean {
  const cap = checkMaxTotalPrice(maxTotalPrice)
  try {
    return computeCharge(schedule, expected) <= cap
  } catch (err) {
    if (err instanceof PriceOverflowError) return false
    throw err
  }
}
