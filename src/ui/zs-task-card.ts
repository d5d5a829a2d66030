import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { TaskView } from '../app/index.ts'
import { ClockController } from './clock-controller.ts'
import { shared } from './theme.ts'
import {
  PHASE_LABELS, formatCount, formatDuration, formatMicro, formatMicroUnits, liveElapsedMs, phaseSteps, runStatus
} from './view-format.ts'
import './zs-peer-id.ts'
import './zs-receipt.ts'
import './zs-task-output.ts'
import './zs-trace-waterfall.ts'

const TICK_MS = 100

/**
 * One task submitted from this tab: its progress line, executor, timing, output,
 * error and receipt. Reflects `data-testid="task-card"`, `data-task-id` and
 * `data-phase` on itself so tests can wait for a phase.
 */
@customElement('zs-task-card')
export class ZsTaskCard extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
      /* A busy tab re-renders cards many times a second: keep each card's
         layout to itself, and skip the ones scrolled out of view. */
      contain: content;
      content-visibility: auto;
      contain-intrinsic-size: auto 320px;
      background: var(--zs-surface);
      border: 1px solid var(--zs-border);
      border-radius: var(--zs-radius);
      padding: 14px 16px;
      box-shadow: var(--zs-shadow);
    }

    :host([data-phase=failed]), :host([data-disputed]) {
      border-color: var(--zs-bad);
    }

    header {
      display: flex;
      align-items: baseline;
      gap: 8px;
      flex-wrap: wrap;
    }

    h3 {
      margin: 0;
      font-size: 1rem;
      overflow-wrap: anywhere;
    }

    header .mono {
      margin-left: auto;
      font-size: 0.75rem;
    }

    ol {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      list-style: none;
      padding: 0;
      margin: 12px 0;
    }

    ol > li {
      flex: 1 1 0;
      min-width: 4.5rem;
      font-size: 0.6875rem;
      color: var(--zs-muted);
      padding-top: 6px;
      border-top: 4px solid var(--zs-border);
    }

    ol > li.complete {
      border-top-color: var(--zs-ok);
    }

    ol > li.current {
      border-top-color: var(--zs-accent);
      color: var(--zs-text);
      font-weight: 600;
    }

    ol > li.failed {
      border-top-color: var(--zs-bad);
      color: var(--zs-bad);
      font-weight: 600;
    }

    dl {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 24px;
      margin: 0 0 12px;
      font-size: 0.875rem;
    }

    dl div {
      display: flex;
      gap: 6px;
      align-items: center;
    }

    dt {
      color: var(--zs-muted);
    }

    dd {
      margin: 0;
    }

    /* The reason the executor was chosen: its own line, right under it. */
    dl div.selection {
      flex-basis: 100%;
      align-items: baseline;
      font-size: 0.8125rem;
      margin-top: -2px;
    }

    dl div.selection dd {
      color: var(--zs-muted);
      overflow-wrap: anywhere;
    }

    details.trace {
      margin: 12px 0 0;
    }

    details.trace summary {
      cursor: pointer;
      font-size: 0.8125rem;
      color: var(--zs-muted);
      margin-bottom: 6px;
    }

    .error {
      background: var(--zs-bad-soft);
      color: var(--zs-bad);
      border-radius: 8px;
      padding: 8px 12px;
      margin: 0 0 12px;
      font-size: 0.875rem;
      overflow-wrap: anywhere;
    }

  `]

  @property({ attribute: false }) task: TaskView | undefined

  /** `performance.now()` when the current `elapsedMs` heartbeat arrived. */
  @state() private heartbeatAt: number | undefined
  /** Whether the trace disclosure is open: its waterfall is drawn only then. */
  @state() private traceOpen = false

  readonly #clock = new ClockController(this, TICK_MS)

  override connectedCallback (): void {
    super.connectedCallback()
    this.dataset.testid = 'task-card'
  }

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (!changed.has('task')) return
    const task = this.task
    if (task === undefined) return
    const previous = changed.get('task')
    if (task.elapsedMs !== undefined && task.elapsedMs !== previous?.elapsedMs) this.heartbeatAt = performance.now()
    this.dataset.taskId = task.taskId
    this.dataset.phase = task.phase
    if (task.disputed === true) this.dataset.disputed = ''
    else delete this.dataset.disputed
    this.#clock.running = task.phase === 'running'
  }

  override render () {
    const task = this.task
    if (task === undefined) return nothing
    return html`
      <header>
        <h3>${task.label}</h3>
        <span class="badge ${task.phase === 'done' ? 'ok' : task.phase === 'failed' ? 'bad' : 'accent'}">${PHASE_LABELS[task.phase]}</span>
        ${task.disputed === true ? html`<span class="badge bad" data-testid="disputed" role="status"
          title="A witness re-ran this task and disagreed, and this tab's own re-run confirmed the executor's result was wrong. Do not rely on its output."
        >disputed: result shown wrong by a witness</span>` : nothing}
        <span class="mono muted" title="Task id">${task.taskId}</span>
      </header>
      <ol aria-label="Progress">
        ${phaseSteps(task.phase, task.failedDuring).map(({ phase, state }) => html`
          <li class=${state} aria-current=${state === 'current' ? 'step' : 'false'}>
            ${state === 'failed' ? `${PHASE_LABELS[phase]} – failed` : PHASE_LABELS[phase]}
          </li>`)}
      </ol>
      <dl>
        <div><dt>Executor</dt><dd data-testid="executor">${task.executor === undefined
          ? html`<span class="muted">not chosen yet</span>`
          : html`<zs-peer-id peer-id=${task.executor}></zs-peer-id>`}</dd></div>
        ${task.selection === undefined ? nothing : html`
          <div class="selection"><dt>Why</dt><dd data-testid="selection">${task.selection}</dd></div>`}
        ${this.#timing(task)}
        ${task.result === undefined ? nothing : html`
          <div><dt>Exit code</dt><dd data-testid="exit-code">${task.result.exitCode}</dd></div>`}
        ${this.#runSummary(task)}
      </dl>
      ${task.error === undefined ? nothing : html`
        <p class="error" role="alert" data-testid="task-error"><strong>${task.error.name}</strong>: ${task.error.message}</p>`}
      ${task.result === undefined ? nothing : html`<zs-task-output .result=${task.result} .inputImage=${task.inputImage}></zs-task-output>`}
      ${task.receipt === undefined ? nothing : html`<zs-receipt .receipt=${task.receipt} ?verified=${task.verified}></zs-receipt>`}
      ${this.#trace(task)}
    `
  }

  /**
   * The waterfall of the task's spans across peers, once there is more than
   * the task's own span. Closed until opened, and drawn only then: a card
   * redrawn at every task's end must not pay for a waterfall nobody looks at
   * (the tracing overhead bench:roundtrip measures).
   */
  #trace (task: TaskView) {
    const trace = task.trace
    if (trace === undefined || trace.spans.length === 0) return nothing
    const peers = new Set(trace.spans.map(span => span.peer)).size
    return html`
      <details class="trace" data-testid="task-trace" data-trace-id=${trace.traceId} ?open=${this.traceOpen}
        @toggle=${(event: Event) => { this.traceOpen = (event.target as HTMLDetailsElement).open }}>
        <summary>Trace · ${trace.spans.length} spans on ${peers} ${peers === 1 ? 'peer' : 'peers'} · <span class="mono">${trace.traceId}</span></summary>
        ${this.traceOpen ? html`<zs-trace-waterfall .spans=${trace.spans}></zs-trace-waterfall>` : nothing}
      </details>`
  }

  #timing (task: TaskView) {
    // A failed run has no result but may carry its receipt, which says how long it ran.
    const durationMs = task.result?.durationMs ?? task.receipt?.durationMs
    if (durationMs !== undefined) {
      return html`<div><dt>Duration</dt><dd data-testid="duration">${formatDuration(durationMs)}</dd></div>`
    }
    if (task.phase !== 'running') return nothing
    const sinceHeartbeat = this.heartbeatAt === undefined ? undefined : performance.now() - this.heartbeatAt
    const elapsed = liveElapsedMs(task, sinceHeartbeat, Date.now())
    return html`<div><dt>Elapsed</dt><dd data-testid="elapsed">${elapsed === undefined ? 'starting…' : formatDuration(elapsed)}</dd></div>`
  }

  /** How the run ended, the fuel it used and what it cost, from the receipt (done tasks, and failed ones that ran). */
  #runSummary (task: TaskView) {
    const r = task.receipt
    if (r === undefined) return nothing
    const status = runStatus(r.status, r.exitCode)
    return html`
      <div><dt>Status</dt><dd><span class="badge ${status.tone}" data-testid="run-status" data-status=${r.status} title=${status.description}>${status.text}</span></dd></div>
      <div><dt>Fuel used</dt><dd data-testid="fuel-used" title=${`of a budget of ${formatCount(r.limits.fuel)}`}>${r.fuelUsed === null
        ? html`<span class="muted">not measured</span>`
        : formatCount(r.fuelUsed)}</dd></div>
      <div><dt>Charge</dt><dd data-testid="charge" title=${`${formatMicroUnits(r.price.charge)}, of a budget of ${formatMicroUnits(r.price.maxTotalPrice)}`}
        >${formatMicro(r.price.charge)} <span class="muted">of ${formatMicro(r.price.maxTotalPrice)}</span></dd></div>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-task-card': ZsTaskCard
  }
}
