/**
 * What a peer's callers give and get — a tab's `window.zerostate` and the
 * Node SDK (`import { connect } from 'zerostate'`) alike: a task request and
 * its result, a job's request and forecast, the ledger. The app's view types
 * (src/app/types.ts) re-export them.
 */
import type { CardRequirements } from '../discovery/index.ts'
import type { AgentEntry, AgentManifest, ResolveOptions } from '../discovery/agent-manifest/index.ts'
import type { AgentPackage } from '../discovery/agent-registry/index.ts'
import type { Settlement } from '../economy/channel/index.ts'
import type { ChannelRecord, PaymentRecord } from '../economy/payments/index.ts'
import type { AuctionSettings } from '../orchestration/dispatch/index.ts'
import type { Receipt } from '../receipts/index.ts'
import type { OutcomeRecord, Report } from '../trust/reputation/index.ts'
import type { AttestationRecord } from '../trust/witness/index.ts'

/** What this peer knows of another peer's reputation. */
export interface ReputationView {
  peerId: string
  /** This tab's own score (0–1, 0.5 when unknown). */
  score: number
  /** The reports heard about the peer, weighed by their reporters' reputation; undefined when none counted. */
  network?: number
  blacklisted: boolean
  whitelisted: boolean
  /** This tab's last observations of the peer, oldest first. */
  history: OutcomeRecord[]
}

/** The ledger: money moved, records kept, what was checked. */
export interface LedgerView {
  /** This peer's channels, most recently updated first. */
  channels: ChannelRecord[]
  /** Payments and refunds on them, newest first. */
  payments: PaymentRecord[]
  /** Settlement records: this tab's own channels' and those heard from the mesh. */
  settlements: Settlement[]
  /** Attestations received or signed, newest first. */
  attestations: AttestationRecord[]
  /** Reputation reports heard or published, newest first. */
  reports: Report[]
  reputation: ReputationView[]
}

/**
 * One module over many inputs (`window.zerostate.job`): the inputs are cut
 * into slices of `sliceSize` (text inputs, one line each, several to a task —
 * the module must print one line per input line, as lang-detect --lines does;
 * byte inputs one to a task), run at once on as many executors as the mesh
 * offers, the results handed back in input order.
 */
export interface JobRequest extends Omit<SubmitRequest, 'stdin' | 'executor' | 'auction'> {
  /**
   * The inputs: a list — texts, bytes (a Uint8Array, a Blob or File: one task
   * each, as its stdin), or file sets (`{ files, stdin? }`: one task each,
   * its files in /work beside the job's `files`) — or a text whose non-empty
   * lines are the inputs. `redundancy` runs each slice on that many executors;
   * otherwise each slice's result is checked as a single task's is (`verify`,
   * docs/trust-and-payments.md §3), a slice shown wrong run again elsewhere.
   */
  inputs: ReadonlyArray<JobInputGiven> | string
  /** Inputs per task (default 50 for single-line text inputs, else 1). */
  sliceSize?: number
  /** Most micro-units the whole job may cost; past it the job pauses until `raiseBudget`. */
  budget?: number
}

/** One input of a job as given: text, bytes, or a set of files (with an optional stdin). */
export type JobInputGiven = string | Uint8Array | Blob | {
  files: Record<string, Uint8Array | string> | Array<[string, Uint8Array | string]>
  stdin?: string | Uint8Array
}

/** A job's forecast before it runs (`estimateJob`): orchestration/jobs JobEstimate, with what it was made from. */
export interface JobForecast {
  /** Total price in micro-units, if every slice is as heavy as the first. */
  price: number
  /** When the last slice would end, ms from the start (compute time only). */
  durationMs: number
  fuel: number
  perExecutor: Array<{ peerId: string, slices: number, price: number }>
  inputs: number
  slices: number
  /** Fuel of the first slice, run in this tab's sandbox. */
  sampleFuel: number
  /** Executors in the forecast, and contributing peers left out of it (no Agent Card yet). */
  executors: number
  unknownExecutors: number
}

