import { LitElement, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { SampleTask, SubmitRequest } from '../app/index.ts'
import { SubmitRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { fieldStyles, submitStyles } from './zs-submit.styles.ts'
import { formatBytes, parseArgs, uploadProblem } from './view-format.ts'
import type { TaskOptionsProblem, ZsTaskOptions } from './zs-task-options.ts'
import './zs-task-options.ts'

interface Upload {
  name: string
  bytes: Uint8Array
}

/**
 * The form for one task: a bundled sample or an uploaded `.wasm`, stdin, args
 * and a timeout, and under "Advanced" (`<zs-task-options>`) how the executor
 * is chosen, the memory limit, fuel budget, price cap, whether witnesses may
 * check the task, seed, environment and input files. Fires
 * `zs-submit-request` with only the advanced inputs the user set (and always
 * the witness choice); the task's progress and any failure then show in its
 * `<zs-task-card>`.
 */
@customElement('zs-submit')
export class ZsSubmit extends LitElement {
  static override styles = [shared, fieldStyles, submitStyles]

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

        <zs-task-options @change=${() => { this.submitError = '' }}></zs-task-options>

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
    if ('error' in request) {
      this.submitError = request.error
      // Show the field at fault with its own message, even if Advanced was closed.
      if (request.field !== undefined) this.#options()?.reveal(request.field)
      return
    }
    const submit = new SubmitRequestEvent(request)
    this.dispatchEvent(submit)
    // A rejection is the task failing; its card shows the error from state, and
    // several tasks may be in flight, so the form does not echo it.
    await submit.outcome.catch(() => {})
  }

  /** The request for the current form, or why it cannot be sent. */
  #request (): SubmitRequest | TaskOptionsProblem {
    const timeoutMs = Number(this.timeoutMs)
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return { error: 'Timeout must be a whole number of milliseconds above 0.' }
    const args = parseArgs(this.args)
    const options = this.#options()
    if (options === null) return { error: 'The form is not ready yet.' }
    const advanced = options.read(args)
    if ('error' in advanced) return advanced
    const common: Omit<SubmitRequest, 'module'> = { stdin: this.stdin, args, timeoutMs, ...advanced }
    if (this.upload !== undefined) return { ...common, module: this.upload.bytes, label: this.upload.name }
    if (this.uploadError !== '') return { error: this.uploadError }
    const sample = this.#sample()
    if (sample === undefined) return { error: 'Choose a sample or upload a .wasm module.' }
    return { ...common, module: sample.url, label: sample.id }
  }

  /** The Advanced section, which keeps its own fields. */
  #options (): ZsTaskOptions | null {
    return this.renderRoot.querySelector('zs-task-options')
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-submit': ZsSubmit
  }
}
