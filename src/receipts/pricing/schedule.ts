/**
 * Price schedules: micro-units per 10^6 fuel units, per second of run time and
 * per MiB of peak linear memory, as Agent Cards advertise them
 * (docs/agent-card.md §2). Checked with the shared field checks of signed
 * formats (crypto/json-fields.ts), so a schedule read from the wire is held to
 * the same rules as one inside a card.
 */
import { fieldCheckers } from '../../crypto/index.ts'
import { MAX_UNIT_PRICE } from './constants.ts'
import { InvalidPriceScheduleError } from './errors.ts'

/** Unit prices in micro-units; each a safe integer from 0 to MAX_UNIT_PRICE. */
export interface PriceSchedule {
  /** Per 10^6 fuel units (metered instructions) consumed. */
  perMegaFuel: number
  /** Per second (1000 ms) of wall-clock run time. */
  perSecond: number
  /** Per MiB (2^20 bytes) of peak linear memory, charged once per run, not per second. */
  perMb: number
}

/** The members of a schedule, in the order Agent Cards list them. */
export const PRICE_SCHEDULE_FIELDS = ['perMegaFuel', 'perSecond', 'perMb'] as const satisfies ReadonlyArray<keyof PriceSchedule>

/** Work for nothing: every unit price zero. */
export const FREE_PRICES: Readonly<PriceSchedule> = Object.freeze({ perMegaFuel: 0, perSecond: 0, perMb: 0 })

const check = fieldCheckers((field, message) => new InvalidPriceScheduleError(field, message), 'a price schedule')

/**
 * Validates an untrusted price schedule — exactly the three members, each a
 * safe integer in 0..MAX_UNIT_PRICE — and returns a copy holding only them.
 * `field` prefixes the member names in errors (`prices.perMb`).
 */
export function checkPriceSchedule (value: unknown, field = 'prices'): PriceSchedule {
  const record = check.jsonObject(value, field)
  check.exactMembers(record, PRICE_SCHEDULE_FIELDS, `${field}.`)
  return {
    perMegaFuel: check.safeInteger(record.perMegaFuel, `${field}.perMegaFuel`, 0, MAX_UNIT_PRICE),
    perSecond: check.safeInteger(record.perSecond, `${field}.perSecond`, 0, MAX_UNIT_PRICE),
    perMb: check.safeInteger(record.perMb, `${field}.perMb`, 0, MAX_UNIT_PRICE)
  }
}
