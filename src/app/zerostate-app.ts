/**
 * The app a tab runs, behind the small `ZeroStateApp` surface the UI and
 * `window.zerostate` use: it starts a PeerSession (storage, identity, every
 * service of the mesh, composed in compose.ts), keeps the view state
 * (view-model.ts), and hands each call to the service that does the work.
 */
import { checkSkillTags } from '../discovery/index.ts'
import type { ClosingChannel, Settlement } from '../economy/channel/index.ts'
import { DEFAULT_CHALLENGE_PERIOD_MS } from '../economy/payments/index.ts'
import type { ExecutionResult } from '../execution/types.ts'
import { WorkerPool } from '../execution/worker-pool.ts'
import { sleep } from '../core/abort.ts'
import { measureEcho } from '../network/echo/index.ts'
import type { EchoOptions } from '../network/echo/index.ts'
import { checkPriceSchedule } from '../receipts/pricing/index.ts'
import type { ReputationPolicy } from '../trust/reputation/index.ts'
import { checkRates } from '../trust/witness/index.ts'
import { LocalSandbox } from './local-sandbox.ts'
import { StartupError } from './page-config.ts'
import { exampleBytes } from '../discovery/agent-manifest/index.ts'
import { sendA2AMessage } from '../orchestration/a2a/index.ts'
import type { SendMessageParams, Task as A2ATask } from '../orchestration/a2a/index.ts'
import { meshA2AAgent } from '../peer/a2a-agent.ts'
import type { AgentRegistryService } from '../discovery/agent-registry/index.ts'
import { watchRunContext } from '../peer/workflow-context-sync.ts'
import { PlannerNotConfiguredError, completionsUrl, planWorkflow } from '../peer/planner.ts'
import type { PlannerConfig, PlannerModule, WorkflowPlan } from '../peer/planner.ts'
import { loadPlannerConfig, plannerView, savePlannerConfig } from './planner-settings.ts'
import { loadTracingSettings, type TracingView } from './tracing-settings.ts'
import { TracingControls } from './tracing-controls.ts'
import { WORKFLOW_TEMPLATES } from './workflow-templates.ts'
import type { FormGuildRequest, GuildService } from '../orchestration/guilds/index.ts'
import type { Guild } from '../economy/guild/index.ts'
import { PeerSession } from './session.ts'
import { estimateJobRun, startJob } from './jobs.ts'
import { loadWorkflowViews, resumeWorkflowRun, startWorkflowRun, type WorkflowOptions } from './workflows.ts'
import type { WorkflowInputGiven } from './workflow-inputs.ts'
import { signedWorkflowRecord, verifyWorkflowRecordHere } from './workflow-record.ts'
import type { WorkflowRecord, WorkflowRecordReport } from '../orchestration/workflow/run-record/index.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import type { WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../orchestration/workflow/scheduler/index.ts'
import { submitTask } from './submission.ts'
import { beforeUnilateralClose } from './test-hooks.ts'
import type { ContributeOptions, JobForecast, JobRequest, LedgerView, MetricsSnapshot, PeerStats, SubmitRequest, SubmitResult, TaskTraceView, TraceSpan, ZeroStateApp } from './types.ts'
import type { JobRunner } from '../orchestration/jobs/index.ts'
import { ViewModel } from './view-model.ts'

export { StartupError }

const IDLE_POLL_MS = 1000

export class BrowserZeroStateApp extends ViewModel implements ZeroStateApp {
  /** The contributed worker slots: tasks for others and witness re-runs. */
  private readonly pool: WorkerPool
  private readonly local = new LocalSandbox()
  private session: PeerSession | undefined
  private readonly jobs = new Map<string, JobRunner>()
  private readonly workflowRunners = new Map<string, WorkflowRunner>()
  private readonly tracingControls = new TracingControls({ view: this, runningPeer: () => this.running().peer, peer: () => this.session?.peer })

  constructor () {
    const maxSlots = Math.max(1, navigator.hardwareConcurrency ?? 2)
    const slots = Math.max(1, maxSlots - 1)
    super(slots, maxSlots)
    this.pool = new WorkerPool({ slots })
    this.state = { ...this.state, planner: plannerView(loadPlannerConfig()), tracing: loadTracingSettings() }
  }

  async start (): Promise<void> {
    try {
      // The session keeps the status line from here: online only while connected (session.ts, connectionStatus).
      this.session = await PeerSession.start(this, this.pool, this.local)
      performance.mark('zerostate:ready')
      this.tracingControls.applyKept()
      // Runs a reload left behind are listed, to be resumed.
      loadWorkflowViews(this, this.session).catch(() => {})
    } catch (err) {
      this.update({ status: 'offline', statusDetail: err instanceof Error ? err.message : String(err) })
      throw err
    }
  }

