import { LitElement, css, html } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { repeat } from 'lit/directives/repeat.js'
import type { PeerView } from '../app/index.ts'
import { shared, tableStyles } from './theme.ts'
import { transportBadges } from './view-format.ts'
import './zs-peer-id.ts'

/** The peers this tab is connected to: relays first, then by whether they contribute. */
@customElement('zs-peers')
export class ZsPeers extends LitElement {
  static override styles = [shared, tableStyles, css`
    :host {
      display: block;
      overflow-x: auto;
    }

    .badges {
      display: inline-flex;
      gap: 4px;
      flex-wrap: wrap;
    }
  `]

  @property({ attribute: false }) peers: PeerView[] = []

  override render () {
    if (this.peers.length === 0) return html`<p class="empty">No peers connected yet.</p>`
    const peers = [...this.peers].sort((a, b) =>
      Number(b.isRelay) - Number(a.isRelay) || Number(b.contributing) - Number(a.contributing) || a.peerId.localeCompare(b.peerId))
    return html`
      <table>
        <thead>
          <tr><th scope="col">PeerId</th><th scope="col">Role</th><th scope="col">Transports</th><th scope="col">Contributing</th></tr>
        </thead>
        <tbody>
          ${repeat(peers, (p) => p.peerId, (p) => html`
            <tr data-testid="peer-row" data-peer-id=${p.peerId}>
              <td><zs-peer-id peer-id=${p.peerId}></zs-peer-id></td>
              <td data-label="Role">${p.isRelay ? html`<span class="badge warn">relay</span>` : 'peer'}</td>
              <td data-label="Transports"><span class="badges">${transportBadges(p.transports).map((t) =>
                html`<span class="badge ${t === 'WebRTC' ? 'ok' : ''}" data-testid="transport">${t}</span>`)}</span></td>
              <td data-label="Contributing">${p.contributing
                ? html`<span class="badge ok">yes</span> <span class="muted">${p.slots} slot${p.slots === 1 ? '' : 's'}</span>`
                : html`<span class="muted">no</span>`}</td>
            </tr>`)}
        </tbody>
      </table>
    `
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'zs-peers': ZsPeers
  }
}
