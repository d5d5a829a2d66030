import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { RunAwardView, SplitView } from '../app/index.ts'
import { shared } from './theme.ts'
import { formatMicro } from './view-format.ts'
import { executorTail } from './workflow-format.ts'
import './zs-split-bar.ts'

/**
 * Who a run was awarded to (docs/guild.md §6), under its DAG: the guild that
 * won (or executors step by step), each step's executor and price, steps
 * re-awarded from a member that left, and once the run completed the signed
 * Shapley split that paid the guild, as a bar.
 */
@customElement('zs-workflow-award')
export class ZsWorkflowAward extends LitElement {
  static override styles = [shared, css`
    :host { display: block; margin-top: 8px; }
    h4 { margin: 0; font-size: 0.8125rem; }
    p { margin: 2px 0 6px; font-size: 0.8125rem; }
    ol { margin: 0 0 8px; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 8px; font-size: 0.75rem; }
    li { border: 1px solid var(--zs-border); border-radius: 6px; padding: 2px 6px; }
    li.guild { border-color: var(--zs-accent); }
    .mono { font-family: var(--zs-mono); }
  `]

  @property({ attribute: false }) award!: RunAwardView
  @property({ attribute: false }) split?: SplitView
  @property({ attribute: false }) self = ''

  override render () {
    const { award, split } = this
    return html`<section data-testid="workflow-award" data-guild=${award.guild?.guildId ?? ''} aria-label="Who the run was awarded to">
      <h4>Award</h4>
      <p>${award.guild === null
        ? html`Executors step by step, <strong>${formatMicro(award.price)}</strong> of a ${formatMicro(award.budget)} budget.`
        : html`Guild <strong data-testid="award-guild">${award.guild.name}</strong> (lead <span class="mono" title=${award.guild.lead}>${executorTail(award.guild.lead)}</span>) won it for
          <strong>${formatMicro(award.price)}</strong> of a ${formatMicro(award.budget)} budget, paid with the run by a Shapley split.`}
        ${award.reawarded === 0 ? nothing : html` <span class="muted">${award.reawarded} step${award.reawarded === 1 ? '' : 's'} re-awarded from a member that left.</span>`}</p>
      <ol>${award.steps.map(step => html`<li class=${step.source === 'guild' ? 'guild' : ''} data-testid="award-step" data-step=${step.step} data-executor=${step.executor}>
        ${step.step} → <span class="mono" title=${step.executor}>${step.executor === this.self ? 'you' : executorTail(step.executor)}</span> · ${formatMicro(step.price)}${step.source === 'guild' ? nothing : html` <span class="muted">(by task)</span>`}
      </li>`)}</ol>
      ${split === undefined
        ? (award.guild === null ? nothing : html`<p class="muted">The split is signed and paid once the run completes.</p>`)
        : html`<h4>Split <span class="muted">(${split.method === 'exact' ? 'exact Shapley value' : 'sampled Shapley value'}, signed by ${split.signer === this.self ? 'you' : executorTail(split.signer)}, recomputed by every peer)</span></h4>
          <zs-split-bar .split=${split} .self=${this.self}></zs-split-bar>`}
    </section>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflow-award': ZsWorkflowAward
  }
}
