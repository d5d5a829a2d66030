import type { CardRequirements } from '../discovery/index.ts'
import type { ClosingChannel, Settlement } from '../economy/channel/index.ts'
import type { ChannelRecord, PaymentRecord } from '../economy/payments/index.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import type { JobItemResult, JobRunStatus } from '../orchestration/jobs/index.ts'
import type { Connectivity, MeshStats } from '../network/peer-mesh.ts'
import type { TopicStats } from '../network/topic-channel.ts'
import type { PeerInfo as PeerView } from '../network/transports.ts'
import type { AuctionSettings } from '../orchestration/dispatch/index.ts'
import type { PriceSchedule } from '../receipts/pricing/index.ts'
import type { Receipt, ReceiptRecord } from '../receipts/index.ts'
import type { OutcomeRecord, Report } from '../trust/reputation/index.ts'
import type { AttestationRecord, CheckRates } from '../trust/witness/index.ts'

export type { PeerInfo as PeerView, Transport } from '../network/transports.ts'
export type { Connectivity, MeshStats } from '../network/peer-mesh.ts'
export type { RelayLinkView } from '../network/relay-links.ts'
export type { TopicStats } from '../network/topic-channel.ts'
export type { SampleTask } from '../execution/sample-index.ts'
export type { AuctionSettings } from '../orchestration/dispatch/index.ts'

export type TaskPhase =
  | 'preparing'
  | 'choosing-executor'
  /** Waiting in this tab's queue for a turn at the chosen executor. */
  | 'queued'
  | 'offering'
  | 'sending-module'
  | 'running'
  | 'verifying'
  | 'done'
  | 'failed'

export interface TaskView {
  taskId: string
  label: string
  phase: TaskPhase
  executor?: string
  /** Unix epoch ms when the executor reported the module started. */
  startedAt?: number
  /** Updated from executor heartbeats while running. */
  elapsedMs?: number
  result?: {
    stdout: Uint8Array
    stderr: Uint8Array
    exitCode: number
    durationMs: number
    /** Files the task created or changed in /work, by relative path. */
    files?: Array<[string, Uint8Array]>
  }
  /** The task's stdin when it is a PNG or JPEG image, so results about it (faces found) can be drawn on it. */
  inputImage?: Uint8Array
  receipt?: Receipt
  /** True only once the receipt's signature and hashes were checked. */
  verified: boolean
  error?: { name: string, message: string }
  /** Why this executor was chosen. */
  selection?: string
  /** A witness disputed the receipt and this tab's own re-run confirmed the executor was wrong. */
  disputed?: boolean
  /** For a failed task: the phase it was in when it failed. */
  failedDuring?: Exclude<TaskPhase, 'done' | 'failed'>
}

/** A job submitted from this tab (window.zerostate.job or the form), as its card shows it. */
export interface JobView {
  jobId: string
  label: string
  /** A2A task state: working, paused, completed, failed, canceled. */
  state: JobRunStatus['state']
  status: JobRunStatus
  /** How many inputs the job has. */
  inputs: number
  /** The results so far, in input order (the runner's own list, growing; `resultCount` says how far). */
  results: readonly JobItemResult[]
  resultCount: number
  /** Distinct executors that returned results. */
  executors: number
  startedAt: number
  finishedAt?: number
  error?: { name: string, message: string }
}

/** A workflow run of this tab, as the Workflows view draws it. */
export interface WorkflowView {
  runId: string
  name: string
  /** A2A state of the run. */
  state: 'submitted' | 'working' | 'completed' | 'failed' | 'canceled'
  /** Each step in the spec's order, with the steps it waits for. */
  steps: WorkflowStepView[]
  startedAt: number
  finishedAt?: number
  /** True while this tab drives it; a stored run that is not (it was left by a reload) can be resumed. */
  live: boolean
  error?: { name: string, message: string }
  /** Once it completed: the workflow's outputs (workflow-outputs.ts). */
  outputs?: WorkflowOutputView[]
}

/** One step of a workflow run, as the Workflows view draws it and details it. */
export interface WorkflowStepView {
  name: string
  /** A2A state, or Argo's `skipped`. */
  state: string
  /** Attempts started (for a fan-out: over every item); beyond one per unit they were retries. */
  attempts: number
  /** For a fan-out step whose items are known: items settled of all. */
  items?: { done: number, total: number }
  /** The last failed attempt's error, `Name: message`. */
  error?: string
  /** Why it was skipped, when it was. */
  skipReason?: string
  /** The steps it waits for. */
  after: string[]
  /** Who ran its succeeded attempts: PeerIds, or the runner's memo marker (`memo`) for outputs reused from an earlier run. */
  executors?: string[]
  /** Its verified results, one per unit (the step, or each item of a fan-out), from the run's `succeeded` events: the receipt's hash and who ran it. */
  receipts?: Array<{ item?: number, hash: string, executor?: string }>
}

/** One output of a completed run: its text (clipped), its PNG or JPEG files as object URLs, and every part of it as a file to download. */
export interface WorkflowOutputView {
  name: string
  text?: string
  images?: Array<{ name: string, url: string }>
  /** The output's text (whole, as `<output>.txt` or `.json`) and its blobs (by their file names), each as an object URL of its bytes. */
  files?: Array<{ name: string, url: string, size: number }>
}