export interface SubmitRequest {
  /** Module bytes, or the URL of a sample. */
  module: Uint8Array | string
  stdin?: Uint8Array | string
  args?: string[]
  /** The task's whole environment (nothing comes from the executor's host). */
  env?: Record<string, string> | Array<[string, string]>
  /** Files placed in the task's preopened directory /work, by relative path. */
  files?: Record<string, Uint8Array | string> | Array<[string, Uint8Array | string]>
  /** 32 bytes from which the task's clock and random source derive; random when omitted. */
  seed?: Uint8Array
  timeoutMs?: number
  memoryLimitBytes?: number
  /** Metered instructions the task may execute. */
  fuel?: number
  /** PeerId of the peer to run it on; by default chosen from Agent Cards (see `requirements`). */
  executor?: string
  /** What the executor must offer (skill tags, slots, memory, prices); steers the choice of executor. */
  requirements?: CardRequirements
  /** Shown in the UI and history; defaults to the sample id or "upload". */
  label?: string
  /** The most this task may cost, micro-units; the executor's charge is capped by it. */
  maxTotalPrice?: number
  /**
   * Run the task on this many executors at once (1–5, default 1) and keep
   * the result a strict majority of them returns; only they are paid, and an
   * executor the majority contradicts is blacklisted. Ignored when
   * `executor` is given.
   */
  redundancy?: number
  /**
   * Choose the executor by sealed bids from the best-ranked candidates
   * instead (docs/bids.md); the winning price becomes the budget. Ignored
   * when `executor` is given.
   */
  auction?: boolean | AuctionSettings
  /**
   * Publish the receipt with the task's input so that witnesses may re-run
   * it (the input becomes public). Default true; inputs above 256 KiB are
   * never published.
   */
  witnesses?: boolean
  /**
   * Let this peer check the result by its verification policy
   * (docs/trust-and-payments.md §3): a new or risky executor's task is run
   * again on a peer this one trusts, or in its own sandbox, before it is
   * kept, and a risky executor is paid once the check agrees. Default true;
   * ignored (never checked) when `executor` is given, with `redundancy` > 1,
   * or with `witnesses: false` (the input goes to nobody else).
   */
  verify?: boolean
}

export interface SubmitResult {
  stdout: Uint8Array
  stderr: Uint8Array
  /** Files the task created or changed in /work. */
  files: Array<[string, Uint8Array]>
  exitCode: number
  executor: string
  receipt: Receipt
}

/**
 * Published agents (docs/agent-manifest.md §12), as `mesh.agents` of the SDK
 * and `window.zerostate.agents` of a tab.
 */
export interface MeshAgents {
  /**
   * Signs `fields` (the manifest without author, publicKey, publishedAt and
   * signature) as this peer, checks `modules` (bytes by module name) against
   * it, keeps both and publishes the manifest; resolves to the signed
   * manifest. Rejects with ManifestModuleMismatchError, AgentModuleMissingError,
   * InvalidAgentManifestError or AgentPublishRefusedError (a version already
   * published with other content).
   */
  publish(agent: AgentPackage): Promise<AgentManifest>
  /** As publish, for a manifest signed elsewhere (a build's built-in agents, another author's package this peer holds the modules of). */
  publishManifest(manifest: AgentManifest, modules: Record<string, Uint8Array>): Promise<AgentManifest>
  /** Every agent this peer holds, by name then author; `displayName` tells agents of one name by different authors apart. */
  list(): AgentEntry[]
  /**
   * The manifest `ref` (`name`, `name@^1.2`, …) means and its entry module,
   * from this peer's store or fetched by hash from peers that hold it and
   * checked against the manifest; `trustedAuthors` / `preferAuthor` say which
   * authors' agent a name may mean (this peer's own is preferred by default).
   * Rejects with AgentNotFoundError,
   * AmbiguousAgentNameError, NoMatchingAgentVersionError, InvalidAgentRefError
   * or AgentModuleUnavailableError.
   */
  resolve(ref: string, options?: ResolveOptions & { signal?: AbortSignal }): Promise<{ manifest: AgentManifest, hash: string, module: Uint8Array<ArrayBuffer> }>
}
