import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { AppState } from '../app/index.ts'
import { DEFAULT_SECTION, parseRoute, routeHref, sectionOf, type SectionId } from './routes.ts'
import { panelSections, shared, tokens } from './theme.ts'
import { PHONE_NAV_MAX_WIDTH } from './zs-nav.ts'
import './zs-home.ts'
import './zs-settings.ts'
import './zs-history.ts'
import './zs-ledger.ts'
import './zs-network.ts'
import './zs-metrics.ts'
import './zs-peer-id.ts'
import './zs-peers.ts'
import './zs-submit.ts'
import './zs-task-card.ts'
import './zs-job-card.ts'
import './zs-workflows.ts'
import './zs-marketplace.ts'
import './zs-guilds.ts'
import './zs-nav.ts'
import type { AgentUseEvent } from './zs-marketplace.ts'

const STATUS_LABELS: Readonly<Record<AppState['status'], string>> = {
  starting: 'Starting',
  connecting: 'Connecting',
  online: 'Online',
  offline: 'Offline'
}

/**
 * The whole page for one peer: a header, the section nav and one section at a
 * time (routes.ts: `#/home`, `#/submit`, … — back, forward and reload keep
 * it). Every section stays rendered, the others `hidden`, so a half-typed
 * form or workflow spec survives a look at another section. Receives `state`
 * (replaced, never mutated, on every change); the requests its children fire
 * bubble out of it to `mountUi`.
 */
@customElement('zs-app')
export class ZsApp extends LitElement {
  static override styles = [tokens, shared, panelSections, css`
    :host {
      display: block;
      min-height: 100vh;
      background: var(--zs-bg);
      line-height: 1.45;
    }

    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 20px;
      padding: 12px 24px;
      background: var(--zs-surface);
      border-bottom: 1px solid var(--zs-border);
    }

    h1 {
      margin: 0;
      font-size: 1.25rem;
      letter-spacing: -0.01em;
      display: flex;
      align-items: center;
      gap: 8px;
    }

    h1 img {
      width: 28px;
      height: 28px;
      border-radius: 6px;
    }

    .identity {
      display: flex;
      align-items: center;
      gap: 6px;
      font-size: 0.875rem;
    }

    .status {
      margin-left: auto;
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 0.875rem;
      min-width: 0;
    }

    .dot {
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: var(--zs-warn);
      flex: none;
    }

    .dot.online {
      background: var(--zs-ok);
    }

    .dot.offline {
      background: var(--zs-bad);
    }

    .detail {
      overflow-wrap: anywhere;
    }

    .notice {
      display: flex;
      align-items: center;
      gap: 12px;
      /* Lines up with the shell below: 24px gutters, at most 1232px wide. */
      margin: var(--zs-gap) max(24px, (100% - 1232px) / 2) 0;
      padding: 8px 8px 8px 14px;
      background: var(--zs-accent-soft);
      color: var(--zs-text);
      border: 1px solid var(--zs-accent);
      border-radius: var(--zs-radius);
      font-size: 0.875rem;
    }

    .notice span {
      flex: 1;
      overflow-wrap: anywhere;
    }

    .notice button {
      padding: 3px 10px;
      font-size: 0.8125rem;
    }

    [hidden] {
      display: none !important;
    }

    /* The nav beside the current section; below PHONE_NAV_MAX_WIDTH, zs-nav is a bottom bar instead. */
    .shell {
      display: grid;
      grid-template-columns: 190px minmax(0, 1fr);
      gap: var(--zs-gap);
      padding: var(--zs-gap) 24px 48px;
      max-width: 1280px;
      margin: 0 auto;
    }

    .page {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: var(--zs-gap);
      align-content: start;
      min-width: 0;
    }

    .page:focus {
      outline: none;
    }

    @media (min-width: 1100px) {
      .page.submit-page {
        grid-template-columns: minmax(0, 5fr) minmax(0, 7fr);
        align-items: start;
      }
    }

    @media (max-width: ${PHONE_NAV_MAX_WIDTH}px) {
      .shell {
        display: block;
        /* Room for the bottom tab bar. */
        padding: 12px 12px calc(88px + env(safe-area-inset-bottom, 0px));
      }

      .page {
        gap: 12px;
      }

      header {
        padding: 10px 12px;
        gap: 4px 12px;
      }

      h1 {
        font-size: 1.125rem;
      }

      .notice {
        margin: 12px 12px 0;
      }

      .status {
        margin-left: 0;
      }
    }


    section.tasks {
      background: transparent;
      border: none;
      box-shadow: none;
      padding: 0;
    }

    h2 {
      margin: 0 0 12px;
      font-size: 1rem;
      display: flex;
      align-items: center;
      gap: 8px;
    }

    .count {
      font-size: 0.75rem;
      font-weight: 600;
      color: var(--zs-muted);
    }

    /* minmax(0, 1fr): a card's widest unbreakable content (a trace id, a table) must not widen the column past a phone's screen. */
    .task-list {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 12px;
    }

    .task-list + .task-list {
      margin-top: 12px;
    }

    .tasks .empty {
      background: var(--zs-surface);
      border: 1px dashed var(--zs-border);
      border-radius: var(--zs-radius);
      padding: 24px 16px;
      text-align: center;
    }
  `]

