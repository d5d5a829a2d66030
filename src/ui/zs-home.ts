import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { AppState, JobView, TaskView, WorkflowView } from '../app/index.ts'
import { channelTotals, cpuShare, earnedSince, meshFigures, startOfLocalDay, tasksServedSince, throughputView } from './home-figures.ts'
import { routeHref } from './routes.ts'
import { panelSections, shared } from './theme.ts'
import { PHASE_LABELS, formatCount, formatMicro, formatMicroUnits } from './view-format.ts'
import './zs-contribute.ts'
import './zs-metrics.ts'

/** How many receipt records the app keeps in `state.history` (src/app/session.ts, HISTORY_LIMIT). */
const HISTORY_HELD = 50
/** Recent items of each kind listed for a submitter. */
const RECENT_TASKS = 5
const RECENT_RUNS = 3

const JOB_STATE_LABELS: Readonly<Record<JobView['state'], string>> = {
  working: 'Working', paused: 'Paused', completed: 'Completed', failed: 'Failed', canceled: 'Canceled'
}
const RUN_STATE_LABELS: Readonly<Record<WorkflowView['state'], string>> = {
  submitted: 'Submitted', working: 'Working', completed: 'Completed', failed: 'Failed', canceled: 'Canceled'
}
const tone = (state: string): string => state === 'done' || state === 'completed' ? 'ok' : state === 'failed' ? 'bad' : state === 'canceled' ? '' : 'accent'

/**
 * The first screen: for a contributor, contributing on/off with its worker
 * slots (the same `<zs-contribute>` and ContributeRequestEvent as ever), the
 * share of the machine given, tasks served today, earnings, mesh size and a
 * live throughput chart; for a submitter, the latest tasks, jobs and
 * workflow runs, each a link into its section, and a way to submit. Every
 * figure comes from `state` (src/ui/home-figures.ts derives them).
 */
@customElement('zs-home')
export class ZsHome extends LitElement {
  static override styles = [shared, panelSections, css`
    :host {
      display: grid;
      gap: var(--zs-gap);
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      grid-template-areas: "contribute figures" "chart recent";
      align-items: start;
    }

    @media (max-width: 720px) {
      :host {
        grid-template-columns: minmax(0, 1fr);
        grid-template-areas: "contribute" "figures" "recent" "chart";
        gap: 12px;
      }
    }


    .contribute { grid-area: contribute; }
    .figures { grid-area: figures; }
    .chart { grid-area: chart; }
    .recent { grid-area: recent; }

    h2 {
      margin: 0 0 12px;
      font-size: 1rem;
      display: flex;
      align-items: baseline;
      gap: 8px;
      flex-wrap: wrap;
    }

    h2 .muted {
      font-size: 0.75rem;
      font-weight: 600;
    }

    .share {
      margin-top: 14px;
      font-size: 0.875rem;
    }

    .bar {
      position: relative;
      height: 10px;
      margin: 6px 0 4px;
      border-radius: 999px;
      background: var(--zs-surface-2);
      border: 1px solid var(--zs-border);
      overflow: hidden;
    }

    .bar span {
      position: absolute;
      inset: 0 auto 0 0;
      border-radius: 999px;
    }

    .bar .given { background: var(--zs-accent-soft); }
    .bar .busy { background: var(--zs-accent); }

    dl {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
      gap: 12px;
      margin: 0;
    }

    dl > div {
      background: var(--zs-surface-2);
      border-radius: 8px;
      padding: 10px 12px;
      min-width: 0;
    }

    dt {
      font-size: 0.75rem;
      color: var(--zs-muted);
      font-weight: 600;
    }

    dd {
      margin: 2px 0 0;
      font-size: 1.5rem;
      font-weight: 700;
      font-variant-numeric: tabular-nums;
      overflow-wrap: anywhere;
    }

    dd small {
      display: block;
      font-size: 0.75rem;
      font-weight: 400;
      color: var(--zs-muted);
    }

    p {
      margin: 10px 0 0;
      font-size: 0.875rem;
    }

    .recent header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      flex-wrap: wrap;
      margin-bottom: 8px;
    }

    .recent h2 { margin: 0; }

    a.action {
      display: inline-flex;
      align-items: center;
      min-height: 44px;
      padding: 0 16px;
      border-radius: 8px;
      background: var(--zs-accent);
      color: var(--zs-accent-text);
      font-weight: 600;
      font-size: 0.875rem;
      text-decoration: none;
    }

    h3 {
      margin: 12px 0 4px;
      font-size: 0.8125rem;
      color: var(--zs-muted);
    }

    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }

    li a {
      display: flex;
      align-items: center;
      gap: 8px;
      min-height: 44px;
      padding: 4px 0;
      border-bottom: 1px solid var(--zs-border);
      color: var(--zs-text);
      text-decoration: none;
    }

    li:last-child a { border-bottom: none; }

    li a:hover .label { text-decoration: underline; }

    .label {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }

    .recent .empty { margin-top: 8px; }
  `]

  @property({ attribute: false }) state: AppState | undefined

  override render () {
    const s = this.state
    if (s === undefined) return nothing
    // "Today" is read when the state changes (at least once a second while the peer runs).
    const today = startOfLocalDay(Date.now())
    return html`
      ${this.#contribute(s)}
      ${this.#figures(s, today)}
      <section class="chart" aria-labelledby="home-chart-h" data-testid="home-chart">
        <h2 id="home-chart-h">Throughput <span class="muted">tasks per second · live</span></h2>
        <zs-metrics bare .view=${throughputView(s.metrics)}></zs-metrics>
      </section>
      ${this.#recent(s)}
    `
  }

