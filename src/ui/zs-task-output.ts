import { LitElement, html, nothing, svg, type PropertyValues } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { styleMap } from 'lit/directives/style-map.js'
import { sniffImageType, type TaskView } from '../app/index.ts'
import { downloadBlob } from './download.ts'
import { facesResult, type FacesResult } from './faces-output.ts'
import { jsonTable, probabilities, type Probabilities } from './json-output.ts'
import { shared } from './theme.ts'
import { decodeOutput, formatBytes, outputFilename } from './view-format.ts'
import { taskOutputStyles } from './zs-task-output.styles.ts'

type TaskResult = NonNullable<TaskView['result']>

/**
 * What a task produced, shown for people: faces it found drawn on the photo
 * it was given, images it wrote shown as images, JSON output as a table (the
 * raw stdout one click away), other output as text or hex, stderr, and every
 * file it created or changed in /work with a download button.
 */
@customElement('zs-task-output')
export class ZsTaskOutput extends LitElement {
  static override styles = [shared, taskOutputStyles]

  @property({ attribute: false }) result: TaskResult | undefined
  /** The task's stdin when it was an image. */
  @property({ attribute: false }) inputImage: Uint8Array | undefined

  /** Object URLs of the images shown, keyed by the bytes they show; revoked when those bytes are gone. */
  #urls = new Map<Uint8Array, string>()

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (!changed.has('result') && !changed.has('inputImage')) return
    const live = new Set<Uint8Array>([
      ...(this.inputImage === undefined ? [] : [this.inputImage]),
      ...(this.result?.files ?? []).map(([, bytes]) => bytes)
    ])
    for (const [bytes, url] of this.#urls) {
      if (!live.has(bytes)) {
        URL.revokeObjectURL(url)
        this.#urls.delete(bytes)
      }
    }
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    for (const url of this.#urls.values()) URL.revokeObjectURL(url)
    this.#urls.clear()
  }

  override render () {
    const result = this.result
    if (result === undefined) return nothing
    const stdout = decodeOutput(result.stdout)
    const faces = stdout.kind === 'text' && this.inputImage !== undefined ? facesResult(stdout.text) : undefined
    const distribution = stdout.kind === 'text' && faces === undefined ? probabilities(stdout.text) : undefined
    return html`
      ${faces === undefined || this.inputImage === undefined ? nothing : this.#faces(this.inputImage, faces)}
      ${distribution === undefined ? nothing : this.#bars(distribution)}
      ${this.#images(result)}
      ${this.#stdout(result, faces !== undefined || distribution !== undefined)}
      ${this.#stderr(result)}
      ${this.#files(result)}
    `
  }

