import { LitElement, html, nothing } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { ChannelRecord, LedgerView, PaymentRecord, Receipt, Settlement } from '../app/index.ts'
import { CloseChannelRequestEvent } from './events.ts'
import { CHANNEL_STATUS_TONES, MAX_PAYMENTS_SHOWN, canClose, channelSides, ledgerTotals } from './ledger-view.ts'
import { shared, tableStyles } from './theme.ts'
import { abbreviate, formatCount, formatMicro, formatMicroUnits, formatUnits, runStatus } from './view-format.ts'
import { ledgerStyles, summaryStyles } from './zs-ledger.styles.ts'
import './zs-peer-id.ts'
import './zs-receipt.ts'
import './zs-trust.ts'

const EMPTY_LEDGER: LedgerView = { channels: [], payments: [], settlements: [], attestations: [], reports: [], reputation: [] }

/** `ch-3f9a…b21c`: channel ids are up to 64 characters. */
function shortChannelId (channelId: string): string {
  return abbreviate(channelId, 8, 4)
}

function when (epochMs: number) {
  const date = new Date(epochMs)
  return html`<time datetime=${date.toISOString()}>${date.toLocaleString()}</time>`
}

/** A short µ figure with the reading in units on hover. */
function amount (micro: number) {
  return html`<span title=${formatMicroUnits(micro)}>${formatMicro(micro)}</span>`
}

/**
 * The money side of this tab: balances, payment channels (with a Close button
 * for the ones it pays into), the payments and refunds on them with the
 * receipts they pay for, and settlements; then `<zs-trust>` for reputation,
 * attestations and reports. Fires `zs-close-channel` (and, from
 * `<zs-trust>`, `zs-whitelist`).
 */
@customElement('zs-ledger')
export class ZsLedger extends LitElement {
  static override styles = [shared, tableStyles, ledgerStyles, summaryStyles]

  @property({ attribute: false }) ledger: LedgerView = EMPTY_LEDGER

  /** Channels whose close was asked for and has not answered yet. */
  @state() private closing: ReadonlySet<string> = new Set()
  /** Why closing a channel failed, by channel id. */
  @state() private closeErrors: ReadonlyMap<string, string> = new Map()
  /** Payments whose receipt is unfolded, by `channelId/sequence`: only those render a `<zs-receipt>`. */
  @state() private openReceipts: ReadonlySet<string> = new Set()

  override render () {
    const l = this.ledger
    return html`
      ${this.#summary(l)}
      <h3 id="channels-h">Channels <span class="count">${l.channels.length}</span></h3>
      <div class="scroll">${this.#channels(l.channels)}</div>
      <h3 id="payments-h">Payments <span class="count">${l.payments.length > MAX_PAYMENTS_SHOWN
        ? `newest ${MAX_PAYMENTS_SHOWN} of ${formatCount(l.payments.length)}`
        : l.payments.length}</span></h3>
      <div class="scroll">${this.#payments(l.payments.slice(0, MAX_PAYMENTS_SHOWN))}</div>
      <h3 id="settlements-h">Settlements <span class="count">${l.settlements.length}</span></h3>
      <div class="scroll">${this.#settlements(l.settlements)}</div>
      <zs-trust .reputation=${l.reputation} .attestations=${l.attestations} .reports=${l.reports}></zs-trust>
    `
  }

