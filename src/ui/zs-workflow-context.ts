import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { WorkflowContextView } from '../app/index.ts'
import { shared } from './theme.ts'
import { executorTail } from './workflow-format.ts'

/**
 * A run's shared context (docs/workflow-context.md), live under its DAG: one
 * row per declared key — its merge rule, the value a step reads now, and who
 * wrote it from which step (each entry is signed by its writer, the
 * submitter, citing the step's receipt). The hash is the context's
 * (ContextState.hash), equal on every replica holding the same entries.
 */
@customElement('zs-workflow-context')
export class ZsWorkflowContext extends LitElement {
  static override styles = [shared, css`
    :host { display: block; margin-top: 8px; }
    header { display: flex; gap: 8px; align-items: baseline; }
    h4 { margin: 0; font-size: 0.8125rem; }
    header .mono { margin-left: auto; font-size: 0.6875rem; }
    table { width: 100%; border-collapse: collapse; font-size: 0.75rem; margin-top: 4px; }
    th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--zs-border); vertical-align: top; }
    th { color: var(--zs-muted); font-weight: 500; }
    td.value { font-family: var(--zs-mono); word-break: break-word; max-width: 28rem; }
    td.key { font-weight: 600; }
    .rule { font-family: var(--zs-mono); color: var(--zs-muted); }
  `]

  @property({ attribute: false }) context!: WorkflowContextView

  override render () {
    const { context } = this
    return html`<section data-testid="workflow-context" data-context-hash=${context.hash} aria-label="The run's shared context">
      <header><h4>Shared context</h4><span class="mono muted" title="ContextState hash: the same on every peer holding the same entries">${context.hash.slice(0, 16)}…</span></header>
      <table>
        <thead><tr><th>Key</th><th>Rule</th><th>Value</th><th>Written by</th></tr></thead>
        <tbody>${context.keys.map(row => html`<tr data-testid="context-key" data-key=${row.key}>
          <td class="key">${row.key}</td>
          <td class="rule">${row.rule}</td>
          <td class="value" data-testid="context-value">${row.value ?? html`<span class="muted">—</span>`}</td>
          <td>${row.writes.length === 0 ? html`<span class="muted">nobody yet</span>` : this.#writers(row.writes)}</td>
        </tr>`)}</tbody>
      </table>
    </section>`
  }

  /** Who signed the key's entries, from which steps: `note ×3 · by …a1b2c3`. */
  #writers (writes: WorkflowContextView['keys'][number]['writes']) {
    const steps = new Map<string, number>()
    for (const write of writes) steps.set(write.step ?? 'direct', (steps.get(write.step ?? 'direct') ?? 0) + 1)
    const writers = [...new Set(writes.map(write => write.writer))]
    return html`<span data-testid="context-writers">${[...steps].map(([step, n]) => `${step}${n > 1 ? ` ×${n}` : ''}`).join(', ')}</span>
      ${writers.length === 0 ? nothing : html`<span class="muted mono" title=${writers.join('\n')}> by ${writers.map(executorTail).join(', ')}</span>`}`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflow-context': ZsWorkflowContext
  }
}
