/**
 * Pure parsing of the contribute form's asking prices and witness rates: no
 * DOM, so each rule is unit-testable (test/unit/ui/contribute-inputs.test.ts).
 * The bounds are the ones the app enforces (`checkPriceSchedule`,
 * `checkRates`), checked here first so the form can say what is wrong in words.
 */
import type { AppState } from '../app/index.ts'
import { MAX_UNIT_PRICE } from '../app/index.ts'
import { formatCount } from './view-format.ts'
import type { Parsed } from './task-inputs.ts'

export type Prices = AppState['prices']
export type WitnessRates = AppState['witnessRates']

/** The three asking prices, each with what one price unit buys (receipts/pricing/constants.ts). */
export const PRICE_FIELDS = [
  { key: 'perMegaFuel', label: 'per million fuel' },
  { key: 'perSecond', label: 'per second' },
  { key: 'perMb', label: 'per MiB of memory' }
] as const satisfies ReadonlyArray<{ key: keyof Prices, label: string }>

export const RATE_FIELDS = [
  { key: 'established', label: 'established executors' },
  { key: 'newcomer', label: 'new or low-reputation executors' }
] as const satisfies ReadonlyArray<{ key: keyof WitnessRates, label: string }>

/**
 * One asking price: a whole number of micro-units from 0 to 10^12. Digit-group
 * separators (`,` `_` `'` and spaces) are allowed, so `2,500` can be pasted as shown.
 */
export function parsePrice (input: string, label: string): Parsed<number> {
  const text = input.replace(/[\s,_']/g, '')
  if (text === '' || !/^\d+$/.test(text)) return { ok: false, error: `Price ${label} must be a whole number of µ, 0 or more.` }
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value > MAX_UNIT_PRICE) {
    return { ok: false, error: `Price ${label} can be at most ${formatCount(MAX_UNIT_PRICE)} µ.` }
  }
  return { ok: true, value }
}

/** One witness rate: a share from 0 to 1 (`0.25`), or a percentage (`25%`). */
export function parseRate (input: string, label: string): Parsed<number> {
  const text = input.trim()
  const percent = text.endsWith('%')
  const digits = percent ? text.slice(0, -1).trim() : text
  const error = `Witness rate for ${label} must be a number from 0 to 1 (e.g. 0.25) or a percentage (25%).`
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(digits)) return { ok: false, error }
  const value = Number(digits) / (percent ? 100 : 1)
  if (!(value >= 0 && value <= 1)) return { ok: false, error }
  return { ok: true, value }
}

/** Every field of a group parsed by `parse`, or the first one that is wrong with its key. */
function parseGroup<K extends string> (
  fields: ReadonlyArray<{ key: K, label: string }>, drafts: Readonly<Record<K, string>>, parse: (input: string, label: string) => Parsed<number>
): Parsed<Record<K, number>> & { field?: K } {
  const values: Partial<Record<K, number>> = {}
  for (const { key, label } of fields) {
    const parsed = parse(drafts[key], label)
    if (!parsed.ok) return { ...parsed, field: key }
    values[key] = parsed.value
  }
  return { ok: true, value: values as Record<K, number> }
}

/** All three prices from their fields, or the first one that is wrong. */
export function parsePrices (drafts: Readonly<Record<keyof Prices, string>>): Parsed<Prices> & { field?: keyof Prices } {
  return parseGroup(PRICE_FIELDS, drafts, parsePrice)
}

/** Both witness rates from their fields, or the first one that is wrong. */
export function parseRates (drafts: Readonly<Record<keyof WitnessRates, string>>): Parsed<WitnessRates> & { field?: keyof WitnessRates } {
  return parseGroup(RATE_FIELDS, drafts, parseRate)
}