  @property({ attribute: false }) state: AppState | undefined

  /** The notice the user closed; a different notice shows again. */
  @state() private dismissedNotice: string | undefined

  /** The section on screen: the URL's fragment, read again on every `hashchange` (back, forward, a link). */
  @state() private section: SectionId = parseRoute(globalThis.location?.hash ?? '')

  readonly #onHashChange = (): void => {
    this.section = parseRoute(location.hash)
  }

  override connectedCallback (): void {
    super.connectedCallback()
    window.addEventListener('hashchange', this.#onHashChange)
    this.#onHashChange()
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    window.removeEventListener('hashchange', this.#onHashChange)
  }

  // Untyped: `section` is private, which PropertyValues<this> cannot name.
  protected override updated (changed: PropertyValues): void {
    if (!changed.has('section')) return
    document.title = this.section === DEFAULT_SECTION ? 'ZeroState' : `${sectionOf(this.section).label} · ZeroState`
    // A new section starts at its top, and focus goes to it so a screen reader reads it (not on the first render).
    if (changed.get('section') === undefined) return
    window.scrollTo({ top: 0 })
    this.renderRoot.querySelector<HTMLElement>(`.page[data-section="${this.section}"]`)?.focus({ preventScroll: true })
  }

  /** "Use in a workflow": the Workflows editor gets a spec with a step that runs the agent, and comes into view. */
  readonly #useAgent = (event: AgentUseEvent): void => {
    const workflows = this.renderRoot.querySelector('zs-workflows')
    if (workflows === null) return
    workflows.useAgent(event.listing.name, event.listing.ref)
    location.hash = routeHref('workflows')
  }

  /** One section's page: rendered always, shown only when current. */
  #page (id: SectionId, content: unknown, className = '') {
    return html`<div class="page ${className}" data-section=${id} data-testid="page-${id}" tabindex="-1"
      aria-label=${sectionOf(id).label} ?hidden=${this.section !== id}>${content}</div>`
  }

  override render () {
    const s = this.state
    if (s === undefined) return html`<header><h1>ZeroState</h1><span class="muted">Loading…</span></header>`
    return html`
      <header>
        <h1><img src="/icons/icon-192.png" alt="">ZeroState</h1>
        <div class="identity">
          <span class="muted">This peer</span>
          <zs-peer-id peer-id=${s.peerId} copyable data-testid="own-peer-id"></zs-peer-id>
        </div>
        <div class="status" role="status" data-testid="status" data-status=${s.status}>
          <span class="dot ${s.status}"></span>
          <strong>${STATUS_LABELS[s.status]}</strong>
          ${s.statusDetail === undefined ? nothing : html`<span class="muted detail" data-testid="status-detail">${s.statusDetail}</span>`}
        </div>
      </header>
      ${s.notice === undefined || s.notice === this.dismissedNotice ? nothing : html`
        <div class="notice" role="status" data-testid="notice">
          <span>${s.notice}</span>
          <button type="button" aria-label="Dismiss notice" data-testid="dismiss-notice"
            @click=${() => { this.dismissedNotice = s.notice }}>Dismiss</button>
        </div>`}
      <div class="shell">
        <zs-nav .current=${this.section}></zs-nav>
        <div class="content">
          ${this.#page('home', html`<zs-home .state=${s}></zs-home>`)}
          ${this.#page('submit', html`
            <section class="submit" aria-labelledby="submit-h">
              <h2 id="submit-h">Submit a task</h2>
              <zs-submit .samples=${s.samples}></zs-submit>
            </section>
            <section class="tasks" aria-labelledby="tasks-h">
              <h2 id="tasks-h">Tasks <span class="count">this session · ${s.tasks.length}${s.jobs.length === 0 ? '' : ` · ${s.jobs.length} job${s.jobs.length === 1 ? '' : 's'}`}</span></h2>
              ${s.jobs.length === 0 ? nothing : html`<div class="task-list">${repeat(s.jobs, (j) => j.jobId, (j) => html`<zs-job-card .job=${j}></zs-job-card>`)}</div>`}
              ${s.tasks.length === 0 && s.jobs.length === 0
                ? html`<p class="empty">Tasks you submit appear here with their progress, output and signed receipt.</p>`
                : html`<div class="task-list">${repeat(s.tasks, (t) => t.taskId, (t) => html`<zs-task-card .task=${t}></zs-task-card>`)}</div>`}
            </section>`, 'submit-page')}
          ${this.#page('workflows', html`
            <section class="workflows" aria-labelledby="workflows-h">
              <h2 id="workflows-h">Workflows <span class="count">${s.workflows.length} run${s.workflows.length === 1 ? '' : 's'}</span></h2>
              <zs-workflows .runs=${s.workflows} .self=${s.peerId} .planner=${s.planner}></zs-workflows>
            </section>`)}
          ${this.#page('agents', html`
            <section class="agents" aria-labelledby="agents-h">
              <h2 id="agents-h">Agents <span class="count">${s.agents.length} published</span></h2>
              <zs-marketplace .agents=${s.agents} @zs-agent-use=${this.#useAgent}></zs-marketplace>
            </section>
            <section class="guilds" aria-labelledby="guilds-h">
              <h2 id="guilds-h">Guilds <span class="count">${s.guilds.length} known</span></h2>
              <zs-guilds .guilds=${s.guilds} .splits=${s.splits} .cards=${s.cards} .self=${s.peerId} ?acceptInvites=${s.guildInvites} .stepPrice=${s.guildStepPrice}></zs-guilds>
            </section>`)}
          ${this.#page('network', html`
            <section class="peers" aria-labelledby="peers-h">
              <h2 id="peers-h">Peers <span class="count">${s.peers.length}</span></h2>
              <zs-peers .peers=${s.peers}></zs-peers>
            </section>
            <section class="network" aria-labelledby="network-h">
              <h2 id="network-h">Network <span class="count">${s.cards.length} card${s.cards.length === 1 ? '' : 's'}</span></h2>
              <zs-network .cards=${s.cards} .routing=${s.routing} .stats=${s.stats}></zs-network>
            </section>`)}
          ${this.#page('ledger', html`
            <section class="ledger" aria-labelledby="ledger-h">
              <h2 id="ledger-h">Ledger <span class="count">${s.ledger.channels.length} channel${s.ledger.channels.length === 1 ? '' : 's'} · ${s.ledger.payments.length} payment${s.ledger.payments.length === 1 ? '' : 's'}</span></h2>
              <zs-ledger .ledger=${s.ledger}></zs-ledger>
            </section>
            <section class="history" aria-labelledby="history-h">
              <h2 id="history-h">Receipt history <span class="count">${s.history.length}</span></h2>
              <zs-history .history=${s.history}></zs-history>
            </section>`)}
          ${this.#page('metrics', html`
            <section class="metrics" aria-labelledby="metrics-h">
              <h2 id="metrics-h">Metrics <span class="count">this tab · live</span></h2>
              <zs-metrics .view=${s.metrics}></zs-metrics>
            </section>`)}
          ${this.#page('settings', html`
            <zs-settings ?contributing=${s.contributing} .slots=${s.slots} .tags=${s.tags} .prices=${s.prices}
              .witnessRates=${s.witnessRates} .planner=${s.planner} ?shareMetrics=${s.shareMetrics === true} .tracing=${s.tracing}></zs-settings>`)}
        </div>
      </div>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-app': ZsApp
  }
}
