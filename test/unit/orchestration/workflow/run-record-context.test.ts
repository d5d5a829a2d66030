/**
 * The workflow record of a run with a shared context (docs/workflow-record.md
 * §3, version 2): it names the context's hash as the run ended, signed with
 * the rest; a run without a context is still recorded as version 1.
 */
import { describe, expect, it } from 'vitest'
import { createIdentity } from '../../../../src/crypto/index.ts'
import {
  UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT, parseWorkflowRecord, signWorkflowRecord, verifyWorkflowRecord, workflowRecordOf
} from '../../../../src/orchestration/workflow/run-record/index.ts'
import { startWorkflow } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import { defaults, fakes, type FakeModule } from './runner-fixture.ts'

const signer = await createIdentity(Uint8Array.from({ length: 32 }, (_, i) => 100 + i))

const SPEC = `version: 1
context:
  findings: { rule: append }
dag:
  tasks:
    - { name: note, module: note, context: write }
    - { name: read, module: read, context: read, dependencies: [note] }
`
const note: FakeModule = () => ({ stdout: 'noted', files: { 'context-updates.json': '[{"key":"findings","value":"one"}]' } })
const read: FakeModule = task => ({ stdout: task.files['context.json'] ?? '' })

async function finished (specText: string, runId: string): Promise<{ events: RunEvent[], hash: string | undefined }> {
  const f = fakes({ note, read, echo: () => ({ stdout: 'x' }) })
  const runner = await startWorkflow({ ...f.components, signer }, { runId, spec: parseWorkflowSpec(specText), inputs: {}, defaults })
  await runner.result()
  return { events: f.logs.get(runId) ?? [], hash: runner.context()?.hash }
}

const runOf = (specText: string, runId: string) => ({ runId, specText, inputs: {}, seedHex: '07'.repeat(32), state: 'completed' as const, createdAt: 0, updatedAt: 0 })

describe('the record of a run with a shared context', () => {
  it('is version 2 and names the context\'s hash; signed, it parses and verifies against its spec', async () => {
    const { events, hash } = await finished(SPEC, 'rc1')
    const unsigned = workflowRecordOf({ run: runOf(SPEC, 'rc1'), events, submitter: signer })
    expect(unsigned.kind).toBe('zerostate/workflow-record/2')
    expect(unsigned.contextHash).toBe(hash)
    const record = await signWorkflowRecord(unsigned, signer)
    expect(Object.keys(record).sort()).toEqual([...UNSIGNED_WORKFLOW_RECORD_FIELDS_WITH_CONTEXT, 'signature'].sort())
    expect(parseWorkflowRecord(JSON.parse(JSON.stringify(record)))).toEqual(record)
    const report = await verifyWorkflowRecord(JSON.parse(JSON.stringify(record)), { now: Date.now(), specText: SPEC })
    expect(report.steps.map(step => [step.name, step.state])).toEqual([['note', 'completed'], ['read', 'completed']])
  })

  it('refuses a record whose context hash was changed after signing, and one without it', async () => {
    const { events } = await finished(SPEC, 'rc2')
    const record = await signWorkflowRecord(workflowRecordOf({ run: runOf(SPEC, 'rc2'), events, submitter: signer }), signer)
    await expect(verifyWorkflowRecord({ ...record, contextHash: '0'.repeat(64) }, { now: Date.now() })).rejects.toMatchObject({ name: 'WorkflowRecordSignatureError' })
    const { contextHash: _, ...without } = record
    expect(() => parseWorkflowRecord(without)).toThrow(expect.objectContaining({ name: 'InvalidWorkflowRecordError' }))
  })

  it('refuses to sign over a forged entry in the log', async () => {
    const { events } = await finished(SPEC, 'rc3')
    const tampered = events.map(event => event.type === 'succeeded' && event.context !== undefined
      ? { ...event, context: { entries: event.context.entries.map(entry => ({ ...entry, value: 'forged' })) } }
      : event)
    expect(() => workflowRecordOf({ run: runOf(SPEC, 'rc3'), events: tampered, submitter: signer })).toThrow(expect.objectContaining({ name: 'ContextEntrySignatureError' }))
  })

  it('stays version 1 for a run without a context, and a spec\'s context must match the record\'s version', async () => {
    const plain = 'version: 1\ndag:\n  tasks:\n    - { name: only, module: echo }\n'
    const { events } = await finished(plain, 'rc4')
    const record = await signWorkflowRecord(workflowRecordOf({ run: runOf(plain, 'rc4'), events, submitter: signer }), signer)
    expect(record.kind).toBe('zerostate/workflow-record/1')
    expect('contextHash' in record).toBe(false)
    const withContext = plain.replace('dag:', 'context:\n  seen: { rule: sum }\ndag:')
    // The spec given must be the one the record names by hash; a context spec's hash differs, so it is a mismatch either way.
    await expect(verifyWorkflowRecord(record, { now: Date.now(), specText: withContext })).rejects.toMatchObject({ name: 'WorkflowRecordSpecMismatchError' })
  })
})
