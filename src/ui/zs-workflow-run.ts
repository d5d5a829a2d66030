import { LitElement, css, html, nothing, svg } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { MEMO_EXECUTOR, type WorkflowOutputView, type WorkflowStepView, type WorkflowView } from '../app/index.ts'
import { downloadBlob } from './download.ts'
import { CancelWorkflowRequestEvent, WorkflowRecordRequestEvent, WorkflowRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { formatBytes } from './view-format.ts'
import { attemptsLine, executorTail, itemsShare, ranOnLabel, stepLine } from './workflow-format.ts'
import { layoutWorkflow, type LaidOutStep } from './workflow-layout.ts'
import './zs-workflow-context.ts'
import './zs-workflow-award.ts'
import './zs-trace-waterfall.ts'

/** The colour class of a step or run state. */
const TONE: Readonly<Record<string, string>> = {
  completed: 'ok', working: 'accent', submitted: 'idle', failed: 'bad', canceled: 'bad', skipped: 'idle'
}

/** Inset of a step box's text and progress bar, px. */
const PAD = 10

/**
 * One workflow run of this tab: its DAG (laid out by dagre) with each step's
 * live state, fan-out progress (n/N, and a bar), retries and who ran it; a
 * step picked in the drawing (click, or Enter on it) shows its details under
 * it — attempts, items, executors, last error and the receipt hash of each
 * result; Resume, Cancel and the signed record; once it completed, its
 * outputs, each downloadable.
 */
@customElement('zs-workflow-run')
export class ZsWorkflowRun extends LitElement {
  static override styles = [shared, css`
    :host { display: block; }
    .run { border: 1px solid var(--zs-border); border-radius: var(--zs-radius); padding: 10px 12px; background: var(--zs-surface); }
    .run header { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
    .run h3 { margin: 0; font-size: 0.9375rem; }
    .run header .mono { margin-left: auto; font-size: 0.75rem; }
    .graph { overflow-x: auto; margin-top: 8px; }
    .hint { margin: 2px 0 0; font-size: 0.75rem; }
    svg text { font-family: var(--zs-font, sans-serif); font-size: 12px; fill: var(--zs-text); pointer-events: none; }
    svg text.name { font-weight: 600; font-size: 12.5px; }
    svg text.sub { font-size: 10.5px; fill: var(--zs-muted); }
    svg text.who { font-family: var(--zs-mono); font-size: 10px; fill: var(--zs-muted); }
    svg rect.box { stroke-width: 2; fill: var(--zs-surface-2); stroke: var(--zs-border); }
    svg rect.box.ok { stroke: var(--zs-ok); }
    svg rect.box.accent { stroke: var(--zs-accent); }
    svg rect.box.bad { stroke: var(--zs-bad); }
    svg rect.box.idle { stroke-dasharray: 4 3; }
    svg circle { fill: var(--zs-border); }
    svg circle.ok { fill: var(--zs-ok); }
    svg circle.accent { fill: var(--zs-accent); }
    svg circle.bad { fill: var(--zs-bad); }
    svg rect.track { fill: var(--zs-border); }
    svg rect.bar { fill: var(--zs-accent); }
    svg rect.bar.ok { fill: var(--zs-ok); }
    svg g.step { cursor: pointer; outline: none; }
    svg g.step:hover rect.box { fill: var(--zs-accent-soft); }
    svg g.step:focus-visible rect.box { stroke: var(--zs-accent); stroke-width: 3; }
    svg g.step[aria-pressed="true"] rect.box { fill: var(--zs-accent-soft); stroke-width: 3; }
    svg path.edge { fill: none; stroke: var(--zs-muted); stroke-width: 1.5; marker-end: url(#arrow); }
    .details { margin-top: 8px; border: 1px solid var(--zs-border); border-left: 3px solid var(--zs-accent); border-radius: 8px; padding: 8px 12px; background: var(--zs-surface-2); }
    .details header { display: flex; gap: 8px; align-items: center; }
    .details h4 { margin: 0; font-size: 0.875rem; }
    .details header button { margin-left: auto; padding: 0 8px; line-height: 1.4; }
    .details dl { margin: 6px 0 0; display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; font-size: 0.8125rem; }
    .details dt { color: var(--zs-muted); }
    .details dd { margin: 0; min-width: 0; }
    .details ul { margin: 0; padding: 0; list-style: none; display: grid; gap: 2px; }
    .details .mono { font-size: 0.75rem; word-break: break-all; }
    .details .item { color: var(--zs-muted); margin-right: 6px; font-family: var(--zs-mono); font-size: 0.75rem; }
    .details .error { color: var(--zs-bad); margin: 0; }
    dl.outputs { margin: 10px 0 0; display: grid; grid-template-columns: auto 1fr; gap: 6px 12px; font-size: 0.8125rem; }
    dl.outputs dt { font-weight: 600; }
    dl.outputs dd { margin: 0; min-width: 0; display: grid; gap: 6px; }
    dl.outputs pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
    .images { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start; }
    .images figure { margin: 0; display: grid; gap: 2px; justify-items: center; }
    .images img { max-width: 128px; max-height: 128px; border-radius: 4px; border: 1px solid var(--zs-border); }
    .images figure { max-width: 168px; }
    .images figcaption { font-size: 0.6875rem; color: var(--zs-muted); text-align: center; }
    .files { display: flex; flex-wrap: wrap; gap: 6px; }
    a.file { display: inline-flex; gap: 6px; align-items: baseline; padding: 2px 10px; border-radius: 999px; border: 1px solid var(--zs-border); background: var(--zs-surface-2); color: var(--zs-text); text-decoration: none; font-size: 0.75rem; }
    a.file:hover { border-color: var(--zs-accent); }
    a .size { color: var(--zs-muted); }
    a.caption { color: var(--zs-text); text-decoration: none; font-size: 0.6875rem; overflow-wrap: anywhere; }
    a.caption .size { display: block; }
    a.caption:hover { color: var(--zs-accent); text-decoration: underline; }
    p.error { color: var(--zs-bad); margin: 6px 0 0; font-size: 0.8125rem; }
    details.trace { margin-top: 8px; font-size: 0.8125rem; }
    details.trace summary { cursor: pointer; color: var(--zs-muted); }
    details.trace summary .mono { font-size: 0.75rem; }
    details.trace zs-trace-waterfall { margin-top: 6px; }
  `]

  @property({ attribute: false }) run!: WorkflowView
  /** This tab's PeerId: its own steps and shares in the award read "you". */
  @property({ attribute: false }) self = ''
  /** Whether to say, under the drawing, that a step can be picked (the view says it once, on its newest run). */
  @property({ type: Boolean }) hint = false
  /** The step whose details show under the drawing. */
  @state() private selected: string | undefined
  @state() private error = ''
  /** Whether the run's Trace disclosure is open: the waterfall is drawn only then. */
  @state() private traceOpen = false

  override render () {
    const run = this.run
    const resumable = !run.live && (run.state === 'submitted' || run.state === 'working')
    const picked = run.steps.find(step => step.name === this.selected)
    return html`
      <article class="run" data-testid="workflow-run" data-run-id=${run.runId} data-state=${run.state}>
        <header>
          <h3>${run.name}</h3>
          <span class="badge ${TONE[run.state] ?? ''}" data-testid="workflow-state">${run.state}</span>
          ${resumable ? html`<button type="button" data-testid="resume-workflow" @click=${() => { this.dispatchEvent(new WorkflowRequestEvent('', {}, run.runId)) }}>Resume</button>` : nothing}
          ${run.live ? html`<button type="button" data-testid="cancel-workflow" @click=${() => { this.dispatchEvent(new CancelWorkflowRequestEvent(run.runId)) }}>Cancel</button>` : nothing}
          ${!run.live && ['completed', 'failed', 'canceled'].includes(run.state)
            ? html`<button type="button" data-testid="download-workflow-record" title="The run's record, signed by this tab: spec, inputs, every step's receipt and executor, outputs (docs/workflow-record.md)" @click=${() => { void this.#downloadRecord(run) }}>Signed record</button>`
            : nothing}
          <span class="mono muted">${run.runId}</span>
        </header>
        ${run.error === undefined ? nothing : html`<p class="error">${run.error.name}: ${run.error.message}</p>`}
        ${this.error === '' ? nothing : html`<p class="error" role="alert">${this.error}</p>`}
        ${this.#graph(run)}
        ${this.#trace(run)}
        ${run.context === undefined ? nothing : html`<zs-workflow-context .context=${run.context}></zs-workflow-context>`}
        ${run.award === undefined ? nothing : html`<zs-workflow-award .award=${run.award} .split=${run.split} .self=${this.self}></zs-workflow-award>`}
        ${picked === undefined ? (this.hint ? html`<p class="hint muted">Pick a step for its executors, attempts and receipts.</p>` : nothing) : this.#details(picked)}
        ${run.outputs === undefined || run.outputs.length === 0 ? nothing : html`
          <dl class="outputs" data-testid="workflow-outputs">${run.outputs.map(output => this.#output(output))}</dl>`}
      </article>`
  }

  /**
   * The run's trace (docs/tracing.md §7) once it ended: every step's task,
   * across peers, in one waterfall. Closed by default, and drawn only when
   * opened: a run's trace may hold hundreds of spans.
   */
  #trace (run: WorkflowView) {
    const trace = run.trace
    if (trace === undefined || trace.spans.length === 0) return nothing
    const peers = new Set(trace.spans.map(span => span.peer)).size
    const steps = trace.spans.filter(span => span.name === 'step').length
    return html`
      <details class="trace" data-testid="workflow-trace" data-trace-id=${trace.traceId} ?open=${this.traceOpen}
        @toggle=${(event: Event) => { this.traceOpen = (event.target as HTMLDetailsElement).open }}>
        <summary>Trace · ${steps} ${steps === 1 ? 'step' : 'steps'}, ${trace.spans.length} spans on ${peers} ${peers === 1 ? 'peer' : 'peers'} · <span class="mono">${trace.traceId}</span></summary>
        ${this.traceOpen ? html`<zs-trace-waterfall .spans=${trace.spans} self-peer=${this.self}></zs-trace-waterfall>` : nothing}
      </details>`
  }

  #graph (run: WorkflowView) {
    const layout = layoutWorkflow(run.steps)
    const byName = new Map(run.steps.map(step => [step.name, step]))
    return html`<div class="graph">
      <svg width=${layout.width} height=${layout.height} viewBox="0 0 ${layout.width} ${layout.height}" role="group" aria-label=${`The steps of ${run.name} and their states`}>
        <defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" style="fill: var(--zs-muted); stroke: none"></path></marker></defs>
        ${layout.edges.map(edge => svg`<path class="edge" d=${`M${edge.points.map(p => `${p.x},${p.y}`).join(' L')}`}></path>`)}
        ${layout.steps.map(box => this.#box(box, byName.get(box.name)!))}
      </svg>
    </div>`
  }

  /** A step's box: name and state dot, its state line, who ran it, and a fan-out's progress bar. */
  #box (box: LaidOutStep, step: WorkflowStepView) {
    const tone = TONE[step.state] ?? ''
    const line = stepLine(step)
    const who = ranOnLabel(step.executors)
    const share = itemsShare(step)
    const barWidth = box.width - 2 * PAD
    const pressed = this.selected === step.name
    return svg`<g class="step" data-testid="workflow-step" data-step=${step.name} data-state=${step.state}
        tabindex="0" role="button" aria-pressed=${pressed ? 'true' : 'false'} aria-label=${`${step.name}: ${line}${who === '' ? '' : `, ${who}`}`}
        @click=${() => { this.#pick(step.name) }} @keydown=${(e: KeyboardEvent) => { this.#onKey(e, step.name) }}>
      <title>${step.error ?? `${line}${step.executors === undefined ? '' : ` · ran on ${step.executors.join(', ')}`}`}</title>
      <rect class="box ${tone}" x=${box.x} y=${box.y} width=${box.width} height=${box.height} rx="8"></rect>
      <circle class=${tone} cx=${box.x + box.width - PAD - 2} cy=${box.y + 14} r="4"></circle>
      <text class="name" x=${box.x + PAD} y=${box.y + 18}>${step.name}</text>
      <text class="sub" x=${box.x + PAD} y=${box.y + 33}>${line}</text>
      ${who === '' ? nothing : svg`<text class="who" x=${box.x + PAD} y=${box.y + 47}>${who}</text>`}
      ${share === undefined
        ? nothing
        : svg`<rect class="track" x=${box.x + PAD} y=${box.y + box.height - 8} width=${barWidth} height="3" rx="1.5"></rect>
              <rect class="bar ${share === 1 ? 'ok' : ''}" x=${box.x + PAD} y=${box.y + box.height - 8} width=${barWidth * share} height="3" rx="1.5"></rect>`}
    </g>`
  }

  #pick (name: string): void {
    this.selected = this.selected === name ? undefined : name
  }

  #onKey (event: KeyboardEvent, name: string): void {
    if (event.key !== 'Enter' && event.key !== ' ') return
    event.preventDefault()
    this.#pick(name)
  }

  /** What the drawing has no room for: attempts, items, every executor in full, the last error, each result's receipt hash. */
  #details (step: WorkflowStepView) {
    const executors = step.executors ?? []
    const receipts = step.receipts ?? []
    return html`<section class="details" data-testid="workflow-step-details" data-detail-step=${step.name} aria-label=${`Step ${step.name}`}>
      <header>
        <h4>${step.name}</h4>
        <span class="badge ${TONE[step.state] ?? ''}">${step.state}</span>
        <button type="button" aria-label="Close the step's details" @click=${() => { this.selected = undefined }}>×</button>
      </header>
      <dl>
        ${step.skipReason === undefined ? nothing : html`<dt>Skipped</dt><dd>${step.skipReason}</dd>`}
        <dt>Attempts</dt><dd>${attemptsLine(step)}</dd>
        ${step.items === undefined ? nothing : html`<dt>Items</dt><dd>${step.items.done}/${step.items.total} settled</dd>`}
        ${step.after.length === 0 ? nothing : html`<dt>After</dt><dd>${step.after.join(', ')}</dd>`}
        <dt>Ran on</dt>
        <dd>${executors.length === 0
          ? html`<span class="muted">no result yet</span>`
          : html`<ul data-testid="step-executors">${executors.map(executor => html`<li class="mono" data-testid="step-executor">${executor === MEMO_EXECUTOR ? 'memo (outputs reused from an earlier run\'s verified receipt)' : executor}</li>`)}</ul>`}</dd>
        ${step.agent === undefined ? nothing : html`<dt>Agent</dt><dd data-testid="step-agent">${step.agent.name}@${step.agent.version} <span class="muted mono" title=${step.agent.author}>by ${executorTail(step.agent.author)}</span><div class="mono muted">${step.agent.moduleHash}</div></dd>`}
        ${step.error === undefined ? nothing : html`<dt>Last error</dt><dd><p class="error">${step.error}</p></dd>`}
        ${step.contextRefused === undefined ? nothing : html`<dt>Context updates refused</dt><dd><ul data-testid="step-context-refused">${step.contextRefused.map(refused => html`<li>
            ${refused.item === undefined ? nothing : html`<span class="item">[${refused.item}]</span>`}<span class="error">${refused.error}</span>
            <span class="muted"> (the step succeeded and was paid; its updates were not applied)</span></li>`)}</ul></dd>`}
        <dt>Receipts</dt>
        <dd>${receipts.length === 0
          ? html`<span class="muted">none yet</span>`
          : html`<ul data-testid="step-receipts">${receipts.map(receipt => html`<li data-testid="step-receipt" data-hash=${receipt.hash}>
              ${receipt.item === undefined ? nothing : html`<span class="item">[${receipt.item}]</span>`}<span class="mono">${receipt.hash}</span>
              ${receipt.executor === undefined ? nothing : html`<span class="muted mono" title=${receipt.executor}> ${receipt.executor === MEMO_EXECUTOR ? 'memo' : `on ${executorTail(receipt.executor)}`}</span>`}
            </li>`)}</ul>`}</dd>
      </dl>
    </section>`
  }

  /** An output: its text, its images (each captioned by its download), and its other files to download. */
  #output (output: WorkflowOutputView) {
    const byUrl = new Map((output.files ?? []).map(file => [file.url, file]))
    const shown = new Set((output.images ?? []).map(image => image.url))
    const rest = (output.files ?? []).filter(file => !shown.has(file.url))
    return html`
      <dt>${output.name}</dt>
      <dd data-testid="workflow-output" data-output=${output.name}>
        ${output.text === undefined ? nothing : html`<pre>${output.text}</pre>`}
        ${output.images === undefined ? nothing : html`<div class="images">${output.images.map(image => {
          const file = byUrl.get(image.url)
          return html`<figure><img src=${image.url} alt=${image.name}>
            <figcaption>${file === undefined ? image.name : this.#download(file, 'caption')}</figcaption></figure>`
        })}</div>`}
        ${rest.length === 0 ? nothing : html`<div class="files">${rest.map(file => this.#download(file, 'file'))}</div>`}
      </dd>`
  }

  #download (file: NonNullable<WorkflowOutputView['files']>[number], style: 'file' | 'caption') {
    return html`<a class=${style} href=${file.url} download=${file.name} data-testid="workflow-output-file" data-file=${file.name} title=${`Download ${file.name}`}>⤓ ${file.name} <span class="size">${formatBytes(file.size)}</span></a>`
  }

  /** Asks the app for the run's signed record and saves it as JSON. */
  async #downloadRecord (run: WorkflowView): Promise<void> {
    const request = new WorkflowRecordRequestEvent(run.runId)
    this.dispatchEvent(request)
    try {
      const record = await request.outcome
      this.error = ''
      downloadBlob(new Blob([JSON.stringify(record, null, 2) + '\n'], { type: 'application/json' }), `${run.name}-${run.runId.slice(3, 11)}.workflow-record.json`)
    } catch (err) {
      this.error = `No signed record for ${run.runId}: ${err instanceof Error ? err.message : String(err)}`
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflow-run': ZsWorkflowRun
  }
}
