import { describe, expect, it } from 'vitest'
import { heatColour, heatPosition, valueRange } from '../../../src/ui/heat-scale.ts'

describe('heatPosition', () => {
  it('puts the ends of the range at 0 and 1', () => {
    expect(heatPosition(10, 10, 1000)).toBe(0)
    expect(heatPosition(1000, 10, 1000)).toBe(1)
  })

  it('is logarithmic: each tenfold step is the same distance', () => {
    expect(heatPosition(100, 10, 1000)).toBeCloseTo(0.5)
    expect(heatPosition(100, 1, 10_000)).toBeCloseTo(0.5)
  })

  it('clamps values outside the range', () => {
    expect(heatPosition(1, 10, 1000)).toBe(0)
    expect(heatPosition(1e6, 10, 1000)).toBe(1)
  })

  it('gives 0 for a range of one value, sub-millisecond ranges and non-finite input', () => {
    expect(heatPosition(42, 42, 42)).toBe(0)
    expect(heatPosition(0.5, 0, 0.9)).toBe(0)
    expect(heatPosition(Number.NaN, 10, 1000)).toBe(0)
  })
})

describe('heatColour', () => {
  it('runs from green through amber to red', () => {
    expect(heatColour(0)).toBe('hsl(140 65% 34%)')
    expect(heatColour(0.5)).toBe('hsl(70 65% 34%)')
    expect(heatColour(1)).toBe('hsl(0 65% 34%)')
  })

  it('clamps positions outside 0..1', () => {
    expect(heatColour(-1)).toBe(heatColour(0))
    expect(heatColour(2)).toBe(heatColour(1))
    expect(heatColour(Number.NaN)).toBe(heatColour(0))
  })
})

describe('valueRange', () => {
  it('skips unknown cells', () => {
    expect(valueRange([[42, 310], [null, 95], [37, 880]])).toEqual({ min: 37, max: 880 })
  })

  it('is undefined when nothing is known', () => {
    expect(valueRange([])).toBeUndefined()
    expect(valueRange([[null], [null]])).toBeUndefined()
  })
})
