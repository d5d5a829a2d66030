import { LitElement, css, html, nothing, svg } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { parseWorkflowSpec, WORKFLOW_TEMPLATES, WorkflowSpecError, type WorkflowSpecProblem, type WorkflowTemplate, type WorkflowView } from '../app/index.ts'
import { downloadBlob } from './download.ts'
import { CancelWorkflowRequestEvent, WorkflowRecordRequestEvent, WorkflowRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { layoutWorkflow } from './workflow-layout.ts'
import { fieldStyles } from './zs-submit.styles.ts'

/** A declared input's type: text, bytes, files or json. */
type InputType = NonNullable<ReturnType<typeof parseWorkflowSpec>['inputs']>[string]['type']

/** The colour class of a step or run state. */
const TONE: Readonly<Record<string, string>> = {
  completed: 'ok', working: 'accent', submitted: 'idle', failed: 'bad', canceled: 'bad', skipped: 'idle'
}

/**
 * The Workflows view: a gallery of templates, the spec (YAML or JSON) in an
 * editor that checks it as you type — every problem with its line and
 * column — an input box for each text or JSON input the spec declares, a
 * file picker for each `bytes` (one file) and `files` input (several; a
 * template's example files are fetched and put there), Run;
 * and each run of this tab drawn as its DAG (laid out by dagre) with every
 * step's live state, its fan-out progress and retries, Resume for a run a
 * reload left unfinished, and once it completed its outputs (text, images).
 */
@customElement('zs-workflows')
export class ZsWorkflows extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 14px; }
    form { display: grid; gap: 10px; }
    textarea.spec { min-height: 16rem; }
    .picked { margin: 4px 0 0; font-size: 0.8125rem; }
    dl.outputs { margin: 8px 0 0; display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; font-size: 0.8125rem; }
    dl.outputs dt { font-weight: 600; }
    dl.outputs dd { margin: 0; min-width: 0; }
    dl.outputs pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
    .images { display: flex; flex-wrap: wrap; gap: 8px; }
    .images figure { margin: 0; display: grid; gap: 2px; justify-items: center; }
    .images img { max-width: 128px; max-height: 128px; border-radius: 4px; border: 1px solid var(--zs-border); }
    .images figcaption { font-size: 0.6875rem; color: var(--zs-muted); }
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
  /** The files of each `bytes` and `files` input: picked, or a template's examples. */
  @state() private files: Record<string, { files: File[], example: boolean }> = {}
  @state() private runError = ''
  /** Counts template choices, so a slow fetch of an earlier template's examples cannot overwrite a later one's. */
  #choice = 0

  override connectedCallback (): void {
    super.connectedCallback()
    const first = WORKFLOW_TEMPLATES.find(t => t.id === this.templateId)
    if (first !== undefined && Object.keys(this.files).length === 0) void this.#loadExampleFiles(first, ++this.#choice)
  }

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
        ${checked.inputs.map(({ name, type }) => type === 'bytes' || type === 'files' ? this.#filePicker(name, type) : html`
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

  /** A `bytes` input's single-file picker, or a `files` input's multiple one, with what it holds. */
  #filePicker (name: string, type: 'bytes' | 'files') {
    const held = this.files[name]
    const names = held?.files.map(file => file.name).join(', ') ?? ''
    return html`
      <label>
        Input <code>${name}</code> (${type === 'bytes' ? 'a file' : 'files'})
        <input type="file" ?multiple=${type === 'files'} data-testid=${`workflow-file-${name}`} @change=${(e: Event) => { this.#onPick(name, e.target as HTMLInputElement) }}>
        <p class="picked muted" data-testid=${`workflow-files-${name}`}>${held === undefined || held.files.length === 0 ? 'no file chosen' : `${held.example ? 'example: ' : ''}${names}`}</p>
      </label>`
  }

  #onPick (name: string, input: HTMLInputElement): void {
    this.#choice++ // examples still on their way must not replace what the user picked
    this.files = { ...this.files, [name]: { files: [...(input.files ?? [])], example: false } }
  }

  /** Fetches a template's example files (from the samples the server serves, or its text) into the pickers. */
  async #loadExampleFiles (template: WorkflowTemplate, choice: number): Promise<void> {
    try {
      const loaded: Record<string, { files: File[], example: boolean }> = {}
      for (const [name, examples] of Object.entries(template.files ?? {})) {
        const files = await Promise.all(examples.map(async example => {
          if (!('url' in example)) return new File([example.text], example.name)
          const response = await fetch(example.url)
          if (!response.ok) throw new Error(`${example.url}: HTTP ${response.status}`)
          return new File([await response.arrayBuffer()], example.name)
        }))
        loaded[name] = { files, example: true }
      }
      if (choice === this.#choice) this.files = loaded
    } catch (err) {
      if (choice === this.#choice) this.runError = `Could not load the example files: ${err instanceof Error ? err.message : String(err)}`
    }
  }

  #check (): { problems: WorkflowSpecProblem[], inputs: Array<{ name: string, type: InputType }>, steps: number } {
    try {
      const spec = parseWorkflowSpec(this.spec)
      return { problems: [], inputs: Object.entries(spec.inputs ?? {}).map(([name, input]) => ({ name, type: input.type })), steps: spec.dag.tasks.length }
    } catch (err) {
      if (err instanceof WorkflowSpecError) return { problems: err.problems, inputs: [], steps: 0 }
      return { problems: [{ path: '', message: err instanceof Error ? err.message : String(err) }], inputs: [], steps: 0 }
    }
  }

  /** Asks the app for the run's signed record and saves it as JSON. */
  async #downloadRecord (run: WorkflowView): Promise<void> {
    const request = new WorkflowRecordRequestEvent(run.runId)
    this.dispatchEvent(request)
    try {
      const record = await request.outcome
      downloadBlob(new Blob([JSON.stringify(record, null, 2) + '\n'], { type: 'application/json' }), `${run.name}-${run.runId.slice(3, 11)}.workflow-record.json`)
    } catch (err) {
      this.runError = `No signed record for ${run.runId}: ${err instanceof Error ? err.message : String(err)}`
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
          ${!run.live && ['completed', 'failed', 'canceled'].includes(run.state)
            ? html`<button type="button" data-testid="download-workflow-record" title="The run's record, signed by this tab: spec, inputs, every step's receipt and executor, outputs (docs/workflow-record.md)" @click=${() => { void this.#downloadRecord(run) }}>Signed record</button>`
            : nothing}
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
        ${run.outputs === undefined || run.outputs.length === 0 ? nothing : html`
          <dl class="outputs" data-testid="workflow-outputs">
            ${run.outputs.map(output => html`
              <dt>${output.name}</dt>
              <dd data-testid="workflow-output" data-output=${output.name}>
                ${output.text === undefined ? nothing : html`<pre>${output.text}</pre>`}
                ${output.images === undefined ? nothing : html`<div class="images">${output.images.map(image => html`<figure><img src=${image.url} alt=${image.name}><figcaption>${image.name}</figcaption></figure>`)}</div>`}
              </dd>`)}
          </dl>`}
      </article>`
  }

  #onTemplate (event: Event): void {
    const template = WORKFLOW_TEMPLATES.find(t => t.id === (event.target as HTMLSelectElement).value)
    if (template === undefined) return
    this.templateId = template.id
    this.spec = template.spec
    this.inputs = { ...template.inputs }
    this.files = {}
    this.runError = ''
    void this.#loadExampleFiles(template, ++this.#choice)
  }

  async #onRun (event: Event): Promise<void> {
    event.preventDefault()
    this.runError = ''
    const { problems, inputs } = this.#check()
    if (problems.length > 0) return
    // A bytes input takes its one file, a files input its list (the app stores them as blobs); one with no file is left out.
    const values = inputs.flatMap(({ name, type }): Array<[string, unknown]> => {
      if (type === 'files') return [[name, this.files[name]?.files ?? []]]
      if (type !== 'bytes') return [[name, this.inputs[name] ?? '']]
      const file = this.files[name]?.files[0]
      return file === undefined ? [] : [[name, file]]
    })
    const request = new WorkflowRequestEvent(this.spec, Object.fromEntries(values))
    this.dispatchEvent(request)
    await request.outcome.catch((err: unknown) => { this.runError = err instanceof Error ? err.message : String(err) })
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflows': ZsWorkflows
  }
}
