import { LitElement, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { SampleTask, SubmitRequest } from '../app/types.ts'
import { SubmitRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { submitStyles } from './zs-submit.styles.ts'
import {
  DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_MIB, MAX_MEMORY_MIB, MIN_MEMORY_MIB,
  argsAndEnvProblem, inputFilesProblem, parseEnvLines, parseFuel, parseMaxTotalPrice, parseMemoryMib, parseSeedHex
} from './task-inputs.ts'
import { formatBytes, formatCount, formatUnits, parseArgs, uploadProblem } from './view-format.ts'

interface Upload {
  name: string
  bytes: Uint8Array
}

/** The advanced fields that can be wrong, each with its own inline message. */
type AdvancedField = 'memory' | 'fuel' | 'price' | 'seed' | 'env' | 'files'

/** Why the form cannot be sent; `field` names the advanced field at fault, if any. */
interface Problem {
  error: string
  field?: AdvancedField
}

/**
 * The form for one task: a bundled sample or an uploaded `.wasm`, stdin, args
 * and a timeout, and under "Advanced" the memory limit, fuel budget, price
 * cap, whether witnesses may check the task, seed, environment and input
 * files. Fires `zs-submit-request` with only the advanced inputs the user set
 * (and always the witness choice); the task's progress and any failure then
 * show in its `<zs-task-card>`.
 */
@customElement('zs-submit')
export class ZsSubmit extends LitElement {
  static override styles = [shared, submitStyles]

  @property({ attribute: false }) samples: SampleTask[] = []

  @state() private sampleId = ''
  @state() private upload: Upload | undefined
  @state() private uploadError = ''
  @state() private stdin = ''
  @state() private args = ''
  @state() private timeoutMs = ''
  @state() private submitError = ''
  @state() private advancedOpen = false
  @state() private memoryMib = String(DEFAULT_MEMORY_MIB)
  @state() private fuel = ''
  @state() private maxPrice = ''
  /** Publish the receipt with the task's input so witnesses may re-run it (the app's default). */
  @state() private witnesses = true
  @state() private seed = ''
  @state() private env = ''
  @state() private inputFiles: Upload[] = []
  @state() private inputFilesError = ''
  /** Counts file picks, so a slow read of an earlier pick cannot overwrite a later one. */
  #inputFilesPick = 0
  /** Advanced fields whose inline message shows: left once (change) or sent with the form. */
  @state() private checked: ReadonlySet<AdvancedField> = new Set()

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

        ${this.#advanced()}

        <div class="actions">
          <button class="primary" type="submit" data-testid="submit" ?disabled=${!canSubmit}>Run on the mesh</button>
          ${this.submitError === '' ? nothing : html`<p class="error" role="alert" data-testid="submit-error">${this.submitError}</p>`}
        </div>
      </form>
    `
  }

  #advanced () {
    const memory = parseMemoryMib(this.memoryMib)
    const fuel = parseFuel(this.fuel)
    const maxPrice = parseMaxTotalPrice(this.maxPrice)
    const seed = parseSeedHex(this.seed)
    const env = parseEnvLines(this.env)
    const errorFor = (field: AdvancedField, parsed: { ok: boolean, error?: string }) =>
      !parsed.ok && this.checked.has(field) ? parsed.error : undefined
    const memoryError = errorFor('memory', memory)
    const fuelError = errorFor('fuel', fuel)
    const priceError = errorFor('price', maxPrice)
    const seedError = errorFor('seed', seed)
    const envError = errorFor('env', env)
    // Turning witnesses off is a choice worth counting; on is the default.
    const setCount = this.#advancedSet().length + (this.witnesses ? 0 : 1)
    const totalBytes = this.inputFiles.reduce((sum, f) => sum + f.bytes.byteLength, 0)
    return html`
      <details data-testid="advanced" ?open=${this.advancedOpen}
        @toggle=${(e: Event) => { this.advancedOpen = (e.target as HTMLDetailsElement).open }}>
        <summary>Advanced ${setCount === 0 ? nothing : html`<span class="muted">· ${setCount} set</span>`}</summary>
        <div class="advanced">
          <div class="row">
            <label>
              Memory limit (MiB)
              <input type="number" min=${MIN_MEMORY_MIB} max=${MAX_MEMORY_MIB} step="1" data-testid="memory-mb"
                aria-invalid=${memoryError !== undefined} aria-describedby="memory-hint"
                .value=${this.memoryMib} @input=${(e: Event) => { this.memoryMib = (e.target as HTMLInputElement).value }}
                @change=${() => { this.#check('memory') }}>
              ${this.#fieldHint('memory-hint', memoryError, `${MIN_MEMORY_MIB}–${MAX_MEMORY_MIB} MiB of linear memory.`)}
            </label>
            <label>
              Fuel budget
              <input type="text" inputmode="numeric" data-testid="fuel" placeholder=${formatCount(DEFAULT_FUEL)}
                aria-invalid=${fuelError !== undefined} aria-describedby="fuel-hint"
                .value=${this.fuel} @input=${(e: Event) => { this.fuel = (e.target as HTMLInputElement).value }}
                @change=${() => { this.#check('fuel') }}>
              ${this.#fieldHint('fuel-hint', fuelError, 'Metered instructions; empty = default.')}
            </label>
          </div>
          <div class="row">
            <label>
              Max total price (µ)
              <input type="text" inputmode="numeric" data-testid="max-total-price" placeholder=${formatCount(DEFAULT_MAX_TOTAL_PRICE)}
                aria-invalid=${priceError !== undefined} aria-describedby="price-hint"
                .value=${this.maxPrice} @input=${(e: Event) => { this.maxPrice = (e.target as HTMLInputElement).value }}
                @change=${() => { this.#check('price') }}>
              ${this.#fieldHint('price-hint', priceError, `The most this task may cost; empty = default (${formatUnits(DEFAULT_MAX_TOTAL_PRICE)}).`)}
            </label>
            <div class="label">
              <label class="check">
                <input type="checkbox" data-testid="witnesses" .checked=${this.witnesses}
                  @change=${(e: Event) => { this.witnesses = (e.target as HTMLInputElement).checked }}>
                Let witnesses check this task (publishes its input)
              </label>
              <p class="hint muted">Other peers may re-run it to confirm the result; stdin, args, env and files become public.</p>
            </div>
          </div>
          <label>
            Seed (64 hex digits)
            <textarea class="seed" rows="2" data-testid="seed" spellcheck="false" autocomplete="off" maxlength="200"
              placeholder="random for each run"
              aria-invalid=${seedError !== undefined} aria-describedby="seed-hint"
              .value=${this.seed} @input=${(e: Event) => { this.seed = (e.target as HTMLTextAreaElement).value }}
              @change=${() => { this.#check('seed') }}></textarea>
            ${this.#fieldHint('seed-hint', seedError, 'The task\'s clock and random bytes derive from it: the same seed gives the same run.')}
          </label>
          <label>
            Environment
            <textarea data-testid="env" spellcheck="false" placeholder=${'LANG=C.UTF-8\nGREETING=hello'}
              aria-invalid=${envError !== undefined} aria-describedby="env-hint"
              .value=${this.env} @input=${(e: Event) => { this.env = (e.target as HTMLTextAreaElement).value }}
              @change=${() => { this.#check('env') }}></textarea>
            ${this.#fieldHint('env-hint', envError, 'One NAME=value per line. The task sees only these, nothing from the executor.')}
          </label>
          <div class="label">
            <label for="input-files">Input files</label>
            <div class="upload">
              <input id="input-files" type="file" multiple data-testid="input-files" aria-describedby="files-hint" @change=${this.#onInputFiles}>
              ${this.inputFiles.length === 0 && this.inputFilesError === ''
                ? nothing
                : html`<button type="button" data-testid="clear-input-files" @click=${this.#clearInputFiles}>Clear files</button>`}
            </div>
            ${this.inputFiles.length === 0 ? nothing : html`
              <ul class="files" data-testid="input-file-list">
                ${this.inputFiles.map((f) => html`<li data-testid="input-file"><span class="mono">/work/${f.name}</span><span class="muted">${formatBytes(f.bytes.byteLength)}</span></li>`)}
                ${this.inputFiles.length < 2 ? nothing : html`<li><span>${this.inputFiles.length} files</span><span class="muted">${formatBytes(totalBytes)}</span></li>`}
              </ul>`}
            ${this.#fieldHint('files-hint', this.inputFilesError === '' ? undefined : this.inputFilesError, 'Placed in /work under their file names.')}
          </div>
        </div>
      </details>
    `
  }

  /** A field's hint, or its error in the hint's place (same id, so `aria-describedby` reads whichever shows). */
  #fieldHint (id: string, error: string | undefined, hint: string) {
    return error === undefined
      ? html`<p class="hint muted" id=${id}>${hint}</p>`
      : html`<p class="error field-error" id=${id} data-testid=${id.replace(/-hint$/, '-error')}>${error}</p>`
  }

  #check (field: AdvancedField): void {
    this.checked = new Set([...this.checked, field])
  }

  /** The advanced inputs that differ from their defaults, i.e. that go into the request. */
  #advancedSet (): AdvancedField[] {
    const set: AdvancedField[] = []
    if (this.memoryMib.trim() !== String(DEFAULT_MEMORY_MIB)) set.push('memory')
    if (this.fuel.trim() !== '') set.push('fuel')
    if (this.maxPrice.trim() !== '') set.push('price')
    if (this.seed.trim() !== '') set.push('seed')
    if (this.env.trim() !== '') set.push('env')
    if (this.inputFiles.length > 0) set.push('files')
    return set
  }

  async #onInputFiles (event: Event): Promise<void> {
    const input = event.target as HTMLInputElement
    const files = Array.from(input.files ?? [])
    this.inputFiles = []
    this.inputFilesError = ''
    this.submitError = ''
    // Sizes and names are checked before reading, so an oversized pick is not loaded into memory.
    const problem = inputFilesProblem(files)
    if (problem !== undefined) {
      this.inputFilesError = problem
      return
    }
    const pick = ++this.#inputFilesPick
    let read: Upload[]
    try {
      read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })))
    } catch (err) {
      if (pick === this.#inputFilesPick) this.inputFilesError = `Could not read the chosen files: ${err instanceof Error ? err.message : String(err)}`
      return
    }
    // A later pick (or Clear) may have replaced this one while it was being read.
    if (pick === this.#inputFilesPick) this.inputFiles = read
  }

  #clearInputFiles (): void {
    this.#inputFilesPick++
    this.inputFiles = []
    this.inputFilesError = ''
    const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="input-files"]')
    if (input !== null) input.value = ''
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
      if (request.field !== undefined) {
        // Show the field at fault with its own message, even if Advanced was closed.
        this.advancedOpen = true
        this.#check(request.field)
      }
      return
    }
    const submit = new SubmitRequestEvent(request)
    this.dispatchEvent(submit)
    // A rejection is the task failing; its card shows the error from state, and
    // several tasks may be in flight, so the form does not echo it.
    await submit.outcome.catch(() => {})
  }

  /** The request for the current form, or why it cannot be sent. */
  #request (): SubmitRequest | Problem {
    const timeoutMs = Number(this.timeoutMs)
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return { error: 'Timeout must be a whole number of milliseconds above 0.' }
    const args = parseArgs(this.args)
    const advanced = this.#advancedRequest(args)
    if ('error' in advanced) return advanced
    const common: Omit<SubmitRequest, 'module'> = { stdin: this.stdin, args, timeoutMs, ...advanced }
    if (this.upload !== undefined) return { ...common, module: this.upload.bytes, label: this.upload.name }
    if (this.uploadError !== '') return { error: this.uploadError }
    const sample = this.#sample()
    if (sample === undefined) return { error: 'Choose a sample or upload a .wasm module.' }
    return { ...common, module: sample.url, label: sample.id }
  }

  /** The advanced inputs the user set (the app applies its defaults to the rest), or the first one that is wrong. */
  #advancedRequest (args: string[]): Pick<SubmitRequest, 'memoryLimitBytes' | 'fuel' | 'maxTotalPrice' | 'witnesses' | 'seed' | 'env' | 'files'> | Problem {
    const set = new Set(this.#advancedSet())
    const memory = parseMemoryMib(this.memoryMib)
    if (!memory.ok) return { error: memory.error, field: 'memory' }
    const fuel = parseFuel(this.fuel)
    if (!fuel.ok) return { error: fuel.error, field: 'fuel' }
    const maxPrice = parseMaxTotalPrice(this.maxPrice)
    if (!maxPrice.ok) return { error: maxPrice.error, field: 'price' }
    const seed = parseSeedHex(this.seed)
    if (!seed.ok) return { error: seed.error, field: 'seed' }
    const env = parseEnvLines(this.env)
    if (!env.ok) return { error: env.error, field: 'env' }
    const tooLong = argsAndEnvProblem(args, env.value)
    if (tooLong !== undefined) return { error: tooLong, field: set.has('env') ? 'env' : undefined }
    if (this.inputFilesError !== '') return { error: this.inputFilesError, field: 'files' }
    return {
      ...(set.has('memory') ? { memoryLimitBytes: memory.value } : {}),
      ...(fuel.value === undefined ? {} : { fuel: fuel.value }),
      ...(maxPrice.value === undefined ? {} : { maxTotalPrice: maxPrice.value }),
      witnesses: this.witnesses,
      ...(seed.value === undefined ? {} : { seed: seed.value }),
      ...(env.value.length === 0 ? {} : { env: env.value }),
      ...(this.inputFiles.length === 0 ? {} : { files: this.inputFiles.map((f): [string, Uint8Array] => [f.name, f.bytes]) })
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-submit': ZsSubmit
  }
}
