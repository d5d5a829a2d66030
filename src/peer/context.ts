/**
 * What the peer-level operations (submit, jobs, workflows, the ledger) need
 * of a running peer, and nothing of who shows their progress: its services,
 * its store and identity, where a receipt it keeps goes, and how a module
 * named by a string is fetched. A tab's PeerSession (src/app/session.ts) is
 * one; the Node SDK's Mesh (connect.node.ts) is another.
 */
import type { PeerIdentity } from '../crypto/identity.ts'
import type { AgentManifest } from '../discovery/agent-manifest/index.ts'
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

/** A published agent's entry module, ready to run: the manifest a ref (`name@^1.2`) means and the module's bytes, checked against it. */
export interface ResolvedAgentModule {
  manifest: AgentManifest
  /** Lowercase hex SHA-256 of `module`, equal to the manifest's entry module `sha256`. */
  hash: string
  module: Uint8Array<ArrayBuffer>
}

/**
 * The agent registry as the peer-level operations use it (docs/agent-manifest.md):
 * a ref resolved among the verified manifests this peer holds, its entry module
 * from the store or fetched by hash from peers that hold it.
 */
export interface AgentResolver {
  /** Rejects with the registry's errors (AgentNotFoundError, AmbiguousAgentNameError, NoMatchingAgentVersionError) or when no peer serves the module. */
  resolveModule(ref: string, options?: { signal?: AbortSignal }): Promise<ResolvedAgentModule>
}

export interface PeerContext {
  readonly peer: ComposedPeer
  readonly store: ZeroStateStore
  readonly identity: PeerIdentity
  /** Keeps a receipt record (the store, and whatever shows the history). */
  remember(record: ReceiptRecord): Promise<void>
  readonly fetchModule: ModuleFetch
  /** Published agents by name (`agent: name@version` workflow steps, A2A skills); absent where the peer has no registry. */
  readonly agents?: AgentResolver
}
