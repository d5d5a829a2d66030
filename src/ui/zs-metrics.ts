import { LitElement, html, nothing, type PropertyValues } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import UPlot from 'uplot'
import type { MetricChartView, MetricsView } from '../app/index.ts'
import { shared } from './theme.ts'
import { metricsStyles, uplotStyles } from './zs-metrics.styles.ts'

/** The theme's colours, by series index (theme.ts tokens, read from the element so dark mode follows). */
const SERIES_TOKENS = ['--zs-accent', '--zs-ok', '--zs-warn', '--zs-bad', '--zs-muted'] as const
const PLOT_HEIGHT = 190
const PHONE_PLOT_HEIGHT = 160
const PHONE_WIDTH = 420

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })
const clockTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' })
/** Tick steps for bytes: 1, 2, 5 × powers of 1024, so the ticks read 512 KiB, 1 MiB rather than 97.7 KiB. */
const BYTE_INCREMENTS = [1, 1024, 1024 ** 2, 1024 ** 3].flatMap(unit => [1, 2, 5, 10, 20, 50, 100, 200, 500].map(step => step * unit))
/** Roughly the width of one character of the 11px axis font, px. */
const AXIS_CHAR_PX = 7

/** An axis tick or legend value in the chart's unit: `1.2K`, `3.4 KiB`, `250 ms`, `1.5 s`. */
export function formatMetricValue (unit: MetricChartView['unit'], value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–'
  if (unit === 'B/s') {
    const abs = Math.abs(value)
    if (abs < 1024) return `${compact.format(value)} B`
    if (abs < 1024 * 1024) return `${compact.format(value / 1024)} KiB`
    return `${compact.format(value / 1024 / 1024)} MiB`
  }
  if (unit === 'ms') return Math.abs(value) < 1000 ? `${compact.format(value)} ms` : `${compact.format(value / 1000)} s`
  return compact.format(value)
}

/**
 * The Metrics view: one time-series chart per group of figures (tasks/s,
 * round-trip percentiles, fuel/s, earnings and spending, peers and
 * connections, worker slots, bytes in/out), drawn with uPlot on canvas. Each
 * chart is made once and given new data as `view` changes (every second);
 * its width follows its box (ResizeObserver), its colours the theme.
 */
@customElement('zs-metrics')
export class ZsMetrics extends LitElement {
  static override styles = [shared, uplotStyles, metricsStyles]

  /** The charts (app/metric-charts.ts); undefined before the peer has started. */
  @property({ attribute: false }) view: MetricsView | undefined
  /** Charts only, without the caption (the home dashboard's throughput chart). */
  @property({ type: Boolean }) bare = false

  readonly #plots = new Map<string, UPlot>()
  readonly #resize = new ResizeObserver(entries => {
    for (const entry of entries) {
      const id = (entry.target as HTMLElement).dataset.chart ?? ''
      const width = Math.floor(entry.contentRect.width)
      const plot = this.#plots.get(id)
      if (plot !== undefined) plot.setSize({ width, height: plotHeight(width) })
      else this.#draw()
    }
  })

  readonly #scheme = matchMedia('(prefers-color-scheme: dark)')
  /** The colours are read when a chart is made: a new scheme makes them again. */
  readonly #schemeChanged = (): void => {
    this.#destroyPlots()
    this.#draw()
  }

  override connectedCallback (): void {
    super.connectedCallback()
    this.#scheme.addEventListener('change', this.#schemeChanged)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.#scheme.removeEventListener('change', this.#schemeChanged)
    this.#resize.disconnect()
    this.#destroyPlots()
  }

  override render () {
    const view = this.view
    if (view === undefined || !view.hasData) {
      return html`<p class="empty" data-testid="metrics-empty">No samples yet: the charts start a couple of seconds after the peer does, and follow it live (one sample a second, the last ten minutes).</p>`
    }
    return html`
      <div class="charts">
        ${repeat(view.charts, chart => chart.id, chart => html`
          <figure data-testid="metrics-chart" data-chart=${chart.id}>
            <figcaption>${chart.title} <span class="unit">${chart.unit}</span></figcaption>
            <div class="plot" data-chart=${chart.id}></div>
          </figure>`)}
      </div>
      ${this.bare ? nothing : html`<p class="muted caption">One sample a second over the last ten minutes; latency percentiles over the last minute.
        Bytes are stream bytes by transport; µ are net on this tab's payment channels.</p>`}
    `
  }

  protected override updated (changed: PropertyValues<this>): void {
    if (changed.has('view')) this.#draw()
  }

  /** Gives every chart its data, making its plot the first time its box has a width. */
  #draw (): void {
    const view = this.view
    if (view === undefined || !view.hasData) return
    for (const chart of view.charts) {
      const data = [chart.times, ...chart.series.map(s => s.values)] as UPlot.AlignedData
      const plot = this.#plots.get(chart.id)
      if (plot !== undefined && plot.series.length === chart.series.length + 1) {
        plot.setData(data)
        continue
      }
      plot?.destroy()
      this.#plots.delete(chart.id)
      const box = this.renderRoot.querySelector<HTMLElement>(`.plot[data-chart="${chart.id}"]`)
      if (box === null) continue
      this.#resize.observe(box)
      const width = Math.floor(box.getBoundingClientRect().width)
      if (width <= 0) continue
      this.#plots.set(chart.id, new UPlot(this.#options(chart, width), data, box))
    }
  }

  #options (chart: MetricChartView, width: number): UPlot.Options {
    const style = getComputedStyle(this)
    const token = (name: string): string => style.getPropertyValue(name).trim()
    const colour = (i: number): string => token(SERIES_TOKENS[i % SERIES_TOKENS.length] as string)
    const axis = (extra: UPlot.Axis): UPlot.Axis => ({
      stroke: token('--zs-muted'),
      grid: { stroke: token('--zs-border'), width: 1 },
      ticks: { stroke: token('--zs-border'), width: 1 },
      font: '11px system-ui, sans-serif',
      labelFont: '11px system-ui, sans-serif',
      ...extra
    })
    return {
      width,
      height: plotHeight(width),
      cursor: { drag: { x: false, y: false } },
      // Labels and colours only: the values are on the axes.
      legend: { live: false },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [
        axis({ space: 64, values: (_u, splits) => splits.map(t => clockTime.format(t * 1000)) }),
        axis({
          label: chart.unit,
          labelSize: 16,
          // Wide enough for the longest tick label of the moment (uPlot asks again as they change).
          size: (_u, values) => 22 + AXIS_CHAR_PX * Math.max(3, ...(values ?? []).map(v => v.length)),
          ...(chart.unit === 'B/s' ? { incrs: BYTE_INCREMENTS } : {}),
          values: (_u, splits) => splits.map(v => formatMetricValue(chart.unit, v))
        })
      ],
      series: [
        { label: 'time' },
        ...chart.series.map((s, i): UPlot.Series => ({
          label: s.label,
          stroke: colour(i),
          width: 2,
          ...(s.dashed === true ? { dash: [5, 4] } : {}),
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => formatMetricValue(chart.unit, v)
        }))
      ]
    }
  }

  #destroyPlots (): void {
    for (const plot of this.#plots.values()) plot.destroy()
    this.#plots.clear()
  }
}

function plotHeight (width: number): number {
  return width < PHONE_WIDTH ? PHONE_PLOT_HEIGHT : PLOT_HEIGHT
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-metrics': ZsMetrics
  }
}
