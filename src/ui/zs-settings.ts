import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { live } from 'lit/directives/live.js'
import type { PlannerView, TracingView } from '../app/index.ts'
import { PRICE_FIELDS, RATE_FIELDS, parsePrices, parseRates } from './contribute-inputs.ts'
import type { Prices, WitnessRates } from './contribute-inputs.ts'
import { ContributeRequestEvent, ShareMetricsRequestEvent } from './events.ts'
import type { ContributeSettings } from './events.ts'
import { routeHref } from './routes.ts'
import { formatSkillTags, parseSkillTags } from './skill-tags.ts'
import { panelSections, shared } from './theme.ts'
import { formatCount } from './view-format.ts'
import './zs-tracing-settings.ts'

type Drafts<T> = Record<keyof T, string>

const priceDrafts = (prices: Prices): Drafts<Prices> =>
  ({ perMegaFuel: String(prices.perMegaFuel), perSecond: String(prices.perSecond), perMb: String(prices.perMb) })
const rateDrafts = (rates: WitnessRates): Drafts<WitnessRates> =>
  ({ established: String(rates.established), newcomer: String(rates.newcomer) })

/**
 * The advanced settings, in one place: the skill tags advertised in this
 * tab's Agent Card, its asking prices and how often it re-runs others' tasks
 * as a witness (moved here from the Contribute box, which keeps on/off and
 * slots), and where the settings that live beside what they configure are.
 * A change that parses is applied at once with a `zs-contribute-request`
 * carrying the current on/off and slots, so it holds whether or not the tab
 * contributes now (the app keeps it for when it does).
 */
@customElement('zs-settings')
export class ZsSettings extends LitElement {
  static override styles = [shared, panelSections, css`
    :host {
      display: grid;
      gap: var(--zs-gap);
    }


    h2 {
      margin: 0 0 4px;
      font-size: 1rem;
    }

    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 16px;
    }

    label {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      font-size: 0.875rem;
      min-height: 36px;
    }

    input[type=checkbox] {
      width: 1.25rem;
      height: 1.25rem;
      accent-color: var(--zs-accent);
    }

    label.tags {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 8px;
      margin-top: 12px;
      font-weight: 600;
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

    input[type=text] {
      flex: 1 1 12rem;
      min-width: 0;
      min-height: 36px;
      font: inherit;
      padding: 4px 8px;
      border-radius: 8px;
      border: 1px solid var(--zs-border);
      background: var(--zs-surface);
      color: var(--zs-text);
    }

    fieldset input[type=text] {
      flex: none;
      width: 7rem;
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

    ul {
      margin: 8px 0 0;
      padding-left: 1.2rem;
      font-size: 0.875rem;
    }

    li {
      margin: 6px 0;
    }
  `]

  @property({ type: Boolean }) contributing = false
  @property({ type: Number }) slots = 1
  /** The tags the app advertises now. */
  @property({ attribute: false }) tags: string[] = []
  /** Asking prices in force, micro-units. */
  @property({ attribute: false }) prices: Prices = { perMegaFuel: 0, perSecond: 0, perMb: 0 }
  /** Witness rates in force, 0–1. */
  @property({ attribute: false }) witnessRates: WitnessRates = { established: 0, newcomer: 0 }
  /** The optional planner's endpoint and model, or null: only to say whether one is set. */
  @property({ attribute: false }) planner: PlannerView | null = null
  /** Whether the app publishes this tab's mesh figures (AppState.shareMetrics). */
  @property({ type: Boolean }) shareMetrics = false
  /** Tracing on or off and the OTLP/HTTP collector (AppState.tracing). */
  @property({ attribute: false }) tracing: TracingView = { enabled: true, otlpUrl: null }

  @state() private busy = false
  @state() private error = ''
  @state() private tagsDraft = ''
  @state() private tagsError = ''
  @state() private priceDrafts: Drafts<Prices> = priceDrafts(this.prices)
  @state() private priceError = ''
  @state() private rateDrafts: Drafts<WitnessRates> = rateDrafts(this.witnessRates)
  @state() private rateError = ''
  @state() private shareError = ''

  protected override willUpdate (changed: PropertyValues<this>): void {
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
  }

