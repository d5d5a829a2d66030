import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { JobView } from '../app/index.ts'
import { ClockController } from './clock-controller.ts'
import { downloadBlob } from './download.ts'
import { CancelJobRequestEvent, RaiseJobBudgetRequestEvent } from './events.ts'
import { jobProgress, jobResultsJsonLines } from './job-format.ts'
import { jsonTable } from './json-output.ts'
import { shared } from './theme.ts'
import { formatCount, formatDuration, formatMicro } from './view-format.ts'

/** Results shown in the card's table; all of them are in the download. */
const SHOWN_RESULTS = 200

const STATE_LABELS: Readonly<Record<JobView['state'], string>> = {
  working: 'Working',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled'
}

/**
 * One job of this tab: its progress bar with the ETA, slices distributed,
 * computed, retried and quarantined, how many executors took part, the
 * results so far in input order (the first 200 as a table, all of them as
 * JSON Lines to download), and Cancel while it works.
 */
@customElement('zs-job-card')
export class ZsJobCard extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
      contain: content;
      background: var(--zs-surface);
      border: 1px solid var(--zs-border);
      border-radius: var(--zs-radius);
      padding: 14px 16px;
      box-shadow: var(--zs-shadow);
    }
    header { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
    h3 { margin: 0; font-size: 1rem; }
    header .actions { margin-left: auto; display: flex; gap: 8px; }
    progress { width: 100%; height: 0.75rem; margin: 12px 0 4px; accent-color: var(--zs-accent); }
    .figures { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 0.8125rem; margin: 4px 0 10px; }
    .figures span { white-space: nowrap; }
    .error { color: var(--zs-bad); font-size: 0.875rem; margin: 0 0 8px; }
    .json-output { max-height: 16rem; overflow: auto; }
    table { border-collapse: collapse; font-size: 0.8125rem; width: 100%; }
    th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--zs-border); font-family: var(--zs-mono); vertical-align: top; }
    th { font-family: inherit; color: var(--zs-muted); font-weight: 600; position: sticky; top: 0; background: var(--zs-surface); }
    td.error { color: var(--zs-bad); }
  `]

  @property({ attribute: false }) job: JobView | undefined

  readonly #clock = new ClockController(this, 500)

  override connectedCallback (): void {
    super.connectedCallback()
    this.dataset.testid = 'job-card'
  }

  protected override willUpdate (): void {
    if (this.job === undefined) return
    this.dataset.jobId = this.job.jobId
    this.dataset.state = this.job.state
    this.#clock.running = this.job.finishedAt === undefined
  }

  override render () {
    const job = this.job
    if (job === undefined) return nothing
    const progress = jobProgress(job, Date.now())
    const { status } = job
    const tone = job.state === 'completed' ? 'ok' : job.state === 'working' ? 'accent' : 'bad'
    return html`
      <header>
        <h3>${job.label} <span class="muted">· job over ${formatCount(job.inputs)} inputs</span></h3>
        <span class="badge ${tone}" data-testid="job-state">${STATE_LABELS[job.state]}${status.pausedReason === undefined ? '' : ` (${status.pausedReason})`}</span>
        <div class="actions">
          ${status.pausedReason === 'budget' && status.budget !== undefined
            ? html`<button type="button" class="primary" data-testid="raise-job-budget" @click=${this.#raiseBudget}>Double the budget (to ${formatMicro(status.budget * 2)})</button>`
            : nothing}
          ${job.finishedAt === undefined
            ? html`<button type="button" data-testid="cancel-job" @click=${this.#cancel}>Cancel</button>`
            : html`<button type="button" data-testid="download-job-results" @click=${this.#download}>Download results</button>`}
        </div>
      </header>
      <progress data-testid="job-progress" max=${progress.total} .value=${progress.done} aria-label="Inputs done"></progress>
      <div class="figures" data-testid="job-figures">
        <span><strong>${formatCount(progress.done)}</strong> of ${formatCount(progress.total)} inputs</span>
        <span>slices ${status.computed} done · ${status.running} running · ${status.pending} waiting of ${status.total}</span>
        <span>${job.executors} executor${job.executors === 1 ? '' : 's'}</span>
        <span data-testid="job-spent">${formatMicro(status.spent)} spent${status.budget === undefined ? '' : ` of ${formatMicro(status.budget)}`}</span>
        ${status.retries === 0 ? nothing : html`<span>${status.retries} retried</span>`}
        ${status.failed === 0 ? nothing : html`<span class="error">${status.failed} quarantined</span>`}
        <span>${formatDuration(progress.elapsedMs)}${progress.etaMs === undefined ? '' : `, about ${formatDuration(progress.etaMs)} left`}</span>
      </div>
      ${job.error === undefined ? nothing : html`<p class="error" role="alert" data-testid="job-error"><strong>${job.error.name}</strong>: ${job.error.message}</p>`}
      ${this.#results(job)}
    `
  }

  #results (job: JobView) {
    if (job.resultCount === 0) return nothing
    const shown = job.results.slice(0, Math.min(job.resultCount, SHOWN_RESULTS))
    // Outputs that are JSON (lang-detect's lines) get their own columns.
    const table = shown.every(r => r.error === undefined) ? jsonTable(shown.map(r => r.output ?? '').join('\n')) : undefined
    return html`
      <div class="json-output" data-testid="job-results">
        <table>
          <thead><tr><th scope="col">#</th>${table === undefined
            ? html`<th scope="col">output</th>`
            : table.columns.map(column => html`<th scope="col">${column}</th>`)}</tr></thead>
          <tbody>${shown.map((result, i) => html`<tr>
            <td>${result.index}</td>
            ${result.error !== undefined
              ? html`<td class="error">${result.error}</td>`
              : table === undefined
                ? html`<td>${result.output}</td>`
                : table.rows[i]!.map(value => html`<td>${value}</td>`)}
          </tr>`)}</tbody>
        </table>
      </div>
      ${job.resultCount > SHOWN_RESULTS ? html`<p class="muted">The first ${SHOWN_RESULTS} shown; the download has all ${formatCount(job.resultCount)}.</p>` : nothing}
    `
  }

  #raiseBudget (): void {
    const { job } = this
    if (job?.status.budget === undefined) return
    this.dispatchEvent(new RaiseJobBudgetRequestEvent(job.jobId, job.status.budget * 2))
  }

  #cancel (): void {
    if (this.job === undefined) return
    this.dispatchEvent(new CancelJobRequestEvent(this.job.jobId))
  }

  #download (): void {
    if (this.job === undefined) return
    downloadBlob(new Blob([jobResultsJsonLines(this.job)], { type: 'application/x-ndjson' }), `${this.job.label}-${this.job.jobId.slice(4, 12)}.jsonl`)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-job-card': ZsJobCard
  }
}
