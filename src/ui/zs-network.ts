import { LitElement, css, html, type PropertyValues } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { CardView, RoutingView } from '../app/index.ts'
import { ClockController } from './clock-controller.ts'
import { shared, tableStyles } from './theme.ts'
import { formatBytes, formatCount, formatExpiresIn, formatFuelRate, formatPrices } from './view-format.ts'
import './zs-peer-id.ts'
import './zs-routing-heatmap.ts'

/** The "expires in" column counts down in whole seconds. */
const TICK_MS = 1000

/**
 * What this tab knows of the mesh: the other peers' Agent Cards (what each
 * offers, as used to choose executors) and the routing table learnt from past
 * tasks, drawn as a heat map.
 */
@customElement('zs-network')
export class ZsNetwork extends LitElement {
  static override styles = [shared, tableStyles, css`
    :host {
      display: block;
    }

    h3 {
      margin: 0 0 8px;
      font-size: 0.875rem;
    }

    h3 + * {
      margin-bottom: 20px;
    }

    .cards {
      overflow-x: auto;
    }

    .badges {
      display: inline-flex;
      gap: 4px;
      flex-wrap: wrap;
    }

    td.num {
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
  `]

  @property({ attribute: false }) cards: CardView[] = []
  @property({ attribute: false }) routing: RoutingView = { destinations: [], peers: [], values: [] }

  readonly #clock = new ClockController(this, TICK_MS)

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (changed.has('cards')) this.#clock.running = this.cards.length > 0
  }

  override render () {
    return html`
      <h3 id="cards-h">Agent Cards</h3>
      <div class="cards">${this.#cards()}</div>
      <h3>Routing table</h3>
      <zs-routing-heatmap .routing=${this.routing}></zs-routing-heatmap>
    `
  }

  #cards () {
    if (this.cards.length === 0) return html`<p class="empty">No Agent Cards received yet.</p>`
    const now = Date.now()
    const cards = [...this.cards].sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId))
    return html`
      <table aria-labelledby="cards-h">
        <thead>
          <tr>
            <th scope="col">Name</th><th scope="col">PeerId</th><th scope="col">Tags</th><th scope="col">Slots</th>
            <th scope="col">Memory</th><th scope="col">Speed</th><th scope="col">Prices</th><th scope="col">Warm modules</th><th scope="col">Tab</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          ${repeat(cards, (c) => c.peerId, (c) => html`
            <tr data-testid="card-row" data-peer-id=${c.peerId}>
              <td>${c.name}</td>
              <td data-label="PeerId"><zs-peer-id peer-id=${c.peerId}></zs-peer-id></td>
              <td data-label="Tags">${c.tags.length === 0
                ? html`<span class="muted">none</span>`
                : html`<span class="badges">${c.tags.map((t) => html`<span class="badge accent" data-testid="card-tag">${t}</span>`)}</span>`}</td>
              <td data-label="Slots" class="num">${c.workerSlots}</td>
              <td data-label="Memory" class="num">${formatBytes(c.memoryLimitBytes)}</td>
              <td data-label="Speed" class="num">${formatFuelRate(c.fuelPerMs)}</td>
              <td data-label="Prices" data-testid="card-prices">${formatPrices(c.prices)}</td>
              <td data-label="Warm modules" class="num">${formatCount(c.warmModules)}</td>
              <td data-label="Tab">${c.visible
                ? html`<span class="badge ok" title="The tab is visible">foreground</span>`
                : html`<span class="badge" title="The tab is hidden; browsers throttle it">background</span>`}</td>
              <td data-label="Expires" class="num" data-testid="card-expires">${formatExpiresIn(c.expiresAt, now)}</td>
            </tr>`)}
        </tbody>
      </table>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-network': ZsNetwork
  }
}
