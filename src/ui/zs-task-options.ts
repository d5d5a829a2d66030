import { LitElement, html, nothing } from 'lit'
import { customElement, state } from 'lit/decorators.js'
import type { SubmitRequest } from '../app/index.ts'
import { shared } from './theme.ts'
import {
  DEFAULT_EXECUTOR_CHOICE, DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_MIB, EXECUTOR_CHOICES, MAX_MEMORY_MIB, MIN_MEMORY_MIB,
  argsAndEnvProblem, executorChoiceRequest, inputFilesProblem, parseEnvLines, parseExecutorChoice, parseFuel, parseMaxTotalPrice,
  parseMemoryMib, parseSeedHex, type ExecutorChoice
} from './task-inputs.ts'
import { formatBytes, formatCount, formatUnits } from './view-format.ts'
import { fieldStyles } from './zs-submit.styles.ts'
import { taskOptionsStyles } from './zs-task-options.styles.ts'

interface Upload {
  name: string
  bytes: Uint8Array
}

/** The advanced fields that can be wrong, each with its own inline message. */
export type TaskOptionField = 'memory' | 'fuel' | 'price' | 'seed' | 'env' | 'files'

/** Why the options cannot be sent; `field` names the field at fault, if any. */
export interface TaskOptionsProblem {
  error: string
  field?: TaskOptionField
}

/** The part of a `SubmitRequest` these options fill in. */
export type TaskOptions = Pick<SubmitRequest,
  'memoryLimitBytes' | 'fuel' | 'maxTotalPrice' | 'witnesses' | 'seed' | 'env' | 'files' | 'auction' | 'redundancy' | 'requirements'>

/**
 * The "Advanced" section of `<zs-submit>`: how the executor is chosen, the
 * memory limit, fuel budget, price cap, whether witnesses may check the task,
 * seed, environment and input files. The form reads them with `read()` when
 * it is sent and points at a wrong one with `reveal()`. Fires `change` when
 * input files are picked again (an earlier complaint about them is stale).
 */
@customElement('zs-task-options')
export class ZsTaskOptions extends LitElement {
  static override styles = [shared, fieldStyles, taskOptionsStyles]

  @state() private open = false
  @state() private executor: ExecutorChoice = DEFAULT_EXECUTOR_CHOICE
  @state() private memoryMib = String(DEFAULT_MEMORY_MIB)
  @state() private fuel = ''
  @state() private maxPrice = ''
  /** Publish the receipt with the task's input so witnesses may re-run it (the app's default). */
  @state() private witnesses = true
  /** Keep the task off throttled background tabs (docs/agent-card.md §11). */
  @state() private latencySensitive = false
  @state() private seed = ''
  @state() private env = ''
  @state() private inputFiles: Upload[] = []
  @state() private inputFilesError = ''
  /** Counts file picks, so a slow read of an earlier pick cannot overwrite a later one. */
  #inputFilesPick = 0
  /** The input files are a sample's examples, not the user's own pick. */
  #examples = false
  /** Fields whose inline message shows: left once (change) or sent with the form. */
  @state() private checked: ReadonlySet<TaskOptionField> = new Set()

  /**
   * The options the user set (the app applies its defaults to the rest), or
   * the first one that is wrong. `args` count towards the environment's limit.
   */
  read (args: readonly string[]): TaskOptions | TaskOptionsProblem {
    const set = new Set(this.#set())
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
      ...(this.inputFiles.length === 0 ? {} : { files: this.inputFiles.map((f): [string, Uint8Array] => [f.name, f.bytes]) }),
      ...executorChoiceRequest(this.executor),
      ...(this.latencySensitive ? { requirements: { latencySensitive: true } } : {})
    }
  }

