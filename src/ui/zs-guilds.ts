import { LitElement, css, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { CardView, GuildView, SplitView } from '../app/index.ts'
import { ConfigureGuildsRequestEvent, FormGuildRequestEvent } from './events.ts'
import { shared } from './theme.ts'
import { fieldStyles } from './zs-submit.styles.ts'
import { formatExpiresIn, formatMicro } from './view-format.ts'
import { executorTail } from './workflow-format.ts'
import './zs-peer-id.ts'
import './zs-split-bar.ts'

/** How long a guild formed here is valid: the choices offered. */
const GUILD_TTLS: ReadonlyArray<{ label: string, ms: number }> = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '1 week', ms: 7 * 86_400_000 }
]

/** A role is a step's module or agent ref as a spec writes it: no white space (docs/guild.md §2). */
const ROLE = /^\S{1,128}$/u

/** A member being chosen in the form: included or not, its roles as typed. */
interface MemberDraft { include: boolean, roles: string }

/**
 * Guilds (docs/guild.md): what this tab does when invited and bids as a
 * lead; a form to found a guild with contributing peers it knows (each
 * must sign its invitation); the guilds it knows, its own first; and the
 * split records it recomputed, each as a bar of who was paid what.
 */
@customElement('zs-guilds')
export class ZsGuilds extends LitElement {
  static override styles = [shared, fieldStyles, css`
    :host { display: grid; gap: 16px; }
    h3 { margin: 0 0 6px; font-size: 0.875rem; }
    .policy { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: end; }
    .policy label.check { display: flex; gap: 6px; align-items: center; font-weight: 400; }
    .policy input[type=number] { max-width: 10rem; }
    table { width: 100%; border-collapse: collapse; font-size: 0.8125rem; }
    th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid var(--zs-border); vertical-align: middle; }
    th { color: var(--zs-muted); font-weight: 500; }
    td input[type=text] { width: 100%; min-width: 8rem; }
    .row { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; }
    .row label { flex: 1 1 12rem; }
    .guild { border: 1px solid var(--zs-border); border-radius: var(--zs-radius); padding: 8px 10px; display: grid; gap: 4px; }
    .guild header { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
    .guild ul { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 0.75rem; }
    .roles { font-family: var(--zs-mono); }
    .list { display: grid; gap: 8px; }
    .split header { display: flex; gap: 8px; flex-wrap: wrap; font-size: 0.75rem; }
    .mono { font-family: var(--zs-mono); }
    p.error { color: var(--zs-bad); margin: 0; font-size: 0.8125rem; }
    p.ok { color: var(--zs-ok); margin: 0; font-size: 0.8125rem; }
    @media (max-width: 600px) { th.agents, td.agents { display: none; } }
  `]

  @property({ attribute: false }) guilds: GuildView[] = []
  @property({ attribute: false }) splits: SplitView[] = []
  /** Contributing peers with Agent Cards: the members a guild can be formed with. */
  @property({ attribute: false }) cards: CardView[] = []
  @property({ attribute: false }) self = ''
  @property({ type: Boolean }) acceptInvites = false
  @property({ attribute: false }) stepPrice: number | null = null

  @state() private name = ''
  @state() private ttlMs = GUILD_TTLS[1]!.ms
  @state() private drafts: Record<string, MemberDraft> = {}
  @state() private priceText: string | undefined
  @state() private forming = false
  @state() private formError = ''
  @state() private formed = ''
  @state() private policyError = ''

