import { receiptToJson } from '../receipts/receipt.ts'
import type { Receipt } from '../receipts/types.ts'
import type { EchoOptions } from '../network/echo/echo.ts'
import type { ExecutionResult } from '../execution/types.ts'
import type { BrowserZeroStateApp } from './zerostate-app.ts'
import type { ReputationPolicy } from '../trust/reputation/index.ts'
import type { CardView, ContributeOptions, JobForecast, JobRequest, LedgerView, MetricsSnapshot, PeerStats, PeerView, RoutingView, SubmitRequest, SubmitResult, TaskTraceView, TaskView, TraceSpan, TracingView } from './types.ts'
import type { JobRunner } from '../orchestration/jobs/index.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import type { RunContextSnapshot, WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../orchestration/workflow/scheduler/index.ts'
import type { WorkflowOptions } from './workflows.ts'
import type { WorkflowRecord, WorkflowRecordReport } from '../orchestration/workflow/run-record/index.ts'
import type { WorkflowInputGiven } from './workflow-inputs.ts'
import type { ClosingChannel, Settlement } from '../economy/channel/index.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import type { MeshAgents } from '../peer/types.ts'
import { A2A_LIBP2P_BINDING } from '../orchestration/a2a/index.ts'
import type { SendMessageParams, Task as A2ATask } from '../orchestration/a2a/index.ts'
import type { FormGuildRequest } from '../orchestration/guilds/index.ts'
import type { Guild } from '../economy/guild/index.ts'
import { verifySplitRecord } from '../economy/shapley/index.ts'
import type { SplitRecord } from '../economy/shapley/index.ts'

/**
 * `window.zerostate`: the page's programmatic surface for power users and
 * tests. Everything here goes through the same app object as the UI.
 */
