import { LitElement, css, html, type PropertyValues } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { CardView, PeerStats, RoutingView } from '../app/index.ts'
import { ClockController } from './clock-controller.ts'
import { shared, tableStyles } from './theme.ts'
import { formatBytes, formatCount, formatDuration, formatExpiresIn, formatFuelRate, formatPrices } from './view-format.ts'
import './zs-peer-id.ts'
import './zs-routing-heatmap.ts'

/** The "expires in" column counts down in whole seconds. */
const TICK_MS = 1000

/**
 * What this tab knows of the mesh: the other peers' Agent Cards (what each
 * offers, as used to choose executors), the routing table learnt from past
 * tasks, drawn as a heat map, and what the tab's defences spent and dropped
 * (WebRTC budget, presence directory, gossip rejected before forwarding).
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
  @property({ attribute: false }) stats: PeerStats | undefined

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
      <h3 id="defences-h">Defences</h3>
      ${this.#defences()}
    `
  }

  #defences () {
    const stats = this.stats
    if (stats === undefined) return html`<p class="empty">Not started yet.</p>`
    const { mesh } = stats
    const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)
    const reasons = (counts: Record<string, number>): string => Object.entries(counts).map(([reason, n]) => `${reason} ${formatCount(n)}`).join(', ')
    return html`
      <p data-testid="defences-mesh">
        WebRTC: ${formatCount(mesh.spent)} of ${formatCount(mesh.budget)} spent over this tab's life
        (${formatCount(mesh.strangerDials)} to new peers) · probes ${formatCount(mesh.probes.succeeded)} answered, ${formatCount(mesh.probes.failed)} not ·
        announced peers ${formatCount(mesh.directory.size)} of ${formatCount(mesh.directory.max)}
        (${formatCount(mesh.directory.unproven)} not shown real yet)
      </p>
      <table aria-labelledby="defences-h">
        <thead><tr><th scope="col">Topic</th><th scope="col">Accepted</th><th scope="col">Rejected</th><th scope="col">Ignored</th></tr></thead>
        <tbody>
          ${repeat(Object.entries(stats.gossip).sort(([a], [b]) => a.localeCompare(b)), ([topic]) => topic, ([topic, counts]) => html`
            <tr data-testid="gossip-row" data-topic=${topic}>
              <td>${topic}</td>
              <td data-label="Accepted" class="num">${formatCount(counts.accepted)}</td>
              <td data-label="Rejected" class="num" title=${reasons(counts.rejected)}>${formatCount(sum(counts.rejected))}</td>
              <td data-label="Ignored" class="num" title=${reasons(counts.ignored)}>${formatCount(sum(counts.ignored))}</td>
            </tr>`)}
        </tbody>
      </table>
    `
  }

  /** The card's availability class (docs/agent-card.md §11) as a badge; a card without one (a Node peer, an older tab) by its visibility. */
  #availability (c: CardView) {
    const availability = c.availabilityClass ?? (c.visible ? 'foreground' : 'background')
    const lag = c.timerLagMs === undefined ? '' : `; its timers fire ${formatDuration(c.timerLagMs)} late`
    const title = availability === 'background'
      ? `Throttled by its browser (hidden, or its timers fire late)${lag}: latency-sensitive tasks avoid it`
      : availability === 'installed' ? `An installed app, not throttled${lag}` : `A visible tab, not throttled${lag}`
    return html`<span class="badge ${availability === 'background' ? 'warn' : 'ok'}" data-testid="card-availability" data-class=${availability} title=${title}>${availability}</span>`
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
              <td data-label="Tags">${c.tags.length === 0 && c.interfaces.length === 0
                ? html`<span class="muted">none</span>`
                : html`<span class="badges">${c.tags.map((t) => html`<span class="badge accent" data-testid="card-tag">${t}</span>`)}${c.interfaces.map((i) => html`<span class="badge ok" data-testid="card-interface" title=${`Serves A2A ${i.protocolVersion} over ${i.protocolBinding} at ${i.url}`}>A2A · ${i.protocolBinding}</span>`)}</span>`}</td>
              <td data-label="Slots" class="num">${c.workerSlots}</td>
              <td data-label="Memory" class="num">${formatBytes(c.memoryLimitBytes)}</td>
              <td data-label="Speed" class="num">${formatFuelRate(c.fuelPerMs)}</td>
              <td data-label="Prices" data-testid="card-prices">${formatPrices(c.prices)}</td>
              <td data-label="Warm modules" class="num">${formatCount(c.warmModules)}</td>
              <td data-label="Tab">${this.#availability(c)}</td>
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
