/**
 * The page's workflow records (src/app/workflow-record.ts) over an in-memory
 * store: made from the stored log once the run ended, kept in the run's
 * record, the memo's executor resolved from the tab's receipts, and checked
 * against them.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../../src/storage/index.ts'
import type { PeerSession } from '../../../src/app/session.ts'
import type { ZeroStateRecords } from '../../../src/peer/store.ts'
import { signedWorkflowRecord, verifyWorkflowRecordHere } from '../../../src/app/workflow-record.ts'
import { T0, buildFixture } from '../orchestration/workflow/run-record-fixture.ts'

describe('workflow records in the page', () => {
  it('signs a finished run\'s record from its log once, keeps it, and verifies it against the tab\'s receipts', async () => {
    const fx = await buildFixture()
    const store = createMemoryStore<ZeroStateRecords>()
    await store.putRun(fx.run)
    for (const [seq, event] of fx.events.entries()) await store.appendRunEvent(fx.run.runId, seq, event)
    for (const receipt of [...fx.receipts, fx.memo]) {
      await store.addReceipt({ receipt, role: 'submitter', label: 'step', stdoutPreview: '', storedAt: T0 })
    }
    const session = { store, identity: fx.submitter } as unknown as PeerSession

    const record = await signedWorkflowRecord(session, fx.run.runId)
    expect(record).toMatchObject({ runId: fx.run.runId, state: 'completed', submitter: fx.submitter.peerId.toString() })
    // The outputs came from a replay of the log; the reused item's executor from the receipts held.
    expect(Object.keys(record.outputs)).toEqual(['total', 'countsFile'])
    expect(record.steps[2]).toMatchObject({ memoized: true, executor: fx.a.peerId.toString() })
    expect((await store.getRun(fx.run.runId))?.signedRecord).toEqual(record)
    // Made once: the kept record is what is returned from then on.
    await store.putRun({ ...fx.run, signedRecord: { ...record, kept: true } })
    expect(await signedWorkflowRecord(session, fx.run.runId)).toMatchObject({ kept: true })
    await store.putRun({ ...fx.run, signedRecord: record })

    const report = await verifyWorkflowRecordHere(session, JSON.parse(JSON.stringify(record)))
    expect([report.specChecked, report.receiptsChecked]).toEqual([true, true])
    expect(report.steps.filter(step => step.receipt === 'verified')).toHaveLength(5)

    await expect(signedWorkflowRecord(session, 'wf-unknown')).rejects.toThrow(RangeError)
    await store.putRun({ ...fx.run, runId: 'wf-running', state: 'working' })
    await expect(signedWorkflowRecord(session, 'wf-running')).rejects.toMatchObject({ name: 'WorkflowRecordBuildError' })
  })
})
