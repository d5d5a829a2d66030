/**
 * `window.zerostate.workflow(spec, inputs)` and `resumeWorkflow(runId)`: a
 * workflow run driven by the runner (orchestration/workflow/runner) over this
 * tab's TaskDispatch, with its checkpoints in this tab's store — the run's
 * record, its append-only event log, its steps' outputs as content-addressed
 * blobs and memoized outputs — so that a reload loses nothing: the record
 * keeps the spec, the inputs and the seed, and resuming replays the log.
 */
import { bytesToHex, hexToBytes } from '../core/encoding.ts'
import { sha256HexAsync } from '../core/hash.ts'
import { DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, TASK_SEED_BYTES } from '../core/limits.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import { resumeWorkflow, startWorkflow, type WorkflowRunner, type WorkflowRunnerComponents } from '../orchestration/workflow/runner/index.ts'
import type { MemoizedOutputs } from '../orchestration/workflow/runner/index.ts'
import { WorkflowRun, type RunEvent, type RunStatus, type WorkflowInputValue } from '../orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec, stepDependencies, type WorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import type { PeerSession } from './session.ts'
import type { WorkflowStepView, WorkflowView } from './types.ts'
import type { ViewModel } from './view-model.ts'
import { blobPutter, storeWorkflowInputs, type WorkflowInputGiven } from './workflow-inputs.ts'
import { outputViews } from './workflow-outputs.ts'
import { keepSignedRecord } from './workflow-record.ts'
import { preview } from './view-state.ts'

/** Runs the Workflows view lists. */
const WORKFLOW_VIEWS_LIMIT = 20

/** Limits of every step's task unless the step sets its own (timeoutMs, fuel). */
export interface WorkflowOptions {
  timeoutMs?: number
  memoryLimitBytes?: number
  fuel?: number
  maxTotalPrice?: number
  /** Publish each step's receipt and input for witnesses (default true). */
  witnesses?: boolean
  /** The tasks' seed (32 bytes; random when omitted). Two runs with the same seed reuse each other's verified step outputs. */
  seed?: Uint8Array
}

export async function startWorkflowRun (view: ViewModel, session: PeerSession, specText: string, given: Record<string, WorkflowInputGiven> = {}, options: WorkflowOptions = {}): Promise<WorkflowRunner> {
  // Refused before anything runs or is stored: WorkflowSpecError names every problem with its line and column.
  const spec = parseWorkflowSpec(specText)
  const inputs = await storeWorkflowInputs(spec, given, blobPutter(session.store))
  const runId = `wf-${crypto.randomUUID()}`
  const seed = options.seed === undefined ? crypto.getRandomValues(new Uint8Array(TASK_SEED_BYTES)) : new Uint8Array(options.seed)
  if (seed.byteLength !== TASK_SEED_BYTES) throw new RangeError(`a workflow's seed is ${TASK_SEED_BYTES} bytes, got ${seed.byteLength}`)
  const now = Date.now()
  const record: WorkflowRunRecord = {
    runId, specText, specHash: await sha256HexAsync(new TextEncoder().encode(specText)), inputs, seedHex: bytesToHex(seed), state: 'submitted', createdAt: now, updatedAt: now
  }
  await session.store.putRun(record)
  const runner = await startWorkflow(components(session, options), { runId, spec, inputs, defaults: defaultsOf(options, seed) })
  keepRecord(session, runner, record)
  keepSignedRecord(session, runner) // signed once it ends: workflow-record.ts
  showWorkflow(view, session, runner, spec, record)
  showOutputs(view, session, runner)
  return runner
}

export async function resumeWorkflowRun (view: ViewModel, session: PeerSession, runId: string, options: WorkflowOptions = {}): Promise<WorkflowRunner> {
  const record = await session.store.getRun(runId)
  if (record === undefined) throw new RangeError(`no workflow run ${runId} in this tab's store`)
  const spec = parseWorkflowSpec(record.specText)
  const runner = await resumeWorkflow(components(session, options), {
    runId, spec, inputs: record.inputs as Record<string, WorkflowInputValue>, defaults: defaultsOf(options, hexToBytes(record.seedHex))
  })
  keepRecord(session, runner, record)
  keepSignedRecord(session, runner) // signed once it ends: workflow-record.ts
  showWorkflow(view, session, runner, spec, record)
  showOutputs(view, session, runner)
  return runner
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
    return [{ ...viewOf(spec, record), ...await replayedSteps(session, spec, record) }]
  }))).flat()
  const live = new Set(view.state.workflows.map(run => run.runId))
  view.update({ workflows: [...view.state.workflows, ...stored.filter(run => !live.has(run.runId))] })
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

/** Each step's view from the run's status and the receipts seen so far. */
function stepViews (status: RunStatus, after: Map<string, string[]>, receipts: ReturnType<typeof stepReceipts>): WorkflowStepView[] {
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
      after: after.get(step.name) ?? []
    }
  })
}

