import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { SplitView } from '../app/index.ts'
import { shared } from './theme.ts'
import { formatMicro } from './view-format.ts'
import { executorTail } from './workflow-format.ts'

/** One colour per member, in the record's order; distinguishable in light and dark themes. */
const MEMBER_COLOURS = ['#4f7cff', '#16a37f', '#e0892b', '#b255d6', '#d64f6b', '#3fa7c9', '#8a9a2b', '#7a6cf0']

/**
 * A Shapley split record as a picture (docs/shapley-split.md): one bar the
 * width of the budget, a segment per member as wide as its payment, and what
 * is left of the budget unpaid; a legend with each member's payment and
 * Shapley share. People compare widths faster than they read µ.
 */
@customElement('zs-split-bar')
export class ZsSplitBar extends LitElement {
  static override styles = [shared, css`
    :host { display: block; }
    .bar { display: flex; height: 14px; border-radius: 7px; overflow: hidden; background: var(--zs-surface-2, var(--zs-border)); border: 1px solid var(--zs-border); }
    .bar span { display: block; height: 100%; min-width: 2px; }
    ul { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 0.75rem; }
    li { display: flex; align-items: center; gap: 5px; }
    .swatch { width: 10px; height: 10px; border-radius: 3px; flex: none; }
    .mono { font-family: var(--zs-mono); }
    .you { font-weight: 600; }
  `]

  @property({ attribute: false }) split!: SplitView
  /** This tab's PeerId: its own segment is named "you". */
  @property({ attribute: false }) self = ''

  override render () {
    const { split } = this
    const budget = Math.max(split.budget, split.total, 1)
    const unpaid = Math.max(0, split.budget - split.total)
    const label = `Split of ${formatMicro(split.budget)}: ${split.shares.map(s => `${s.member} ${formatMicro(s.payment)}`).join(', ')}`
    return html`
      <div class="bar" role="img" aria-label=${label} data-testid="split-bar">
        ${split.shares.map((share, i) => share.payment <= 0
          ? nothing
          : html`<span data-testid="split-segment" data-member=${share.member} data-payment=${share.payment}
              style="width: ${(100 * share.payment / budget).toFixed(3)}%; background: ${MEMBER_COLOURS[i % MEMBER_COLOURS.length]}"
              title="${share.member}: ${formatMicro(share.payment)}"></span>`)}
        ${unpaid === 0 ? nothing : html`<span style="width: ${(100 * unpaid / budget).toFixed(3)}%" title="Not paid: ${formatMicro(unpaid)}"></span>`}
      </div>
      <ul>
        ${split.shares.map((share, i) => html`<li data-testid="split-share" data-member=${share.member}>
          <span class="swatch" style="background: ${MEMBER_COLOURS[i % MEMBER_COLOURS.length]}"></span>
          <span class="mono ${share.member === this.self ? 'you' : ''}" title=${share.member}>${share.member === this.self ? 'you' : executorTail(share.member)}</span>
          <span>${formatMicro(share.payment)}</span>
          ${share.payment === share.share ? nothing : html`<span class="muted" title="Shapley share; the payment adds the member's own costs of its steps">(share ${formatMicro(share.share)})</span>`}
        </li>`)}
        ${unpaid === 0 ? nothing : html`<li class="muted">unpaid ${formatMicro(unpaid)}</li>`}
      </ul>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-split-bar': ZsSplitBar
  }
}
