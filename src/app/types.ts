import type { TraceSpan } from '../core/tracing/index.ts'
export type { TraceSpan } from '../core/tracing/index.ts'
import type { PlannerView } from './planner-settings.ts'
import type { PlannerConfig, WorkflowPlan } from '../peer/planner.ts'
import type { FormGuildRequest } from '../orchestration/guilds/index.ts'
import type { TracingView } from './tracing-settings.ts'
export type { TracingView } from './tracing-settings.ts'
import type { AgentListing } from './marketplace.ts'
import type { ClosingChannel, Settlement } from '../economy/channel/index.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import type { JobItemResult, JobRunStatus } from '../orchestration/jobs/index.ts'
import type { Connectivity, MeshStats } from '../network/peer-mesh.ts'
import type { AvailabilityClass } from '../discovery/index.ts'
import type { TopicStats } from '../network/topic-channel.ts'
import type { PeerInfo as PeerView } from '../network/transports.ts'
import type { PriceSchedule } from '../receipts/pricing/index.ts'
import type { Receipt, ReceiptRecord } from '../receipts/index.ts'
import type { CheckRates } from '../trust/witness/index.ts'
import type { JobForecast, JobRequest, LedgerView, SubmitRequest, SubmitResult } from '../peer/types.ts'
import type { MetricsView } from './metric-charts.ts'

export type { PeerInfo as PeerView, Transport } from '../network/transports.ts'
export type { Connectivity, MeshStats } from '../network/peer-mesh.ts'
export type { RelayLinkView } from '../network/relay-links.ts'
export type { TopicStats } from '../network/topic-channel.ts'
export type { SampleTask } from '../execution/sample-index.ts'
export type { AuctionSettings } from '../orchestration/dispatch/index.ts'
export type { HistogramSnapshot, MetricSnapshot, MetricsSnapshot, MetricType, Percentiles, SeriesSnapshot } from './tab-metrics.ts'
export type { MetricChartView, MetricsView } from './metric-charts.ts'
// A peer's requests and results, shared with the Node SDK (src/peer/types.ts).
export type { JobForecast, JobInputGiven, JobRequest, LedgerView, ReputationView, SubmitRequest, SubmitResult } from '../peer/types.ts'

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
  /** The task's trace (docs/tracing.md): this tab's spans and its executor's, on this tab's timeline. */
  trace?: TaskTraceView
}

/** A task's trace: its W3C trace id and every span kept of it, by start time. */
export interface TaskTraceView {
  traceId: string
  spans: TraceSpan[]
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
  /** The run's shared context, when its spec declares one (docs/workflow-context.md), as it grows. */
  context?: WorkflowContextView
  /** A run awarded before it started (a guild budget): to whom, and once it completed, the split that paid the guild. */
  award?: RunAwardView
  split?: SplitView
  /** The run's trace (docs/tracing.md §7): its id from the start, its spans (every step's task, across peers) once the run ended. */
  trace?: TaskTraceView
}

/** A run's award (docs/guild.md §6): a guild, or executors per step; each step's executor and price, µ. */
export interface RunAwardView {
  /** The guild that won, or null when executors won step by step. */
  guild: { guildId: string, name: string, lead: string } | null
  budget: number
  price: number
  steps: Array<{ step: string, executor: string, price: number, source: 'guild' | 'auction' }>
  /** Steps taken from a member that left and re-awarded. */
  reawarded: number
}

/** A guild this tab knows (docs/guild.md §2): every member signed it. */
export interface GuildView {
  guildId: string
  name: string
  members: Array<{ peerId: string, roles: string[], agents: string[] }>
  expiresAt: number
  expired: boolean
  /** This tab is a member. */
  own: boolean
}

/** A signed Shapley split record this tab recomputed (docs/shapley-split.md). */
export interface SplitView {
  runId: string
  budget: number
  total: number
  method: 'exact' | 'sampled'
  signer: string
  at: number
  /** In the record's member order: each member's Shapley share and its payment (share + its own costs), µ. */
  shares: Array<{ member: string, share: number, payment: number }>
}