  override render () {
    return html`
      ${this.#policy()}
      ${this.#form()}
      <div>
        <h3>Guilds this tab knows <span class="muted">${this.guilds.length}</span></h3>
        ${this.guilds.length === 0
          ? html`<p class="muted">None yet. A guild is announced on the mesh once every member has signed it.</p>`
          : html`<div class="list">${repeat(this.guilds, guild => guild.guildId, guild => this.#guild(guild))}</div>`}
      </div>
      <div>
        <h3>Splits <span class="muted">${this.splits.length}</span></h3>
        ${this.splits.length === 0
          ? html`<p class="muted">When a guild's run completes, the submitter signs how its price is split by Shapley value; every tab recomputes it before passing it on.</p>`
          : html`<div class="list">${repeat(this.splits, split => `${split.runId}/${split.at}`, split => this.#split(split))}</div>`}
      </div>`
  }

  #policy () {
    const price = this.priceText ?? (this.stepPrice === null ? '' : String(this.stepPrice))
    return html`<div>
      <h3>Your part</h3>
      <div class="policy">
        <label class="check"><input type="checkbox" data-testid="guild-accept-invites" .checked=${this.acceptInvites}
          @change=${(e: Event) => { void this.#configure((e.target as HTMLInputElement).checked, this.stepPrice) }}>
          Sign the guild invitations other peers send me</label>
        <label>Bid per step when I lead a guild (µ)
          <input type="number" min="0" step="1" inputmode="numeric" placeholder="no bids" data-testid="guild-step-price" .value=${price}
            @input=${(e: Event) => { this.priceText = (e.target as HTMLInputElement).value }}
            @change=${() => { void this.#savePrice() }}></label>
      </div>
      ${this.policyError === '' ? nothing : html`<p class="error" role="alert">${this.policyError}</p>`}
    </div>`
  }

  async #savePrice (): Promise<void> {
    const text = (this.priceText ?? '').trim()
    if (text === '') return this.#configure(this.acceptInvites, null)
    const price = Number(text)
    if (!Number.isSafeInteger(price) || price < 0) {
      this.policyError = 'The price per step is a whole number of µ, 0 or more (or empty: no bids).'
      return
    }
    return this.#configure(this.acceptInvites, price)
  }

  async #configure (acceptInvites: boolean, stepPrice: number | null): Promise<void> {
    this.policyError = ''
    const request = new ConfigureGuildsRequestEvent(acceptInvites, stepPrice)
    this.dispatchEvent(request)
    await request.outcome.then(() => { this.priceText = undefined }, (err: unknown) => { this.policyError = err instanceof Error ? err.message : String(err) })
  }

  /** This tab and the contributing peers it has cards of, each with a roles box. */
  #form () {
    const candidates = [this.self, ...this.cards.map(card => card.peerId).filter(peerId => peerId !== this.self)]
    const nameOf = new Map(this.cards.map(card => [card.peerId, card.name]))
    return html`<form @submit=${this.#onForm} novalidate data-testid="guild-form">
      <h3>Found a guild</h3>
      <p class="muted">Pick the members and the roles each fills — a step's module or agent as a spec names it (<code>text-stats</code>, <code>lang-detect@^1</code>). Each member is asked to sign; the guild exists once all have.</p>
      <table>
        <thead><tr><th>Member</th><th>Peer</th><th>Roles (separated by spaces or commas)</th></tr></thead>
        <tbody>${candidates.map(peerId => {
          const draft = this.drafts[peerId] ?? { include: peerId === this.self, roles: '' }
          return html`<tr data-testid="guild-candidate" data-peer-id=${peerId}>
            <td><input type="checkbox" aria-label="Include ${peerId === this.self ? 'this tab' : peerId}" .checked=${draft.include} ?disabled=${peerId === this.self}
              @change=${(e: Event) => { this.#draft(peerId, { ...draft, include: (e.target as HTMLInputElement).checked }) }}></td>
            <td>${peerId === this.self ? html`<strong>this tab</strong>` : html`${nameOf.get(peerId) ?? ''} <span class="mono muted" title=${peerId}>${executorTail(peerId)}</span>`}</td>
            <td><input type="text" spellcheck="false" data-testid="guild-roles" .value=${draft.roles} placeholder="e.g. text-stats"
              @input=${(e: Event) => { this.#draft(peerId, { include: draft.include || peerId === this.self || (e.target as HTMLInputElement).value.trim() !== '', roles: (e.target as HTMLInputElement).value }) }}></td>
          </tr>`
        })}</tbody>
      </table>
      ${candidates.length === 1 ? html`<p class="muted">No contributing peer is known yet: a guild needs at least one other member.</p>` : nothing}
      <div class="row">
        <label>Name <input type="text" data-testid="guild-name" maxlength="128" .value=${this.name} @input=${(e: Event) => { this.name = (e.target as HTMLInputElement).value }}></label>
        <label>Valid for <select data-testid="guild-ttl" @change=${(e: Event) => { this.ttlMs = Number((e.target as HTMLSelectElement).value) }}>
          ${GUILD_TTLS.map(ttl => html`<option value=${ttl.ms} ?selected=${ttl.ms === this.ttlMs}>${ttl.label}</option>`)}
        </select></label>
        <button class="primary" type="submit" data-testid="form-guild" ?disabled=${this.forming}>${this.forming ? 'Waiting for signatures…' : 'Found the guild'}</button>
      </div>
      ${this.formError === '' ? nothing : html`<p class="error" role="alert" data-testid="guild-form-error">${this.formError}</p>`}
      ${this.formed === '' ? nothing : html`<p class="ok" data-testid="guild-formed">✓ ${this.formed}</p>`}
    </form>`
  }

  #draft (peerId: string, draft: MemberDraft): void {
    this.drafts = { ...this.drafts, [peerId]: draft }
  }

  async #onForm (event: Event): Promise<void> {
    event.preventDefault()
    this.formError = ''
    this.formed = ''
    const name = this.name.trim()
    if (name === '') {
      this.formError = 'Give the guild a name.'
      return
    }
    const members = [this.self, ...Object.keys(this.drafts).filter(peerId => peerId !== this.self)]
      .map(peerId => ({ peerId, draft: this.drafts[peerId] ?? { include: true, roles: '' } }))
      .filter(({ peerId, draft }) => peerId === this.self || draft.include)
      .map(({ peerId, draft }) => ({ peerId, agents: [] as string[], roles: [...new Set(draft.roles.split(/[\s,]+/u).filter(role => role !== ''))] }))
    if (members.length < 2) {
      this.formError = 'Pick at least one other member.'
      return
    }
    const roleless = members.find(member => member.roles.length === 0)
    if (roleless !== undefined) {
      this.formError = `Give ${roleless.peerId === this.self ? 'this tab' : executorTail(roleless.peerId)} at least one role.`
      return
    }
    const bad = members.flatMap(member => member.roles).find(role => !ROLE.test(role))
    if (bad !== undefined) {
      this.formError = `"${bad.slice(0, 40)}" is not a role: 1 to 128 characters without white space.`
      return
    }
    // An id the mesh can tell apart from other guilds of the same name.
    const guildId = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'guild'}-${crypto.randomUUID().slice(0, 8)}`
    const request = new FormGuildRequestEvent({ guildId, name, members, ttlMs: this.ttlMs })
    this.forming = true
    this.dispatchEvent(request)
    await request.outcome.then(
      () => {
        this.formed = `${name}: every member signed; it is announced on the mesh.`
        this.name = ''
        this.drafts = {}
      },
      (err: unknown) => { this.formError = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err) }
    ).finally(() => { this.forming = false })
  }

  #guild (guild: GuildView) {
    return html`<article class="guild" data-testid="guild" data-guild-id=${guild.guildId}>
      <header>
        <strong>${guild.name}</strong>
        ${guild.own ? html`<span class="badge accent">yours</span>` : nothing}
        ${guild.expired ? html`<span class="badge bad">expired</span>` : html`<span class="muted">expires ${formatExpiresIn(guild.expiresAt, Date.now())}</span>`}
        <span class="mono muted">${guild.guildId}</span>
      </header>
      <ul>${guild.members.map(member => html`<li data-testid="guild-member" data-peer-id=${member.peerId}>
        <span class="mono" title=${member.peerId}>${member.peerId === this.self ? 'you' : executorTail(member.peerId)}</span>
        <span class="roles">${member.roles.join(', ')}</span>
      </li>`)}</ul>
    </article>`
  }

  #split (split: SplitView) {
    return html`<article class="split" data-testid="split" data-run-id=${split.runId}>
      <header>
        <span class="mono">${split.runId}</span>
        <span>${formatMicro(split.total)} of ${formatMicro(split.budget)}</span>
        <span class="muted">${split.method === 'exact' ? 'exact' : 'sampled'} · signed by ${split.signer === this.self ? 'you' : executorTail(split.signer)} · recomputed here ✓</span>
      </header>
      <zs-split-bar .split=${split} .self=${this.self}></zs-split-bar>
    </article>`
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-guilds': ZsGuilds
  }
}