/** A stored run's steps as its log left them (replayed by the scheduler, nothing run); none when the log cannot be replayed. */
async function replayedSteps (session: PeerSession, spec: WorkflowSpec, record: WorkflowRunRecord): Promise<Partial<WorkflowView>> {
  try {
    const run = new WorkflowRun(spec, record.inputs as Record<string, WorkflowInputValue>, record.runId)
    const receipts = stepReceipts()
    for (const event of await session.store.listRunEvents(record.runId) as RunEvent[]) {
      run.apply(event)
      receipts.add(event)
    }
    return { steps: stepViews(run.status(), stepDependencies(spec), receipts) }
  } catch {
    return {} // the steps are drawn without their states
  }
}

/** Keeps the run's view up to date from its status events, and each step's receipts from its log. */
function showWorkflow (view: ViewModel, session: PeerSession, runner: WorkflowRunner, spec: WorkflowSpec, record: WorkflowRunRecord): void {
  const after = stepDependencies(spec)
  const receipts = stepReceipts()
  const patch = (status: RunStatus): Partial<WorkflowView> => ({ state: status.state, steps: stepViews(status, after, receipts) })
  const others = view.state.workflows.filter(run => run.runId !== runner.runId)
  view.update({ workflows: [{ ...viewOf(spec, record), live: true, ...patch(runner.status()) }, ...others].slice(0, WORKFLOW_VIEWS_LIMIT) })
  // A `step` event comes before the `status` event of its batch, which then shows it.
  runner.addEventListener('step', event => { receipts.add((event as unknown as { detail: { event: RunEvent } }).detail.event) })
  runner.addEventListener('status', event => { view.updateWorkflow(runner.runId, patch((event as unknown as { detail: RunStatus }).detail)) })
  // What the log held before this listener (a resumed run's past, a reuse that was quick): each unit is kept once, so overlap is harmless.
  session.store.listRunEvents(runner.runId).then(events => {
    for (const event of events as RunEvent[]) receipts.add(event)
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

function defaultsOf (options: WorkflowOptions, seed: Uint8Array): Parameters<typeof startWorkflow>[1]['defaults'] {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    memoryLimitBytes: options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
    fuel: options.fuel ?? DEFAULT_FUEL,
    maxTotalPrice: options.maxTotalPrice ?? DEFAULT_MAX_TOTAL_PRICE,
    seed: new Uint8Array(seed)
  }
}

/** The run's record follows its state, so the list of runs says which are still to resume. */
function keepRecord (session: PeerSession, runner: WorkflowRunner, record: WorkflowRunRecord): void {
  let last = record.state
  const save = (status: RunStatus): void => {
    if (status.state === last) return
    last = status.state
    session.store.putRun({ ...record, state: status.state, updatedAt: Date.now() }).catch(() => {})
  }
  runner.addEventListener('status', event => { save((event as unknown as { detail: RunStatus }).detail) })
  runner.result().then(() => { save(runner.status()) }, () => {})
}

/** The runner's components over this tab's store, its dispatch and its accountability. */
function components (session: PeerSession, options: WorkflowOptions): WorkflowRunnerComponents {
  const { store } = session
  const { dispatch, accountability } = session.peer
  /** The next sequence number of each run's log this tab writes. */
  const nextSeq = new Map<string, number>()
  return {
    dispatch,
    modules: {
      async load (ref) {
        let bytes: Uint8Array<ArrayBuffer>
        if (ref.startsWith('sha256:')) {
          const held = await store.getModule(ref.slice('sha256:'.length))
          if (held === undefined) throw new RangeError(`module ${ref} is not in this tab's store: run it once, or name a sample`)
          bytes = new Uint8Array(held)
        } else {
          const response = await fetch(`samples/${encodeURIComponent(ref)}.wasm`)
          if (!response.ok) throw new RangeError(`no sample "${ref}" (HTTP ${response.status})`)
          bytes = new Uint8Array(await response.arrayBuffer())
        }
        return { bytes, hash: await sha256HexAsync(bytes) }
      }
    },
    blobs: {
      async put (bytes) {
        const hash = await sha256HexAsync(bytes)
        await store.putBlob(hash, bytes)
        return hash
      },
      async get (hash) {
        return store.getBlob(hash)
      }
    },
    log: {
      async append (runId: string, event: RunEvent) {
        const seq = nextSeq.get(runId) ?? (await store.listRunEvents(runId)).length
        await store.appendRunEvent(runId, seq, event)
        nextSeq.set(runId, seq + 1)
      },
      async load (runId: string) {
        const events = await store.listRunEvents(runId) as RunEvent[]
        nextSeq.set(runId, events.length)
        return events
      }
    },
    memo: {
      async get (key) {
        return await store.getMemo(key) as MemoizedOutputs | undefined
      },
      async put (key, outputs) {
        await store.putMemo(key, outputs)
      }
    },
    settle: async (outcome, offer, module) => {
      await Promise.all([
        accountability.afterTask(outcome.receipt, offer, module, options.witnesses ?? true),
        session.remember({ receipt: outcome.receipt, role: 'submitter', label: `workflow step ${offer.taskId.slice(0, 24)}`, stdoutPreview: preview(outcome.stdout), storedAt: Date.now() })
      ])
    }
  }
}