/** A run's shared context as the Workflows view draws it: one row per declared key. */
export interface WorkflowContextView {
  /** ContextState.hash(): the same on every replica holding the same entries. */
  hash: string
  keys: Array<{
    key: string
    rule: string
    /** The value a step reads, as canonical JSON (clipped); absent for a min, max or lww key nobody wrote. */
    value?: string
    /** Its entries, in the key's order: who signed each and from which step's receipt. */
    writes: Array<{ writer: string, step?: string, lamport: number }>
  }>
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
  /** Context updates of this step refused whole (docs/workflow-context.md §6), `Name: message`, per unit; the step still succeeded and was paid. */
  contextRefused?: Array<{ item?: number, error: string }>
  /** The published agent an `agent:` step ran: `name@version by …author`, and the module's hash. */
  agent?: { name: string, version: string, author: string, moduleHash: string }
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
  /** Its availability class (docs/agent-card.md §11); absent from cards that state none (Node peers, older tabs). */
  availabilityClass?: AvailabilityClass
  /** How late its own timers fire, ms, as its card states. */
  timerLagMs?: number
  expiresAt: number
  /** Asking prices, micro-units (receipts/pricing). */
  prices: PriceSchedule
  /** This tab's reputation score of the peer (0–1, 0.5 when unknown), and whether it is blacklisted. */
  reputation: number
  blacklisted: boolean
  /** The A2A bindings its card declares (version 2 cards; empty for version 1). */
  interfaces: Array<{ url: string, protocolBinding: string, protocolVersion: string }>
}

/** The Q-table: expected completion time (ms) per destination (row) and executor (column). */
export interface RoutingView {
  destinations: string[]
  peers: string[]
  /** `values[d][p]`, or null where nothing is known. */
  values: Array<Array<number | null>>
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
  /** This tab's availability class and timer lag as its Agent Card states them (docs/agent-card.md §11). */
  availability?: { class: AvailabilityClass, timerLagMs?: number }
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
  /** Published agents this tab holds, with their records (the marketplace). */
  agents: AgentListing[]
  /** Persistent receipt history (both roles), newest first. */
  history: ReceiptRecord[]
  samples: SampleTask[]
  /** The optional planner's endpoint and model (never its key), or null when none is configured. */
  planner: PlannerView | null
  /** Whether this tab signs the guilds it is invited to (docs/guild.md §5); off by default. */
  guildInvites: boolean
  /** What this tab bids per step as a guild's lead, µ; null: it does not bid. */
  guildStepPrice: number | null
  /** Guilds this tab knows, its own first. */
  guilds: GuildView[]
  /** Split records this tab verified, newest first. */
  splits: SplitView[]
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
  /** The Metrics view's charts, from the samples of this tab's metrics (one a second); absent before start. */
  metrics?: MetricsView
  /** Whether this tab publishes its signed mesh figures every 30 s for the relays' /metrics (docs/metrics.md "Mesh figures"); off unless true. */
  shareMetrics?: boolean
  /** Tracing of this tab's tasks (docs/tracing.md §8): on or off, and the OTLP/HTTP collector spans are exported to (null: none). */
  tracing: TracingView
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
  /** Whether this tab publishes its signed mesh figures (the same as `shareMetrics(on)`). */
  shareMetrics?: boolean
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
  /** Starts a workflow run (its view follows it in `state.workflows`); with `guild`, awarded first within the budget (docs/guild.md §6). */
  workflow(spec: string, inputs?: Record<string, unknown>, options?: { guild?: { budget: number } }): Promise<unknown>
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
  /** Runs a published agent (`name@version`) once with its first example's input; its card follows it in `state.tasks`. */
  runAgent(ref: string): Promise<SubmitResult>
  /** Keeps the optional planner's endpoint, model and key in this browser (undefined forgets them). */
  configurePlanner(config: PlannerConfig | undefined): void
  /** A workflow spec for `request` from the configured planner, checked by the spec parser; nothing runs. */
  planWorkflow(request: string, options?: { signal?: AbortSignal }): Promise<WorkflowPlan>
  /** Whether this tab signs guild invitations, and what it bids per step as a guild's lead (null: no bids). */
  configureGuilds(options: { acceptInvites?: boolean, stepPrice?: number | null }): void
  /** Tracing on or off, and the OTLP/HTTP collector (null: none); refuses a URL that cannot be one (InvalidCollectorUrlError). */
  configureTracing(settings: { enabled?: boolean, otlpUrl?: string | null }): Promise<TracingView>
  /** Turns publishing this tab's signed mesh figures on or off (docs/metrics.md "Mesh figures"); returns whether it is on. */
  shareMetrics(on?: boolean): boolean
  /** Forms a guild with this tab among its members: each other member must sign its invitation (docs/guild.md §5). */
  formGuild(request: FormGuildRequest): Promise<unknown>
}
