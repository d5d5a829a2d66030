import { LitElement, css, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { PlannerView, WorkflowPlan } from '../app/index.ts'
import { ConfigurePlannerRequestEvent, PlanWorkflowRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { fieldStyles } from './zs-submit.styles.ts'

/** Fired when the planner returned a spec that parses: the editor takes it, and nothing runs until the user does. */
export class PlanReadyEvent extends Event {
  static readonly type = 'zs-plan-ready'
  constructor (readonly plan: WorkflowPlan) {
    super(PlanReadyEvent.type, { bubbles: true, composed: true })
  }
}

/**
 * The optional planner (src/peer/planner.ts) in the Workflows view: a plain
 * request sent to an OpenAI-compatible chat endpoint the user configures here
 * (none by default; the key stays in this browser), whose answer must be a
 * spec that parses. The spec goes into the editor, drawn and checked like any
 * other, and runs only when the user presses Run.
 */
@customElement('zs-workflow-planner')
export class ZsWorkflowPlanner extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: block; }
    details { border: 1px dashed var(--zs-border); border-radius: var(--zs-radius); padding: 8px 12px; }
    summary { cursor: pointer; font-size: 0.8125rem; font-weight: 600; }
    form { display: grid; gap: 8px; margin-top: 8px; }
    .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 8px; }
    .line { margin: 0; font-size: 0.8125rem; }
    .error { margin: 0; color: var(--zs-bad); font-size: 0.8125rem; }
    textarea { min-height: 3.5rem; }
    button.link { background: none; border: none; box-shadow: none; color: var(--zs-accent); padding: 0 4px; cursor: pointer; font-size: inherit; }
  `]

  @property({ attribute: false }) planner: PlannerView | null = null
  @state() private editing = false
  @state() private request = ''
  @state() private busy = false
  @state() private error = ''
  @state() private done = ''

  override render () {
    const configured = this.planner !== null && !this.editing
    return html`
      <details data-testid="workflow-planner">
        <summary>Plan from a request (optional: a chat model you configure)</summary>
        ${configured ? this.#planForm(this.planner!) : this.#settingsForm()}
        ${this.error === '' ? nothing : html`<p class="error" role="alert" data-testid="planner-error">${this.error}</p>`}
      </details>
    `
  }

  #settingsForm () {
    return html`
      <form @submit=${this.#onSave} data-testid="planner-settings">
        <p class="line muted">An OpenAI-compatible chat completions API (OpenAI, llama.cpp's server, vLLM, Ollama…). Its answer is only a
          proposal: it must parse as a spec, and you run it yourself. The key is kept in this browser only.</p>
        <div class="row">
          <label>Endpoint <input name="endpoint" type="url" required placeholder="https://api.example/v1" data-testid="planner-endpoint" .value=${this.planner?.endpoint ?? ''}></label>
          <label>Model <input name="model" required data-testid="planner-model" .value=${this.planner?.model ?? ''}></label>
          <label>Key (optional) <input name="key" type="password" autocomplete="off" data-testid="planner-key"></label>
        </div>
        <div class="actions">
          <button type="submit" data-testid="planner-save">Save</button>
          ${this.planner === null ? nothing : html`<button type="button" @click=${() => { this.editing = false }}>Keep the current one</button>`}
        </div>
      </form>`
  }

  #planForm (planner: PlannerView) {
    return html`
      <form @submit=${this.#onPlan} data-testid="planner-form">
        <p class="line muted">Planner: <code>${planner.model}</code> at <code>${planner.endpoint}</code>${planner.hasKey ? ' (with a key)' : ''}
          <button type="button" class="link" @click=${() => { this.editing = true }}>Change</button>
          <button type="button" class="link" data-testid="planner-forget" @click=${() => { void this.#configure(undefined) }}>Forget</button></p>
        <label>What should the workflow do?
          <textarea data-testid="planner-request" .value=${this.request} @input=${(e: Event) => { this.request = (e.target as HTMLTextAreaElement).value }}></textarea>
        </label>
        <div class="actions">
          <button type="submit" class="primary" data-testid="planner-plan" ?disabled=${this.busy || this.request.trim() === ''}>${this.busy ? 'Planning…' : 'Plan'}</button>
          ${this.done === '' ? nothing : html`<p class="line" data-testid="planner-done">${this.done}</p>`}
        </div>
      </form>`
  }

  async #onSave (event: Event): Promise<void> {
    event.preventDefault()
    const data = new FormData(event.target as HTMLFormElement)
    const key = String(data.get('key') ?? '')
    await this.#configure({ endpoint: String(data.get('endpoint') ?? '').trim(), model: String(data.get('model') ?? '').trim(), ...(key === '' ? {} : { apiKey: key }) })
  }

  async #configure (config: { endpoint: string, model: string, apiKey?: string } | undefined): Promise<void> {
    const request = new ConfigurePlannerRequestEvent(config)
    this.dispatchEvent(request)
    try {
      await request.outcome
      this.error = ''
      this.editing = false
    } catch (err) {
      this.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    }
  }

  async #onPlan (event: Event): Promise<void> {
    event.preventDefault()
    const request = new PlanWorkflowRequestEvent(this.request)
    this.busy = true
    this.error = ''
    this.done = ''
    this.dispatchEvent(request)
    try {
      const plan = await request.outcome as WorkflowPlan
      this.done = `Planned (${plan.attempts === 1 ? 'first answer' : `answer ${plan.attempts}`}): ${plan.spec.dag.tasks.length} steps in the editor below. Read them, then Run.`
      this.dispatchEvent(new PlanReadyEvent(plan))
    } catch (err) {
      this.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    } finally {
      this.busy = false
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-workflow-planner': ZsWorkflowPlanner
  }
  interface HTMLElementEventMap {
    'zs-plan-ready': PlanReadyEvent
  }
}
