import { LitElement, css, html } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { ReceiptRecord } from '../app/index.ts'
import { downloadReceipt } from './download-receipt.ts'
import { shared, tableStyles } from './theme.ts'
import './zs-peer-id.ts'

/** Receipts kept across reloads, both roles, newest first. */
@customElement('zs-history')
export class ZsHistory extends LitElement {
  static override styles = [shared, tableStyles, css`
    :host {
      display: block;
      overflow-x: auto;
      contain: content;
      content-visibility: auto;
      contain-intrinsic-size: auto 600px;
    }

    td.label {
      overflow-wrap: anywhere;
    }

    td.preview {
      max-width: 16rem;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }

    time {
      white-space: nowrap;
    }
  `]

  @property({ attribute: false }) history: ReceiptRecord[] = []

  override render () {
    if (this.history.length === 0) return html`<p class="empty">No receipts yet.</p>`
    return html`
      <table>
        <thead>
          <tr>
            <th scope="col">Role</th><th scope="col">Task</th><th scope="col">Other party</th>
            <th scope="col">Exit</th><th scope="col">Output</th><th scope="col">When</th><th scope="col"><span class="muted">Receipt</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.history.map((record) => this.#row(record))}
        </tbody>
      </table>
    `
  }

  #row (record: ReceiptRecord) {
    const { receipt } = record
    const submitted = record.role === 'submitter'
    return html`
      <tr data-testid="history-row" data-task-id=${receipt.taskId} data-role=${record.role}>
        <td><span class="badge ${submitted ? 'accent' : 'ok'}">${submitted ? 'submitted' : 'executed'}</span></td>
        <td class="label" data-label="Task">${record.label}</td>
        <td><span class="muted">${submitted ? 'ran on' : 'for'}</span>
          <zs-peer-id peer-id=${submitted ? receipt.executor : receipt.submitter}></zs-peer-id></td>
        <td data-label="Exit code">${receipt.exitCode}</td>
        <td class="preview mono" data-label="Output" title=${record.stdoutPreview}>${record.stdoutPreview}</td>
        <td data-label="When"><time datetime=${new Date(record.storedAt).toISOString()}>${new Date(record.storedAt).toLocaleString()}</time></td>
        <td><button type="button" data-testid="history-download" @click=${() => { downloadReceipt(receipt) }}>Download</button></td>
      </tr>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-history': ZsHistory
  }
}
