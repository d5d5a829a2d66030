/**
 * What the peer-level operations (submit, jobs, workflows, the ledger) need
 * of a running peer, and nothing of who shows their progress: its services,
 * its store and identity, where a receipt it keeps goes, and how a module
 * named by a string is fetched. A tab's PeerSession (src/app/session.ts) is
 * one; the Node SDK's Mesh (connect.node.ts) is another.
 */
import type { PeerIdentity } from '../crypto/identity.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import type { ComposedPeer } from './compose.ts'
import type { ZeroStateStore } from './store.ts'

/**
 * Fetches a module named by a string — a sample URL (`samples/echo.wasm`),
 * and in Node a file path too — as `fetch` would: in a tab the page's own
 * `fetch` (relative to the page), in Node a file read or a fetch relative to
 * the app server.
 */
export type ModuleFetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>

export interface PeerContext {
  readonly peer: ComposedPeer
  readonly store: ZeroStateStore
  readonly identity: PeerIdentity
  /** Keeps a receipt record (the store, and whatever shows the history). */
  remember(record: ReceiptRecord): Promise<void>
  readonly fetchModule: ModuleFetch
}
