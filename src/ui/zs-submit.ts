import { LitElement, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { SAMPLE_CATEGORIES, type JobForecast, type JobRequest, type SampleCategory, type SampleTask, type SubmitRequest } from '../app/index.ts'
import { EstimateJobRequestEvent, JobRequestEvent, SubmitRequestEvent } from './events.ts'
import { jobForecastLine } from './job-format.ts'
import { shared } from './theme.ts'
import { fieldStyles, submitStyles } from './zs-submit.styles.ts'
import { formatBytes, parseArgs, uploadProblem } from './view-format.ts'
import { ImageChoiceEvent, type ImageChoice } from './zs-image-input.ts'
import type { TaskOptionsProblem, ZsTaskOptions } from './zs-task-options.ts'
import './zs-image-input.ts'
import './zs-task-options.ts'

/** How the sample picker names each group. */
const CATEGORY_LABELS: Readonly<Record<SampleCategory, string>> = {
  ai: 'AI models',
  image: 'Images',
  data: 'Data',
  tools: 'Tools and demos'
}

interface Upload {
  name: string
  bytes: Uint8Array
}

/**
 * The form for one task: a bundled sample (grouped: AI, images, data, tools;
 * each with a line on what it does and an example input — text, or an image
 * with a picker and the camera for image tasks) or an uploaded `.wasm`,
 * stdin, args and a timeout, and under "Advanced" (`<zs-task-options>`) how the executor
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
  /** The stdin of an image sample: its example until the user picks another image. */
  @state() private stdinImage: ImageChoice | undefined
  @state() private exampleError = ''
  /** Counts sample choices, so a slow fetch of an earlier sample's examples cannot overwrite a later one's. */
  #choice = 0
  @state() private args = ''
  @state() private timeoutMs = ''
  @state() private submitError = ''
  /** Run the module over each line of stdin as a job across the mesh, `sliceSize` lines to a task. */
  @state() private asJob = false
  /** The forecast of the job as the form stands, or why there is none; cleared when the form changes. */
  @state() private forecast: { line: string } | { error: string } | { pending: true } | undefined
  @state() private sliceSize = '25'

  protected override willUpdate (changed: PropertyValues<this>): void {
    // Pick the first sample once samples arrive, or again if the chosen one disappeared.
    if (changed.has('samples') && !this.samples.some((s) => s.id === this.sampleId)) {
      const first = this.samples[0]
      if (first !== undefined) this.#choose(first)
    }
    // A forecast is of the job as the form stood: another module, input or slicing makes it stale.
    const fields = ['sampleId', 'upload', 'stdin', 'args', 'sliceSize', 'asJob'] as const
    if (this.forecast !== undefined && !('pending' in this.forecast) && fields.some(field => changed.has(field as keyof ZsSubmit))) this.forecast = undefined
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
            ${SAMPLE_CATEGORIES.map(category => {
              const group = this.samples.filter(s => s.category === category)
              return group.length === 0 ? nothing : html`
                <optgroup label=${CATEGORY_LABELS[category]}>
                  ${group.map((s) => html`<option value=${s.id} ?selected=${s.id === this.sampleId}>${s.title}</option>`)}
                </optgroup>`
            })}
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

        ${this.#imageInput() ? html`
          <div class="label">
            Standard input: an image (PNG or JPEG)
            <zs-image-input .image=${this.stdinImage} @zs-image-choice=${(e: ImageChoiceEvent) => { this.stdinImage = e.choice }}></zs-image-input>
          </div>` : html`
          <label>
            Standard input
            <textarea data-testid="stdin" .value=${this.stdin} @input=${(e: Event) => { this.stdin = (e.target as HTMLTextAreaElement).value }}></textarea>
          </label>`}
        ${this.exampleError === '' ? nothing : html`<p class="error" role="alert" data-testid="example-error">${this.exampleError}</p>`}

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

        ${this.#imageInput() ? nothing : html`
          <div class="row job">
            <label class="check">
              <input type="checkbox" data-testid="as-job" .checked=${this.asJob} @change=${(e: Event) => { this.asJob = (e.target as HTMLInputElement).checked }}>
              Run over each line as a job across the mesh
            </label>
            ${this.asJob ? html`
              <label>
                Lines per task
                <input type="number" min="1" step="1" data-testid="slice-size" .value=${this.sliceSize} @input=${(e: Event) => { this.sliceSize = (e.target as HTMLInputElement).value }}>
              </label>` : nothing}
          </div>
          ${this.asJob ? html`<p class="hint muted">Each non-empty line is one input; the lines are cut into tasks that run at once on every contributing peer, and the results come back in line order. The module must print one line per input line (e.g. lang-detect --lines).</p>` : nothing}`}

        <zs-task-options @change=${() => { this.submitError = '' }}></zs-task-options>

        <div class="actions">
          <button class="primary" type="submit" data-testid="submit" ?disabled=${!canSubmit}>Run on the mesh</button>
          ${this.asJob && !this.#imageInput() ? html`<button type="button" data-testid="estimate-job" ?disabled=${!canSubmit || (this.forecast !== undefined && 'pending' in this.forecast)} @click=${this.#onEstimate}>Estimate cost and time</button>` : nothing}
          ${this.submitError === '' ? nothing : html`<p class="error" role="alert" data-testid="submit-error">${this.submitError}</p>`}
        </div>
        ${this.asJob && this.forecast !== undefined
          ? 'line' in this.forecast
            ? html`<p class="hint" data-testid="job-estimate">${this.forecast.line}</p>`
            : 'error' in this.forecast
              ? html`<p class="error" role="alert" data-testid="job-estimate-error">${this.forecast.error}</p>`
              : html`<p class="hint muted">Running the first task here to measure it…</p>`
          : nothing}
      </form>
    `
  }

  #sample (): SampleTask | undefined {
    return this.samples.find((s) => s.id === this.sampleId)
  }

  /** True when the chosen sample reads an image (and no uploaded module replaces it). */
  #imageInput (): boolean {
    return this.upload === undefined && this.#sample()?.stdinKind === 'image'
  }

  #choose (sample: SampleTask): void {
    this.sampleId = sample.id
    this.stdin = sample.defaultStdin
    this.stdinImage = undefined
    this.exampleError = ''
    this.args = sample.defaultArgs.join(' ')
    this.timeoutMs = String(sample.defaultTimeoutMs)
    void this.#loadExamples(sample, ++this.#choice)
  }

  /** Fetches the sample's example image and example /work files, and puts them in the form. */
  async #loadExamples (sample: SampleTask, choice: number): Promise<void> {
    try {
      const fetchBytes = async (url: string): Promise<Uint8Array> => {
        const response = await fetch(url)
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
        return new Uint8Array(await response.arrayBuffer())
      }
      const [example, files] = await Promise.all([
        sample.defaultStdinUrl === undefined ? undefined : fetchBytes(sample.defaultStdinUrl),
        Promise.all((sample.defaultFiles ?? []).map(async ({ name, url }) => ({ name, bytes: await fetchBytes(url) })))
      ])
      await this.updateComplete
      if (choice !== this.#choice) return
      // An example kept in a file: an image for the picker, or text for the box.
      if (example !== undefined && sample.stdinKind === 'image') this.stdinImage = { name: `example: ${sample.defaultStdinUrl?.split('/').pop() ?? 'image'}`, bytes: example }
      else if (example !== undefined) this.stdin = new TextDecoder().decode(example)
      this.#options()?.useExampleFiles(files)
    } catch (err) {
      if (choice === this.#choice) this.exampleError = `Could not load the example input: ${err instanceof Error ? err.message : String(err)}`
    }
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

  /** The job the form describes, or why there is none (a message, and the field at fault when there is one). */
  #jobRequest (): { job: JobRequest } | TaskOptionsProblem {
    const request = this.#request()
    if ('error' in request) return request
    const sliceSize = Number(this.sliceSize)
    if (!Number.isInteger(sliceSize) || sliceSize < 1) return { error: 'Lines per task must be a whole number from 1.' }
    if (typeof request.stdin !== 'string' || request.stdin.trim() === '') return { error: 'A job needs input: one line per input in Standard input.' }
    // A job picks its executors itself: the single-task executor and auction choices do not apply (redundancy does).
    const { stdin, executor: _executor, auction: _auction, ...rest } = request
    return { job: { ...rest, inputs: stdin, sliceSize } }
  }

  async #onEstimate (): Promise<void> {
    const request = this.#jobRequest()
    if ('error' in request) {
      this.forecast = { error: request.error }
      if (request.field !== undefined) this.#options()?.reveal(request.field)
      return
    }
    this.forecast = { pending: true }
    const estimate = new EstimateJobRequestEvent(request.job)
    this.dispatchEvent(estimate)
    try {
      this.forecast = { line: jobForecastLine(await estimate.outcome as JobForecast) }
    } catch (err) {
      this.forecast = { error: `No estimate: ${err instanceof Error ? err.message : String(err)}` }
    }
  }

  async #onSubmit (event: Event): Promise<void> {
    event.preventDefault()
    this.submitError = ''
    if (this.asJob && !this.#imageInput()) {
      const request = this.#jobRequest()
      if ('error' in request) {
        this.submitError = request.error
        if (request.field !== undefined) this.#options()?.reveal(request.field)
        return
      }
      const job = new JobRequestEvent(request.job)
      this.dispatchEvent(job)
      await job.outcome.catch((err: unknown) => { this.submitError = err instanceof Error ? err.message : String(err) })
      return
    }
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
    let stdin: string | Uint8Array = this.stdin
    if (this.#imageInput()) {
      if (this.stdinImage === undefined) return { error: 'Choose an image for the task (the example is still loading or could not be loaded).' }
      stdin = this.stdinImage.bytes
    }
    const common: Omit<SubmitRequest, 'module'> = { stdin, args, timeoutMs, ...advanced }
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
