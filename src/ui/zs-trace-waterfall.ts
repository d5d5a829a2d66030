import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { styleMap } from 'lit/directives/style-map.js'
import type { TraceSpan } from '../app/index.ts'
import { shared } from './theme.ts'
import { formatSpanDuration, waterfallLayout } from './trace-layout.ts'

/** Bar colours by peer, in order of first appearance: this tab, its executor, then forwarding hops. */
const PEER_COLOURS = ['var(--zs-accent)', 'var(--zs-ok)', 'var(--zs-warn)', 'var(--zs-bad)']

/**
 * A task's trace as a waterfall across peers (docs/tracing.md): one row per
 * span, indented under its parent, its bar placed on the trace's time axis
 * and coloured by the peer that recorded it, with its duration. A CSS grid,
 * not a chart: the bars are laid out, not plotted. Rows carry
 * `data-testid="trace-span"`, `data-name` and `data-peer` for tests.
 */
@customElement('zs-trace-waterfall')
export class ZsTraceWaterfall extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
      font-size: 0.75rem;
    }

    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 14px;
      margin: 0 0 6px;
      color: var(--zs-muted);
    }

    .legend span::before {
      content: '';
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin-right: 5px;
      vertical-align: -1px;
      background: var(--swatch);
    }

    .grid {
      display: grid;
      grid-template-columns: minmax(8rem, 13rem) 1fr 4.5rem;
      align-items: center;
      gap: 2px 8px;
    }

    .name {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }

    .track {
      position: relative;
      height: 12px;
      background: var(--zs-surface-2, transparent);
      border-radius: 2px;
    }

    .bar {
      position: absolute;
      top: 1px;
      bottom: 1px;
      min-width: 2px;
      border-radius: 2px;
      opacity: 0.85;
    }

    .bar.error {
      outline: 2px solid var(--zs-bad);
    }

    .duration {
      text-align: right;
      font-variant-numeric: tabular-nums;
      color: var(--zs-muted);
    }
  `]

  @property({ attribute: false }) spans: readonly TraceSpan[] = []
  /** The PeerId of this tab, named "this tab" in the legend. */
  @property({ attribute: 'self-peer' }) selfPeer = ''

  override render () {
    const { rows, peers, totalMs } = waterfallLayout(this.spans)
    if (rows.length === 0) return nothing
    const colour = (peer: string): string => PEER_COLOURS[Math.min(peers.indexOf(peer), PEER_COLOURS.length - 1)]!
    const roles = peerRoles(this.spans)
    const label = (peer: string, i: number): string => peer === this.selfPeer || (this.selfPeer === '' && i === 0)
      ? 'this tab'
      : `${roles.get(peer) ?? 'peer'} …${peer.slice(-6)}`
    return html`
      <div class="legend" aria-label="Peers">
        ${peers.map((peer, i) => html`<span style=${styleMap({ '--swatch': colour(peer) })} title=${peer}>${label(peer, i)}</span>`)}
        <span style="--swatch: transparent">${formatSpanDuration(totalMs)} in all</span>
      </div>
      <div class="grid" role="table" aria-label="Trace waterfall">
        ${rows.map(({ span, depth, offset, width, durationMs }) => html`
          <div class="name" role="cell" data-testid="trace-span" data-name=${span.name} data-peer=${span.peer}
            style=${styleMap({ paddingLeft: `${depth * 0.75}rem` })} title=${`${span.name} · ${span.peer}`}>${span.name}</div>
          <div class="track" role="cell">
            <div class="bar ${span.error === undefined ? '' : 'error'}" title=${span.error === undefined ? span.name : `${span.name}: ${span.error}`}
              style=${styleMap({ left: `${(offset * 100).toFixed(3)}%`, width: `${(width * 100).toFixed(3)}%`, background: colour(span.peer) })}></div>
          </div>
          <div class="duration" role="cell">${formatSpanDuration(durationMs)}</div>`)}
      </div>
    `
  }
}

/** What each peer did in the trace, by the spans it recorded (docs/tracing.md §4). */
function peerRoles (spans: readonly TraceSpan[]): Map<string, string> {
  const roles = new Map<string, string>()
  for (const span of spans) {
    const role = ROLE_OF_SPAN[span.name]
    if (role !== undefined && !roles.has(span.peer)) roles.set(span.peer, role)
  }
  return roles
}

const ROLE_OF_SPAN: Record<string, string> = { execute: 'executor', 'forward hop': 'hop', 'co-sign payment': 'payee', 're-run': 'witness' }

declare global {
  interface HTMLElementTagNameMap {
    'zs-trace-waterfall': ZsTraceWaterfall
  }
}
