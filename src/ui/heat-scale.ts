/**
 * Colours for the routing heat map: pure, so the scale is unit-testable
 * (test/unit/ui/heat-scale.test.ts). Q-values (expected completion times)
 * span orders of magnitude, from tens of ms to minutes, so the scale is
 * logarithmic: 20 ms → 200 ms reads as far as 200 ms → 2 s.
 */

/** Hue of the fastest end (green) and the slowest (red), in degrees of HSL. */
const FAST_HUE = 140
const SLOW_HUE = 0

/**
 * Where `ms` falls between `minMs` (0, fast) and `maxMs` (1, slow) on a log
 * scale. Values outside are clamped; a range of one value (or none) gives 0.
 */
export function heatPosition (ms: number, minMs: number, maxMs: number): number {
  // log(0) is -∞: treat anything under 1 ms as 1 ms.
  const lo = Math.log(Math.max(1, minMs))
  const hi = Math.log(Math.max(1, maxMs))
  if (!Number.isFinite(ms) || !(hi > lo)) return 0
  const t = (Math.log(Math.max(1, ms)) - lo) / (hi - lo)
  return Math.min(1, Math.max(0, t))
}

/** An `hsl()` background from green (position 0) through amber to red (position 1). */
export function heatColour (position: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(position) ? position : 0))
  const hue = Math.round(FAST_HUE + (SLOW_HUE - FAST_HUE) * t)
  return `hsl(${hue} 65% 34%)`
}

/** Smallest and largest known values of a matrix with gaps, or undefined when it has none. */
export function valueRange (values: ReadonlyArray<ReadonlyArray<number | null>>): { min: number, max: number } | undefined {
  let min = Infinity
  let max = -Infinity
  for (const row of values) {
    for (const v of row) {
      if (v === null || !Number.isFinite(v)) continue
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  return min <= max ? { min, max } : undefined
}
