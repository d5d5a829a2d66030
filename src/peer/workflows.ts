/**
 * A workflow run driven by the runner (orchestration/workflow/runner) over
 * this peer's TaskDispatch, with its checkpoints in this peer's store — the
 * run's record, its append-only event log, its steps' outputs as
 * content-addressed blobs and memoized outputs — so that a restart loses
 * nothing: the record keeps the spec, the inputs and the seed, and resuming
 * replays the log. Once a run ends, its record is signed (workflow-record.ts).
 * The runner's events (`status`, `step`, `complete`) are its progress, for a
 * tab's Workflows view (src/app/workflows.ts) and the SDK alike.
 */
import { bytesToHex, hexToBytes } from '../core/encoding.ts'
import { sha256HexAsync } from '../core/hash.ts'
import { DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, TASK_SEED_BYTES } from '../core/limits.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import { resumeWorkflow, startWorkflow, type WorkflowRunner, type WorkflowRunnerComponents } from '../orchestration/workflow/runner/index.ts'
import type { MemoizedOutputs } from '../orchestration/workflow/runner/index.ts'
import type { RunEvent, RunStatus, WorkflowInputValue } from '../orchestration/workflow/scheduler/index.ts'
import type { TaskOutcome, ValidOffer } from '../orchestration/task-protocol/index.ts'
import { parseWorkflowSpec, type WorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import { consoleLogger } from '../core/index.ts'
import type { SplitRecord } from '../economy/shapley/index.ts'
import { guildStepDispatch } from './guild-dispatch.ts'
import { awardCheckpoint, awardRun, isGuildStep, restoreAward, splitGuildRun, type AwardedRun, type GuildRunOptions } from './guild-run.ts'
import type { PeerContext } from './context.ts'
import { preview } from './preview.ts'
import { blobPutter, storeWorkflowInputs, type WorkflowInputGiven } from './workflow-inputs.ts'
import { publishRunContext } from './workflow-context-sync.ts'
import { workflowModuleSource } from './workflow-modules.ts'
import { keepSignedRecord } from './workflow-record.ts'
import { RunTrace } from './workflow-trace.ts'

/** Where a guild run's payments that failed are told (the split record itself says what was due). */
const GUILD_LOG = consoleLogger('zerostate guild run')

/** Limits of every step's task unless the step sets its own (timeoutMs, fuel). */
export interface WorkflowOptions {
  timeoutMs?: number
  memoryLimitBytes?: number
  fuel?: number
  maxTotalPrice?: number
  /** Publish each step's receipt and input for witnesses (default true). */
  witnesses?: boolean
  /**
   * Check each step's result by this peer's verification policy, as a
   * single task's (docs/trust-and-payments.md §3): a new or risky executor's
   * task is run again on a peer this one trusts, or in its own sandbox,
   * before the step's output is kept, and a result shown wrong is sent to
   * another executor. Default true; never with `witnesses: false`, nor for a
   * step awarded to an executor (`guild`). Not kept with the run: give it
   * again when resuming.
   */
  verify?: boolean
  /** The tasks' seed (32 bytes; random when omitted). Two runs with the same seed reuse each other's verified step outputs. */
  seed?: Uint8Array
  /**
   * Award the run before it starts, to a guild or to executors per step, and
   * pay a guild by the Shapley split when it completes (guild-run.ts, docs/guild.md §6).
   */
  guild?: GuildRunOptions
}

/** A run this peer drives, with its spec and its stored record (as it was when the run started). */
export interface StartedWorkflow {
  runner: WorkflowRunner
  spec: WorkflowSpec
  record: WorkflowRunRecord
  /** With `guild`: who the run was awarded to, and (once it completed) the signed split that paid the guild. */
  award?: AwardedRun
  split?: Promise<SplitRecord | undefined>
  /** The run's W3C trace id when it is traced (docs/tracing.md §7): its steps' tasks' spans, in the peer's TraceRecorder. */
  traceId?: string
}

/** Called as soon as the runner exists, before any further await: to follow every event. */
export type OnWorkflowStarted = (started: StartedWorkflow) => void

export async function startWorkflowRun (ctx: PeerContext, specText: string, given: Record<string, WorkflowInputGiven> = {}, options: WorkflowOptions = {}, onStarted?: OnWorkflowStarted): Promise<StartedWorkflow> {
  // Refused before anything runs or is stored: WorkflowSpecError names every problem with its line and column.
  const spec = parseWorkflowSpec(specText)
  const inputs = await storeWorkflowInputs(spec, given, blobPutter(ctx.store))
  const runId = `wf-${crypto.randomUUID()}`
  const seed = options.seed === undefined ? crypto.getRandomValues(new Uint8Array(TASK_SEED_BYTES)) : new Uint8Array(options.seed)
  if (seed.byteLength !== TASK_SEED_BYTES) throw new RangeError(`a workflow's seed is ${TASK_SEED_BYTES} bytes, got ${seed.byteLength}`)
  const now = Date.now()
  const record: WorkflowRunRecord = {
    runId, specText, specHash: await sha256HexAsync(new TextEncoder().encode(specText)), inputs, seedHex: bytesToHex(seed), state: 'submitted', createdAt: now, updatedAt: now
  }
  const defaults = defaultsOf(options, seed)
  const award = options.guild === undefined ? undefined : await awardRun(ctx, spec, record.specHash, runId, defaults, options.guild)
  // Kept with the record before anything runs: a resumed run keeps its award (and what its guild's steps cost).
  if (award !== undefined) record.award = awardCheckpoint(award)
  await ctx.store.putRun(record)
  const trace = RunTrace.open(ctx.peer.traces, runId, spec.name, false)
  const runner = await traced(trace, startWorkflow(components(ctx, options, record, award, trace), { runId, spec, inputs, defaults }))
  return started(ctx, awarded({ runner, spec, record, ...traceIdOf(trace) }, ctx, award), onStarted)
}

export async function resumeWorkflowRun (ctx: PeerContext, runId: string, options: WorkflowOptions = {}, onStarted?: OnWorkflowStarted): Promise<StartedWorkflow> {
  const record = await ctx.store.getRun(runId)
  if (record === undefined) throw new RangeError(`no workflow run ${runId} in this peer's store`)
  const spec = parseWorkflowSpec(record.specText)
  const award = record.award === undefined ? undefined : restoreAward(record.award, runId)
  const trace = RunTrace.open(ctx.peer.traces, runId, spec.name, true)
  const runner = await traced(trace, resumeWorkflow(components(ctx, options, record, award, trace), {
    runId, spec, inputs: record.inputs as Record<string, WorkflowInputValue>, defaults: defaultsOf(options, hexToBytes(record.seedHex))
  }))
  return started(ctx, awarded({ runner, spec, record, ...traceIdOf(trace) }, ctx, award), onStarted)
}

/** The runner, its trace ended with the run (or at once, when it cannot start). */
async function traced (trace: RunTrace | undefined, starting: Promise<WorkflowRunner>): Promise<WorkflowRunner> {
  if (trace === undefined) return starting
  let runner: WorkflowRunner
  try {
    runner = await starting
  } catch (err) {
    trace.end('failed', err)
    throw err
  }
  runner.result().then(result => { trace.end(result.state) }, (err: unknown) => { trace.end(runner.status().state, err) })
  return runner
}

function traceIdOf (trace: RunTrace | undefined): { traceId?: string } {
  return trace === undefined ? {} : { traceId: trace.traceId }
}

/** An awarded run's guild is paid by the split once the run completes (guild-run.ts). */
function awarded (run: StartedWorkflow, ctx: PeerContext, award: AwardedRun | undefined): StartedWorkflow {
  if (award === undefined) return run
  const split = run.runner.result().then(async result => result.state === 'completed'
    ? splitGuildRun(ctx, award, message => { GUILD_LOG.warn(message) })
    : undefined)
  return { ...run, award, split }
}

function started (ctx: PeerContext, run: StartedWorkflow, onStarted: OnWorkflowStarted | undefined): StartedWorkflow {
  keepRecord(ctx, run.runner, run.record)
  keepSignedRecord(ctx, run.runner) // signed once it ends: workflow-record.ts
  publishRunContext(ctx, run.runner) // its shared context, to whoever watches the run: workflow-context-sync.ts
  onStarted?.(run)
  return run
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

/**
 * The run's record follows its state, so the list of runs says which are
 * still to resume. One record object per run, written whole: its state here,
 * its award's checkpoint in the settle hook, neither undoing the other.
 */
function keepRecord (ctx: PeerContext, runner: WorkflowRunner, record: WorkflowRunRecord): void {
  const save = (status: RunStatus): void => {
    if (status.state === record.state) return
    record.state = status.state
    record.updatedAt = Date.now()
    ctx.store.putRun(record).catch(() => {})
  }
  runner.addEventListener('status', event => { save((event as unknown as { detail: RunStatus }).detail) })
  runner.result().then(() => { save(runner.status()) }, () => {})
}

/** The runner's components over this peer's store, its dispatch and its accountability; a step's module as workflow-modules.ts finds it. */
function components (ctx: PeerContext, options: WorkflowOptions, record: WorkflowRunRecord, award?: AwardedRun, trace?: RunTrace): WorkflowRunnerComponents {
  const { store } = ctx
  const { dispatch, accountability } = ctx.peer
  // Each step's task is checked as a single task is (submit.ts), unless the run says not to; with
  // `witnesses: false` its input must not go to one more peer. A step awarded to an executor is not (runner.ts).
  const verifier = options.verify !== false && options.witnesses !== false ? ctx.peer.verifier : undefined
  /** The next sequence number of each run's log this peer writes. */
  const nextSeq = new Map<string, number>()
  return {
    dispatch,
    signer: ctx.identity,
    modules: workflowModuleSource(ctx),
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
    // A re-award is part of the award: kept (were it lost, a resumed run would only re-award again).
    ...(award === undefined
      ? {}
      : guildStepDispatch(ctx, award, dispatch, () => { saveAward(ctx, record, award).catch(err => { GUILD_LOG.warn(`keeping the re-award of run ${record.runId}`, err) }) })),
    ...(trace === undefined ? {} : { traceStep: unit => trace.step(unit) }),
    ...(verifier === undefined ? {} : { verifier }),
    settle: async (outcome, offer, module, step, settleOptions) => trace === undefined
      ? settle(outcome, offer, module, step, settleOptions?.checked === true)
      : trace.settle(offer.taskId, async traceparent => settle(outcome, offer, module, step, settleOptions?.checked === true, traceparent))
  }

  /** `checked`: the submitter's check paid for the receipt (or withheld payment from one it showed wrong). */
  async function settle (outcome: TaskOutcome, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, step: string, checked: boolean, traceparent?: string): Promise<void> {
    const guildStep = isGuildStep(award, step)
    if (guildStep) {
      // A guild's step is paid with the run, by the split; its receipt's charge is what the step cost its member.
      award!.costs.set(step, { executor: outcome.receipt.executor, charge: outcome.receipt.price.charge })
      await saveAward(ctx, record, award!)
    }
    await Promise.all([
      accountability.afterTask(outcome.receipt, offer, module, options.witnesses ?? true, { pay: !guildStep && !checked, ...(traceparent === undefined ? {} : { traceparent }) }),
      // Kept as owed unless a guild's step (paid with the run, by the split): a tab closed before the payment has its next start pay it.
      ctx.remember({ receipt: outcome.receipt, role: 'submitter', label: `workflow step ${offer.taskId.slice(0, 24)}`, stdoutPreview: preview(outcome.stdout), storedAt: Date.now(), ...(guildStep ? {} : { payment: 'owed' as const }) })
    ])
  }
}

async function saveAward (ctx: PeerContext, record: WorkflowRunRecord, award: AwardedRun): Promise<void> {
  record.award = awardCheckpoint(award)
  record.updatedAt = Date.now()
  await ctx.store.putRun(record)
}
