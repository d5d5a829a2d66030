/**
 * The memo across runs that check and runs that do not (issue 16): a run
 * with a verifier reuses only results a checking run kept; a run without one
 * (`verify: false`) reuses either. Over the in-memory twins of
 * runner-fixture.ts, with a verifier that counts what it is given and keeps
 * every result (its policy's decisions are TaskVerification's own tests').
 */
import { describe, expect, it } from 'vitest'
import { MEMO_EXECUTOR, startWorkflow } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { WorkflowRunnerComponents } from '../../../../src/orchestration/workflow/runner/index.ts'
import { defaults, echo, fakes, spec } from './runner-fixture.ts'

type Fakes = ReturnType<typeof fakes>

const steps = spec([{ name: 'a', module: 'echo', args: ['same'] }])

/** The fakes' components with a verifier that keeps every result it is given, and the task ids it was given. */
function checking (f: Fakes): { components: WorkflowRunnerComponents, verified: string[] } {
  const verified: string[] = []
  const verifier: NonNullable<WorkflowRunnerComponents['verifier']> = {
    verify: async outcome => {
      verified.push(outcome.receipt.taskId)
      return { outcome, decision: { check: true, holdPayment: false, probability: 1, reason: 'newcomer' }, checker: 'self', settled: false, payments: Promise.resolve() }
    }
  }
  return { components: { ...f.components, verifier }, verified }
}

/** Runs the one-step spec as `runId`; resolves with who ran its step (a PeerId, or the memo). */
async function run (components: WorkflowRunnerComponents, runId: string): Promise<string> {
  const result = await (await startWorkflow(components, { runId, spec: steps, inputs: {}, defaults })).result()
  expect(result.state).toBe('completed')
  return (await components.log.load(runId)).flatMap(e => e.type === 'started' ? [e.executor ?? 'dispatched'] : []).join(',')
}

describe('the memo of a run that checks', () => {
  it('does not reuse a result kept by a run with verify: false, with the same seed: the step runs again and is checked', async () => {
    const f = fakes({ echo })
    const { components, verified } = checking(f)
    expect(await run(f.components, 'unchecked-1')).toBe('dispatched')
    expect(await run(components, 'checked-1')).toBe('dispatched')
    expect(f.calls.map(call => call.taskId)).toEqual(['unchecked-1-a-x-1', 'checked-1-a-x-1'])
    expect(verified).toEqual(['checked-1-a-x-1'])
  })

  it('reuses a result a checking run kept, in a run that checks and in one that does not', async () => {
    const f = fakes({ echo })
    const { components, verified } = checking(f)
    await run(components, 'checked-1')
    expect(await run(components, 'checked-2')).toBe(MEMO_EXECUTOR)
    expect(await run(f.components, 'unchecked-1')).toBe(MEMO_EXECUTOR)
    expect(f.calls.map(call => call.taskId)).toEqual(['checked-1-a-x-1'])
    expect(verified).toEqual(['checked-1-a-x-1'])
  })

  it('replaces an unchecked result with the checked one, which a later checking run reuses', async () => {
    const f = fakes({ echo })
    const { components } = checking(f)
    await run(f.components, 'unchecked-1')
    await run(components, 'checked-1')
    expect(await run(components, 'checked-2')).toBe(MEMO_EXECUTOR)
    expect([...f.memo.values()].map(entry => entry.checked)).toEqual([true])
  })

  it('does not reuse an entry from before checking existed (no `checked` mark); a run with verify: false does', async () => {
    const f = fakes({ echo })
    const { components, verified } = checking(f)
    await run(f.components, 'old-1')
    for (const [key, { checked: _mark, ...entry }] of f.memo) f.memo.set(key, entry)
    expect(await run(f.components, 'unchecked-1')).toBe(MEMO_EXECUTOR)
    expect(await run(components, 'checked-1')).toBe('dispatched')
    expect(verified).toEqual(['checked-1-a-x-1'])
  })
})
