import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { SampleTask, SubmitRequest } from '../app/types.ts'
import { SubmitRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { formatBytes, parseArgs, uploadProblem } from './view-format.ts'

interface Upload {
  name: string
  bytes: Uint8Array
}

/**
 * The form for one task: a bundled sample or an uploaded `.wasm`, stdin, args
 * and a timeout. Fires `zs-submit-request`; the task's progress and any failure
 * then show in its `<zs-task-card>`.
 */
@customElement('zs-submit')
export class ZsSubmit extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
    }

    form {
      display: grid;
      gap: 12px;
    }

    label, .label {
      display: grid;
      gap: 4px;
      font-size: 0.875rem;
      font-weight: 600;
    }

    select, input, textarea {
      font: inherit;
      font-weight: normal;
      padding: 6px 8px;
      border-radius: 8px;
      border: 1px solid var(--zs-border);
      background: var(--zs-surface);
      color: var(--zs-text);
      min-width: 0;
    }

    textarea {
      font-family: var(--zs-mono);
      font-size: 0.8125rem;
      min-height: 4.5rem;
      resize: vertical;
    }

    input[type=file] {
      padding: 4px;
    }

    .row {
      display: grid;
      grid-template-columns: 1fr 10rem;
      gap: 12px;
    }

    @media (max-width: 480px) {
      .row {
        grid-template-columns: 1fr;
      }
    }

    .hint {
      font-size: 0.8125rem;
      font-weight: normal;
      margin: 0;
    }

    .upload {
      display: flex;
      align-items: center;
      gap: 8px;
      flex-wrap: wrap;
    }

    .error {
      color: var(--zs-bad);
      font-size: 0.875rem;
      margin: 0;
    }

    .actions {
      display: flex;
      align-items: center;
      gap: 12px;
    }
  `]

  @property({ attribute: false }) samples: SampleTask[] = []

  @state() private sampleId = ''
  @state() private upload: Upload | undefined
  @state() private uploadError = ''
  @state() private stdin = ''
  @state() private args = ''
  @state() private timeoutMs = ''
  @state() private submitError = ''

  protected override willUpdate (changed: PropertyValues<this>): void {
    // Pick the first sample once samples arrive, or again if the chosen one disappeared.
    if (changed.has('samples') && !this.samples.some((s) => s.id === this.sampleId)) {
      const first = this.samples[0]
      if (first !== undefined) this.#choose(first)
    }
  }

  override render () {
    const sample = this.#sample()
    const canSubmit = this.upload !== undefined || sample !== undefined
    return html`
      <form @submit=${this.#onSubmit} novalidate>
        <label>
          Sample
          <select data-testid="sample-select" @change=${this.#onSample} ?disabled=${this.samples.length === 0}>
            ${this.samples.length === 0 ? html`<option value="">No samples available</option>` : nothing}
            ${this.samples.map((s) => html`<option value=${s.id} ?selected=${s.id === this.sampleId}>${s.title}</option>`)}
          </select>
          ${sample !== undefined && this.upload === undefined
            ? html`<p class="hint muted" data-testid="sample-description">${sample.description}</p>`
            : nothing}
        </label>

        <div class="label">
          <label for="module-file">…or upload a WebAssembly (WASI preview1) module</label>
          <div class="upload">
            <input id="module-file" type="file" accept=".wasm,application/wasm" data-testid="module-file" @change=${this.#onFile}>
            ${this.upload !== undefined
              ? html`<span class="hint muted">${this.upload.name}, ${formatBytes(this.upload.bytes.byteLength)}</span>`
              : nothing}
            ${this.upload !== undefined || this.uploadError !== ''
              ? html`<button type="button" @click=${this.#clearUpload}>Use sample instead</button>`
              : nothing}
          </div>
          ${this.uploadError === '' ? nothing : html`<p class="error" role="alert" data-testid="upload-error">${this.uploadError}</p>`}
        </div>

        <label>
          Standard input
          <textarea data-testid="stdin" .value=${this.stdin} @input=${(e: Event) => { this.stdin = (e.target as HTMLTextAreaElement).value }}></textarea>
        </label>

        <div class="row">
          <label>
            Arguments (space-separated)
            <input type="text" data-testid="args" .value=${this.args} @input=${(e: Event) => { this.args = (e.target as HTMLInputElement).value }}>
          </label>
          <label>
            Timeout (ms)
            <input type="number" min="1" step="1" data-testid="timeout" .value=${this.timeoutMs} @input=${(e: Event) => { this.timeoutMs = (e.target as HTMLInputElement).value }}>
          </label>
        </div>

        <div class="actions">
          <button class="primary" type="submit" data-testid="submit" ?disabled=${!canSubmit}>Run on the mesh</button>
          ${this.submitError === '' ? nothing : html`<p class="error" role="alert" data-testid="submit-error">${this.submitError}</p>`}
        </div>
      </form>
    `
  }

  #sample (): SampleTask | undefined {
    return this.samples.find((s) => s.id === this.sampleId)
  }

  #choose (sample: SampleTask): void {
    this.sampleId = sample.id
    this.stdin = sample.defaultStdin
    this.args = sample.defaultArgs.join(' ')
    this.timeoutMs = String(sample.defaultTimeoutMs)
  }

  #onSample (event: Event): void {
    const sample = this.samples.find((s) => s.id === (event.target as HTMLSelectElement).value)
    if (sample === undefined) return
    this.#choose(sample)
    this.#clearUpload()
  }

  async #onFile (event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0]
    this.upload = undefined
    this.uploadError = ''
    this.submitError = ''
    if (file === undefined) return
    const bytes = new Uint8Array(await file.arrayBuffer())
    const problem = uploadProblem(file.name, bytes)
    if (problem !== undefined) {
      this.uploadError = problem
      return
    }
    this.upload = { name: file.name, bytes }
  }

  #clearUpload (): void {
    this.upload = undefined
    this.uploadError = ''
    const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="module-file"]')
    if (input !== null) input.value = ''
  }

  async #onSubmit (event: Event): Promise<void> {
    event.preventDefault()
    this.submitError = ''
    const request = this.#request()
    if (typeof request === 'string') {
      this.submitError = request
      return
    }
    const submit = new SubmitRequestEvent(request)
    this.dispatchEvent(submit)
    // A rejection is the task failing; its card shows the error from state, and
    // several tasks may be in flight, so the form does not echo it.
    await submit.outcome.catch(() => {})
  }

  /** The request for the current form, or why it cannot be sent. */
  #request (): SubmitRequest | string {
    const timeoutMs = Number(this.timeoutMs)
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return 'Timeout must be a whole number of milliseconds above 0.'
    const common = { stdin: this.stdin, args: parseArgs(this.args), timeoutMs }
    if (this.upload !== undefined) return { ...common, module: this.upload.bytes, label: this.upload.name }
    if (this.uploadError !== '') return this.uploadError
    const sample = this.#sample()
    if (sample === undefined) return 'Choose a sample or upload a .wasm module.'
    return { ...common, module: sample.url, label: sample.id }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-submit': ZsSubmit
  }
}
