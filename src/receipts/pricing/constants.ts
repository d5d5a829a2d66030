/** Units of the price schedule: what one price unit buys of each resource. */

/**
 * Upper bound on each unit price, in micro-units. The same bound as an Agent
 * Card's `prices.*` (docs/agent-card.md §2, MAX_PRICE_MICRO_UNITS), so that any
 * schedule a card advertises passes checkPriceSchedule.
 */
export const MAX_UNIT_PRICE = 1e12

/** `perMegaFuel` prices this many fuel units: a price per single unit would be a fraction of a micro-unit. */
export const FUEL_PER_PRICE_UNIT = 1_000_000

/** `perSecond` prices this many milliseconds of run time. */
export const MS_PER_PRICE_UNIT = 1000

/** `perMb` prices this many bytes (one MiB) of peak linear memory, once per run. */
export const BYTES_PER_PRICE_UNIT = 1024 * 1024