  /** The photo the task was given, with a box (and its expression, if classified) on each face it found. */
  #faces (image: Uint8Array, faces: FacesResult) {
    const url = this.#url(image)
    // Labels sized to the image, so they read the same on a small photo and a large one.
    const fontSize = Math.max(10, Math.round(Math.max(faces.width, faces.height) / 40))
    return html`
      <h4>${faces.faces.length === 1 ? '1 face' : `${faces.faces.length} faces`} found</h4>
      <figure data-testid="faces" data-count=${faces.faces.length}>
        <div class="faces">
          <img src=${url} alt="The input photo with the faces found outlined">
          <svg viewBox="0 0 ${faces.width} ${faces.height}" preserveAspectRatio="none" aria-hidden="true">
            ${faces.faces.map(face => svg`
              <rect x=${face.x} y=${face.y} width=${face.width} height=${face.height} data-testid="face-box"></rect>
              <text x=${face.x} y=${Math.max(fontSize, face.y - fontSize / 3)} font-size=${fontSize}>${face.label ?? `face ${Math.round(face.score * 100)} %`}</text>`)}
          </svg>
        </div>
      </figure>
      ${faces.faces.length === 0 ? nothing : html`
        <div class="json-output" data-testid="faces-table">
          <table>
            <thead><tr><th scope="col">#</th><th scope="col">detection score</th><th scope="col">box (x, y, width, height)</th><th scope="col">expression</th></tr></thead>
            <tbody>${faces.faces.map((face, i) => html`<tr>
              <td>${i + 1}</td><td>${face.score.toFixed(3)}</td>
              <td>${[face.x, face.y, face.width, face.height].map(v => Math.round(v)).join(', ')}</td>
              <td>${face.label ?? '—'}</td></tr>`)}</tbody>
          </table>
        </div>`}`
  }

  /** A distribution the task printed (e.g. the expression of a face), as bars beside the image it was given. */
  #bars (distribution: Probabilities) {
    return html`
      <h4>${distribution.field}</h4>
      <div class="distribution" data-testid="probabilities">
        ${this.inputImage === undefined ? nothing : html`<img src=${this.#url(this.inputImage)} alt="The image the task was given">`}
        <table>
          <tbody>${distribution.entries.map(([label, p]) => html`<tr data-testid="probability">
            <th scope="row">${label}</th>
            <td class="bar"><span style=${styleMap({ width: `${(p * 100).toFixed(1)}%` })}></span></td>
            <td class="value">${(p * 100).toFixed(1)} %</td></tr>`)}</tbody>
        </table>
      </div>`
  }

  /** Each PNG or JPEG file the task wrote, shown. */
  #images (result: TaskResult) {
    const images = (result.files ?? []).filter(([, bytes]) => sniffImageType(bytes) !== undefined)
    if (images.length === 0) return nothing
    return images.map(([path, bytes]) => html`
      <figure data-testid="output-image" data-path=${path}>
        <img src=${this.#url(bytes)} alt=${`Output image ${path}`}>
        <figcaption>${path}, ${formatBytes(bytes.byteLength)}</figcaption>
      </figure>`)
  }

  /** stdout: as a table when it is JSON (the raw text one click away), or only one click away when a picture above already shows it. */
  #stdout (result: TaskResult, drawn: boolean) {
    const stdout = decodeOutput(result.stdout)
    if (drawn && stdout.kind === 'text') {
      return html`<details class="raw"><summary>Raw stdout</summary><pre data-testid="stdout">${stdout.text}</pre></details>`
    }
    // JSON output (one object, an array of objects, or JSON Lines) is shown as a table; the raw text is one click away.
    const table = stdout.kind === 'text' ? jsonTable(stdout.text) : undefined
    if (table !== undefined) {
      return html`
        <h4>stdout${table.caption === undefined ? nothing : html` <span class="caption" data-testid="stdout-table-caption">· ${table.caption}</span>`}</h4>
        <div class="json-output" data-testid="stdout-table">
          <table>
            <thead><tr>${table.columns.map(column => html`<th scope="col">${column}</th>`)}</tr></thead>
            <tbody>${table.rows.map(row => html`<tr>${row.map(value => html`<td>${value}</td>`)}</tr>`)}</tbody>
          </table>
        </div>
        <details class="raw"><summary>Raw stdout</summary><pre data-testid="stdout">${stdout.kind === 'text' ? stdout.text : ''}</pre></details>`
    }
    return html`
      <h4>stdout</h4>
      ${stdout.kind === 'text'
        ? html`<pre data-testid="stdout">${stdout.text}</pre>`
        : html`<pre data-testid="stdout">${stdout.hexPreview}</pre>
               <p class="note muted">Binary output, ${formatBytes(stdout.byteLength)}; shown as hex.</p>`}`
  }

  #stderr (result: TaskResult) {
    if (result.stderr.byteLength === 0) return nothing
    const stderr = decodeOutput(result.stderr)
    return html`
      <h4>stderr</h4>
      <pre class="stderr" data-testid="stderr">${stderr.kind === 'text' ? stderr.text : stderr.hexPreview}</pre>
      ${stderr.kind === 'binary' ? html`<p class="note muted">Binary output, ${formatBytes(stderr.byteLength)}; shown as hex.</p>` : nothing}`
  }

  #files (result: TaskResult) {
    const files = result.files ?? []
    if (files.length === 0) return nothing
    return html`
      <h4>Output files in /work</h4>
      <ul class="files" data-testid="output-files">
        ${files.map(([path, bytes]) => html`
          <li data-testid="output-file" data-path=${path}>
            <span class="path">${path}</span>
            <span class="size muted">${formatBytes(bytes.byteLength)}</span>
            <button type="button" data-testid="download-output-file" aria-label=${`Download ${path}`}
              @click=${() => { downloadBlob(new Blob([new Uint8Array(bytes)], { type: sniffImageType(bytes) ?? 'application/octet-stream' }), outputFilename(path)) }}>Download</button>
          </li>`)}
      </ul>`
  }

  #url (bytes: Uint8Array): string {
    let url = this.#urls.get(bytes)
    if (url === undefined) {
      url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: sniffImageType(bytes) }))
      this.#urls.set(bytes, url)
    }
    return url
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-task-output': ZsTaskOutput
  }
}
