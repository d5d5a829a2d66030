import { LitElement, css, html } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import type { ReceiptRecord } from '../storage/types.ts'
import { downloadReceipt } from './download-receipt.ts'
import { shared } from './theme.ts'
import './zs-peer-id.ts'

/** Receipts kept across reloads, both roles, newest first. */
@customElement('zs-history')
export class ZsHistory extends LitElement {
  static override styles = [shared, css`
    :host {
      display: block;
      overflow-x: auto;
      contain: content;
      content-visibility: auto;
      contain-intrinsic-size: auto 600px;
    }

    table {
      width: 100%;
      border-collapse: collapse;
      font-size: 0.875rem;
    }

    th, td {
      text-align: left;
      padding: 8px 10px;
      border-bottom: 1px solid var(--zs-border);
      vertical-align: middle;
    }

    th {
      font-size: 0.75rem;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--zs-muted);
      font-weight: 600;
    }

    tr:last-child td {
      border-bottom: none;
    }

    /* Narrow screens: each row becomes a small card of labelled fields. */
    @media (max-width: 600px) {
      thead {
        display: none;
      }

      tr {
        display: grid;
        gap: 4px;
        padding: 8px 0;
        border-bottom: 1px solid var(--zs-border);
      }

      th, td {
        padding: 0;
        border: none;
      }

      td[data-label]::before {
        content: attr(data-label);
        display: inline-block;
        min-width: 6.5rem;
        color: var(--zs-muted);
        font-size: 0.75rem;
      }
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
