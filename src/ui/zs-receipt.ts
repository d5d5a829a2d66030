import { LitElement, css, html, nothing } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { Receipt } from '../app/index.ts'
import { downloadReceipt } from './download-receipt.ts'
import { shared } from './theme.ts'
import { abbreviate, formatBytes, formatCount, formatDuration, formatMicroUnits } from './view-format.ts'
import './zs-peer-id.ts'

/** A signed receipt: whether it was verified, its key fields (charge included), and a JSON download. */
@customElement('zs-receipt')
export class ZsReceipt extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
      border: 1px solid var(--zs-border);
      border-radius: 8px;
      padding: 10px 12px;
      background: var(--zs-surface-2);
    }

    header {
      display: flex;
      align-items: center;
      gap: 8px;
      flex-wrap: wrap;
    }

    h4 {
      margin: 0;
      font-size: 0.875rem;
    }

    header button {
      margin-left: auto;
    }

    dl {
      display: grid;
      grid-template-columns: max-content minmax(0, 1fr);
      gap: 2px 12px;
      margin: 8px 0 0;
      font-size: 0.8125rem;
    }

    dt {
      color: var(--zs-muted);
    }

    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
  `]

  @property({ attribute: false }) receipt: Receipt | undefined
  /** True only once the signature and hashes were checked by this peer. */
  @property({ type: Boolean }) verified = false
  /**
   * False where this view did not do the checking itself (a receipt shown
   * under a ledger payment): then no verified/not-verified badge is drawn.
   */
  @property({ attribute: false }) showVerification = true

  override render () {
    const r = this.receipt
    if (r === undefined) return nothing
    return html`
      <header>
        <h4>Receipt</h4>
        ${this.showVerification ? html`<span class="badge ${this.verified ? 'ok' : 'bad'}" data-testid="receipt-status"
          title=${this.verified ? 'Ed25519 signature and hashes checked by this peer' : 'Signature or hashes not checked, or they did not match'}
        >${this.verified ? 'verified' : 'not verified'}</span>` : nothing}
        <button type="button" data-testid="download-receipt" @click=${() => { downloadReceipt(r) }}>Download receipt</button>
      </header>
      <dl>
        <dt>Executor</dt><dd><zs-peer-id peer-id=${r.executor}></zs-peer-id></dd>
        <dt>Submitter</dt><dd><zs-peer-id peer-id=${r.submitter}></zs-peer-id></dd>
        <dt>Module</dt><dd class="mono" title=${r.moduleHash}>sha256:${abbreviate(r.moduleHash, 12, 6)}</dd>
        <dt>Input</dt><dd class="mono" title=${r.inputHash}>sha256:${abbreviate(r.inputHash, 12, 6)}</dd>
        <dt>Output</dt><dd class="mono" title=${r.outputHash}>sha256:${abbreviate(r.outputHash, 12, 6)}</dd>
        <dt>Status</dt><dd data-testid="receipt-run-status">${r.status}${r.exitCode === null ? '' : ` (exit code ${r.exitCode})`}</dd>
        <dt>Started</dt><dd><time datetime=${new Date(r.startedAt).toISOString()}>${new Date(r.startedAt).toLocaleString()}</time></dd>
        <dt>Duration</dt><dd>${formatDuration(r.durationMs)} of ${formatDuration(r.limits.timeoutMs)} allowed</dd>
        <dt>Fuel</dt><dd data-testid="receipt-fuel">${r.fuelUsed === null ? 'not measured (stopped from outside)' : formatCount(r.fuelUsed)} of ${formatCount(r.limits.fuel)}</dd>
        <dt>Memory</dt><dd>${formatBytes(r.memoryPeakBytes)} of ${formatBytes(r.limits.memoryBytes)} allowed</dd>
        <dt>Charge</dt><dd data-testid="receipt-charge" title=${`Prices: ${formatCount(r.price.perMegaFuel)} µ per million fuel, ${formatCount(r.price.perSecond)} µ per second, ${formatCount(r.price.perMb)} µ per MiB`}
          >${formatMicroUnits(r.price.charge)} <span class="muted">of at most ${formatMicroUnits(r.price.maxTotalPrice)}</span></dd>
        <dt>Signature</dt><dd class="mono" title=${r.signature}>${abbreviate(r.signature, 16, 6)}</dd>
      </dl>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-receipt': ZsReceipt
  }
}
