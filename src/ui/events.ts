/**
 * Requests the elements send up to whoever owns the app (see `mountUi`). Elements
 * never hold the app: they dispatch one of these, and the listener hands back
 * the outcome with `waitUntil`, as a service worker's `ExtendableEvent` does, so
 * the element can show progress and errors of its own action.
 */
import type { AppState, FormGuildRequest, JobRequest, PlannerConfig, SubmitRequest } from '../app/index.ts'

abstract class RequestEvent extends Event {
  #outcome: Promise<unknown> | undefined

  constructor (type: string) {
    super(type, { bubbles: true, composed: true })
  }

  /** Called by the listener with the promise that settles when the request is done. */
  waitUntil (outcome: Promise<unknown>): void {
    this.#outcome = outcome
  }

  /** Resolves at once when no listener took the request. */
  get outcome (): Promise<unknown> {
    return this.#outcome ?? Promise.resolve()
  }
}

/** What `<zs-settings>` sends besides on/off, slots and tags; a member left out keeps the app's current value. */
export interface ContributeSettings {
  /** Asking prices in micro-units, whole numbers ≥ 0. */
  prices?: AppState['prices']
  /** Shares (0–1) of announced receipts to re-execute as a witness. */
  witnessRates?: AppState['witnessRates']
}

/**
 * Fired by `<zs-contribute>` when the user turns contributing on or off or
 * changes the slots, and by `<zs-settings>` when they change the skill tags,
 * asking prices or witness rates.
 */
export class ContributeRequestEvent extends RequestEvent {
  static readonly type = 'zs-contribute-request'
  readonly on: boolean
  readonly slots: number
  /** Skill tags to advertise in this tab's Agent Card, already valid for its schema. */
  readonly tags: string[]
  readonly prices: AppState['prices'] | undefined
  readonly witnessRates: AppState['witnessRates'] | undefined

  constructor (on: boolean, slots: number, tags: string[] = [], settings: ContributeSettings = {}) {
    super(ContributeRequestEvent.type)
    this.on = on
    this.slots = slots
    this.tags = tags
    this.prices = settings.prices
    this.witnessRates = settings.witnessRates
  }
}

/**
 * Fired by `<zs-settings>` when the user turns "Share my figures with the
 * mesh" on or off: whether this tab publishes its signed mesh figures
 * (`app.shareMetrics(on)`, docs/metrics.md "Mesh figures").
 */
export class ShareMetricsRequestEvent extends RequestEvent {
  static readonly type = 'zs-share-metrics-request'
  readonly on: boolean

  constructor (on: boolean) {
    super(ShareMetricsRequestEvent.type)
    this.on = on
  }
}

/** Fired by `<zs-ledger>` when the user closes a payment channel this tab pays into. */
export class CloseChannelRequestEvent extends RequestEvent {
  static readonly type = 'zs-close-channel'
  readonly channelId: string
  /** Close without the other party: post the newest co-signed state and wait out the challenge period. */
  readonly unilateral: boolean

  constructor (channelId: string, unilateral = false) {
    super(CloseChannelRequestEvent.type)
    this.channelId = channelId
    this.unilateral = unilateral
  }
}

/** Fired by `<zs-submit>` with the task the user asked to run. */
export class SubmitRequestEvent extends RequestEvent {
  static readonly type = 'zs-submit-request'
  readonly request: SubmitRequest

  constructor (request: SubmitRequest) {
    super(SubmitRequestEvent.type)
    this.request = request
  }
}

/** Fired by `<zs-submit>` with a job the user asked to run: the module over each line of the input. */
export class JobRequestEvent extends RequestEvent {
  static readonly type = 'zs-job-request'
  readonly request: JobRequest

  constructor (request: JobRequest) {
    super(JobRequestEvent.type)
    this.request = request
  }
}

/** Fired by `<zs-submit>` to forecast a job's cost and time before running it; the outcome resolves with the JobForecast. */
export class EstimateJobRequestEvent extends RequestEvent {
  static readonly type = 'zs-estimate-job-request'
  readonly request: JobRequest

  constructor (request: JobRequest) {
    super(EstimateJobRequestEvent.type)
    this.request = request
  }
}

/**
 * Fired by `<zs-workflows>` to run a workflow spec with its inputs —
 * awarded first, with `guildBudget` µ, when given (docs/guild.md §6) — or
 * (`resumeRunId`) to resume a stored run.
 */
export class WorkflowRequestEvent extends RequestEvent {
  static readonly type = 'zs-workflow-request'
  constructor (readonly spec: string, readonly inputs: Record<string, unknown>, readonly resumeRunId?: string, readonly guildBudget?: number) {
    super(WorkflowRequestEvent.type)
  }
}

