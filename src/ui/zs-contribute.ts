import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { live } from 'lit/directives/live.js'
import { ContributeRequestEvent } from './events.ts'
import { formatSkillTags, parseSkillTags } from './skill-tags.ts'
import { shared } from './theme.ts'

/**
 * The "Contribute compute" switch, the number of worker slots offered and the
 * skill tags advertised in this tab's Agent Card.
 * Fires `zs-contribute-request`; the checkbox always shows `contributing` as the
 * app reports it, so a refused request springs back.
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
    }

    input[type=checkbox] {
      width: 1.25rem;
      height: 1.25rem;
      accent-color: var(--zs-accent);
    }

    input[type=number] {
      width: 5rem;
      font: inherit;
      padding: 4px 8px;
      border-radius: 8px;
      border: 1px solid var(--zs-border);
      background: var(--zs-surface);
      color: var(--zs-text);
    }

    .slots, .tags {
      font-weight: normal;
    }

    .tags {
      margin-top: 12px;
      display: flex;
      flex-wrap: wrap;
      gap: 4px 8px;
    }

    input[type=text] {
      flex: 1 1 12rem;
      min-width: 0;
      font: inherit;
      padding: 4px 8px;
      border-radius: 8px;
      border: 1px solid var(--zs-border);
      background: var(--zs-surface);
      color: var(--zs-text);
    }

    input[aria-invalid=true] {
      border-color: var(--zs-bad);
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
  /** The tags the app advertises now. */
  @property({ attribute: false }) tags: string[] = []

  @state() private slotsDraft = 1
  @state() private busy = false
  /** What the user asked for, shown until the app's state catches up, so the box does not flicker back. */
  @state() private requested: boolean | undefined
  @state() private error = ''
  @state() private tagsDraft = ''
  @state() private tagsError = ''

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (changed.has('slots')) this.slotsDraft = this.slots
    if (changed.has('tags')) {
      this.tagsDraft = formatSkillTags(this.tags)
      this.tagsError = ''
    }
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
      <label class="tags">
        Skill tags
        <input
          type="text"
          data-testid="skill-tags"
          placeholder="e.g. nlp, crypto"
          autocomplete="off"
          spellcheck="false"
          aria-invalid=${this.tagsError === '' ? 'false' : 'true'}
          aria-describedby="tags-error"
          .value=${live(this.tagsDraft)}
          ?disabled=${this.busy}
          @input=${this.#onTagsInput}
          @change=${this.#onTagsChange}
        >
      </label>
      ${this.tagsError === ''
        ? html`<p class="muted" id="tags-error">Up to 8 tags of a–z, 0–9 and "-", separated by commas or spaces.</p>`
        : html`<p class="error" id="tags-error" data-testid="skill-tags-error">${this.tagsError}</p>`}
      <p class="muted">
        ${this.contributing
          ? `Running tasks for other peers in up to ${this.slots} sandboxed worker${this.slots === 1 ? '' : 's'}.`
          : 'Off: this tab only submits tasks, it runs none for others.'}
      </p>
      ${this.error === '' ? nothing : html`<p class="error" role="alert" data-testid="contribute-error">${this.error}</p>`}
    `
  }

  #onToggle (event: Event): void {
    const box = event.target as HTMLInputElement
    const on = box.checked
    if (!on) {
      void this.#request(false, this.slotsDraft, this.tags)
      return
    }
    const tags = parseSkillTags(this.tagsDraft)
    if (!tags.ok) {
      // Do not start with tags the Agent Card would refuse; the box springs back.
      this.tagsError = tags.error
      box.checked = this.contributing
      return
    }
    void this.#request(true, this.slotsDraft, tags.value)
  }

  #onTagsInput (event: Event): void {
    this.tagsDraft = (event.target as HTMLInputElement).value
    const tags = parseSkillTags(this.tagsDraft)
    this.tagsError = tags.ok ? '' : tags.error
  }

  #onTagsChange (): void {
    const tags = parseSkillTags(this.tagsDraft)
    if (!tags.ok) return
    this.tagsDraft = formatSkillTags(tags.value)
    const same = tags.value.length === this.tags.length && tags.value.every((t, i) => t === this.tags[i])
    if (this.contributing && !same) void this.#request(true, this.slotsDraft, tags.value)
  }

  #onSlots (event: Event): void {
    const input = event.target as HTMLInputElement
    const wanted = Math.round(Number(input.value))
    this.slotsDraft = Number.isFinite(wanted) ? Math.min(Math.max(wanted, 1), this.maxSlots) : this.slots
    // Force the clamped value back into the field even when slotsDraft did not change.
    input.value = String(this.slotsDraft)
    if (this.contributing && this.slotsDraft !== this.slots) void this.#request(true, this.slotsDraft, this.tags)
  }

  async #request (on: boolean, slots: number, tags: string[]): Promise<void> {
    const event = new ContributeRequestEvent(on, slots, tags)
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
