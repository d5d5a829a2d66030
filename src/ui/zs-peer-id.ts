import { LitElement, css, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { shared } from './theme.ts'
import { shortPeerId } from './view-format.ts'

const COPIED_FOR_MS = 1500

/** A PeerId shortened for display, the full id on hover, and optionally a copy button. */
@customElement('zs-peer-id')
export class ZsPeerId extends LitElement {
  static override styles = [shared, css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      min-width: 0;
    }

    span {
      font-family: var(--zs-mono);
      font-size: 0.8125rem;
      white-space: nowrap;
    }

    button {
      padding: 1px 8px;
      font-size: 0.75rem;
    }
  `]

  @property({ attribute: 'peer-id' }) peerId = ''
  @property({ type: Boolean }) copyable = false

  @state() private copied = false
  #resetTimer: ReturnType<typeof setTimeout> | undefined

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    clearTimeout(this.#resetTimer)
  }

  override render () {
    if (this.peerId === '') return html`<span class="muted">–</span>`
    return html`
      <span title=${this.peerId}>${shortPeerId(this.peerId)}</span>
      ${this.copyable
        ? html`<button type="button" @click=${this.#copy} aria-label="Copy full PeerId">${this.copied ? 'Copied' : 'Copy'}</button>`
        : nothing}
    `
  }

  async #copy (): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.peerId)
    } catch {
      // Clipboard access is refused outside secure contexts or without focus; the full id stays in the tooltip.
      return
    }
    this.copied = true
    clearTimeout(this.#resetTimer)
    this.#resetTimer = setTimeout(() => { this.copied = false }, COPIED_FOR_MS)
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-peer-id': ZsPeerId
  }
}
