/**
 * A tab's availability class (docs/agent-card.md §11): whether the browser
 * throttles it, measured rather than assumed. Browsers throttle the timers of
 * hidden pages — Chromium to one wake-up a second at once, and to one a
 * minute after five minutes hidden ("intensive wake up throttling") — so a
 * hidden tab answers everything timer-driven late. The tab measures how late
 * its own timers fire (availability-probe.ts) and reads the Page Visibility
 * API; this module turns those observations into the class its Agent Card
 * states. Pure: no clock, no timers, no DOM.
 *
 * @example
 * classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [2, 1, 3] })
 * // → { class: 'foreground', timerLagMs: 2 }
 * classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [998, 1001] })
 * // → { class: 'background', timerLagMs: 1001 }
 * classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [1000, 1000], overdueMs: 42_000 })
 * // → { class: 'background', timerLagMs: 42000 }
 */
import type { AvailabilityClass, CardAvailability } from './types.ts'

/** The classes, in the order the card's schema lists them. */
export const AVAILABILITY_CLASSES: ReadonlyArray<AvailabilityClass> = ['installed', 'foreground', 'background']

/**
 * A median timer lag at or above this marks the tab throttled even while it
 * says it is visible (an occluded window, a starved main thread). Chromium's
 * 1 Hz alignment makes a 1 s probe about 1000 ms late; an unthrottled tab's is
 * a few ms, and a single long task on the main thread is outvoted by the
 * median of LAG_WINDOW samples.
 */
export const THROTTLED_LAG_MS = 400

/**
 * A timer lag at or above this is no longer Chromium's one wake-up a second
 * but its one a minute (intensive wake-up throttling: a 1 s probe then fires
 * about 59 s late). Crossing it is news for a submitter as much as a change
 * of class is (lagBand).
 */
export const MINUTE_WAKE_UP_LAG_MS = 10_000

/** How many of the latest probe samples the classification looks at (their median). */
export const LAG_WINDOW = 3

/** `timerLagMs` is capped here: the card's TTL at most, since a lag longer than that is no longer a timer's. */
export const MAX_TIMER_LAG_MS = 600_000

/** What the tab has observed of itself. */
export interface AvailabilityObservation {
  /** Page Visibility API: `document.visibilityState === 'visible'`. */
  visible: boolean
  /** Runs as an installed app (`matchMedia('(display-mode: standalone)')` and its kin). */
  standalone: boolean
  /** How late each recent probe timer fired, ms, oldest first, all taken under the current visibility. */
  lagSamplesMs: readonly number[]
  /**
   * How far past its due time the probe's pending timer already is, ms (0 or
   * absent when it is not due yet): a lower bound of the lag its next sample
   * will show, known before that timer fires — a minute later, under
   * intensive wake-up throttling.
   */
  overdueMs?: number
}

/** The card's availability members this module decides. */
export type MeasuredAvailability = Required<Pick<CardAvailability, 'class'>> & Pick<CardAvailability, 'timerLagMs'>

/**
 * The class of a tab:
 * - `background` when it is hidden, or when the median of its latest
 *   LAG_WINDOW timer lags is at least THROTTLED_LAG_MS — either way the
 *   browser is throttling it, which is what a submitter needs to know;
 * - otherwise `installed` when it runs as an installed app (its own window,
 *   kept open rather than a tab among many);
 * - otherwise `foreground`.
 *
 * `timerLagMs`, rounded and capped at MAX_TIMER_LAG_MS, absent before the
 * first sample: for a visible tab that median (one long task on the main
 * thread is outvoted); for a hidden tab the largest of those lags and of how
 * overdue the pending probe is. A hidden tab is `background` whatever the
 * figure, and the figure should show at once when Chromium moves it from one
 * wake-up a second to one a minute (intensive wake-up throttling, after five
 * minutes hidden: https://chromestatus.com/feature/4718288976216064) — the
 * median of once-a-minute samples would show that two minutes late.
 */
export function classifyAvailability (observation: AvailabilityObservation): MeasuredAvailability {
  const median = medianLag(observation.lagSamplesMs)
  const throttled = !observation.visible || (median !== undefined && median >= THROTTLED_LAG_MS)
  const lag = observation.visible ? median : worstLag(observation.lagSamplesMs, observation.overdueMs)
  const availabilityClass: AvailabilityClass = throttled ? 'background' : observation.standalone ? 'installed' : 'foreground'
  return lag === undefined ? { class: availabilityClass } : { class: availabilityClass, timerLagMs: lag }
}

/**
 * Which regime a lag says the tab's timers are in: 0 unthrottled (under
 * THROTTLED_LAG_MS), 1 about a wake-up a second, 2 about one a minute (at or
 * above MINUTE_WAKE_UP_LAG_MS); 0 when there is no figure yet.
 */
export function lagBand (timerLagMs: number | undefined): 0 | 1 | 2 {
  if (timerLagMs === undefined || timerLagMs < THROTTLED_LAG_MS) return 0
  return timerLagMs < MINUTE_WAKE_UP_LAG_MS ? 1 : 2
}

/**
 * Whether a card says its peer is throttled: class `background`, or — for a
 * card without a class (a Node peer, an older tab) — not visible.
 */
export function isThrottled (availability: Pick<CardAvailability, 'visible' | 'class'>): boolean {
  return availability.class === 'background' || !availability.visible
}

/** The median of the latest LAG_WINDOW samples (negative ones count as 0), rounded and capped; undefined when there are none. */
function medianLag (samples: readonly number[]): number | undefined {
  const recent = recentLags(samples)
  if (recent.length === 0) return undefined
  const middle = recent.length / 2
  const median = recent.length % 2 === 1 ? recent[Math.floor(middle)]! : (recent[middle - 1]! + recent[middle]!) / 2
  return Math.min(MAX_TIMER_LAG_MS, Math.round(median))
}

/** The largest of the latest LAG_WINDOW samples and the pending probe's overdue time, rounded and capped; undefined when there are no samples. */
function worstLag (samples: readonly number[], overdueMs = 0): number | undefined {
  const recent = recentLags(samples)
  if (recent.length === 0) return undefined
  const overdue = Number.isFinite(overdueMs) ? Math.max(0, overdueMs) : 0
  return Math.min(MAX_TIMER_LAG_MS, Math.round(Math.max(overdue, ...recent)))
}

/** The latest LAG_WINDOW finite samples, negative ones as 0, ascending. */
function recentLags (samples: readonly number[]): number[] {
  return samples.slice(-LAG_WINDOW).filter(Number.isFinite).map(ms => Math.max(0, ms)).sort((a, b) => a - b)
}
