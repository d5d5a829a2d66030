/**
 * workflowRecordOf: the unsigned workflow record of a run that has ended,
 * from what the submitter's tab keeps of it — its WorkflowRunRecord, its
 * append-only event log, its resolved outputs. Pure: no I/O, no clock, no
 * randomness; the same log always gives the same record.
 *
 * Each step entry is read from the log alone, unit by unit (a plain step, or
 * one fan-out item): the attempt that succeeded names its receipt and
 * executor; the last event that settled the unit gives its state. Event
 * types this code does not know (a newer runner's) are passed over.
 */
import { bytesToBase64Url, canonicalize, sha256Hex, utf8ToBytes } from '../../../core/index.ts'
import type { PeerIdentity } from '../../../crypto/index.ts'
import type { WorkflowRunRecord } from '../records.ts'
// The constant alone, not the runner's index: this module is also loaded by the CLI, which needs none of the runner.
import { MEMO_EXECUTOR } from '../runner/constants.ts'
import type { Binding } from '../scheduler/index.ts'
import { parseWorkflowSpec } from '../spec/index.ts'
import type { WorkflowInputType, WorkflowSpec } from '../spec/index.ts'
import { ContextEntryLimitError, ContextState } from '../context/index.ts'
import { WORKFLOW_RECORD_KIND, WORKFLOW_RECORD_KIND_WITH_CONTEXT } from './constants.ts'
import { WorkflowRecordBuildError } from './errors.ts'
import type { UnsignedWorkflowRecord, WorkflowRecordState, WorkflowRecordStep, WorkflowRecordStepState } from './format.ts'

export interface WorkflowRecordSource {
  /** What the tab stored of the run: runId, specText, inputs, seedHex, createdAt, and its state. */
  run: Pick<WorkflowRunRecord, 'runId' | 'specText' | 'inputs' | 'seedHex' | 'state' | 'createdAt' | 'updatedAt'>
  /** The run's log, oldest first (RunEvent; entries of unknown types are passed over). */
  events: readonly unknown[]
  /** The workflow's resolved outputs (the runner's `result().outputs`), when it completed. */
  outputs?: Readonly<Record<string, Binding>>
  /** Who submitted the run and signs the record. Only its PeerId and public key are read. */
  submitter: Pick<PeerIdentity, 'peerId' | 'publicKey'>
  /** How the run ended (the runner's `result().state`), when `run.state` may lag behind the log; default `run.state`. */
  state?: WorkflowRunRecord['state']
  /**
   * The executor a receipt names, by receipt hash: for a step whose result
   * was reused from an earlier run (memoized), whose log entry names no
   * PeerId. Its executor is null when this gives none.
   */
  executorOf?: (receiptHash: string) => string | undefined
}

/** One step event as far as this code reads it. */
interface UnitEvent {
  type: string
  at: number
  step: string
  item?: number
  attempt?: number
  retryable?: boolean
  executor?: string
  receiptHash?: string
  outputs?: { stdoutHash: string, files: Record<string, string> }
}

/** What the log says of one unit, folded event by event. */
interface UnitFold {
  name: string
  item?: number
  attempts: number
  /** How the last settling event left it: `retry` is a retryable failure that may have been retried, had the run gone on. */
  last?: 'succeeded' | 'failed' | 'retry' | 'skipped'
  failures: number
  success?: UnitEvent
  memoized: boolean
  startedAt?: number
  finishedAt?: number
}

const ENDED: readonly string[] = ['completed', 'failed', 'canceled']
const ms = (at: number): number => Math.max(0, Math.floor(at))

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function unitEvent (value: unknown): UnitEvent | undefined {
  if (!isRecord(value) || typeof value.type !== 'string' || typeof value.at !== 'number' || typeof value.step !== 'string') return undefined
  return value as unknown as UnitEvent
}

/**
 * SHA-256 of each input by its declared type: `text` its UTF-8; `json` the
 * UTF-8 of its RFC 8785 canonical form; `bytes` its blob's hash (which is
 * SHA-256 of the bytes); `files` the files hash of receipts (docs/receipt-format.md §4)
 * over its files' names and blob hashes.
 */
export function inputHashOf (type: WorkflowInputType, value: unknown): string {
  switch (type) {
    case 'text':
      if (typeof value !== 'string') throw new WorkflowRecordBuildError('a text input must be a string')
      return sha256Hex(utf8ToBytes(value))
    case 'json':
      return sha256Hex(utf8ToBytes(canonicalize(value)))
    case 'bytes':
      if (!isRecord(value) || typeof value.blob !== 'string') throw new WorkflowRecordBuildError('a bytes input must be { blob: <hash> }')
      return value.blob
    case 'files':
      if (!isRecord(value) || !isRecord(value.files)) throw new WorkflowRecordBuildError('a files input must be { files: { <name>: <hash> } }')
      return filesHashOfHashes(value.files as Record<string, string>)
  }
}