  async stop (): Promise<void> {
    await this.session?.stop()
    this.pool.stop()
    this.local.stop()
  }

  async contribute (on: boolean, slots: number = this.state.slots, options: ContributeOptions = {}): Promise<void> {
    if (!Number.isInteger(slots) || slots < 1 || slots > this.state.maxSlots) {
      throw new RangeError(`worker slots must be 1–${this.state.maxSlots}, got ${slots}`)
    }
    // The Agent Card schema's own rule: a tag it refuses must not get as far as signing the card.
    const tags = options.tags === undefined ? this.state.tags : checkSkillTags(options.tags)
    const prices = options.prices === undefined ? this.state.prices : checkPriceSchedule(options.prices)
    const witnessRates = options.witnessRates === undefined ? this.state.witnessRates : checkRates(options.witnessRates)
    this.pool.setSlots(slots)
    this.update({ contributing: on, slots, tags, prices, witnessRates })
    if (options.shareMetrics !== undefined) this.shareMetrics(options.shareMetrics)
    const peer = this.session?.peer
    await Promise.all([peer?.mesh.announce(), peer?.cards.refresh()])
  }

  async submit (request: SubmitRequest, options: { signal?: AbortSignal } = {}): Promise<SubmitResult> {
    return submitTask(this, this.running(), request, options.signal)
  }

  /**
   * Starts or stops publishing this tab's signed mesh figures every 30 s
   * (docs/metrics.md "Mesh figures"); off by default. Kept with the other
   * Contribute settings in the app's state; returns whether it is on.
   */
  shareMetrics (on?: boolean): boolean {
    if (on !== undefined) {
      this.update({ shareMetrics: on })
      this.session?.peer.meshFigures.share(on)
    }
    return this.state.shareMetrics === true
  }

  /** Turns tracing of this tab's tasks, submitted and executed, on or off (on by default, kept across reloads); returns whether it is on. */
  tracing (on?: boolean): boolean {
    return this.tracingControls.enabled(on)
  }

  /**
   * Tracing settings (docs/tracing.md §8): on or off, and the OTLP/HTTP
   * collector this tab's spans are exported to (null: none, the default).
   * A URL that cannot be a collector is refused (InvalidCollectorUrlError)
   * and nothing changes.
   */
  async configureTracing (change: { enabled?: boolean, otlpUrl?: string | null }): Promise<TracingView> {
    return this.tracingControls.configure(change)
  }

  /**
   * The spans this tab keeps of any trace (docs/tracing.md §2): a task it ran,
   * a payment it co-signed, a witness check it made, under the submitter's
   * trace id (the receipt's `traceId`); [] when it keeps none.
   */
  spans (traceId: string): TraceSpan[] {
    return this.tracingControls.spans(traceId)
  }

  /** The trace of a task submitted from this tab (docs/tracing.md): every span kept of it, now; undefined for a task not traced or not known. */
  trace (taskId: string): TaskTraceView | undefined {
    return this.tracingControls.task(taskId)
  }

  /** The trace of a workflow run this tab drives (docs/tracing.md §7): every span kept of it, now; undefined for a run not traced or not known. */
  workflowTrace (runId: string): TaskTraceView | undefined {
    return this.tracingControls.workflow(runId)
  }

  /** Starts a job: one module over many inputs, spread over the mesh (jobs.ts). */
  async job (request: JobRequest): Promise<JobRunner> {
    const runner = await startJob(this, this.running(), request)
    this.jobs.set(runner.jobId, runner)
    return runner
  }

  /** A job's cost and time before it runs: its first slice run here, the executors' Agent Cards (jobs.ts). */
  async estimateJob (request: JobRequest, options: { signal?: AbortSignal } = {}): Promise<JobForecast> {
    return estimateJobRun(this.running(), this.local, request, options.signal)
  }

  /** Starts a workflow run: the spec (YAML or JSON) is checked first; its checkpoints go to this tab's store (workflows.ts). */
  async workflow (spec: string, inputs: Record<string, WorkflowInputGiven> = {}, options: WorkflowOptions = {}): Promise<WorkflowRunner> {
    return this.driving(await startWorkflowRun(this, this.running(), spec, inputs, options))
  }

  /** Goes on with a run of this tab from its stored log: finished steps are not run again. */
  async resumeWorkflow (runId: string, options: WorkflowOptions = {}): Promise<WorkflowRunner> {
    return this.driving(await resumeWorkflowRun(this, this.running(), runId, options))
  }

