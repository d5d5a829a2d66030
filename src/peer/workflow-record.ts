/**
 * The signed workflow record of this peer's runs (docs/workflow-record.md):
 * once a run ends, its record is built from the run's stored log
 * (orchestration/workflow/run-record, a pure function), signed with this
 * peer's identity and kept in the run's WorkflowRunRecord (`signedRecord`).
 * `workflowRecord(runId)` (window.zerostate, the SDK) returns it and
 * `verifyWorkflowRecord(record)` checks one against the receipts this peer
 * holds.
 */
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import { signWorkflowRecord, verifyWorkflowRecord, workflowRecordOf } from '../orchestration/workflow/run-record/index.ts'
import type { WorkflowRecord, WorkflowRecordReport } from '../orchestration/workflow/run-record/index.ts'
import { MEMO_EXECUTOR } from '../orchestration/workflow/runner/index.ts'
import type { WorkflowResult, WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import { WorkflowRun } from '../orchestration/workflow/scheduler/index.ts'
import type { Binding, RunEvent, WorkflowInputValue } from '../orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import { receiptHash } from '../receipts/index.ts'
import type { PeerContext } from './context.ts'

/** What the records need of a peer: its store and its identity. */
export type RecordContext = Pick<PeerContext, 'store' | 'identity'>

/** Signs and keeps the run's record once it has ended (a runner that was stopped, or whose log failed, has none). */
export function keepSignedRecord (session: RecordContext, runner: WorkflowRunner): void {
  runner.result()
    .then(async result => { await signedWorkflowRecord(session, runner.runId, result) })
    .catch(() => {}) // the record can still be made later, on demand, from the stored log
}

/**
 * The run's signed record: the one kept; or, for a run that ended without
 * one, built from its stored log now, signed and kept. Rejects with
 * RangeError for a run this peer does not hold, WorkflowRecordBuildError for
 * one that has not ended.
 */
export async function signedWorkflowRecord (session: RecordContext, runId: string, result?: WorkflowResult): Promise<WorkflowRecord> {
  const run = await session.store.getRun(runId)
  if (run === undefined) throw new RangeError(`no workflow run ${runId} in this peer's store`)
  if (run.signedRecord !== undefined) return run.signedRecord as WorkflowRecord
  const events = await session.store.listRunEvents(runId)
  const state = result?.state ?? run.state
  const outputs = result?.outputs ?? (state === 'completed' ? replayedOutputs(run, events) : undefined)
  const executorOf = await reusedExecutors(session, events)
  const unsigned = workflowRecordOf({
    run, events, submitter: session.identity, state, ...(outputs === undefined ? {} : { outputs }), ...(executorOf === undefined ? {} : { executorOf })
  })
  const signedRecord = await signWorkflowRecord(unsigned, session.identity)
  // Read again: the run's record may have changed (its state) while this was signing.
  const latest = await session.store.getRun(runId) ?? run
  await session.store.putRun({ ...latest, signedRecord })
  return signedRecord
}

/** Checks a workflow record (this peer's or another's) against the receipts this peer holds, and the spec when this peer has the run. */
export async function verifyWorkflowRecordHere (session: RecordContext, record: unknown): Promise<WorkflowRecordReport> {
  const receipts = (await session.store.listReceipts()).map(kept => kept.receipt)
  const runId = typeof record === 'object' && record !== null ? (record as { runId?: unknown }).runId : undefined
  const run = typeof runId === 'string' ? await session.store.getRun(runId) : undefined
  const specHash = (record as { specHash?: unknown } | null)?.specHash
  return verifyWorkflowRecord(record, { now: Date.now(), receipts, ...(run !== undefined && run.specHash === specHash ? { specText: run.specText } : {}) })
}

/** The workflow's outputs, from a replay of the log: for a run that completed before its record was made. */
function replayedOutputs (run: WorkflowRunRecord, events: unknown[]): Record<string, Binding> | undefined {
  try {
    return WorkflowRun.replay(parseWorkflowSpec(run.specText), run.inputs as Record<string, WorkflowInputValue>, run.runId, events as RunEvent[]).outputs()
  } catch {
    return undefined // a log this version cannot replay: the record then names no outputs
  }
}

/** Who ran the results a run reused (its log names only the memo), from the receipts this peer holds; undefined when it reused none. */
async function reusedExecutors (session: RecordContext, events: unknown[]): Promise<((hash: string) => string | undefined) | undefined> {
  if (!events.some(event => (event as { executor?: unknown } | null)?.executor === MEMO_EXECUTOR)) return undefined
  const byHash = new Map((await session.store.listReceipts()).map(kept => [receiptHash(kept.receipt), kept.receipt.executor]))
  return hash => byHash.get(hash)
}