  #contribute (s: AppState) {
    const share = cpuShare(s)
    const pct = (n: number): string => `${Math.min(100, (n / Math.max(1, share.machine)) * 100).toFixed(1)}%`
    return html`
      <section class="contribute" aria-labelledby="home-contribute-h">
        <h2 id="home-contribute-h">Contribute</h2>
        <zs-contribute ?contributing=${s.contributing} .slots=${s.slots} .maxSlots=${s.maxSlots} .tags=${s.tags}></zs-contribute>
        <div class="share" data-testid="home-cpu-share" data-contributed=${share.contributed} data-machine=${share.machine}
          data-busy=${share.busy ?? ''}>
          <strong>CPU share</strong>
          <div class="bar" role="img" aria-label=${`${share.contributed} of ${share.machine} worker slots given, ${share.busy ?? 0} busy`}>
            <span class="given" style="width: ${pct(share.contributed)}"></span>
            <span class="busy" style="width: ${pct(share.busy ?? 0)}"></span>
          </div>
          <span class="muted">${share.contributed === 0
            ? `None of this machine's ${share.machine} worker slots: turn on Contribute compute to run tasks for others and earn µ.`
            : `${share.contributed} of ${share.machine} worker slots given · ${share.busy === null ? 'busy: –' : `${share.busy} busy now`}`}</span>
        </div>
        <p class="muted">Prices, witness checks and skill tags are in <a href=${routeHref('settings')}>Settings</a>.</p>
      </section>`
  }

  #figures (s: AppState, today: number) {
    const served = tasksServedSince(s.history, today, HISTORY_HELD)
    const totals = channelTotals(s.ledger.channels)
    const earnedToday = earnedSince(s.ledger.payments, today)
    const mesh = meshFigures(s.peers, s.cards)
    return html`
      <section class="figures" aria-labelledby="home-figures-h">
        <h2 id="home-figures-h">At a glance</h2>
        <dl>
          <div>
            <dt>Tasks served today</dt>
            <dd data-testid="home-served-today" data-count=${served.count}>${formatCount(served.count)}${served.atLeast ? '+' : ''}
              <small>run here for other peers</small></dd>
          </div>
          <div>
            <dt>Earned</dt>
            <dd data-testid="home-earned" data-micro=${totals.earned} title=${formatMicroUnits(totals.earned)}>${formatMicro(totals.earned)}
              <small data-testid="home-earned-today" data-micro=${earnedToday}>${formatMicro(earnedToday)} today${totals.spent > 0 ? ` · ${formatMicro(totals.spent)} spent` : ''}</small></dd>
          </div>
          <div>
            <dt>Mesh</dt>
            <dd data-testid="home-peers" data-peers=${mesh.peers} data-contributing=${mesh.contributing}>${formatCount(mesh.peers)} ${mesh.peers === 1 ? 'peer' : 'peers'}
              <small>${mesh.direct} direct · ${mesh.contributing} contributing</small></dd>
          </div>
        </dl>
        ${mesh.peers === 0
          ? html`<p class="muted" data-testid="home-mesh-empty">No other peer yet: open this page in another tab or browser, or run <code>npx zerostate contribute</code>. <a href=${routeHref('network')}>Network</a> shows the connections.</p>`
          : served.count === 0 && !s.contributing
            ? html`<p class="muted">To serve tasks, turn on Contribute compute; each one is paid at your asking price (<a href=${routeHref('ledger')}>Ledger</a>).</p>`
            : nothing}
      </section>`
  }

  #recent (s: AppState) {
    const tasks = s.tasks.slice(0, RECENT_TASKS)
    const jobs = s.jobs.slice(0, RECENT_RUNS)
    const runs = s.workflows.slice(0, RECENT_RUNS)
    const empty = tasks.length === 0 && jobs.length === 0 && runs.length === 0
    return html`
      <section class="recent" aria-labelledby="home-recent-h" data-testid="home-recent">
        <header>
          <h2 id="home-recent-h">Your recent work</h2>
          <a class="action" href=${routeHref('submit')} data-testid="home-submit">Submit a task</a>
        </header>
        ${empty
          ? html`<p class="empty">Nothing submitted yet. <strong>Submit</strong> runs a sample (or your own .wasm) on a peer of the mesh and shows its signed receipt; <a href=${routeHref('workflows')}>Workflows</a> chains tasks into a DAG.</p>`
          : nothing}
        ${tasks.length === 0 ? nothing : html`
          <h3>Tasks</h3>
          <ul>${tasks.map(task => this.#task(task))}</ul>`}
        ${jobs.length === 0 ? nothing : html`
          <h3>Jobs</h3>
          <ul>${jobs.map(job => html`<li data-testid="home-recent-job" data-job-id=${job.jobId}><a href=${routeHref('submit')}>
            <span class="label">${job.label}</span>
            <span class="muted">${job.resultCount}/${job.inputs}</span>
            <span class="badge ${tone(job.state)}">${JOB_STATE_LABELS[job.state]}</span></a></li>`)}</ul>`}
        ${runs.length === 0 ? nothing : html`
          <h3>Workflow runs</h3>
          <ul>${runs.map(run => html`<li data-testid="home-recent-run" data-run-id=${run.runId}><a href=${routeHref('workflows')}>
            <span class="label">${run.name}</span>
            <span class="badge ${tone(run.state)}">${RUN_STATE_LABELS[run.state]}</span></a></li>`)}</ul>`}
      </section>`
  }

  #task (task: TaskView) {
    return html`<li data-testid="home-recent-task" data-task-id=${task.taskId} data-phase=${task.phase}><a href=${routeHref('submit')}>
      <span class="label">${task.label}</span>
      <span class="badge ${tone(task.phase)}">${PHASE_LABELS[task.phase]}</span></a></li>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-home': ZsHome
  }
}
