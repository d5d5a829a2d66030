import { LitElement, css, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import { parseWorkflowSpec, WORKFLOW_TEMPLATES, WorkflowSpecError, type PlannerView, type WorkflowSpecProblem, type WorkflowTemplate, type WorkflowView } from '../app/index.ts'
import { WorkflowRequestEvent } from './events.ts'
import { agentSpec } from './workflow-format.ts'
import { shared } from './theme.ts'
import type { TemplatePickEvent } from './zs-workflow-gallery.ts'
import { fieldStyles } from './zs-submit.styles.ts'
import './zs-workflow-gallery.ts'
import './zs-workflow-run.ts'
import './zs-workflow-planner.ts'
import type { PlanReadyEvent } from './zs-workflow-planner.ts'

/** A declared input's type: text, bytes, files or json. */
type InputType = NonNullable<ReturnType<typeof parseWorkflowSpec>['inputs']>[string]['type']

/**
 * The Workflows view: a gallery of templates (zs-workflow-gallery.ts), the
 * spec (YAML or JSON) in an editor that checks it as you type — every
 * problem with its line and column — an input box for each text or JSON
 * input the spec declares, a file picker for each `bytes` (one file) and
 * `files` input (several; a template's example files are fetched and put
 * there), Run; and each run of this tab (zs-workflow-run.ts): its DAG with
 * every step's live state, progress, retries, executor and receipts, Resume
 * and Cancel, and once it completed its outputs to look at and download.
 */
@customElement('zs-workflows')
export class ZsWorkflows extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 14px; }
    form { display: grid; gap: 10px; }
    textarea.spec { min-height: 16rem; }
    .picked { margin: 4px 0 0; font-size: 0.8125rem; }
    .gallery { display: grid; gap: 6px; }
    .gallery h3 { margin: 0; font-size: 0.8125rem; font-weight: 600; }
    ul.problems { margin: 0; padding-left: 1.2rem; color: var(--zs-bad); font-size: 0.8125rem; }
    .ok-line { color: var(--zs-ok); font-size: 0.8125rem; margin: 0; }
    label.budget input { max-width: 22rem; }
    label.budget .muted { font-size: 0.75rem; font-weight: 400; }
  `]

  @property({ attribute: false }) runs: WorkflowView[] = []
  /** This tab's PeerId: its own steps and shares read "you". */
  @property({ attribute: false }) self = ''
  /** The optional planner's settings (null: none configured). */
  @property({ attribute: false }) planner: PlannerView | null = null
  @state() private templateId = WORKFLOW_TEMPLATES[0]?.id ?? ''
  @state() private spec = WORKFLOW_TEMPLATES[0]?.spec ?? ''
  @state() private inputs: Record<string, string> = { ...(WORKFLOW_TEMPLATES[0]?.inputs ?? {}) }
  /** The files of each `bytes` and `files` input: picked, or a template's examples. */
  @state() private files: Record<string, { files: File[], example: boolean }> = {}
  @state() private runError = ''
  /** µ: when given, the run is awarded first (to a guild or per step) within this budget. */
  @state() private guildBudget = ''
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
      <zs-workflow-planner .planner=${this.planner} @zs-plan-ready=${this.#onPlan}></zs-workflow-planner>
      <form @submit=${this.#onRun} novalidate>
        <div class="gallery">
          <h3>Start from a template</h3>
          <zs-workflow-gallery .selected=${this.templateId} ?edited=${this.spec !== WORKFLOW_TEMPLATES.find(t => t.id === this.templateId)?.spec} @zs-template-pick=${this.#onTemplate}></zs-workflow-gallery>
        </div>
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
        <label class="budget">
          Award it first, within a budget of (µ, optional)
          <input type="number" min="1" step="1" inputmode="numeric" placeholder="no award: steps are dispatched one by one" data-testid="workflow-guild-budget"
            .value=${this.guildBudget} @input=${(e: Event) => { this.guildBudget = (e.target as HTMLInputElement).value }}>
          <span class="muted">Guilds bid for the whole run against the executors' per-step offers; a guild that wins is paid by a Shapley split.</span>
        </label>
        <div class="actions">
          <button class="primary" type="submit" data-testid="run-workflow" ?disabled=${checked.problems.length > 0}>Run the workflow</button>
          ${this.runError === '' ? nothing : html`<p class="error" role="alert">${this.runError}</p>`}
        </div>
      </form>
      ${repeat(this.runs, run => run.runId, (run, index) => html`<zs-workflow-run .run=${run} .self=${this.self} ?hint=${index === 0}></zs-workflow-run>`)}
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

  /**
   * Puts a spec in the editor with one step that runs the published agent
   * `ref` (`agent: name@version`) on a text input — the marketplace's "Use in
   * a workflow" — to be extended and run from here.
   */
  useAgent (name: string, ref: string): void {
    this.templateId = ''
    this.spec = agentSpec(name, ref)
    this.inputs = { text: '' }
    this.files = {}
    this.runError = ''
    ++this.#choice
  }

  /** A planned spec goes into the editor, checked and drawn like a typed one; it runs only on Run. */
  readonly #onPlan = (event: PlanReadyEvent): void => {
    this.templateId = ''
    this.spec = event.plan.specText
    this.inputs = {}
    this.files = {}
    this.runError = ''
    ++this.#choice
  }

  #onTemplate (event: TemplatePickEvent): void {
    const template = WORKFLOW_TEMPLATES.find(t => t.id === event.templateId)
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
    let budget: number | undefined
    if (this.guildBudget.trim() !== '') {
      budget = Number(this.guildBudget)
      if (!Number.isSafeInteger(budget) || budget < 1) {
        this.runError = 'The budget is a whole number of µ, at least 1 (or empty: no award).'
        return
      }
    }
    const request = new WorkflowRequestEvent(this.spec, Object.fromEntries(values), undefined, budget)
    this.dispatchEvent(request)
    await request.outcome.catch((err: unknown) => { this.runError = err instanceof Error ? err.message : String(err) })
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflows': ZsWorkflows
  }
}