  /** Cancels a run this tab drives (the Workflows view's Cancel): logged, and its tasks in flight aborted. */
  async cancelWorkflow (runId: string): Promise<void> {
    const runner = this.workflowRunners.get(runId)
    if (runner === undefined) throw new RangeError(`this tab is not running workflow ${runId}`)
    await runner.cancel('canceled by the user')
  }

  /** Keeps the runner while it runs, so that it can be canceled. */
  private driving (runner: WorkflowRunner): WorkflowRunner {
    this.workflowRunners.set(runner.runId, runner)
    const forget = (): void => { this.workflowRunners.delete(runner.runId) }
    runner.result().then(forget, forget)
    return runner
  }

  /** This tab's workflow runs, newest first. */
  async workflows (): Promise<WorkflowRunRecord[]> {
    return this.running().store.listRuns()
  }

  /** A run's event log as this tab stored it, oldest first. */
  async workflowLog (runId: string): Promise<RunEvent[]> {
    return await this.running().store.listRunEvents(runId) as RunEvent[]
  }

  /** A run's signed workflow record (docs/workflow-record.md), made once it ended (workflow-record.ts). */
  async workflowRecord (runId: string): Promise<WorkflowRecord> {
    return signedWorkflowRecord(this.running(), runId)
  }

  /** Checks a workflow record against the receipts this tab holds (and the spec, when this tab has the run). */
  async verifyWorkflowRecord (record: unknown): Promise<WorkflowRecordReport> {
    return verifyWorkflowRecordHere(this.running(), record)
  }

  /** Cancels a job of this session (its card's Cancel). */
  raiseJobBudget (jobId: string, budget: number): void {
    const runner = this.jobs.get(jobId)
    if (runner === undefined) throw new RangeError(`no job ${jobId} in this session`)
    runner.raiseBudget(budget)
  }

  cancelJob (jobId: string): void {
    const runner = this.jobs.get(jobId)
    if (runner === undefined) throw new RangeError(`no job ${jobId} in this session`)
    runner.cancel()
  }

  /** The ledger as the store holds it now (the `ledger` in `state` follows it a moment later). */
  async ledgerView (): Promise<LedgerView> {
    return this.running().ledger()
  }

  /** Closes a payment channel cooperatively; resolves with the settlement record (also published to the mesh). */
  async closeChannel (channelId: string): Promise<Settlement> {
    return this.running().peer.payments.channels.close(channelId)
  }

  async closeChannelUnilaterally (channelId: string, challengePeriodMs: number = DEFAULT_CHALLENGE_PERIOD_MS): Promise<ClosingChannel> {
    const session = this.running()
    await beforeUnilateralClose(session.store, channelId)
    return session.peer.payments.channels.closeUnilaterally(channelId, challengePeriodMs)
  }

  /** How this tab keeps reputation: the half-life and blacklisting it uses now. */
  reputationPolicy (): ReputationPolicy {
    return this.running().peer.reputation.policy
  }

  /** Sets the half-life and blacklisting (defaults for what is left out); kept across reloads. */
  async setReputationPolicy (policy: ReputationPolicy): Promise<void> {
    await this.running().peer.reputation.setPolicy(policy)
  }

  whitelist (peerId: string, on: boolean): void {
    this.running().peer.reputation.whitelist(peerId, on)
  }

  /**
   * Resolves once this tab runs nothing for others and waits on nothing it
   * submitted: the moment a new version of the app may reload it.
   */
  async whenIdle (signal?: AbortSignal): Promise<void> {
    const busy = (): boolean => this.pool.running + this.pool.queued > 0 ||
      this.state.tasks.some(task => task.phase !== 'done' && task.phase !== 'failed')
    while (busy()) await sleep(IDLE_POLL_MS, signal)
  }

  /**
   * Runs a task in this tab's own sandbox — to try a module before submitting
   * it, or to measure the sandbox. `metered: false` skips fuel metering (the
   * result then reports no fuel). No receipt: nobody else was involved.
   */
  async runLocal (request: SubmitRequest, options: { metered?: boolean, signal?: AbortSignal } = {}): Promise<ExecutionResult> {
    return this.local.run(request, options)
  }

  /** What this tab has spent and dropped: connection, WebRTC budget, presence directory, gossip counters. */
  stats (): PeerStats {
    return this.running().stats()
  }

  /** This tab's metrics now: every metric's values and its samples (tab-metrics.ts). */
  metrics (): MetricsSnapshot {
    return this.running().metrics.snapshot()
  }

  /** Echo round trips to a peer over its best connection, in ms (see network/echo). */
  async measureEcho (peerId: string, options: EchoOptions): Promise<number[]> {
    return measureEcho(await this.running().peer.mesh.connectionTo(peerId, options), options)
  }