/** A peer's Agent Card, as the network view shows it. */
export interface CardView {
  peerId: string
  name: string
  tags: string[]
  workerSlots: number
  memoryLimitBytes: number
  fuelPerMs: number
  warmModules: number
  visible: boolean
  expiresAt: number
  /** Asking prices, micro-units (receipts/pricing). */
  prices: PriceSchedule
  /** This tab's reputation score of the peer (0–1, 0.5 when unknown), and whether it is blacklisted. */
  reputation: number
  blacklisted: boolean
}

/** The Q-table: expected completion time (ms) per destination (row) and executor (column). */
export interface RoutingView {
  destinations: string[]
  peers: string[]
  /** `values[d][p]`, or null where nothing is known. */
  values: Array<Array<number | null>>
}

/** What this tab knows of a peer's reputation. */
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
  /** This tab's channels, most recently updated first. */
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
 * What a running tab has spent and dropped (`window.zerostate.stats()`):
 * its connection, its WebRTC budget and presence directory, and per gossip
 * topic the messages it accepted and those it dropped before forwarding, by
 * reason.
 */
export interface PeerStats {
  connectivity: Connectivity
  mesh: MeshStats
  gossip: Record<string, TopicStats>
}

export interface AppState {
  peerId: string
  /**
   * `starting` until the peer is composed; then `online` while it holds a
   * connection to a relay or a peer, `connecting` while it holds none (the
   * relay is unreachable: it retries); `offline` when start-up failed.
   */
  status: 'starting' | 'connecting' | 'online' | 'offline'
  /** What the status line adds: the start-up step, why it is not online, or that no relay gave it a slot. */
  statusDetail?: string
  relayAddrs: string[]
  peers: PeerView[]
  contributing: boolean
  slots: number
  maxSlots: number
  /** Tasks submitted from this tab in this session, newest first. */
  tasks: TaskView[]
  /** Jobs submitted from this tab in this session, newest first. */
  jobs: JobView[]
  /** Workflow runs of this tab (this session's and the stored ones), newest first. */
  workflows: WorkflowView[]
  /** Persistent receipt history (both roles), newest first. */
  history: ReceiptRecord[]
  samples: SampleTask[]
  /** Skill tags this tab advertises in its Agent Card while contributing. */
  tags: string[]
  /** Valid Agent Cards of other peers. */
  cards: CardView[]
  routing: RoutingView
  ledger: LedgerView
  /** Asking prices while contributing, micro-units (receipts/pricing). */
  prices: { perMegaFuel: number, perSecond: number, perMb: number }
  /** Share of announced receipts this tab re-executes as a witness while contributing: from established executors, and from new or low-reputation ones. */
  witnessRates: { established: number, newcomer: number }
  /** Something worth telling the user that is not an error (e.g. a reset store). */
  notice?: string
  /** What this tab spent and dropped (the Network view's counters), refreshed with the peers; absent before start. */
  stats?: PeerStats
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
   * lines are the inputs. `redundancy` runs each slice on that many executors.
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
 * What the UI (and `window.zerostate`) sees of a running peer. The app fires a
 * `change` event whenever `state` changes; state objects are replaced, not
 * mutated, so views can compare by identity.
 */
export interface ContributeOptions {
  /** Skill tags this tab advertises in its Agent Card (e.g. ['nlp']). */
  tags?: string[]
  /** Asking prices, micro-units (receipts/pricing); in the Agent Card and on every receipt. */
  prices?: PriceSchedule
  /** Share of announced receipts this tab re-executes as a witness. */
  witnessRates?: CheckRates
}

export interface ZeroStateApp extends EventTarget {
  readonly state: AppState
  contribute(on: boolean, slots?: number, options?: ContributeOptions): Promise<void>
  submit(request: SubmitRequest, options?: { signal?: AbortSignal }): Promise<SubmitResult>
  /** Starts a job (one module over many inputs across the mesh); its card follows it in `state.jobs`. */
  job(request: JobRequest): Promise<unknown>
  /** A job's cost and time, forecast from its first slice run here and the executors' Agent Cards. */
  estimateJob(request: JobRequest): Promise<JobForecast>
  cancelJob(jobId: string): void
  /** Raises a job's budget (micro-units, for the whole job); a job paused for its budget goes on. */
  raiseJobBudget(jobId: string, budget: number): void
  /** Starts a workflow run (its view follows it in `state.workflows`). */
  workflow(spec: string, inputs?: Record<string, unknown>): Promise<unknown>
  resumeWorkflow(runId: string): Promise<unknown>
  cancelWorkflow(runId: string): Promise<void>
  /** The run's signed workflow record (docs/workflow-record.md), once it has ended. */
  workflowRecord(runId: string): Promise<unknown>
  /** Closes a payment channel cooperatively; resolves with the settlement record. */
  closeChannel(channelId: string): Promise<Settlement>
  /**
   * Closes a channel without the other party: posts this tab's newest
   * co-signed state to the mesh; the other party may show a later one until
   * the challenge period (default one day) ends, then the channel settles.
   */
  closeChannelUnilaterally(channelId: string, challengePeriodMs?: number): Promise<ClosingChannel>
  /** Whitelists a peer (never blacklisted; a blacklisting is lifted) or takes it off the whitelist. */
  whitelist(peerId: string, on: boolean): void
}
