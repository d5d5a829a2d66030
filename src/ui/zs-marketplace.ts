import { LitElement, css, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import { listingTags, searchListings, type AgentListing } from '../app/index.ts'
import { AgentRunRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { fieldStyles } from './zs-submit.styles.ts'
import { formatBytes, formatCount, formatDuration } from './view-format.ts'
import './zs-peer-id.ts'

/** Fired when the user asks for a workflow step that runs an agent (`agent: name@version`). */
export class AgentUseEvent extends Event {
  static readonly type = 'zs-agent-use'
  constructor (readonly listing: AgentListing) {
    super(AgentUseEvent.type, { bubbles: true, composed: true })
  }
}

/**
 * The marketplace: every published agent this peer has verified, searched by
 * text (an HNSW index over the manifests' features) and filtered by tags;
 * each with its skills, licence, author, the record the mesh has seen of its
 * runs (runs, success rate, median time and fuel, disputes), and Run / Use in
 * a workflow.
 */
@customElement('zs-marketplace')
export class ZsMarketplace extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 12px; }
    .search { display: grid; grid-template-columns: 1fr; gap: 8px; }
    .tags { display: flex; flex-wrap: wrap; gap: 6px; }
    .tags button { font-size: 0.75rem; padding: 2px 10px; border-radius: 999px; }
    .tags button[aria-pressed='true'] { background: var(--zs-accent); color: var(--zs-accent-text); border-color: var(--zs-accent); }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 320px), 1fr)); gap: 10px; }
    article { border: 1px solid var(--zs-border); border-radius: var(--zs-radius); padding: 12px; display: flex; flex-direction: column; gap: 6px; background: var(--zs-surface); }
    header { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
    h3 { margin: 0; font-size: 1rem; }
    /* Long descriptions (a workload's arguments) are cut at four lines; the whole text is the title. */
    .description { margin: 0; font-size: 0.875rem; display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }
    .meta, .record { font-size: 0.75rem; color: var(--zs-muted); display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
    .record strong { color: var(--zs-text); font-weight: 600; }
    .skill-tags { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; }
    .actions { display: flex; gap: 8px; margin-top: auto; padding-top: 4px; }
    .disputed { color: var(--zs-bad); }
    .error { margin: 0; color: var(--zs-bad); font-size: 0.8125rem; }
  `]

  @property({ attribute: false }) agents: AgentListing[] = []
  @state() private query = ''
  @state() private tags: string[] = []
  /** Per agent (`author/name`): its Run in flight, or why it failed. */
  @state() private runs: Record<string, { busy: boolean, error?: string }> = {}

  override render () {
    const allTags = listingTags(this.agents)
    const shown = searchListings(this.agents, this.query, this.tags)
    return html`
      <div class="search">
        <input type="search" placeholder="Search agents: what should it do?" aria-label="Search agents" data-testid="agent-search"
          .value=${this.query} @input=${(e: Event) => { this.query = (e.target as HTMLInputElement).value }}>
        ${allTags.length === 0 ? nothing : html`<div class="tags" role="group" aria-label="Filter by tag">
          ${allTags.map(tag => html`<button type="button" aria-pressed=${this.tags.includes(tag) ? 'true' : 'false'} data-testid="agent-tag"
            @click=${() => { this.tags = this.tags.includes(tag) ? this.tags.filter(t => t !== tag) : [...this.tags, tag] }}>${tag}</button>`)}
        </div>`}
      </div>
      ${this.agents.length === 0
        ? html`<p class="empty">No agents published yet. Publish one from a terminal: <code>npx zerostate agent init NAME</code>, then <code>agent build</code>, <code>agent test</code>, <code>agent publish</code>.</p>`
        : shown.length === 0
          ? html`<p class="empty">No agent matches.</p>`
          : html`<div class="grid">${repeat(shown, listing => listing.id, listing => this.#card(listing))}</div>`}
    `
  }

  /** Asks the app to run the agent; the task's card shows the run, this card only a failure to start it (no peer serves the module…). */
  async #run (listing: AgentListing): Promise<void> {
    this.runs = { ...this.runs, [listing.id]: { busy: true } }
    const request = new AgentRunRequestEvent(listing.ref)
    this.dispatchEvent(request)
    try {
      await request.outcome
      this.runs = { ...this.runs, [listing.id]: { busy: false } }
    } catch (err) {
      this.runs = { ...this.runs, [listing.id]: { busy: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } }
    }
  }

  #card (listing: AgentListing) {
    const record = listing.record
    return html`
      <article data-testid="agent-card" data-agent=${listing.name} data-author=${listing.author}>
        <header>
          <h3>${listing.displayName}</h3>
          <span class="badge">v${listing.version}</span>
          ${listing.own ? html`<span class="badge ok">yours</span>` : nothing}
        </header>
        <p class="description" title=${listing.description}>${listing.description}</p>
        <div class="skill-tags">${listing.tags.map(tag => html`<span class="badge">${tag}</span>`)}</div>
        <div class="meta">
          <span>by <zs-peer-id peer-id=${listing.author}></zs-peer-id></span>
          <span>${listing.licence}</span>
          <span title=${listing.moduleHash}>${formatBytes(listing.moduleSize)}</span>
          ${listing.versions.length > 1 ? html`<span>versions ${listing.versions.join(', ')}</span>` : nothing}
        </div>
        <div class="record" data-testid="agent-record">
          ${record === null
            ? html`<span>No runs seen on the mesh yet</span>`
            : html`
              <span><strong>${record.runs}</strong> run${record.runs === 1 ? '' : 's'}</span>
              <span><strong>${Math.round(record.successRate * 100)} %</strong> succeeded</span>
              ${record.medianDurationMs === null ? nothing : html`<span>median <strong>${formatDuration(record.medianDurationMs)}</strong></span>`}
              ${record.medianFuel === null ? nothing : html`<span><strong>${formatCount(record.medianFuel)}</strong> fuel</span>`}
              <span class=${record.disputes > 0 ? 'disputed' : ''}><strong>${record.disputes}</strong> dispute${record.disputes === 1 ? '' : 's'}</span>
              <span>${record.executors} executor${record.executors === 1 ? '' : 's'}</span>`}
        </div>
        <div class="actions">
          <button type="button" class="primary" data-testid="agent-run" ?disabled=${this.runs[listing.id]?.busy === true}
            title=${listing.example === null ? 'Run it with empty input' : `Run it with its example "${listing.example.name}"`}
            @click=${() => { void this.#run(listing) }}>${this.runs[listing.id]?.busy === true ? 'Running…' : 'Run'}</button>
          <button type="button" data-testid="agent-use" @click=${() => this.dispatchEvent(new AgentUseEvent(listing))}>Use in a workflow</button>
        </div>
        ${this.runs[listing.id]?.error === undefined ? nothing : html`<p class="error" role="alert" data-testid="agent-run-error">${this.runs[listing.id]!.error}</p>`}
      </article>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-marketplace': ZsMarketplace
  }
  interface HTMLElementEventMap {
    'zs-agent-use': AgentUseEvent
  }
}