/** The receipts' files hash (docs/receipt-format.md §4) of files given as path → SHA-256 hex. */
export function filesHashOfHashes (files: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return sha256Hex(utf8ToBytes(canonicalize(pairs)))
}

/**
 * SHA-256 of a resolved workflow output: text, the SHA-256 of its UTF-8; a
 * file alone (`${{ steps.X.files["n"] }}`), its blob's hash, which is the
 * SHA-256 of the file; anything else (text around a file, a fan-out's items),
 * the SHA-256 of the UTF-8 of the RFC 8785 canonical JSON of its parts as
 * resolved.
 */
export function outputHashOf (binding: Binding): string {
  if (typeof binding === 'string') return sha256Hex(utf8ToBytes(binding))
  const [only] = binding
  if (binding.length === 1 && only?.kind === 'blob') return only.hash
  if (binding.every(part => part.kind === 'text')) return sha256Hex(utf8ToBytes(binding.map(part => part.kind === 'text' ? part.text : '').join('')))
  return sha256Hex(utf8ToBytes(canonicalize(binding)))
}

function fold (unit: UnitFold, event: UnitEvent, retryLimit: number): void {
  const attempt = typeof event.attempt === 'number' ? event.attempt : 0
  switch (event.type) {
    case 'started':
      unit.attempts = Math.max(unit.attempts, attempt)
      unit.startedAt ??= ms(event.at)
      if (event.executor === MEMO_EXECUTOR) unit.memoized = true
      return
    case 'succeeded':
      unit.attempts = Math.max(unit.attempts, attempt)
      unit.startedAt ??= ms(event.at)
      unit.last = 'succeeded'
      unit.success = event
      unit.memoized = event.executor === MEMO_EXECUTOR || unit.memoized
      unit.finishedAt = ms(event.at)
      return
    case 'failed':
      unit.attempts = Math.max(unit.attempts, attempt)
      if (attempt > 0) unit.failures++
      // Final when it cannot be retried, or the retries are spent; otherwise the run may have gone on with another attempt.
      unit.last = attempt === 0 || event.retryable !== true || unit.failures > retryLimit ? 'failed' : 'retry'
      unit.finishedAt = ms(event.at)
      return
    case 'skipped':
      unit.last = 'skipped'
      unit.finishedAt = ms(event.at)
      return
    case 'scheduled':
    case 'retried':
      unit.memoized = false
      return
    default:
      // A type this code does not know (a newer runner's): its attempt still counts.
      if (attempt > 0) unit.attempts = Math.max(unit.attempts, attempt)
  }
}

/**
 * The unit's state once the run ended. In a run that completed or failed,
 * every unit had settled, so one the log leaves unsettled (a retryable
 * failure last, or an event type this code does not know) ended failed; in
 * a canceled run it was canceled.
 */
function stateOf (unit: UnitFold, runState: WorkflowRecordState): WorkflowRecordStepState {
  switch (unit.last) {
    case 'succeeded': return 'completed'
    case 'skipped': return 'skipped'
    case 'failed': return 'failed'
    default: return runState === 'canceled' ? 'canceled' : 'failed'
  }
}

function entryOf (unit: UnitFold, runState: WorkflowRecordState, canceledAt: number | undefined, executorOf: WorkflowRecordSource['executorOf']): WorkflowRecordStep {
  const state = stateOf(unit, runState)
  const success = state === 'completed' ? unit.success : undefined
  const receiptHash = success?.receiptHash ?? null
  const named = success?.executor !== undefined && success.executor !== MEMO_EXECUTOR ? success.executor : undefined
  const executor = named ?? (receiptHash === null ? undefined : executorOf?.(receiptHash)) ?? null
  const finishedAt = state === 'canceled' ? (canceledAt ?? unit.finishedAt) : unit.finishedAt
  return {
    name: unit.name,
    ...(unit.item === undefined ? {} : { item: unit.item }),
    state,
    attempts: unit.attempts,
    executor,
    receiptHash,
    ...(success !== undefined && unit.memoized ? { memoized: true as const } : {}),
    stdoutHash: success?.outputs?.stdoutHash ?? null,
    files: success === undefined ? {} : { ...success.outputs?.files },
    startedAt: unit.startedAt ?? null,
    finishedAt: finishedAt === undefined ? null : Math.max(finishedAt, unit.startedAt ?? 0)
  }
}