export interface ZeroStatePublicApi {
  /**
   * Resolves once the peer has started (rejects with the start-up error).
   * Whether it is connected is another matter: see the status line, or
   * `stats().connectivity`.
   */
  readonly ready: Promise<void>
  readonly peerId: string
  peers(): PeerView[]
  /** Verified Agent Cards of other peers. */
  cards(): CardView[]
  /** The learnt Q-table (expected ms per destination and executor). */
  routing(): RoutingView
  /**
   * `tags`: skill tags this tab advertises in its Agent Card (e.g. ['nlp']);
   * `prices`: asking prices in micro-units ({ perMegaFuel, perSecond, perMb });
   * `witnessRates`: share of announced receipts re-executed as a witness ({ established, newcomer }, each 0–1).
   */
  contribute(on: boolean, slots?: number, options?: ContributeOptions): Promise<void>
  /**
   * Starts (true) or stops (false) publishing this tab's signed mesh figures
   * every 30 s — tasks it ran by receipt status, fuel, run times, µ earned and
   * spent — for the relays' /metrics (docs/metrics.md "Mesh figures"); off by
   * default. Without an argument, says whether it is on.
   */
  shareMetrics(on?: boolean): boolean
  submit(request: SubmitRequest): Promise<SubmitResult>
  /**
   * The tasks submitted from this tab in this session (the latest 20), newest
   * first, as their cards show them: phase, executor, result, receipt. The
   * cards follow within a redraw (at most ten a second), so a script that
   * clicks "Run on the mesh" finds its task here, by an id not there before.
   */
  tasks(): TaskView[]
  /**
   * A submitted task's trace (docs/tracing.md): `{ traceId, spans }`, every
   * span of it this tab holds — its own and its executor's, placed on this
   * tab's clock — by start time; the receipt's `traceId` names the same
   * trace. Undefined for a task this tab did not submit in this session.
   */
  trace(taskId: string): TaskTraceView | undefined
  /**
   * A workflow run's trace (docs/tracing.md §7): one trace for the run, a
   * `step` span per unit's attempt with its task's spans (this tab's and its
   * executors') under it. Undefined for a run this tab did not drive in this session.
   */
  workflowTrace(runId: string): TaskTraceView | undefined
  /** Turns tracing of this tab's tasks (submitted and executed) on or off, on by default; returns whether it is on. */
  tracing(on?: boolean): boolean
  /** This tab's own spans of any trace (a task it ran, a payment it co-signed, a witness check), by the trace id a receipt names. */
  spans(traceId: string): TraceSpan[]
  /**
   * Tracing settings, kept across reloads (docs/tracing.md §8): `{ enabled,
   * otlpUrl }`; `otlpUrl` exports this tab's spans to an OTLP/HTTP collector
   * (e.g. `http://127.0.0.1:4318/v1/traces`, which must allow this page's
   * origin by CORS), null stops. Resolves with the settings now.
   */
  configureTracing(settings: { enabled?: boolean, otlpUrl?: string | null }): Promise<TracingView>
  /**
   * Runs one module over many inputs across the mesh (see JobRequest); the
   * handle fires `status`, `result` (in input order), `retry`, `error` and
   * `complete`, and has `results()`, `status()`, `cancel()` and `raiseBudget()`.
   */
  job(request: JobRequest): Promise<JobRunner>
  /**
   * What `job(request)` would cost and take, before it runs: its first slice
   * is run in this tab's sandbox for its fuel; prices, speed and slots come
   * from the executors' Agent Cards (orchestration/jobs estimateJob).
   */
  estimateJob(request: JobRequest): Promise<JobForecast>
  /**
   * Runs a workflow (docs/workflow-spec.md): the spec is checked before
   * anything runs; every event is checkpointed in this tab's store. The
   * handle fires `status`, `step` and `complete`; `result()`, `cancel()`.
   * A `bytes` input may be given as a Uint8Array, Blob or File, a `files`
   * input as a map name → Uint8Array/Blob/File, a FileList or File[]: they
   * are put into this tab's blob store and the run holds their hashes.
   */
  workflow(spec: string, inputs?: Record<string, WorkflowInputGiven>, options?: WorkflowOptions): Promise<WorkflowRunner>
  /** Goes on with a run from its checkpoints (after a reload): finished steps are not run again. */
  resumeWorkflow(runId: string, options?: WorkflowOptions): Promise<WorkflowRunner>
  /** This tab's workflow runs, newest first, with their state. */
  workflows(): Promise<WorkflowRunRecord[]>
  /** A run's append-only event log, oldest first (scheduled, started, succeeded with its receipt hash and executor…). */
  workflowLog(runId: string): Promise<RunEvent[]>
  /**
   * A run's signed workflow record (docs/workflow-record.md): spec, input and
   * output hashes, every step's state, receipt hash and executor, signed by
   * this tab. Made when the run ends; rejects for a run that has not.
   */
  workflowRecord(runId: string): Promise<WorkflowRecord>
  /** Checks a workflow record: its signature, then every step against the receipts this tab holds; throws the first failure's named error. */
  verifyWorkflowRecord(record: unknown): Promise<WorkflowRecordReport>
  /**
   * A workflow run's shared context as this tab holds it (docs/workflow-context.md §9),
   * following the run's gossip topic from the first call: `spec` is the run's spec
   * (its `context:` is the schema), `submitter` the only writer accepted. Any tab can
   * watch a run it does not drive; forged or misattributed entries are refused
   * (counted in `refused` by error name). Undefined for a spec without a context.
   */
  workflowContext(runId: string, spec: string, options?: { submitter?: string }): Promise<{ context: RunContextSnapshot, refused: Record<string, number> } | undefined>
  /** Channels, payments, settlements, attestations, reports and reputation, read from the store now. */
  ledger(): Promise<LedgerView>
  /** Closes a payment channel cooperatively; the settlement record is kept by both parties and published. */
  closeChannel(channelId: string): Promise<Settlement>
  /** Closes a channel without the other party (it may show a later state until the challenge period ends). */
  closeChannelUnilaterally(channelId: string, challengePeriodMs?: number): Promise<ClosingChannel>
  /** Sets how reputation is kept: `{ halfLifeMs, blacklistThreshold, blacklistMs }`, defaults for what is left out; kept across reloads. */
  setReputationPolicy(policy: ReputationPolicy): Promise<void>
  /** The reputation policy in force (empty members are the defaults: 7 days, 0.3, 24 h). */
  reputationPolicy(): ReputationPolicy
  /** Whitelists a peer (it is never blacklisted) or takes it off the whitelist. */
  whitelist(peerId: string, on: boolean): void
  /** Receipts this peer kept, newest first. */
  history(): ReceiptRecord[]
  /** The receipt as the documented JSON (docs/receipt-format.md). */
  exportReceipt(receipt: Receipt): string
  /** Runs a task in this tab's own sandbox (no peer, no receipt); see BrowserZeroStateApp.runLocal. */
  runLocal(request: SubmitRequest, options?: { metered?: boolean }): Promise<ExecutionResult>
  /** Echo round-trip times to a peer over its best connection, in ms (benchmarks, diagnostics). */
  measureEcho(peerId: string, options: EchoOptions): Promise<number[]>
  /**
   * What this tab has spent and dropped, read now: `connectivity` (relay
   * links, reservation, peers), `mesh` (WebRTC dials and budget, probes,
   * the presence directory's size and bounds), `gossip` (per topic:
   * messages accepted, and those rejected or ignored before forwarding, by
   * reason). Throws StartupError before the peer has started.
   */
  stats(): PeerStats
  /**
   * This tab's metrics, read now (the Metrics view charts them): every metric
   * by its Prometheus-style name (`zerostate_tasks_submitted_total{outcome}`,
   * `zerostate_tasks_executed_total{status}`, `zerostate_task_round_trip_seconds`,
   * `zerostate_fuel_total{role}`, `zerostate_channel_flow_micro{direction}`,
   * `zerostate_peers{link}`, `zerostate_worker_slots…`, and libp2p's
   * `libp2p_transport_bytes_total{transport,direction}`,
   * `libp2p_data_transfer_bytes_total{protocol,direction}`, `libp2p_connections{transport}`,
   * `libp2p_protocol_streams{protocol,direction}`), each series with its value now and
   * its samples (one a second, the last ten minutes) aligned with `times`; a
   * histogram also with its buckets and p50/p95/p99 over the last minute.
   * Throws StartupError before the peer has started.
   */
  metrics(): MetricsSnapshot
  /**
   * Published agents (docs/agent-manifest.md §12), as the SDK's `mesh.agents`:
   * `publish({ fields, modules })` signs the manifest as this tab and
   * publishes it with its modules' bytes; `list()` the agents held;
   * `resolve('name@^1')` the manifest and its entry module, fetched by hash
   * from the peers that hold it and checked. Throws StartupError before the
   * peer has started.
   */
  readonly agents: MeshAgents
  /**
   * A2A 1.0 between peers over /zerostate/a2a/1.0.0 (docs/a2a-binding.md):
   * `send(peerId, { message })` resolves with the task the peer answered
   * with (artifacts: stdout, stderr, files, the signed receipt); `serve()`
   * makes this tab answer such messages by running them on the mesh, paid by
   * this tab (off until called); `peers()` lists the peers whose signed
   * Agent Cards declare that binding (docs/agent-card.md §10).
   */
  readonly a2a: {
    send(peerId: string, params: SendMessageParams, options?: { signal?: AbortSignal }): Promise<A2ATask>
    serve(): Promise<void>
    peers(): string[]
  }
  /**
   * Guilds (docs/guild.md): `configure({ acceptInvites, stepPrice })` (off and
   * no bids by default), `form({ guildId, name, members: [{ peerId, agents,
   * roles }], ttlMs })` (every member signs, or it fails naming who did not),
   * `known()`, `own()`, `splits()` (split records this tab verified by
   * recomputing them), `verifySplit(record)` (recomputes one; throws
   * SplitMismatchError naming the member). A run is awarded to a guild with
   * `workflow(spec, inputs, { guild: { budget } })`.
   */
  readonly guilds: {
    configure(options: { acceptInvites?: boolean, stepPrice?: number | null }): void
    form(request: FormGuildRequest): Promise<Guild>
    known(): Guild[]
    own(): Guild[]
    splits(): SplitRecord[]
    verifySplit(record: unknown): SplitRecord
  }
}

