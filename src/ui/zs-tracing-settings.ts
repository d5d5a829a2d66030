import { LitElement, css, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { TracingView } from '../app/index.ts'
import { ConfigureTracingRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { fieldStyles } from './zs-submit.styles.ts'

/**
 * Tracing settings (docs/tracing.md §8): whether this tab traces its tasks,
 * and the OTLP/HTTP collector its spans go to (none by default). The URL is
 * checked by the app; a refusal is shown here and nothing changes.
 */
@customElement('zs-tracing-settings')
export class ZsTracingSettings extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 8px; }
    label.check { display: flex; gap: 6px; align-items: center; font-weight: 400; }
    .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
    .row label { flex: 1 1 16rem; }
    p { margin: 0; font-size: 0.8125rem; }
    p.error { color: var(--zs-bad); }
    p.ok { color: var(--zs-ok); }
  `]

  @property({ attribute: false }) tracing: TracingView = { enabled: true, otlpUrl: null }
  /** The URL as typed, until saved. */
  @state() private draft: string | undefined
  @state() private error = ''
  @state() private saved = ''

  override render () {
    const url = this.draft ?? this.tracing.otlpUrl ?? ''
    return html`
      <label class="check"><input type="checkbox" data-testid="tracing-enabled" .checked=${this.tracing.enabled}
        @change=${(e: Event) => { void this.#send((e.target as HTMLInputElement).checked, undefined) }}>
        Trace my tasks across the peers that run them (the task card's waterfall)</label>
      <form class="row" @submit=${this.#onSave} novalidate>
        <label>Export spans to an OTLP/HTTP collector (optional)
          <input type="url" inputmode="url" spellcheck="false" data-testid="tracing-otlp-url" placeholder="http://127.0.0.1:4318/v1/traces"
            .value=${url} @input=${(e: Event) => { this.draft = (e.target as HTMLInputElement).value; this.saved = '' }}></label>
        <button type="submit" data-testid="tracing-save">Save</button>
      </form>
      <p class="muted">Off unless you give one. The collector must accept this page's origin (CORS). Spans hold task ids, peer ids and timings, never inputs or outputs.</p>
      ${this.error === '' ? nothing : html`<p class="error" role="alert" data-testid="tracing-error">${this.error}</p>`}
      ${this.saved === '' ? nothing : html`<p class="ok" data-testid="tracing-saved">✓ ${this.saved}</p>`}`
  }

  async #onSave (event: Event): Promise<void> {
    event.preventDefault()
    const url = (this.draft ?? this.tracing.otlpUrl ?? '').trim()
    await this.#send(undefined, url === '' ? null : url)
  }

  async #send (enabled: boolean | undefined, otlpUrl: string | null | undefined): Promise<void> {
    this.error = ''
    this.saved = ''
    const request = new ConfigureTracingRequestEvent(enabled, otlpUrl)
    this.dispatchEvent(request)
    await request.outcome.then(
      () => {
        this.draft = undefined
        if (otlpUrl !== undefined) this.saved = otlpUrl === null ? 'Spans stay in this tab.' : `Spans go to ${otlpUrl}.`
      },
      (err: unknown) => { this.error = err instanceof Error ? err.message : String(err) }
    )
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-tracing-settings': ZsTracingSettings
  }
}
