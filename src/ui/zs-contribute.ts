import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { live } from 'lit/directives/live.js'
import { ContributeRequestEvent } from './events.ts'
import { shared } from './theme.ts'

/**
 * The "Contribute compute" switch and the number of worker slots offered, on
 * the home dashboard. The skill tags, asking prices and witness rates it
 * contributes with are in Settings (`<zs-settings>`); this box sends the tags
 * in force with every request and leaves prices and rates as the app has them.
 * Fires `zs-contribute-request`; the checkbox always shows `contributing` as
 * the app reports it, so a refused request springs back.
 */
@customElement('zs-contribute')
export class ZsContribute extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
    }

    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px 24px;
    }

    label {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      font-weight: 600;
      /* A thumb-sized target on a phone. */
      min-height: 44px;
    }

    input[type=checkbox] {
      width: 1.5rem;
      height: 1.5rem;
      accent-color: var(--zs-accent);
    }

    input[type=number] {
      width: 5rem;
      min-height: 36px;
      font: inherit;
      padding: 4px 8px;
      border-radius: 8px;
      border: 1px solid var(--zs-border);
      background: var(--zs-surface);
      color: var(--zs-text);
    }

    .slots {
      font-weight: normal;
    }

    p {
      margin: 8px 0 0;
      font-size: 0.875rem;
    }

    .error {
      color: var(--zs-bad);
    }
  `]

  @property({ type: Boolean }) contributing = false
  @property({ type: Number }) slots = 1
  @property({ type: Number }) maxSlots = 1
  /** The tags the app advertises now, sent back unchanged with every request. */
  @property({ attribute: false }) tags: string[] = []

  @state() private slotsDraft = 1
  @state() private busy = false
  /** What the user asked for, shown until the app's state catches up, so the box does not flicker back. */
  @state() private requested: boolean | undefined
  @state() private error = ''

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (changed.has('slots')) this.slotsDraft = this.slots
    if (changed.has('contributing') && this.contributing === this.requested) this.requested = undefined
  }

  override render () {
    return html`
      <div class="row">
        <label>
          <input
            type="checkbox"
            data-testid="contribute-toggle"
            .checked=${live(this.requested ?? this.contributing)}
            ?disabled=${this.busy}
            @change=${this.#onToggle}
          >
          Contribute compute
        </label>
        <label class="slots">
          Worker slots
          <input
            type="number"
            data-testid="worker-slots"
            min="1"
            max=${this.maxSlots}
            step="1"
            .value=${live(String(this.slotsDraft))}
            ?disabled=${this.busy}
            @change=${this.#onSlots}
          >
          <span class="muted">of ${this.maxSlots}</span>
        </label>
        ${this.busy ? html`<span class="muted" role="status">Applying…</span>` : nothing}
      </div>
      <p class="muted">
        ${this.contributing
          ? `Running tasks for other peers in up to ${this.slots} sandboxed worker${this.slots === 1 ? '' : 's'}.`
          : 'Off: this tab only submits tasks, it runs none for others.'}
      </p>
      ${this.error === '' ? nothing : html`<p class="error" role="alert" data-testid="contribute-error">${this.error}</p>`}
    `
  }

  #onToggle (event: Event): void {
    void this.#request((event.target as HTMLInputElement).checked, this.slotsDraft)
  }

  #onSlots (event: Event): void {
    const input = event.target as HTMLInputElement
    const wanted = Math.round(Number(input.value))
    this.slotsDraft = Number.isFinite(wanted) ? Math.min(Math.max(wanted, 1), this.maxSlots) : this.slots
    // Force the clamped value back into the field even when slotsDraft did not change.
    input.value = String(this.slotsDraft)
    if (this.contributing && this.slotsDraft !== this.slots) void this.#request(true, this.slotsDraft)
  }

  async #request (on: boolean, slots: number): Promise<void> {
    const event = new ContributeRequestEvent(on, slots, this.tags)
    this.dispatchEvent(event)
    this.requested = on === this.contributing ? undefined : on
    this.busy = true
    this.error = ''
    try {
      await event.outcome
    } catch (err) {
      this.requested = undefined
      this.error = `Could not ${on ? 'start' : 'stop'} contributing: ${err instanceof Error ? err.message : String(err)}`
    } finally {
      this.busy = false
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-contribute': ZsContribute
  }
}
