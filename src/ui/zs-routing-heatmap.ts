import { LitElement, css, html, nothing, unsafeCSS } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { styleMap } from 'lit/directives/style-map.js'
import type { RoutingView } from '../app/index.ts'
import { heatColour, heatPosition, valueRange } from './heat-scale.ts'
import { shared } from './theme.ts'
import { formatDuration, shortPeerId } from './view-format.ts'

/**
 * The Q-table (Boyan & Littman 1994) as a heat map: one row per destination,
 * one column per executor, each cell the expected completion time, green when
 * fast and red when slow on a log scale. A real table, so screen readers
 * announce the row and column headers of each value.
 */
@customElement('zs-routing-heatmap')
export class ZsRoutingHeatmap extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
      overflow-x: auto;
    }

    table {
      border-collapse: separate;
      border-spacing: 3px;
      font-size: 0.8125rem;
    }

    .about {
      margin: 0 0 6px;
      font-size: 0.75rem;
    }

    th {
      font-weight: 600;
      color: var(--zs-muted);
      white-space: nowrap;
      padding: 4px 8px;
    }

    thead th {
      font-family: var(--zs-mono);
      font-size: 0.75rem;
    }

    tbody th {
      text-align: left;
      font-family: var(--zs-mono);
      font-size: 0.75rem;
    }

    td {
      min-width: 6.5rem;
      padding: 6px 10px;
      border-radius: 6px;
      text-align: right;
      font-variant-numeric: tabular-nums;
      font-weight: 600;
      color: #fff;
    }

    td.unknown {
      background: var(--zs-surface-2);
      color: var(--zs-muted);
      font-weight: normal;
    }

    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }

    .legend {
      display: flex;
      align-items: center;
      gap: 8px;
      margin-top: 8px;
      font-size: 0.75rem;
      color: var(--zs-muted);
    }

    .ramp {
      width: 8rem;
      height: 8px;
      border-radius: 4px;
      background: linear-gradient(to right, ${unsafeCSS(heatColour(0))}, ${unsafeCSS(heatColour(0.5))}, ${unsafeCSS(heatColour(1))});
    }
  `]

  @property({ attribute: false }) routing: RoutingView = { destinations: [], peers: [], values: [] }

  override render () {
    const { destinations, peers, values } = this.routing
    if (destinations.length === 0 || peers.length === 0) {
      return html`<p class="empty">No routing estimates yet: they are learnt from the tasks this tab sends.</p>`
    }
    const range = valueRange(values)
    return html`
      <p class="about muted" aria-hidden="true">Expected completion time per destination (row) and executor (column), learnt by Q-routing.</p>
      <table data-testid="routing-heatmap">
        <caption class="sr-only">Expected completion time per destination and executor (Q-routing)</caption>
        <thead>
          <tr>
            <td></td>
            ${peers.map((p) => html`<th scope="col" title=${p}>${shortPeerId(p)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${destinations.map((d, i) => html`
            <tr>
              <th scope="row">${d}</th>
              ${peers.map((p, j) => this.#cell(d, p, values[i]?.[j] ?? null, range))}
            </tr>`)}
        </tbody>
      </table>
      ${range === undefined ? nothing : html`
        <div class="legend" aria-hidden="true">
          <span>fast · ${formatDuration(range.min)}</span><span class="ramp"></span><span>${formatDuration(range.max)} · slow</span>
        </div>`}
    `
  }

  #cell (destination: string, peer: string, ms: number | null, range: { min: number, max: number } | undefined) {
    if (ms === null || range === undefined) {
      return html`<td class="unknown" data-testid="routing-cell" title=${`${destination} on ${peer}: no estimate yet`}>
<span class="sr-only">no estimate</span></td>`
    }
    const colour = heatColour(heatPosition(ms, range.min, range.max))
    return html`<td data-testid="routing-cell" data-ms=${ms} style=${styleMap({ background: colour })}
      title=${`${destination} on ${peer}: ${formatDuration(ms)} expected`}>${formatDuration(ms)}</td>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-routing-heatmap': ZsRoutingHeatmap
  }
}