  /**
   * Runs a published agent once on the mesh (the marketplace's Run): its
   * entry module resolved and checked by the registry, with its first
   * example's input and its defaults; its card follows it in `state.tasks`.
   */
  async runAgent (ref: string): Promise<SubmitResult> {
    const { manifest, module } = await this.agents().resolveModule(ref)
    const example = manifest.examples[0]
    const { args, timeoutMs, memoryLimitBytes, fuel } = manifest.defaults
    return this.submit({
      module,
      label: `${manifest.name}@${manifest.version}`,
      stdin: example === undefined ? new Uint8Array(0) : exampleBytes(example.stdin),
      args: example?.args ?? args ?? [],
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
      ...(fuel === undefined ? {} : { fuel })
    })
  }

  /**
   * Serves A2A over /zerostate/a2a/1.0.0 from now on (docs/a2a-binding.md):
   * another peer's message naming a sample or a published agent runs as a
   * task on the mesh, paid by this tab. Off until asked: any peer may then
   * make this tab pay for tasks.
   */
  async serveA2A (): Promise<void> {
    const session = this.running()
    await session.peer.serveA2A(meshA2AAgent(session, { samples: this.state.samples }))
  }

  /** Sends an A2A SendMessage to `peerId` over /zerostate/a2a/1.0.0; resolves with the task it answered with. */
  async sendA2A (peerId: string, params: SendMessageParams, options: { signal?: AbortSignal } = {}): Promise<A2ATask> {
    return sendA2AMessage(await this.running().peer.mesh.connectionTo(peerId, options), params, options)
  }

  configurePlanner (config: PlannerConfig | undefined): void {
    // Checked before it is kept: a URL that is not http(s), or no model, is refused here (PlannerNotConfiguredError).
    if (config !== undefined) completionsUrl(config)
    savePlannerConfig(config)
    this.update({ planner: plannerView(config) })
  }

  /**
   * Asks the configured planner for a spec doing `request`, naming only this
   * tab's samples and the agents it holds, imitating two templates; the spec
   * must parse. Runs nothing: the view shows it for the user to read and run.
   */
  async planWorkflow (request: string, options: { signal?: AbortSignal } = {}): Promise<WorkflowPlan> {
    const config = loadPlannerConfig()
    if (config === undefined) throw new PlannerNotConfiguredError('no planner is configured: give an endpoint and a model first')
    const modules: PlannerModule[] = [
      ...this.state.samples.map(sample => ({ ref: sample.id, description: `${sample.title}. ${sample.description} (stdin: ${sample.stdinKind})` })),
      ...this.state.agents.filter(agent => !this.state.samples.some(sample => sample.id === agent.name))
        .map(agent => ({ ref: `agent:${agent.ref}`, description: agent.description }))
    ]
    return planWorkflow(request, config, { modules, examples: WORKFLOW_TEMPLATES.slice(0, 2).map(template => template.spec), ...options })
  }

  /** This tab's guilds (docs/guild.md §5): those it knows and is in, and the split records it verified. */
  guilds (): GuildService {
    return this.running().peer.guilds
  }

  /** Forms a guild (docs/guild.md §5); the guilds view shows it once every member signed. */
  async formGuild (request: FormGuildRequest): Promise<Guild> {
    return this.guilds().form(request)
  }

  /** Whether this tab signs guild invitations, and what it bids per step as a lead (null: no bids). */
  configureGuilds (options: { acceptInvites?: boolean, stepPrice?: number | null }): void {
    const { acceptInvites, stepPrice } = options
    if (stepPrice !== undefined && stepPrice !== null && (!Number.isSafeInteger(stepPrice) || stepPrice < 0)) throw new RangeError('stepPrice must be a whole number of µ ≥ 0, or null')
    this.update({
      ...(acceptInvites === undefined ? {} : { guildInvites: acceptInvites }),
      ...(stepPrice === undefined ? {} : { guildStepPrice: stepPrice })
    })
  }

  /** This tab's agent registry (docs/agent-manifest.md §12): what `window.zerostate.agents` publishes to and resolves from. */
  agents (): AgentRegistryService {
    return this.running().peer.agents
  }

  /** A workflow run's shared context as this tab holds it, following the run's topic (docs/workflow-context.md §9). */
  workflowContext (runId: string, spec: string, options: { submitter?: string } = {}): ReturnType<typeof watchRunContext> {
    return watchRunContext(this.running(), runId, spec, options)
  }

  private running (): PeerSession {
    if (this.session == null) throw new StartupError(this.state.statusDetail ?? 'this peer has not finished starting')
    return this.session
  }
}
