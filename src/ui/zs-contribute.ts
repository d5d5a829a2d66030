import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { live } from 'lit/directives/live.js'
import { PRICE_FIELDS, RATE_FIELDS, parsePrices, parseRates } from './contribute-inputs.ts'
import type { Prices, WitnessRates } from './contribute-inputs.ts'
import { ContributeRequestEvent } from './events.ts'
import type { ContributeSettings } from './events.ts'
import { formatSkillTags, parseSkillTags } from './skill-tags.ts'
import { shared } from './theme.ts'
import { formatCount } from './view-format.ts'

type Drafts<T> = Record<keyof T, string>

const priceDrafts = (prices: Prices): Drafts<Prices> =>
  ({ perMegaFuel: String(prices.perMegaFuel), perSecond: String(prices.perSecond), perMb: String(prices.perMb) })
const rateDrafts = (rates: WitnessRates): Drafts<WitnessRates> =>
  ({ established: String(rates.established), newcomer: String(rates.newcomer) })

/**
 * The "Contribute compute" switch, the number of worker slots offered, the
 * skill tags advertised in this tab's Agent Card, its asking prices and how
 * often it re-runs others' tasks as a witness.
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

    fieldset {
      margin: 12px 0 0;
      padding: 8px 12px 10px;
      border: 1px solid var(--zs-border);
      border-radius: 8px;
      min-width: 0;
    }

    legend {
      padding: 0 4px;
      font-size: 0.875rem;
      font-weight: 600;
    }

    fieldset .row {
      gap: 8px 16px;
    }

    fieldset label {
      font-weight: normal;
      font-size: 0.875rem;
    }

    fieldset input[type=text] {
      flex: none;
      width: 7rem;
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
  /** Asking prices in force, micro-units. */
  @property({ attribute: false }) prices: Prices = { perMegaFuel: 0, perSecond: 0, perMb: 0 }
  /** Witness rates in force, 0–1. */
  @property({ attribute: false }) witnessRates: WitnessRates = { established: 0, newcomer: 0 }

  @state() private slotsDraft = 1
  @state() private busy = false
  /** What the user asked for, shown until the app's state catches up, so the box does not flicker back. */
  @state() private requested: boolean | undefined
  @state() private error = ''
  @state() private tagsDraft = ''
  @state() private tagsError = ''
  @state() private priceDrafts: Drafts<Prices> = priceDrafts(this.prices)
  @state() private priceError = ''
  @state() private rateDrafts: Drafts<WitnessRates> = rateDrafts(this.witnessRates)
  @state() private rateError = ''

  protected override willUpdate (changed: PropertyValues<this>): void {
    if (changed.has('slots')) this.slotsDraft = this.slots
    if (changed.has('tags')) {
      this.tagsDraft = formatSkillTags(this.tags)
      this.tagsError = ''
    }
    if (changed.has('prices')) {
      this.priceDrafts = priceDrafts(this.prices)
      this.priceError = ''
    }
    if (changed.has('witnessRates')) {
      this.rateDrafts = rateDrafts(this.witnessRates)
      this.rateError = ''
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
      ${this.#prices()}
      ${this.#rates()}
      <p class="muted">
        ${this.contributing
          ? `Running tasks for other peers in up to ${this.slots} sandboxed worker${this.slots === 1 ? '' : 's'}.`
          : 'Off: this tab only submits tasks, it runs none for others.'}
      </p>
      ${this.error === '' ? nothing : html`<p class="error" role="alert" data-testid="contribute-error">${this.error}</p>`}
    `
  }

  #prices () {
    return this.#fieldGroup({
      legend: 'Asking prices (µ)',
      fields: PRICE_FIELDS,
      drafts: this.priceDrafts,
      error: this.priceError,
      fault: this.#priceFault(),
      id: 'prices',
      testId: key => `price-${key}`,
      errorTestId: 'prices-error',
      inputmode: 'numeric',
      hint: `Whole micro-units, 0 = free (1 unit = ${formatCount(1_000_000)} µ). Shown in your Agent Card; each task's charge is capped by its budget.`,
      onInput: (key, value) => { this.#onPriceInput(key, value) }
    })
  }

  #rates () {
    return this.#fieldGroup({
      legend: 'Witness checks',
      fields: RATE_FIELDS,
      drafts: this.rateDrafts,
      error: this.rateError,
      fault: this.#rateFault(),
      id: 'rates',
      testId: key => `witness-rate-${key}`,
      errorTestId: 'witness-rates-error',
      inputmode: 'decimal',
      hint: 'Share of announced receipts this tab re-runs to check them while contributing: 0–1 (0.1 = one in ten).',
      onInput: (key, value) => { this.#onRateInput(key, value) }
    })
  }

  /** A fieldset of labelled text inputs with one hint line that turns into the group's error. */
  #fieldGroup<K extends string> (group: {
    legend: string
    fields: ReadonlyArray<{ key: K, label: string }>
    drafts: Readonly<Record<K, string>>
    error: string
    fault: K | undefined
    id: string
    testId: (key: K) => string
    errorTestId: string
    inputmode: 'numeric' | 'decimal'
    hint: string
    onInput: (key: K, value: string) => void
  }) {
    const hintId = `${group.id}-hint`
    return html`
      <fieldset>
        <legend>${group.legend}</legend>
        <div class="row">
          ${group.fields.map(({ key, label }) => html`
            <label>
              <input type="text" inputmode=${group.inputmode} autocomplete="off" data-testid=${group.testId(key)}
                aria-invalid=${group.error !== '' && group.fault === key ? 'true' : 'false'} aria-describedby=${hintId}
                .value=${live(group.drafts[key])} ?disabled=${this.busy}
                @input=${(e: Event) => { group.onInput(key, (e.target as HTMLInputElement).value) }}
                @change=${this.#onSettingsChange}>
              ${label}
            </label>`)}
        </div>
        ${group.error === ''
          ? html`<p class="muted" id=${hintId}>${group.hint}</p>`
          : html`<p class="error" id=${hintId} data-testid=${group.errorTestId}>${group.error}</p>`}
      </fieldset>
    `
  }

  #priceFault (): keyof Prices | undefined {
    const parsed = parsePrices(this.priceDrafts)
    return parsed.ok ? undefined : parsed.field
  }

  #rateFault (): keyof WitnessRates | undefined {
    const parsed = parseRates(this.rateDrafts)
    return parsed.ok ? undefined : parsed.field
  }

  #onPriceInput (key: keyof Prices, value: string): void {
    this.priceDrafts = { ...this.priceDrafts, [key]: value }
    const parsed = parsePrices(this.priceDrafts)
    this.priceError = parsed.ok ? '' : parsed.error
  }

  #onRateInput (key: keyof WitnessRates, value: string): void {
    this.rateDrafts = { ...this.rateDrafts, [key]: value }
    const parsed = parseRates(this.rateDrafts)
    this.rateError = parsed.ok ? '' : parsed.error
  }

  /** Prices and rates as typed, or undefined (with their messages shown) when either is wrong. */
  #settings (): Required<ContributeSettings> | undefined {
    const prices = parsePrices(this.priceDrafts)
    const rates = parseRates(this.rateDrafts)
    this.priceError = prices.ok ? '' : prices.error
    this.rateError = rates.ok ? '' : rates.error
    if (!prices.ok || !rates.ok) return undefined
    return { prices: prices.value, witnessRates: rates.value }
  }

  #onSettingsChange (): void {
    const settings = this.#settings()
    if (settings === undefined || !this.contributing) return
    const p = settings.prices
    const r = settings.witnessRates
    const same = p.perMegaFuel === this.prices.perMegaFuel && p.perSecond === this.prices.perSecond && p.perMb === this.prices.perMb &&
      r.established === this.witnessRates.established && r.newcomer === this.witnessRates.newcomer
    if (!same) void this.#request(true, this.slotsDraft, this.tags, settings)
  }

  #onToggle (event: Event): void {
    const box = event.target as HTMLInputElement
    const on = box.checked
    if (!on) {
      void this.#request(false, this.slotsDraft, this.tags)
      return
    }
    const tags = parseSkillTags(this.tagsDraft)
    const settings = this.#settings()
    if (!tags.ok || settings === undefined) {
      // Do not start with tags the Agent Card would refuse, or prices and rates the app would; the box springs back.
      if (!tags.ok) this.tagsError = tags.error
      box.checked = this.contributing
      return
    }
    void this.#request(true, this.slotsDraft, tags.value, settings)
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

  async #request (on: boolean, slots: number, tags: string[], settings: ContributeSettings = {}): Promise<void> {
    const event = new ContributeRequestEvent(on, slots, tags, settings)
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
