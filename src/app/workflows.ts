/**
 * `window.zerostate.workflow(spec, inputs)` and `resumeWorkflow(runId)` in a
 * tab: the peer's workflow runs (src/peer/workflows.ts — checkpointed in this
 * tab's store, so that a reload loses nothing, and signed once they end),
 * drawn in the Workflows view from the runner's events, with the stored runs
 * a reload left listed to be resumed.
 */
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import type { WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import { WorkflowRun, type RunEvent, type RunStatus, type WorkflowInputValue } from '../orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec, stepDependencies, type WorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import type { WorkflowInputGiven } from '../peer/workflow-inputs.ts'
import { resumeWorkflowRun as resumePeerWorkflow, startWorkflowRun as startPeerWorkflow, type StartedWorkflow, type WorkflowOptions } from '../peer/workflows.ts'
import type { PeerSession } from './session.ts'
import type { WorkflowStepView, WorkflowView } from './types.ts'
import type { ViewModel } from './view-model.ts'
import { contextFromLog, contextView, stepContextNotes, type StepContextNotes } from './workflow-context.ts'
import { outputViews } from './workflow-outputs.ts'
import { runAwardView, splitView } from './guild-view.ts'
import { restoreAward } from '../peer/guild-run.ts'

/** Runs the Workflows view lists. */
const WORKFLOW_VIEWS_LIMIT = 20

export type { WorkflowOptions } from '../peer/workflows.ts'

export async function startWorkflowRun (view: ViewModel, session: PeerSession, specText: string, given: Record<string, WorkflowInputGiven> = {}, options: WorkflowOptions = {}): Promise<WorkflowRunner> {
  const { runner } = await startPeerWorkflow(session, specText, given, options, run => { show(view, session, run) })
  return runner
}

export async function resumeWorkflowRun (view: ViewModel, session: PeerSession, runId: string, options: WorkflowOptions = {}): Promise<WorkflowRunner> {
  const { runner } = await resumePeerWorkflow(session, runId, options, run => { show(view, session, run) })
  return runner
}

/** Follows a run this tab drives in its view: the steps' states as they change, the outputs once it completed. */
function show (view: ViewModel, session: PeerSession, run: StartedWorkflow): void {
  const { runner, spec, record } = run
  showWorkflow(view, session, runner, spec, record)
  showOutputs(view, session, runner)
  showAward(view, session, run)
  showTrace(view, session, run)
}

/** A traced run's id at once; its spans, every step's across peers, once it ended (docs/tracing.md §7). */
function showTrace (view: ViewModel, session: PeerSession, { runner, traceId }: StartedWorkflow): void {
  if (traceId === undefined) return
  view.updateWorkflow(runner.runId, { trace: { traceId, spans: [] } })
  const spans = (): void => { view.updateWorkflow(runner.runId, { trace: { traceId, spans: session.peer.traces?.trace(traceId) ?? [] } }) }
  runner.result().then(spans, spans)
}

/** An awarded run: its award (again once it ends: a member may have left and its steps been re-awarded), then the split that paid its guild. */
function showAward (view: ViewModel, session: PeerSession, { runner, award, split }: StartedWorkflow): void {
  if (award === undefined) return
  const patch = (): Partial<WorkflowView> => ({ award: runAwardView(award.award, session.peer.guilds.known(), award.forfeited.length) })
  view.updateWorkflow(runner.runId, patch())
  runner.result().then(() => { view.updateWorkflow(runner.runId, patch()) }, () => {})
  split?.then(record => { if (record !== undefined) view.updateWorkflow(runner.runId, { split: splitView(record) }) }, () => {})
}

/** The stored runs, for the Workflows view when the tab starts: their last state, to resume the unfinished, and each step's as its log left it. */
export async function loadWorkflowViews (view: ViewModel, session: PeerSession): Promise<void> {
  const records = await session.store.listRuns(WORKFLOW_VIEWS_LIMIT)
  const stored = (await Promise.all(records.map(async (record): Promise<WorkflowView[]> => {
    let spec: WorkflowSpec
    try {
      spec = parseWorkflowSpec(record.specText)
    } catch {
      return [] // a spec this version no longer accepts is kept in the store, not shown
    }
    return [{ ...viewOf(spec, record), ...await replayedSteps(session, spec, record), ...storedAward(session, record) }]
  }))).flat()
  const live = new Set(view.state.workflows.map(run => run.runId))
  view.update({ workflows: [...view.state.workflows, ...stored.filter(run => !live.has(run.runId))] })
}

/** A stored run's award as its record kept it, and the split that paid its guild when this tab holds it. */
function storedAward (session: PeerSession, record: WorkflowRunRecord): Partial<WorkflowView> {
  if (record.award === undefined) return {}
  try {
    const { award, forfeited } = restoreAward(record.award, record.runId)
    const split = session.peer.guilds.splits().find(candidate => candidate.runId === record.runId)
    return { award: runAwardView(award, session.peer.guilds.known(), forfeited.length), ...(split === undefined ? {} : { split: splitView(split) }) }
  } catch {
    return {} // an award this version cannot read: the run is shown without it
  }
}

function viewOf (spec: WorkflowSpec, record: WorkflowRunRecord): WorkflowView {
  const after = stepDependencies(spec)
  return {
    runId: record.runId,
    name: spec.name ?? record.runId,
    state: record.state,
    steps: spec.dag.tasks.map(step => ({ name: step.name, state: 'submitted', attempts: 0, after: after.get(step.name) ?? [] })),
    startedAt: record.createdAt,
    live: false
  }
}

/** Each step's verified results, one per unit (step#item), from the run's `succeeded` events, in item order. */
function stepReceipts (): { add: (event: RunEvent) => void, of: (step: string) => WorkflowStepView['receipts'] } {
  const byStep = new Map<string, Map<number, NonNullable<WorkflowStepView['receipts']>[number]>>()
  return {
    add (event) {
      if (event.type !== 'succeeded' || event.receiptHash === undefined) return
      const units = byStep.get(event.step) ?? new Map()
      byStep.set(event.step, units)
      units.set(event.item ?? -1, { ...(event.item === undefined ? {} : { item: event.item }), hash: event.receiptHash, ...(event.executor === undefined ? {} : { executor: event.executor }) })
    },
    of (step) {
      const units = byStep.get(step)
      return units === undefined ? undefined : [...units.entries()].sort(([a], [b]) => a - b).map(([, receipt]) => receipt)
    }
  }
}

/** Each step's view from the run's status and the receipts (and context notes) seen so far. */
function stepViews (status: RunStatus, after: Map<string, string[]>, receipts: ReturnType<typeof stepReceipts>, notes: StepContextNotes): WorkflowStepView[] {
  return status.steps.map((step): WorkflowStepView => {
    const held = receipts.of(step.name)
    return {
      name: step.name,
      state: step.state,
      attempts: step.attempts,
      ...(step.items === undefined ? {} : { items: step.items }),
      ...(step.lastError === undefined ? {} : { error: `${step.lastError.name}: ${step.lastError.message}` }),
      ...(step.skipReason === undefined ? {} : { skipReason: step.skipReason }),
      ...(step.executors === undefined ? {} : { executors: step.executors }),
      ...(held === undefined ? {} : { receipts: held }),
      ...notes.of(step.name),
      after: after.get(step.name) ?? []
    }
  })
}

/** A stored run's steps as its log left them (replayed by the scheduler, nothing run); none when the log cannot be replayed. */
async function replayedSteps (session: PeerSession, spec: WorkflowSpec, record: WorkflowRunRecord): Promise<Partial<WorkflowView>> {
  try {
    const run = new WorkflowRun(spec, record.inputs as Record<string, WorkflowInputValue>, record.runId)
    const receipts = stepReceipts()
    const notes = stepContextNotes()
    const events = await session.store.listRunEvents(record.runId) as RunEvent[]
    for (const event of events) {
      run.apply(event)
      receipts.add(event)
      notes.add(event)
    }
    const context = contextFromLog(spec, record.runId, events)
    return { steps: stepViews(run.status(), stepDependencies(spec), receipts, notes), ...(context === undefined ? {} : { context: contextView(context, notes.stepOfReceipt) }) }
  } catch {
    return {} // the steps are drawn without their states
  }
}

/** Keeps the run's view up to date from its status events, and each step's receipts from its log. */
function showWorkflow (view: ViewModel, session: PeerSession, runner: WorkflowRunner, spec: WorkflowSpec, record: WorkflowRunRecord): void {
  const after = stepDependencies(spec)
  const receipts = stepReceipts()
  const notes = stepContextNotes()
  const contextPatch = (): Partial<WorkflowView> => {
    const context = runner.context()
    return context === undefined ? {} : { context: contextView(context, notes.stepOfReceipt) }
  }
  const patch = (status: RunStatus): Partial<WorkflowView> => ({ state: status.state, steps: stepViews(status, after, receipts, notes), ...contextPatch() })
  const others = view.state.workflows.filter(run => run.runId !== runner.runId)
  view.update({ workflows: [{ ...viewOf(spec, record), live: true, ...patch(runner.status()) }, ...others].slice(0, WORKFLOW_VIEWS_LIMIT) })
  // A `step` event comes before the `status` event of its batch, which then shows it.
  runner.addEventListener('step', event => {
    const logged = (event as unknown as { detail: { event: RunEvent } }).detail.event
    receipts.add(logged)
    notes.add(logged)
  })
  runner.addEventListener('status', event => { view.updateWorkflow(runner.runId, patch((event as unknown as { detail: RunStatus }).detail)) })
  // What the log held before this listener (a resumed run's past, a reuse that was quick): each unit is kept once, so overlap is harmless.
  session.store.listRunEvents(runner.runId).then(events => {
    for (const event of events as RunEvent[]) {
      receipts.add(event)
      notes.add(event)
    }
    view.updateWorkflow(runner.runId, patch(runner.status()))
  }).catch(() => {}) // without the log, the view shows states without receipts
  runner.result().then(
    () => { view.updateWorkflow(runner.runId, { ...patch(runner.status()), finishedAt: Date.now(), live: false }) },
    (err: Error) => { view.updateWorkflow(runner.runId, { ...patch(runner.status()), finishedAt: Date.now(), live: false, error: { name: err.name, message: err.message } }) }
  )
}

/** Shows a completed run's outputs in its view: text, and images from the blob store (workflow-outputs.ts). */
function showOutputs (view: ViewModel, session: PeerSession, runner: WorkflowRunner): void {
  runner.result().then(async result => {
    if (result.state !== 'completed') return
    view.updateWorkflow(runner.runId, { outputs: await outputViews(result, async hash => await session.store.getBlob(hash)) })
  }).catch(() => {}) // a run that did not end here (stopped, its log failed) has no outputs to show
}
