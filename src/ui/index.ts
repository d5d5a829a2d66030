/**
 * The browser UI: lit elements prefixed `zs-`, given the app's state and
 * sending requests back as events, so no element imports the network layer.
 *
 * @example
 * import { mountUi, registerServiceWorker } from './ui/index.ts'
 * mountUi(app, document.getElementById('app')!)
 * registerServiceWorker()
 */
import type { ZeroStateApp } from '../app/index.ts'
import {
  AgentRunRequestEvent, CancelJobRequestEvent, ConfigureGuildsRequestEvent, ConfigurePlannerRequestEvent, ConfigureTracingRequestEvent, FormGuildRequestEvent, PlanWorkflowRequestEvent, CancelWorkflowRequestEvent, CloseChannelRequestEvent, ContributeRequestEvent, EstimateJobRequestEvent, JobRequestEvent, RaiseJobBudgetRequestEvent, ShareMetricsRequestEvent, SubmitRequestEvent, WhitelistRequestEvent, WorkflowRecordRequestEvent, WorkflowRequestEvent
} from './events.ts'
import './zs-app.ts'

export { registerServiceWorker } from './register-sw.ts'
export type { ServiceWorkerOptions } from './register-sw.ts'

/**
 * Renders `<zs-app>` into `root` (replacing its content), keeps it in step with
 * `app.state` and forwards the elements' requests to `app`. Rejections go back
 * to the requesting element through the event; failed tasks also show in their
 * card via `state`.
 */
export function mountUi (app: ZeroStateApp, root: HTMLElement): void {
  const view = document.createElement('zs-app')
  view.state = app.state
  // A busy tab changes state many times per task; the screen needs it at most
  // once a frame, and not at all while the tab is hidden (rAF pauses), which
  // leaves a contributing background tab its CPU for tasks.
  let frameRequested = false
  app.addEventListener('change', () => {
    if (frameRequested) return
    frameRequested = true
    requestAnimationFrame(() => {
      frameRequested = false
      view.state = app.state
    })
  })
  view.addEventListener(ContributeRequestEvent.type, (event) => {
    const { tags, prices, witnessRates } = event
    event.waitUntil(app.contribute(event.on, event.slots, { tags, prices, witnessRates }))
  })
  view.addEventListener(SubmitRequestEvent.type, (event) => {
    event.waitUntil(app.submit(event.request))
  })
  view.addEventListener(JobRequestEvent.type, (event) => {
    event.waitUntil(app.job(event.request))
  })
  view.addEventListener(EstimateJobRequestEvent.type, (event) => {
    event.waitUntil(app.estimateJob(event.request))
  })
  view.addEventListener(WorkflowRequestEvent.type, (event) => {
    event.waitUntil(event.resumeRunId !== undefined
      ? app.resumeWorkflow(event.resumeRunId)
      : app.workflow(event.spec, event.inputs, event.guildBudget === undefined ? {} : { guild: { budget: event.guildBudget } }))
  })
  view.addEventListener(ConfigureGuildsRequestEvent.type, (event) => {
    event.waitUntil(new Promise<void>((resolve) => {
      app.configureGuilds({ acceptInvites: event.acceptInvites, stepPrice: event.stepPrice })
      resolve()
    }))
  })
  view.addEventListener(ConfigureTracingRequestEvent.type, (event) => {
    event.waitUntil(app.configureTracing({
      ...(event.enabled === undefined ? {} : { enabled: event.enabled }),
      ...(event.otlpUrl === undefined ? {} : { otlpUrl: event.otlpUrl })
    }))
  })
  view.addEventListener(ShareMetricsRequestEvent.type, (event) => {
    event.waitUntil(new Promise<void>((resolve) => {
      app.shareMetrics(event.on)
      resolve()
    }))
  })
  view.addEventListener(FormGuildRequestEvent.type, (event) => {
    event.waitUntil(app.formGuild(event.request))
  })
  view.addEventListener(WorkflowRecordRequestEvent.type, (event) => {
    event.waitUntil(app.workflowRecord(event.runId))
  })
  view.addEventListener(CancelWorkflowRequestEvent.type, (event) => {
    event.waitUntil(app.cancelWorkflow(event.runId))
  })
  view.addEventListener(RaiseJobBudgetRequestEvent.type, (event) => {
    event.waitUntil(new Promise<void>((resolve) => {
      app.raiseJobBudget(event.jobId, event.budget)
      resolve()
    }))
  })
  view.addEventListener(CancelJobRequestEvent.type, (event) => {
    event.waitUntil(new Promise<void>((resolve) => {
      app.cancelJob(event.jobId)
      resolve()
    }))
  })
  view.addEventListener(CloseChannelRequestEvent.type, (event) => {
    event.waitUntil(event.unilateral ? app.closeChannelUnilaterally(event.channelId) : app.closeChannel(event.channelId))
  })
  view.addEventListener(ConfigurePlannerRequestEvent.type, (event) => {
    event.waitUntil(new Promise<void>((resolve) => {
      app.configurePlanner(event.config)
      resolve()
    }))
  })
  view.addEventListener(PlanWorkflowRequestEvent.type, (event) => {
    event.waitUntil(app.planWorkflow(event.request))
  })
  view.addEventListener(AgentRunRequestEvent.type, (event) => {
    event.waitUntil(app.runAgent(event.ref))
  })
  view.addEventListener(WhitelistRequestEvent.type, (event) => {
    // Synchronous: a throw becomes the outcome's rejection, as for the other requests.
    event.waitUntil(new Promise<void>((resolve) => {
      app.whitelist(event.peerId, event.on)
      resolve()
    }))
  })
  root.replaceChildren(view)
}
