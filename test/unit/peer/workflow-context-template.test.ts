/**
 * The shared-notes template (src/peer/workflow-templates.ts) run end to end
 * in Node's real sandbox with the committed context-note workload
 * (src/workloads/context-note/): each line's note step proposes its updates
 * through /work/context-updates.json, the submitter signs and merges them,
 * and the report step reads them back from /work/context.json.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { canonicalize } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import { WORKFLOW_TEMPLATES } from '../../../src/peer/workflow-templates.ts'
import { startWorkflow } from '../../../src/orchestration/workflow/runner/index.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'
import { LOCAL_DEFAULTS, localWorkflow } from '../../support/local-workflow.ts'

const template = WORKFLOW_TEMPLATES.find(t => t.id === 'shared-notes')!

describe('the shared-notes template, in the real sandbox', () => {
  const local = localWorkflow({ slots: 2 })
  afterAll(() => { local.stop() })

  it('appends every line to the context and gives the report step all of them', async () => {
    const signer = await createIdentity(new Uint8Array(32).fill(9))
    const spec = parseWorkflowSpec(template.spec)
    const runner = await startWorkflow({ ...local.components, signer }, { runId: 'notes-1', spec, inputs: { notes: template.inputs.notes! }, defaults: LOCAL_DEFAULTS })
    const result = await runner.result()
    expect(result.state, JSON.stringify(runner.status().steps.map(s => s.lastError))).toBe('completed')
    const lines = template.inputs.notes!.split('\n').filter(line => line !== '')
    const value = runner.context()?.value as { findings: string[], noted: number }
    // The items' entries are ordered by lamport, which follows the order their results came back in.
    expect([...value.findings].sort()).toEqual([...lines].sort())
    expect(value.noted).toBe(lines.length)
    expect(result.outputs?.context).toBe(canonicalize(value))
    expect(runner.context()?.entries.every(e => e.writer === signer.peerId.toString() && e.receiptHash !== null)).toBe(true)
  }, 60_000)

  it('refuses a note whose value breaks the key\'s maxBytes, and still completes', async () => {
    const signer = await createIdentity(new Uint8Array(32).fill(9))
    const spec = parseWorkflowSpec(template.spec)
    const long = 'x'.repeat(600)
    const runner = await startWorkflow({ ...local.components, signer }, { runId: 'notes-2', spec, inputs: { notes: `short\n${long}\n` }, defaults: LOCAL_DEFAULTS })
    expect((await runner.result()).state).toBe('completed')
    const refused = (local.logs.get('notes-2') ?? []).flatMap(e => e.type === 'succeeded' && e.context?.refused !== undefined ? [e.context.refused.name] : [])
    expect(refused).toEqual(['ContextEntryLimitError'])
    expect(runner.context()?.value).toEqual({ findings: ['short'], noted: 1 })
  }, 60_000)
})