  /**
   * Puts a sample's example files in /work (replacing the files chosen, if
   * they were another sample's examples); no files clears earlier examples but
   * keeps files the user picked.
   */
  useExampleFiles (files: Upload[]): void {
    if (files.length === 0 && !this.#examples) return
    this.#clearInputFiles()
    this.inputFiles = files
    this.#examples = files.length > 0
  }

  /** Opens the section and shows `field`'s own message, even if it was closed. */
  reveal (field: TaskOptionField): void {
    this.open = true
    this.#check(field)
  }

  override render () {
    const memory = parseMemoryMib(this.memoryMib)
    const fuel = parseFuel(this.fuel)
    const maxPrice = parseMaxTotalPrice(this.maxPrice)
    const seed = parseSeedHex(this.seed)
    const env = parseEnvLines(this.env)
    const errorFor = (field: TaskOptionField, parsed: { ok: boolean, error?: string }) =>
      !parsed.ok && this.checked.has(field) ? parsed.error : undefined
    const memoryError = errorFor('memory', memory)
    const fuelError = errorFor('fuel', fuel)
    const priceError = errorFor('price', maxPrice)
    const seedError = errorFor('seed', seed)
    const envError = errorFor('env', env)
    // Turning witnesses off and choosing the executor another way are choices
    // worth counting; witnesses on and best match are the defaults.
    const setCount = this.#set().length + (this.witnesses ? 0 : 1) + (this.executor === DEFAULT_EXECUTOR_CHOICE ? 0 : 1) + (this.latencySensitive ? 1 : 0)
    const totalBytes = this.inputFiles.reduce((sum, f) => sum + f.bytes.byteLength, 0)
    const executorHint = EXECUTOR_CHOICES.find((c) => c.value === this.executor)?.hint ?? ''
    return html`
      <details data-testid="advanced" ?open=${this.open}
        @toggle=${(e: Event) => { this.open = (e.target as HTMLDetailsElement).open }}>
        <summary>Advanced ${setCount === 0 ? nothing : html`<span class="muted">· ${setCount} set</span>`}</summary>
        <div class="advanced" @keydown=${this.#onKeydown}>
          <label>
            How to choose the executor
            <select data-testid="executor-choice" aria-describedby="executor-hint"
              @change=${(e: Event) => { this.executor = parseExecutorChoice((e.target as HTMLSelectElement).value) }}>
              ${EXECUTOR_CHOICES.map((c) => html`<option value=${c.value} ?selected=${c.value === this.executor}>${c.label}</option>`)}
            </select>
            <p class="hint muted" id="executor-hint">${executorHint}</p>
          </label>
          <div class="label">
            <label class="check">
              <input type="checkbox" data-testid="latency-sensitive" .checked=${this.latencySensitive}
                @change=${(e: Event) => { this.latencySensitive = (e.target as HTMLInputElement).checked }}>
              Latency-sensitive
            </label>
            <p class="hint muted">Not on background tabs the browser throttles, while a foreground executor can take it.</p>
          </div>
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

  #check (field: TaskOptionField): void {
    this.checked = new Set([...this.checked, field])
  }

  /** The fields that differ from their defaults, i.e. that go into the request. */
  #set (): TaskOptionField[] {
    const set: TaskOptionField[] = []
    if (this.memoryMib.trim() !== String(DEFAULT_MEMORY_MIB)) set.push('memory')
    if (this.fuel.trim() !== '') set.push('fuel')
    if (this.maxPrice.trim() !== '') set.push('price')
    if (this.seed.trim() !== '') set.push('seed')
    if (this.env.trim() !== '') set.push('env')
    if (this.inputFiles.length > 0) set.push('files')
    return set
  }

  /**
   * Enter in a one-line field sends the form as it would if the field were in
   * the form's own tree (this shadow root keeps it out of implicit
   * submission): through the form's submit button, and not while it is disabled.
   */
  #onKeydown (event: KeyboardEvent): void {
    const target = event.target
    if (event.key !== 'Enter' || event.isComposing || !(target instanceof HTMLInputElement)) return
    if (target.type !== 'text' && target.type !== 'number') return
    const form = this.closest('form')
    if (form === null) return
    event.preventDefault()
    const submitter = form.querySelector<HTMLButtonElement>('button[type=submit]')
    if (submitter !== null && !submitter.disabled) form.requestSubmit(submitter)
  }

  async #onInputFiles (event: Event): Promise<void> {
    const input = event.target as HTMLInputElement
    const files = Array.from(input.files ?? [])
    this.#examples = false
    this.inputFiles = []
    this.inputFilesError = ''
    this.dispatchEvent(new Event('change'))
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
    this.#examples = false
    this.#inputFilesPick++
    this.inputFiles = []
    this.inputFilesError = ''
    const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="input-files"]')
    if (input !== null) input.value = ''
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-task-options': ZsTaskOptions
  }
}