/** Fired by `<zs-tracing-settings>`: tracing on or off, and the OTLP/HTTP collector (null: none; undefined: unchanged). */
export class ConfigureTracingRequestEvent extends RequestEvent {
  static readonly type = 'zs-configure-tracing'
  constructor (readonly enabled: boolean | undefined, readonly otlpUrl: string | null | undefined) {
    super(ConfigureTracingRequestEvent.type)
  }
}

/** Fired by `<zs-guilds>`: whether this tab signs guild invitations, and what it bids a step as a lead (null: no bids). */
export class ConfigureGuildsRequestEvent extends RequestEvent {
  static readonly type = 'zs-configure-guilds'
  constructor (readonly acceptInvites: boolean, readonly stepPrice: number | null) {
    super(ConfigureGuildsRequestEvent.type)
  }
}

/** Fired by `<zs-guilds>` to form a guild: every other member is invited and must sign (the outcome is the guild). */
export class FormGuildRequestEvent extends RequestEvent {
  static readonly type = 'zs-form-guild'
  constructor (readonly request: FormGuildRequest) {
    super(FormGuildRequestEvent.type)
  }
}

/** Fired by the marketplace to run a published agent (`name@version`) once, with its first example's input. */
export class AgentRunRequestEvent extends RequestEvent {
  static readonly type = 'zs-agent-run'
  constructor (readonly ref: string) {
    super(AgentRunRequestEvent.type)
  }
}

/** Fired by the planner box to keep the planner's endpoint, model and key (undefined forgets them). */
export class ConfigurePlannerRequestEvent extends RequestEvent {
  static readonly type = 'zs-configure-planner'
  constructor (readonly config: PlannerConfig | undefined) {
    super(ConfigurePlannerRequestEvent.type)
  }
}

/** Fired by the planner box to turn a plain request into a workflow spec (nothing runs). */
export class PlanWorkflowRequestEvent extends RequestEvent {
  static readonly type = 'zs-plan-workflow'
  constructor (readonly request: string) {
    super(PlanWorkflowRequestEvent.type)
  }
}

/** Fired by a job's card to raise the job's budget (micro-units); a job paused for its budget goes on. */
export class RaiseJobBudgetRequestEvent extends RequestEvent {
  static readonly type = 'zs-raise-job-budget'
  constructor (readonly jobId: string, readonly budget: number) {
    super(RaiseJobBudgetRequestEvent.type)
  }
}

/** Fired by `<zs-workflows>` for a run's signed record, to download; the outcome resolves with it. */
export class WorkflowRecordRequestEvent extends RequestEvent {
  static readonly type = 'zs-workflow-record-request'
  constructor (readonly runId: string) {
    super(WorkflowRecordRequestEvent.type)
  }
}

/** Fired by `<zs-workflows>` when the user cancels a run this tab drives. */
export class CancelWorkflowRequestEvent extends RequestEvent {
  static readonly type = 'zs-cancel-workflow'
  constructor (readonly runId: string) {
    super(CancelWorkflowRequestEvent.type)
  }
}

/** Fired by `<zs-job-card>` when the user cancels its job. */
export class CancelJobRequestEvent extends RequestEvent {
  static readonly type = 'zs-cancel-job'
  readonly jobId: string

  constructor (jobId: string) {
    super(CancelJobRequestEvent.type)
    this.jobId = jobId
  }
}

/**
 * Fired by `<zs-trust>` (in `<zs-ledger>`) when the user whitelists a peer
 * (it is never blacklisted, and a blacklisting in force is lifted) or takes
 * it off the whitelist.
 */
export class WhitelistRequestEvent extends RequestEvent {
  static readonly type = 'zs-whitelist'
  readonly peerId: string
  readonly on: boolean

  constructor (peerId: string, on: boolean) {
    super(WhitelistRequestEvent.type)
    this.peerId = peerId
    this.on = on
  }
}

declare global {
  interface HTMLElementEventMap {
    'zs-contribute-request': ContributeRequestEvent
    'zs-share-metrics-request': ShareMetricsRequestEvent
    'zs-submit-request': SubmitRequestEvent
    'zs-job-request': JobRequestEvent
    'zs-estimate-job-request': EstimateJobRequestEvent
    'zs-cancel-job': CancelJobRequestEvent
    'zs-raise-job-budget': RaiseJobBudgetRequestEvent
    'zs-workflow-request': WorkflowRequestEvent
    'zs-configure-guilds': ConfigureGuildsRequestEvent
    'zs-configure-tracing': ConfigureTracingRequestEvent
    'zs-form-guild': FormGuildRequestEvent
    'zs-cancel-workflow': CancelWorkflowRequestEvent
    'zs-workflow-record-request': WorkflowRecordRequestEvent
    'zs-close-channel': CloseChannelRequestEvent
    'zs-whitelist': WhitelistRequestEvent
    'zs-agent-run': AgentRunRequestEvent
    'zs-configure-planner': ConfigurePlannerRequestEvent
    'zs-plan-workflow': PlanWorkflowRequestEvent
  }
}
