import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { MAX_STDIN_BYTES, sniffImageType } from '../app/index.ts'
import { shared } from './theme.ts'
import { fieldStyles } from './zs-submit.styles.ts'
import { formatBytes } from './view-format.ts'

/** An image chosen as a task's stdin. */
export interface ImageChoice {
  name: string
  bytes: Uint8Array
}

/** Fired (bubbling, composed) when the user picks an image that can be sent. */
export class ImageChoiceEvent extends Event {
  static readonly type = 'zs-image-choice'
  constructor (readonly choice: ImageChoice) {
    super(ImageChoiceEvent.type, { bubbles: true, composed: true })
  }
}

/** Why `bytes` (named `name`) cannot be a task's image input, or undefined. */
export function imageProblem (name: string, size: number, bytes?: Uint8Array): string | undefined {
  if (size === 0) return `${name} is empty.`
  if (size > MAX_STDIN_BYTES) return `${name} is ${formatBytes(size)}; a task's input is at most ${formatBytes(MAX_STDIN_BYTES)}.`
  if (bytes !== undefined && sniffImageType(bytes) === undefined) return `${name} is not a PNG or JPEG image.`
  return undefined
}

/**
 * The stdin of an image task: the chosen image shown, a file picker (PNG or
 * JPEG) and, where there is one, the camera (`capture` opens it on phones).
 * The image goes to the executor as the task's stdin, as it is.
 */
@customElement('zs-image-input')
export class ZsImageInput extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 6px; }
    .preview { display: flex; gap: 12px; align-items: center; }
    .preview img { max-width: 10rem; max-height: 7rem; border-radius: 8px; background: var(--zs-surface-2); }
    .pickers { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    .pickers label { display: inline-flex; font-weight: normal; }
    .pickers input { position: absolute; width: 1px; height: 1px; opacity: 0; }
    .pickers span.button { cursor: pointer; padding: 5px 12px; border-radius: 8px; border: 1px solid var(--zs-border); background: var(--zs-surface-2); }
    .pickers label:focus-within span.button { outline: 2px solid var(--zs-accent); }
  `]

  /** The image now chosen (the sample's example until the user picks another). */
  @property({ attribute: false }) image: ImageChoice | undefined
  @state() private problem = ''
  #url: string | undefined

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (!changed.has('image')) return
    if (this.#url !== undefined) URL.revokeObjectURL(this.#url)
    this.#url = this.image === undefined ? undefined : URL.createObjectURL(new Blob([new Uint8Array(this.image.bytes)], { type: sniffImageType(this.image.bytes) }))
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    if (this.#url !== undefined) URL.revokeObjectURL(this.#url)
    this.#url = undefined
  }

  override render () {
    return html`
      <div class="preview">
        ${this.image === undefined || this.#url === undefined
          ? html`<span class="hint muted">Loading the example image…</span>`
          : html`<img src=${this.#url} alt="The image the task will read" data-testid="stdin-image-preview">
                 <span class="hint muted" data-testid="stdin-image-name">${this.image.name}, ${formatBytes(this.image.bytes.byteLength)}</span>`}
      </div>
      <div class="pickers">
        <label><input type="file" accept="image/png,image/jpeg" data-testid="stdin-image" @change=${this.#onPick}><span class="button">Choose an image…</span></label>
        <label><input type="file" accept="image/*" capture="environment" data-testid="stdin-camera" @change=${this.#onPick}><span class="button">Take a photo</span></label>
      </div>
      ${this.problem === '' ? nothing : html`<p class="error" role="alert" data-testid="stdin-image-error">${this.problem}</p>`}
    `
  }

  async #onPick (event: Event): Promise<void> {
    const input = event.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ''
    this.problem = ''
    if (file === undefined) return
    // The size is checked before reading, so an oversized pick is not loaded into memory.
    const early = imageProblem(file.name, file.size)
    if (early !== undefined) {
      this.problem = early
      return
    }
    const bytes = new Uint8Array(await file.arrayBuffer())
    const problem = imageProblem(file.name, bytes.byteLength, bytes)
    if (problem !== undefined) {
      this.problem = problem
      return
    }
    this.dispatchEvent(new ImageChoiceEvent({ name: file.name, bytes }))
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-image-input': ZsImageInput
  }
}