  override render () {
    return html`
      <section aria-labelledby="offer-h" data-testid="settings-offer">
        <h2 id="offer-h">What this tab offers when it contributes</h2>
        <p class="muted">Applied as you change them, and kept while contributing is off. ${this.contributing
          ? 'Contributing now: your Agent Card is signed again with them.'
          : html`Contributing is off (turn it on in <a href=${routeHref('home')}>Home</a>).`}</p>
        <label class="tags">
          Skill tags
          <input type="text" data-testid="skill-tags" placeholder="e.g. nlp, crypto" autocomplete="off" spellcheck="false"
            aria-invalid=${this.tagsError === '' ? 'false' : 'true'} aria-describedby="tags-error"
            .value=${live(this.tagsDraft)} ?disabled=${this.busy} @input=${this.#onTagsInput} @change=${this.#onTagsChange}>
        </label>
        ${this.tagsError === ''
          ? html`<p class="muted" id="tags-error">Up to 8 tags of a–z, 0–9 and "-", separated by commas or spaces; in your Agent Card, so submitters can find you.</p>`
          : html`<p class="error" id="tags-error" data-testid="skill-tags-error">${this.tagsError}</p>`}
        ${this.#prices()}
        ${this.#rates()}
        ${this.busy ? html`<p class="muted" role="status">Applying…</p>` : nothing}
        ${this.error === '' ? nothing : html`<p class="error" role="alert" data-testid="settings-error">${this.error}</p>`}
      </section>
      <section aria-labelledby="figures-h" data-testid="settings-figures">
        <h2 id="figures-h">Mesh figures</h2>
        <label title="Tasks run by status, fuel, run times, µ earned and spent; for the relays' operators (docs/metrics.md)">
          <input type="checkbox" data-testid="share-metrics" .checked=${live(this.shareMetrics)} @change=${this.#onShareMetrics}>
          Share my figures with the mesh (signed, every 30 s)
        </label>
        ${this.shareError === '' ? nothing : html`<p class="error" role="alert" data-testid="share-metrics-error">${this.shareError}</p>`}
      </section>
      <section aria-labelledby="tracing-h" data-testid="settings-tracing">
        <h2 id="tracing-h">Tracing</h2>
        <zs-tracing-settings .tracing=${this.tracing}></zs-tracing-settings>
      </section>
      <section aria-labelledby="elsewhere-h" data-testid="settings-elsewhere">
        <h2 id="elsewhere-h">Set beside what they configure</h2>
        <ul>
          <li><a href=${routeHref('home')}>Home</a>: contributing on or off, and how many worker slots.</li>
          <li><a href=${routeHref('workflows')}>Workflows</a> › Plan a workflow: the optional planner's endpoint, model and key
            (${this.planner === null ? 'none set' : html`set: <span class="mono">${this.planner.model}</span>`}).</li>
          <li><a href=${routeHref('agents')}>Agents</a> › Guilds › Your part: whether this tab signs guild invitations, and its bid per step as a lead.</li>
          <li><a href=${routeHref('ledger')}>Ledger</a> › Reputation: which peers this tab whitelists.</li>
        </ul>
      </section>
    `
  }

  #onShareMetrics (event: Event): void {
    const on = (event.target as HTMLInputElement).checked
    const request = new ShareMetricsRequestEvent(on)
    this.shareError = ''
    this.dispatchEvent(request)
    request.outcome.catch((err: unknown) => { this.shareError = `Could not ${on ? 'start' : 'stop'} sharing figures: ${err instanceof Error ? err.message : String(err)}` })
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
    if (settings === undefined) return
    const p = settings.prices
    const r = settings.witnessRates
    const same = p.perMegaFuel === this.prices.perMegaFuel && p.perSecond === this.prices.perSecond && p.perMb === this.prices.perMb &&
      r.established === this.witnessRates.established && r.newcomer === this.witnessRates.newcomer
    if (!same) void this.#request(this.tags, settings)
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
    if (!same) void this.#request(tags.value)
  }

  /** Applies tags (and prices and rates, when given) with contributing and slots as they are. */
  async #request (tags: string[], settings: ContributeSettings = {}): Promise<void> {
    const event = new ContributeRequestEvent(this.contributing, this.slots, tags, settings)
    this.dispatchEvent(event)
    this.busy = true
    this.error = ''
    try {
      await event.outcome
    } catch (err) {
      this.error = `Could not apply the settings: ${err instanceof Error ? err.message : String(err)}`
    } finally {
      this.busy = false
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-settings': ZsSettings
  }
}