/** The units of each step, in spec order then item order; a step the log never mentions is one unit that never ran. */
function unitsOf (spec: WorkflowSpec, events: readonly UnitEvent[]): Map<string, Map<number | undefined, UnitFold>> {
  const units = new Map<string, Map<number | undefined, UnitFold>>(spec.dag.tasks.map(step => [step.name, new Map()]))
  const limits = new Map(spec.dag.tasks.map(step => [step.name, step.retry?.limit ?? 0]))
  for (const event of events) {
    const ofStep = units.get(event.step)
    if (ofStep === undefined) throw new WorkflowRecordBuildError(`the log names step ${event.step}, which the spec does not have`)
    const item = typeof event.item === 'number' ? event.item : undefined
    let unit = ofStep.get(item)
    if (unit === undefined) {
      unit = { name: event.step, ...(item === undefined ? {} : { item }), attempts: 0, failures: 0, memoized: false }
      ofStep.set(item, unit)
    }
    fold(unit, event, limits.get(event.step) ?? 0)
  }
  for (const [name, ofStep] of units) {
    if (ofStep.size === 0) ofStep.set(undefined, { name, attempts: 0, failures: 0, memoized: false })
  }
  return units
}

/** The unsigned record of a run that has ended. Throws WorkflowRecordBuildError when it has not, or when its log does not fit its spec. */
export function workflowRecordOf (source: WorkflowRecordSource): UnsignedWorkflowRecord {
  const { run, events, outputs, submitter, executorOf } = source
  const logged = events.filter(isRecord)
  const canceled = logged.find(event => event.type === 'canceled')
  const state = canceled !== undefined ? 'canceled' : source.state ?? run.state
  if (!ENDED.includes(state)) throw new WorkflowRecordBuildError(`run ${run.runId} has not ended (${state})`)
  const spec = parseWorkflowSpec(run.specText)
  const declared = spec.inputs ?? {}
  const inputHashes: Record<string, string> = {}
  for (const [name, { type }] of Object.entries(declared)) {
    if (!Object.hasOwn(run.inputs, name)) throw new WorkflowRecordBuildError(`the run has no value for input ${name}`)
    inputHashes[name] = inputHashOf(type, run.inputs[name])
  }
  const steps: WorkflowRecordStep[] = []
  const canceledAt = typeof canceled?.at === 'number' ? ms(canceled.at) : undefined
  for (const ofStep of unitsOf(spec, logged.flatMap(event => unitEvent(event) ?? [])).values()) {
    // The whole-step entry (a step skipped or errored before it had items) first, then the items in order.
    const ordered = [...ofStep.values()].sort((a, b) => (a.item ?? -1) - (b.item ?? -1))
    for (const unit of ordered) steps.push(entryOf(unit, state as WorkflowRecordState, canceledAt, executorOf))
  }
  const createdAt = ms(run.createdAt)
  // A loop, not Math.max(...ats): a log of many thousand events would overflow the argument list.
  let finishedAt = createdAt
  for (const event of logged) {
    if (typeof event.at === 'number' && Number.isFinite(event.at)) finishedAt = Math.max(finishedAt, ms(event.at))
  }
  return {
    kind: WORKFLOW_RECORD_KIND,
    runId: run.runId,
    submitter: submitter.peerId.toString(),
    publicKey: bytesToBase64Url(submitter.publicKey),
    specHash: sha256Hex(utf8ToBytes(run.specText)),
    inputHashes,
    seedHex: run.seedHex,
    state: state as WorkflowRecordState,
    steps,
    outputs: state === 'completed' && outputs !== undefined
      ? Object.fromEntries(Object.entries(outputs).map(([name, binding]) => [name, outputHashOf(binding)]))
      : {},
    createdAt,
    finishedAt,
    ...(spec.context === undefined ? {} : { kind: WORKFLOW_RECORD_KIND_WITH_CONTEXT, contextHash: contextHashOf(run.runId, spec.context, logged) })
  }
}

/**
 * The hash of the run's context as its log leaves it: every entry of its
 * `succeeded` events, verified and merged (docs/workflow-context.md §5).
 * Throws the entry format's error for a forged one: the record is not signed
 * over a context the submitter cannot vouch for.
 */
function contextHashOf (runId: string, schema: Record<string, unknown>, logged: ReadonlyArray<Record<string, unknown>>): string {
  const state = new ContextState({ contextId: runId, schema })
  for (const event of logged) {
    const context = event.type === 'succeeded' ? event.context as { entries?: unknown } | undefined : undefined
    if (!Array.isArray(context?.entries)) continue
    for (const entry of context.entries as unknown[]) {
      try {
        state.apply(entry)
      } catch (err) {
        if (!(err instanceof ContextEntryLimitError)) throw err
      }
    }
  }
  return state.hash()
}
