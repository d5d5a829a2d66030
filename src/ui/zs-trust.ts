import { LitElement, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { AttestationRecord, Report, ReputationView } from '../app/index.ts'
import { WhitelistRequestEvent } from './events.ts'
import { OUTCOME_CHIPS, RESOLUTION_LABELS, recentOutcomes } from './ledger-view.ts'
import { shared, tableStyles } from './theme.ts'
import { abbreviate } from './view-format.ts'
import { ledgerStyles, reportStyles, trustStyles } from './zs-ledger.styles.ts'
import './zs-peer-id.ts'

function when (epochMs: number) {
  const date = new Date(epochMs)
  return html`<time datetime=${date.toISOString()}>${date.toLocaleString()}</time>`
}

function outcomeChip (outcome: Report['outcome'], at?: number) {
  const chip = OUTCOME_CHIPS[outcome]
  const title = at === undefined ? chip.description : `${chip.description} (${new Date(at).toLocaleString()})`
  return html`<span class="badge chip ${chip.tone}" data-testid="outcome-chip" data-outcome=${outcome} title=${title}>${chip.text}</span>`
}

/**
 * What this tab knows of other peers' work: its reputation book (own score,
 * the network's weighed reports, black- and whitelist, recent outcomes), the
 * witness attestations it received or signed, and the reports it heard.
 * Part of the ledger view. Fires `zs-whitelist` when the user trusts a peer
 * (Trust) or stops trusting it (Untrust).
 */
@customElement('zs-trust')
export class ZsTrust extends LitElement {
  static override styles = [shared, tableStyles, ledgerStyles, trustStyles, reportStyles]

  @property({ attribute: false }) reputation: ReputationView[] = []
  @property({ attribute: false }) attestations: AttestationRecord[] = []
  @property({ attribute: false }) reports: Report[] = []

  /** Why whitelisting (or un-whitelisting) a peer failed, by peer id. */
  @state() private whitelistErrors: ReadonlyMap<string, string> = new Map()

  override render () {
    return html`
      <h3 id="reputation-h">Reputation <span class="count">${this.reputation.length} peer${this.reputation.length === 1 ? '' : 's'}</span></h3>
      <div class="scroll">${this.#reputation()}</div>
      <h3 id="attestations-h">Attestations <span class="count">${this.attestations.length}</span></h3>
      <div class="scroll">${this.#attestations()}</div>
      <h3 id="reports-h">Reports heard <span class="count">${this.reports.length}</span></h3>
      <div class="scroll">${this.#reports()}</div>
    `
  }

  #reputation () {
    if (this.reputation.length === 0) return html`<p class="empty">No peers rated yet — scores start once peers run tasks for you or are reported on.</p>`
    return html`
      <table aria-labelledby="reputation-h">
        <thead>
          <tr>
            <th scope="col">Peer</th><th scope="col">Your score</th><th scope="col">Network</th>
            <th scope="col">Lists</th><th scope="col">Recent outcomes (newest first)</th>
            <th scope="col"><span class="muted">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(this.reputation, (r) => r.peerId, (r) => html`
            <tr data-testid="reputation-row" data-peer-id=${r.peerId}>
              <td><zs-peer-id peer-id=${r.peerId}></zs-peer-id></td>
              <td data-label="Your score"><span class="score" title="This tab's own score, 0–1 (0.5 when unknown)">
                <meter min="0" max="1" low="0.3" high="0.7" optimum="1" .value=${r.score}></meter>
                <span data-testid="reputation-score">${r.score.toFixed(2)}</span></span></td>
              <td data-label="Network" class="num" title="Reports heard about the peer, weighed by their reporters' reputation">${r.network === undefined
                ? html`<span class="muted">–</span>`
                : r.network.toFixed(2)}</td>
              <td data-label="Lists">${!r.blacklisted && !r.whitelisted ? html`<span class="muted">–</span>` : html`<span class="badges">
                ${r.blacklisted ? html`<span class="badge bad" data-testid="blacklisted" title="Not chosen as an executor until the blacklisting expires">blacklisted</span>` : nothing}
                ${r.whitelisted ? html`<span class="badge ok" data-testid="whitelisted" title="Trusted by this tab whatever its score">whitelisted</span>` : nothing}
              </span>`}</td>
              <td data-label="Outcomes">${r.history.length === 0
                ? html`<span class="muted">none observed</span>`
                : html`<span class="badges">${recentOutcomes(r.history).map((o) => outcomeChip(o.outcome, o.at))}</span>`}</td>
              <td>${this.#whitelistButton(r)}</td>
            </tr>`)}
        </tbody>
      </table>
    `
  }

  #whitelistButton (r: ReputationView) {
    const on = !r.whitelisted
    const error = this.whitelistErrors.get(r.peerId)
    return html`
      <button type="button" data-testid="whitelist-peer"
        title=${on
          ? 'Trust this peer whatever its score: it is never blacklisted, and a blacklisting now in force is lifted'
          : 'Stop trusting this peer unconditionally: its score and reports decide again'}
        aria-label=${`${on ? 'Trust' : 'Untrust'} peer ${r.peerId}`}
        @click=${() => { void this.#whitelist(r.peerId, on) }}>${on ? 'Trust' : 'Untrust'}</button>
      ${error === undefined ? nothing : html`<p class="error" role="alert" data-testid="whitelist-error">${error}</p>`}
    `
  }

  async #whitelist (peerId: string, on: boolean): Promise<void> {
    const event = new WhitelistRequestEvent(peerId, on)
    this.dispatchEvent(event)
    const errors = new Map(this.whitelistErrors)
    errors.delete(peerId)
    this.whitelistErrors = errors
    try {
      await event.outcome
    } catch (err) {
      const action = on ? 'trust' : 'stop trusting'
      this.whitelistErrors = new Map([...this.whitelistErrors, [peerId, `Could not ${action} the peer: ${err instanceof Error ? err.message : String(err)}`]])
    }
  }

  #attestations () {
    if (this.attestations.length === 0) {
      return html`<p class="empty">No attestations yet — witnesses re-run published tasks and sign whether they agree.</p>`
    }
    return html`
      <table aria-labelledby="attestations-h">
        <thead>
          <tr>
            <th scope="col">When</th><th scope="col">Task</th><th scope="col">Executor</th><th scope="col">Witness</th>
            <th scope="col">Verdict</th><th scope="col">Resolution</th>
          </tr>
        </thead>
        <tbody>
          ${repeat(this.attestations, (a) => `${a.attestation.receiptHash}/${a.attestation.witness}`, ({ attestation: a, receivedAt, resolution }) => html`
            <tr data-testid="attestation-row" data-verdict=${a.verdict}>
              <td data-label="When">${when(receivedAt)}</td>
              <td data-label="Task" class="mono" title=${a.taskId}>${abbreviate(a.taskId, 10, 4)}</td>
              <td data-label="Executor"><zs-peer-id peer-id=${a.executor}></zs-peer-id></td>
              <td data-label="Witness"><zs-peer-id peer-id=${a.witness}></zs-peer-id></td>
              <td data-label="Verdict"><span class="badge ${a.verdict === 'agree' ? 'ok' : 'bad'}"
                title=${a.verdict === 'agree' ? 'The witness re-ran the task and got the same result' : 'The witness re-ran the task and got a different result'}>${a.verdict}</span></td>
              <td data-label="Resolution">${resolution === undefined
                ? html`<span class="muted">${a.verdict === 'disagree' ? 'open' : '–'}</span>`
                : html`<span class="badge ${resolution === 'executor-wrong' ? 'bad' : 'warn'}" data-testid="attestation-resolution">${RESOLUTION_LABELS[resolution]}</span>`}</td>
            </tr>`)}
        </tbody>
      </table>
    `
  }

  #reports () {
    if (this.reports.length === 0) return html`<p class="empty">No reports heard yet — peers publish signed reports on the executors they used.</p>`
    return html`
      <ul class="reports" aria-labelledby="reports-h">
        ${repeat(this.reports, (r) => r.signature, (r) => html`
          <li data-testid="report-row" data-outcome=${r.outcome}>
            <zs-peer-id peer-id=${r.reporter}></zs-peer-id><span class="arrow" aria-label="reports on">→</span><zs-peer-id peer-id=${r.subject}></zs-peer-id>
            ${outcomeChip(r.outcome)}
            <span class="muted mono" title=${`Task ${r.taskId}`}>${abbreviate(r.taskId, 10, 4)}</span>
            <span class="muted">${when(r.at)}</span>
          </li>`)}
      </ul>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-trust': ZsTrust
  }
}
