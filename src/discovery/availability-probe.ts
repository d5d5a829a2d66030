/**
 * The tab's measurement of its own availability (docs/agent-card.md §11): a
 * timer that re-arms itself every PROBE_DELAY_MS and notes how late it
 * fired, plus the page's visibility and display mode; availability-class.ts
 * turns that into the class the Agent Card states. Chromium runs a hidden
 * page's timers at most once a second (and once a minute after five minutes
 * hidden), so the probe's lag is what the throttling costs anything
 * timer-driven in this tab: about 1000 ms, then up to a minute. Chromium
 * spares a page with an RTCPeerConnection the once-a-minute regime (it
 * registers SchedulingPolicy::DisableAggressiveThrottling), not one with only
 * WebSockets: a tab whose every connection is relayed gets it.
 *
 * One wake-up a second is the probe's whole cost; samples taken while the
 * page's visibility or display mode changed are dropped (they straddle two
 * regimes), so a tab brought to the front is `foreground` at once rather
 * than after its last throttled samples age out.
 *
 * @example
 * const probe = new AvailabilityProbe({ now: () => performance.now(), page: documentPage()! }, {
 *   onChange: () => { cards.availabilityChanged() }
 * })
 * probe.start()
 * probe.current() // → { class: 'foreground', timerLagMs: 1 }
 */
import { LAG_WINDOW, classifyAvailability, lagBand } from './availability-class.ts'
import type { MeasuredAvailability } from './availability-class.ts'

/** The probe timer's delay: one wake-up a second, the rate Chromium allows a hidden page anyway. */
export const PROBE_DELAY_MS = 1000

/** What the probe reads of the page it runs in. */
export interface ObservedPage {
  /** Page Visibility API. */
  visible(): boolean
  /** Runs as an installed app. */
  standalone(): boolean
  /** Calls `listener` when visibility or display mode changes; returns the unsubscribe. */
  subscribe(listener: () => void): () => void
}

export interface AvailabilityProbeComponents {
  /** A monotonic clock, ms (performance.now in a page). */
  now(): number
  page: ObservedPage
  /** Timers to probe with; the global ones by default. */
  setTimeout?(callback: () => void, ms: number): unknown
  clearTimeout?(handle: unknown): void
}

export interface AvailabilityProbeInit {
  /** The probe timer's delay, ms; default PROBE_DELAY_MS. */
  delayMs?: number
  /** The class changed, or the lag moved to another regime (lagBand: e.g. to one wake-up a minute): the card should say so. */
  onChange?(availability: MeasuredAvailability): void
}

export class AvailabilityProbe {
  private readonly components: AvailabilityProbeComponents
  private readonly delayMs: number
  private readonly onChange: ((availability: MeasuredAvailability) => void) | undefined
  /** The latest lags, oldest first, at most LAG_WINDOW, all under the current visibility and display mode. */
  private samples: number[] = []
  /** Bumped by every page change; a timer armed in an older regime gives no sample. */
  private regime = 0
  private timer: unknown
  /** When the pending timer is due (components.now); undefined while stopped. */
  private due: number | undefined
  private unsubscribe: (() => void) | undefined
  private latest: MeasuredAvailability

  constructor (components: AvailabilityProbeComponents, init: AvailabilityProbeInit = {}) {
    this.components = components
    this.delayMs = init.delayMs ?? PROBE_DELAY_MS
    if (!(this.delayMs > 0) || !Number.isFinite(this.delayMs)) throw new RangeError(`probe delay must be a positive number of ms, got ${this.delayMs}`)
    this.onChange = init.onChange
    this.latest = this.classify()
  }

  /** Starts probing and watching the page. Safe to call twice. */
  start (): void {
    if (this.unsubscribe !== undefined) return
    this.unsubscribe = this.components.page.subscribe(() => {
      this.regime++
      this.samples = []
      this.update()
    })
    this.update()
    this.arm()
  }

  /** Stops. Safe to call twice. */
  stop (): void {
    if (this.unsubscribe === undefined) return
    this.unsubscribe()
    this.unsubscribe = undefined
    this.regime++
    ;(this.components.clearTimeout ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>)
    this.timer = undefined
    this.due = undefined
  }

  /**
   * The class and lag now: the latest samples, and — in a hidden tab — how
   * overdue the pending probe already is, so that a card published between
   * two once-a-minute wake-ups says how late this tab's timers are now
   * rather than what they were a minute ago.
   */
  current (): MeasuredAvailability {
    return this.classify()
  }

  private arm (): void {
    const regime = this.regime
    const due = this.components.now() + this.delayMs
    this.due = due
    const set = this.components.setTimeout ?? ((callback: () => void, ms: number) => setTimeout(callback, ms))
    this.timer = set(() => {
      if (this.unsubscribe === undefined) return
      if (regime === this.regime) {
        this.samples.push(this.components.now() - due)
        if (this.samples.length > LAG_WINDOW) this.samples.shift()
      }
      this.update()
      this.arm()
    }, this.delayMs)
  }

  private classify (): MeasuredAvailability {
    const { page } = this.components
    const overdueMs = this.due === undefined ? 0 : this.components.now() - this.due
    return classifyAvailability({ visible: page.visible(), standalone: page.standalone(), lagSamplesMs: this.samples, overdueMs })
  }

  private update (): void {
    const next = this.classify()
    const changed = next.class !== this.latest.class || lagBand(next.timerLagMs) !== lagBand(this.latest.timerLagMs)
    this.latest = next
    if (changed) this.onChange?.(this.current())
  }
}

/** Display modes of an installed web app (Web App Manifest `display`, and Chromium's `window-controls-overlay`). */
const INSTALLED_DISPLAY_MODES = ['standalone', 'minimal-ui', 'window-controls-overlay'] as const

/** The page this code runs in, or undefined outside a page (a Node peer, a worker). */
export function documentPage (): ObservedPage | undefined {
  if (typeof document === 'undefined') return undefined
  const queries = typeof matchMedia === 'function' ? INSTALLED_DISPLAY_MODES.map(mode => matchMedia(`(display-mode: ${mode})`)) : []
  return {
    visible: () => document.visibilityState === 'visible',
    standalone: () => queries.some(query => query.matches),
    subscribe: listener => {
      document.addEventListener('visibilitychange', listener)
      for (const query of queries) query.addEventListener('change', listener)
      return () => {
        document.removeEventListener('visibilitychange', listener)
        for (const query of queries) query.removeEventListener('change', listener)
      }
    }
  }
}
