import { LitElement, css, html, nothing, svg } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { parseWorkflowSpec, WORKFLOW_TEMPLATES, WorkflowSpecError, type WorkflowSpecProblem, type WorkflowView } from '../app/index.ts'
import { CancelWorkflowRequestEvent, WorkflowRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { layoutWorkflow } from './workflow-layout.ts'
import { fieldStyles } from './zs-submit.styles.ts'

/** The colour class of a step or run state. */
const TONE: Readonly<Record<string, string>> = {
  completed: 'ok', working: 'accent', submitted: 'idle', failed: 'bad', canceled: 'bad', skipped: 'idle'
}

/**
 * The Workflows view: a gallery of templates, the spec (YAML or JSON) in an
 * editor that checks it as you type — every problem with its line and
 * column — an input box for each text or JSON input the spec declares, Run;
 * and each run of this tab drawn as its DAG (laid out by dagre) with every
 * step's live state, its fan-out progress and retries, Resume for a run a
 * reload left unfinished.
 */
@customElement('zs-workflows')
export class ZsWorkflows extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 14px; }
    form { display: grid; gap: 10px; }
    textarea.spec { min-height: 16rem; }
    ul.problems { margin: 0; padding-left: 1.2rem; color: var(--zs-bad); font-size: 0.8125rem; }
    .ok-line { color: var(--zs-ok); font-size: 0.8125rem; margin: 0; }
    .run { border: 1px solid var(--zs-border); border-radius: var(--zs-radius); padding: 10px 12px; background: var(--zs-surface); }
    .run header { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
    .run h3 { margin: 0; font-size: 0.9375rem; }
    .run header .mono { margin-left: auto; font-size: 0.75rem; }
    .graph { overflow-x: auto; margin-top: 8px; }
    svg text { font-family: var(--zs-font, sans-serif); font-size: 12px; fill: var(--zs-text); }
    svg text.sub { font-size: 10.5px; fill: var(--zs-muted); }
    svg rect { stroke-width: 2; fill: var(--zs-surface-2); stroke: var(--zs-border); }
    svg rect.ok { stroke: var(--zs-ok); }
    svg rect.accent { stroke: var(--zs-accent); }
    svg rect.bad { stroke: var(--zs-bad); }
    svg rect.idle { stroke-dasharray: 4 3; }
    svg path { fill: none; stroke: var(--zs-muted); stroke-width: 1.5; marker-end: url(#arrow); }
  `]

  @property({ attribute: false }) runs: WorkflowView[] = []
  @state() private templateId = WORKFLOW_TEMPLATES[0]?.id ?? ''
  @state() private spec = WORKFLOW_TEMPLATES[0]?.spec ?? ''
  @state() private inputs: Record<string, string> = { ...(WORKFLOW_TEMPLATES[0]?.inputs ?? {}) }
  @state() private runError = ''

  override render () {
    const checked = this.#check()
    return html`
      <form @submit=${this.#onRun} novalidate>
        <label>
          Template
          <select data-testid="workflow-template" @change=${this.#onTemplate}>
            ${WORKFLOW_TEMPLATES.map(t => html`<option value=${t.id} ?selected=${t.id === this.templateId}>${t.title}</option>`)}
          </select>
          <p class="hint muted">${WORKFLOW_TEMPLATES.find(t => t.id === this.templateId)?.description ?? ''}</p>
        </label>
        <label>
          Spec (YAML or JSON; see docs/workflow-spec.md)
          <textarea class="spec" data-testid="workflow-spec" spellcheck="false" .value=${this.spec} @input=${(e: Event) => { this.spec = (e.target as HTMLTextAreaElement).value }}></textarea>
        </label>
        ${checked.problems.length > 0
          ? html`<ul class="problems" role="alert" data-testid="workflow-problems">${checked.problems.map(p => html`<li>${p.line === undefined ? '' : `${p.line}:${p.column ?? 1} `}${p.path === '' ? '' : html`<code>${p.path}</code> `}${p.message}</li>`)}</ul>`
          : html`<p class="ok-line" data-testid="workflow-valid">✓ ${checked.steps} steps, valid</p>`}
        ${checked.inputs.map(name => html`
          <label>
            Input <code>${name}</code>
            <textarea data-testid=${`workflow-input-${name}`} .value=${this.inputs[name] ?? ''} @input=${(e: Event) => { this.inputs = { ...this.inputs, [name]: (e.target as HTMLTextAreaElement).value } }}></textarea>
          </label>`)}
        <div class="actions">
          <button class="primary" type="submit" data-testid="run-workflow" ?disabled=${checked.problems.length > 0}>Run the workflow</button>
          ${this.runError === '' ? nothing : html`<p class="error" role="alert">${this.runError}</p>`}
        </div>
      </form>
      ${this.runs.map(run => this.#run(run))}
    `
  }

  #check (): { problems: WorkflowSpecProblem[], inputs: string[], steps: number } {
    try {
      const spec = parseWorkflowSpec(this.spec)
      return { problems: [], inputs: Object.keys(spec.inputs ?? {}), steps: spec.dag.tasks.length }
    } catch (err) {
      if (err instanceof WorkflowSpecError) return { problems: err.problems, inputs: [], steps: 0 }
      return { problems: [{ path: '', message: err instanceof Error ? err.message : String(err) }], inputs: [], steps: 0 }
    }
  }

  #run (run: WorkflowView) {
    const layout = layoutWorkflow(run.steps)
    const byName = new Map(run.steps.map(step => [step.name, step]))
    const resumable = !run.live && (run.state === 'submitted' || run.state === 'working')
    return html`
      <article class="run" data-testid="workflow-run" data-run-id=${run.runId} data-state=${run.state}>
        <header>
          <h3>${run.name}</h3>
          <span class="badge ${TONE[run.state] ?? ''}" data-testid="workflow-state">${run.state}</span>
          ${resumable ? html`<button type="button" data-testid="resume-workflow" @click=${() => { this.dispatchEvent(new WorkflowRequestEvent('', {}, run.runId)) }}>Resume</button>` : nothing}
          ${run.live ? html`<button type="button" data-testid="cancel-workflow" @click=${() => { this.dispatchEvent(new CancelWorkflowRequestEvent(run.runId)) }}>Cancel</button>` : nothing}
          <span class="mono muted">${run.runId}</span>
        </header>
        ${run.error === undefined ? nothing : html`<p class="error">${run.error.name}: ${run.error.message}</p>`}
        <div class="graph">
          <svg width=${layout.width} height=${layout.height} viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label=${`The steps of ${run.name} and their states`}>
            <defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" style="fill: var(--zs-muted); stroke: none; marker-end: none"></path></marker></defs>
            ${layout.edges.map(edge => svg`<path d=${`M${edge.points.map(p => `${p.x},${p.y}`).join(' L')}`}></path>`)}
            ${layout.steps.map(box => {
              const step = byName.get(box.name)!
              // Attempts count over every item of a fan-out: beyond one per item, they were retries.
              const retries = step.attempts - (step.items?.total ?? 1)
              const detail = [step.state, step.items === undefined ? '' : `${step.items.done}/${step.items.total}`, retries > 0 ? `${retries} retried` : ''].filter(Boolean).join(' · ')
              return svg`<g data-testid="workflow-step" data-step=${step.name} data-state=${step.state}>
                <title>${step.error ?? `${detail}${step.executors === undefined ? '' : ` · ran on ${step.executors.join(', ')}`}`}</title>
                <rect x=${box.x} y=${box.y} width=${box.width} height=${box.height} rx="8" class=${TONE[step.state] ?? ''}></rect>
                <text x=${box.x + 10} y=${box.y + 19}>${step.name}</text>
                <text class="sub" x=${box.x + 10} y=${box.y + 35}>${detail}</text>
              </g>`
            })}
          </svg>
        </div>
      </article>`
  }

  #onTemplate (event: Event): void {
    const template = WORKFLOW_TEMPLATES.find(t => t.id === (event.target as HTMLSelectElement).value)
    if (template === undefined) return
    this.templateId = template.id
    this.spec = template.spec
    this.inputs = { ...template.inputs }
  }

  async #onRun (event: Event): Promise<void> {
    event.preventDefault()
    this.runError = ''
    const { problems, inputs } = this.#check()
    if (problems.length > 0) return
    const request = new WorkflowRequestEvent(this.spec, Object.fromEntries(inputs.map(name => [name, this.inputs[name] ?? ''])))
    this.dispatchEvent(request)
    await request.outcome.catch((err: unknown) => { this.runError = err instanceof Error ? err.message : String(err) })
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflows': ZsWorkflows
  }
}