  #summary (l: LedgerView) {
    const t = ledgerTotals(l.payments, l.channels)
    const tile = (label: string, micro: number, testid: string) => html`
      <div><dt>${label}</dt><dd data-testid=${testid}>${formatMicro(micro)}<small>${formatUnits(micro)}</small></dd></div>`
    return html`
      <dl class="summary" data-testid="ledger-summary">
        ${tile('Paid out', t.paidOut, 'ledger-paid-out')}
        ${tile('Earned', t.earned, 'ledger-earned')}
        ${tile('Refunded to you', t.refundedToMe, 'ledger-refunded-in')}
        ${tile('Refunded by you', t.refundedByMe, 'ledger-refunded-out')}
        <div><dt>Open channels</dt><dd data-testid="ledger-open-channels">${t.openChannels}<small>of ${l.channels.length}</small></dd></div>
      </dl>
    `
  }

  #channels (channels: ChannelRecord[]) {
    if (channels.length === 0) return html`<p class="empty">No channels yet — channels open when you pay for a task.</p>`
    return html`
      <table aria-labelledby="channels-h">
        <thead>
          <tr>
            <th scope="col">Channel</th><th scope="col">Peer</th><th scope="col">You are</th><th scope="col">Deposit</th>
            <th scope="col">Your balance</th><th scope="col">Their balance</th><th scope="col">Seq.</th>
            <th scope="col">Status</th><th scope="col"><span class="muted">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(channels, (c) => c.channelId, (c) => this.#channel(c))}
        </tbody>
      </table>
    `
  }

  #channel (c: ChannelRecord) {
    const sides = channelSides(c)
    const busy = this.closing.has(c.channelId)
    const error = this.closeErrors.get(c.channelId)
    return html`
      <tr data-testid="channel-row" data-channel-id=${c.channelId} data-status=${c.status}>
        <td class="mono" title=${c.channelId}>${shortChannelId(c.channelId)}</td>
        <td data-label="Peer"><zs-peer-id peer-id=${c.peer}></zs-peer-id></td>
        <td data-label="You are"><span class="badge ${sides.role === 'payer' ? 'accent' : 'ok'}"
          title=${sides.role === 'payer' ? 'Side a: you deposited and pay for tasks' : 'Side b: you are paid for tasks you run'}>${sides.role}</span></td>
        <td data-label="Deposit" class="num">${amount(sides.deposit)}</td>
        <td data-label="Your balance" class="num" data-testid="channel-mine">${amount(sides.mine)}</td>
        <td data-label="Their balance" class="num">${amount(sides.theirs)}</td>
        <td data-label="Sequence" class="num">${sides.sequence}</td>
        <td data-label="Status">
          <span class="badge ${CHANNEL_STATUS_TONES[c.status]}" data-testid="channel-status">${c.status}</span>
          ${c.pending === undefined || c.status === 'settled' ? nothing : html`<span class="badge warn pending" data-testid="channel-pending"
            title=${`A ${c.pending.kind} of ${formatMicroUnits(c.pending.amount)} was signed and sent but not yet co-signed; it is confirmed on the next contact.`}>pending</span>`}
        </td>
        <td>
          ${canClose(c)
            ? html`<button type="button" data-testid="close-channel" ?disabled=${busy}
                aria-label=${`Close channel ${c.channelId}`}
                @click=${() => { void this.#close(c.channelId, false) }}>${busy ? 'Closing…' : 'Close'}</button>`
            : nothing}
          ${c.status === 'open'
            ? html`<button type="button" data-testid="force-close-channel" ?disabled=${busy}
                title="Post your newest co-signed state without the other side; it has a day to show a later one"
                aria-label=${`Close channel ${c.channelId} without the other side`}
                @click=${() => { void this.#close(c.channelId, true) }}>Close alone</button>`
            : nothing}
          ${c.closing === undefined || c.status !== 'closing' ? nothing : html`<span class="muted" data-testid="challenge-ends">challenges until ${new Date(c.closing.challengeEndsAt).toLocaleString()}</span>`}
          ${error === undefined ? nothing : html`<p class="error" role="alert" data-testid="close-channel-error">${error}</p>`}
        </td>
      </tr>
    `
  }

  async #close (channelId: string, unilateral: boolean): Promise<void> {
    const event = new CloseChannelRequestEvent(channelId, unilateral)
    this.dispatchEvent(event)
    this.closing = new Set([...this.closing, channelId])
    const errors = new Map(this.closeErrors)
    errors.delete(channelId)
    this.closeErrors = errors
    try {
      await event.outcome
    } catch (err) {
      this.closeErrors = new Map([...this.closeErrors, [channelId, `Could not close the channel: ${err instanceof Error ? err.message : String(err)}`]])
    } finally {
      const closing = new Set(this.closing)
      closing.delete(channelId)
      this.closing = closing
    }
  }

  #payments (payments: PaymentRecord[]) {
    if (payments.length === 0) return html`<p class="empty">No payments yet — each task paid for, or paid to you, shows here with its receipt.</p>`
    return html`
      <table aria-labelledby="payments-h">
        <thead>
          <tr>
            <th scope="col">When</th><th scope="col">Direction</th><th scope="col">Kind</th><th scope="col">Amount</th>
            <th scope="col">Channel</th><th scope="col">Seq.</th><th scope="col">Task</th><th scope="col">Run</th>
            <th scope="col"><span class="muted">Receipt</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(payments, paymentKey, (p) => this.#payment(p))}
        </tbody>
      </table>
    `
  }

  #payment (p: PaymentRecord) {
    const key = paymentKey(p)
    const open = this.openReceipts.has(key)
    return html`
      <tr data-testid="payment-row" data-direction=${p.direction} data-kind=${p.kind}>
        <td data-label="When">${when(p.at)}</td>
        <td data-label="Direction"><span class="badge ${p.direction === 'in' ? 'ok' : 'accent'}">${p.direction === 'in' ? '↓ in' : '↑ out'}</span></td>
        <td data-label="Kind">${p.kind === 'refund' ? html`<span class="badge warn">refund</span>` : p.kind === 'share' ? html`<span class="badge ok" title="A share of a workflow's payment, by Shapley value">split share</span>` : 'payment'}</td>
        <td data-label="Amount" class="num" data-testid="payment-amount">${amount(p.amount)}</td>
        <td data-label="Channel" class="mono" title=${p.channelId}>${shortChannelId(p.channelId)}</td>
        <td data-label="Sequence" class="num">${p.sequence}</td>
        ${p.kind === 'share'
          ? html`
            <td data-label="Workflow run" class="mono" title=${p.share.runId}>${abbreviate(p.share.runId, 10, 4)}</td>
            <td data-label="Split record" class="mono" title=${p.share.recordHash}>${abbreviate(p.share.recordHash, 8, 4)}</td>
            <td></td>`
          : this.#receiptCells(p.receipt, key, open)}
      </tr>
      ${open && p.kind !== 'share' ? html`<tr class="receipt"><td colspan="9"><zs-receipt .receipt=${p.receipt} .showVerification=${false}></zs-receipt></td></tr>` : nothing}
    `
  }

  #receiptCells (receipt: Receipt, key: string, open: boolean) {
    const status = runStatus(receipt.status, receipt.exitCode)
    return html`
      <td data-label="Task" class="mono" title=${receipt.taskId}>${abbreviate(receipt.taskId, 10, 4)}</td>
      <td data-label="Run"><span class="badge ${status.tone}" title=${status.description}>${status.text}</span></td>
      <td>
        <details ?open=${open} @toggle=${(e: Event) => { this.#toggleReceipt(key, (e.target as HTMLDetailsElement).open) }}>
          <summary data-testid="payment-receipt-toggle">${open ? 'Hide' : 'Show'}</summary>
        </details>
      </td>`
  }

  #toggleReceipt (key: string, open: boolean): void {
    if (open === this.openReceipts.has(key)) return
    const next = new Set(this.openReceipts)
    if (open) next.add(key)
    else next.delete(key)
    this.openReceipts = next
  }

  #settlements (settlements: Settlement[]) {
    if (settlements.length === 0) return html`<p class="empty">No settlements yet — a channel settles when either side closes it.</p>`
    return html`
      <table aria-labelledby="settlements-h">
        <thead>
          <tr>
            <th scope="col">Channel</th><th scope="col">Mode</th><th scope="col">Payer (a) gets</th>
            <th scope="col">Payee (b) gets</th><th scope="col">Settled</th><th scope="col">Signed by</th>
          </tr>
        </thead>
        <tbody>
          ${repeat(settlements, (s) => `${s.channelId}/${s.by}`, (s) => {
            const final = s.finalState.state
            return html`
              <tr data-testid="settlement-row" data-channel-id=${s.channelId}>
                <td class="mono" title=${s.channelId}>${shortChannelId(s.channelId)}</td>
                <td data-label="Mode"><span class="badge ${s.mode === 'cooperative' ? 'ok' : 'warn'}"
                  title=${s.mode === 'cooperative' ? 'Both sides signed the final state' : 'One side closed alone after the challenge period'}>${s.mode}</span></td>
                <td data-label="Payer gets" class="num"><zs-peer-id peer-id=${final.a}></zs-peer-id> ${amount(final.balanceA)}</td>
                <td data-label="Payee gets" class="num"><zs-peer-id peer-id=${final.b}></zs-peer-id> ${amount(final.balanceB)}</td>
                <td data-label="Settled">${when(s.settledAt)}</td>
                <td data-label="Signed by"><zs-peer-id peer-id=${s.by}></zs-peer-id></td>
              </tr>`
          })}
        </tbody>
      </table>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-ledger': ZsLedger
  }
}

/** A payment row's key: its channel state, and its receipt's task — one state may pay several receipts (a batch, docs/trust-and-payments.md §2). */
function paymentKey (p: PaymentRecord): string {
  return p.kind === 'share' ? `${p.channelId}/${p.sequence}` : `${p.channelId}/${p.sequence}/${p.receipt.taskId}`
}