export function createPublicApi (app: BrowserZeroStateApp, ready: Promise<void>): ZeroStatePublicApi {
  return {
    ready,
    get peerId () { return app.state.peerId },
    peers: () => app.state.peers,
    cards: () => app.state.cards,
    routing: () => app.state.routing,
    contribute: async (on, slots, options) => { await app.contribute(on, slots, options) },
    shareMetrics: (on) => app.shareMetrics(on),
    submit: async (request) => app.submit(request),
    tasks: () => app.state.tasks,
    trace: (taskId) => app.trace(taskId),
    workflowTrace: (runId) => app.workflowTrace(runId),
    tracing: (on) => app.tracing(on),
    spans: (traceId) => app.spans(traceId),
    configureTracing: async (settings) => app.configureTracing(settings),
    job: async (request) => app.job(request),
    estimateJob: async (request) => app.estimateJob(request),
    workflow: async (spec, inputs, options) => app.workflow(spec, inputs, options),
    resumeWorkflow: async (runId, options) => app.resumeWorkflow(runId, options),
    workflows: async () => app.workflows(),
    workflowLog: async runId => app.workflowLog(runId),
    workflowRecord: async runId => app.workflowRecord(runId),
    verifyWorkflowRecord: async record => app.verifyWorkflowRecord(record),
    workflowContext: async (runId, spec, options) => app.workflowContext(runId, spec, options),
    ledger: async () => app.ledgerView(),
    closeChannel: async (channelId) => app.closeChannel(channelId),
    closeChannelUnilaterally: async (channelId, challengePeriodMs) => app.closeChannelUnilaterally(channelId, challengePeriodMs),
    setReputationPolicy: async (policy) => { await app.setReputationPolicy(policy) },
    reputationPolicy: () => app.reputationPolicy(),
    whitelist: (peerId, on) => { app.whitelist(peerId, on) },
    history: () => app.state.history,
    exportReceipt: receiptToJson,
    runLocal: async (request, options) => app.runLocal(request, options),
    measureEcho: async (peerId, options) => app.measureEcho(peerId, options),
    stats: () => app.stats(),
    metrics: () => app.metrics(),
    agents: {
      publish: async agent => app.agents().publish(agent),
      publishManifest: async (manifest, modules) => app.agents().publishManifest(manifest, modules),
      list: () => app.agents().list(),
      resolve: async (ref, options) => app.agents().resolveModule(ref, options)
    },
    a2a: {
      send: async (peerId, params, options) => app.sendA2A(peerId, params, options),
      serve: async () => app.serveA2A(),
      peers: () => app.state.cards.filter(card => card.interfaces.some(entry => entry.protocolBinding === A2A_LIBP2P_BINDING)).map(card => card.peerId)
    },
    guilds: {
      configure: options => { app.configureGuilds(options) },
      form: async request => app.guilds().form(request),
      known: () => app.guilds().known(),
      own: () => app.guilds().own(),
      splits: () => app.guilds().splits(),
      verifySplit: record => verifySplitRecord(record)
    }
  }
}
