import { describe, expect, it } from 'vitest'
import { MAX_UNIT_PRICE } from '../../../src/receipts/pricing/index.ts'
import { parsePrice, parsePrices, parseRate, parseRates } from '../../../src/ui/contribute-inputs.ts'

describe('parsePrice', () => {
  it.each([['0', 0], ['100', 100], [' 2,500 ', 2500], ['1_000', 1000], [String(MAX_UNIT_PRICE), MAX_UNIT_PRICE]])('%j → %d µ', (input, value) => {
    expect(parsePrice(input, 'per second')).toEqual({ ok: true, value })
  })

  it.each(['', '-1', '1.5', 'free', '1e3'])('refuses %j, naming the field', (input) => {
    const parsed = parsePrice(input, 'per second')
    expect(parsed).toEqual({ ok: false, error: 'Price per second must be a whole number of µ, 0 or more.' })
  })

  it('refuses a price above the schedule limit', () => {
    const parsed = parsePrice(String(MAX_UNIT_PRICE + 1), 'per second')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toBe('Price per second can be at most 1,000,000,000,000 µ.')
  })
})

describe('parseRate', () => {
  it.each([['0', 0], ['1', 1], ['0.25', 0.25], ['.5', 0.5], ['25%', 0.25], [' 100 % ', 1]])('%j → %d', (input, value) => {
    expect(parseRate(input, 'newcomers')).toEqual({ ok: true, value })
  })

  it.each(['', '-0.1', '1.01', '150%', 'half', '1e-1'])('refuses %j', (input) => {
    const parsed = parseRate(input, 'newcomers')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(/^Witness rate for newcomers must be a number from 0 to 1/)
  })
})

describe('parsePrices / parseRates', () => {
  it('reads every field', () => {
    expect(parsePrices({ perMegaFuel: '100', perSecond: '50', perMb: '10' })).toEqual({ ok: true, value: { perMegaFuel: 100, perSecond: 50, perMb: 10 } })
    expect(parseRates({ established: '0.05', newcomer: '50%' })).toEqual({ ok: true, value: { established: 0.05, newcomer: 0.5 } })
  })

  it('names the first field at fault', () => {
    const prices = parsePrices({ perMegaFuel: '100', perSecond: 'x', perMb: 'y' })
    expect(prices).toMatchObject({ ok: false, field: 'perSecond' })
    const rates = parseRates({ established: '0.1', newcomer: '2' })
    expect(rates).toMatchObject({ ok: false, field: 'newcomer' })
  })
})
