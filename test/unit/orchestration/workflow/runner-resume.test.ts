/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The workflow runner over in-memory twins of its components (runner-fixture.ts):
 * memoization, resuming from the log after a reload, and cancel.
 */
import { describe, expect, it } from 'vitest'
import type { StepSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import { MEMO_EXECUTOR, resumeWorkflow, startWorkflow } from '../../../../src/orchestration/workflow/runner/index.ts'
import type { WorkflowRunner } from '../../../../src/orchestration/workflow/runner/index.ts'
import { defaults, echo, example, exampleModules, fakes, inputText, spec, waitFor, type FakeModule } from './runner-fixture.ts'
describe('memoization', () => {
  it('reuses the outputs of an earlier run of the same spec and inputs without dispatching', async () => {
    const f = fakes(exampleModules())
    const first = await (await startWorkflow(f.components, { runId: 'm1', spec: example, inputs: { text: inputText }, defaults })).result()
    const before = f.calls.length
    const second = await (await startWorkflow(f.components, { runId: 'm2', spec: example, inputs: { text: inputText }, defaults })).result()
    expect(second).toEqual(first)
    expect(f.calls.length).toBe(before)
    expect(f.settled).toHaveLength(before)
    const log = f.logs.get('m2') ?? []
    expect(log.filter(e => e.type === 'started').every(e => e.type === 'started' && e.executor === MEMO_EXECUTOR)).toBe(true)
    const receipts = (runId: string): unknown[] => (f.logs.get(runId) ?? []).flatMap(e => e.type === 'succeeded' ? [e.receiptHash] : [])
    expect(receipts('m2')).toEqual(receipts('m1'))
  })

  it('runs again a step with memoize: false, and one whose inputs changed', async () => {
    let n = 0
    const f = fakes({ echo, counter: () => ({ stdout: String(++n) }) })
    const tasks = (arg: string): StepSpec[] => [
      { name: 'fixed', module: 'echo', args: ['same'] },
      { name: 'fresh', module: 'counter', memoize: false },
      { name: 'changed', module: 'echo', args: [arg] }
    ]
    await (await startWorkflow(f.components, { runId: 'n1', spec: spec(tasks('one')), inputs: {}, defaults })).result()
    await (await startWorkflow(f.components, { runId: 'n2', spec: spec(tasks('two')), inputs: {}, defaults })).result()
    expect(f.calls.filter(c => c.taskId.startsWith('n1-'))).toHaveLength(3)
    expect(f.calls.map(c => c.taskId).filter(id => id.startsWith('n2-')).sort()).toEqual(['n2-changed-x-1', 'n2-fresh-x-1'])
  })

  it('runs the step again when a memoized blob is gone', async () => {
    const f = fakes({ echo })
    await (await startWorkflow(f.components, { runId: 'b1', spec: spec([{ name: 'a', module: 'echo', args: ['x'] }]), inputs: {}, defaults })).result()
    f.blobs.clear()
    await (await startWorkflow(f.components, { runId: 'b2', spec: spec([{ name: 'a', module: 'echo', args: ['x'] }]), inputs: {}, defaults })).result()
    expect(f.calls.map(c => c.taskId)).toEqual(['b1-a-x-1', 'b2-a-x-1'])
  })
})

describe('resume after a reload', () => {
  it('goes on from the log: finished steps are not dispatched again, and the outputs are the same', async () => {
    const reference = await (await startWorkflow(fakes(exampleModules()).components, { runId: 'ref', spec: example, inputs: { text: inputText }, defaults })).result()

    // The third chunk never finishes before the "reload".
    const hang = new Promise<never>(() => {})
    const detect = exampleModules()['lang-detect'] as FakeModule
    const f = fakes(exampleModules({ 'lang-detect': task => task.taskId.includes('-detect-2-') ? hang : detect(task) }))
    const runner: WorkflowRunner = await startWorkflow(f.components, { runId: 'reload', spec: example, inputs: { text: inputText }, defaults })
    await waitFor(() => (f.logs.get('reload') ?? []).filter(e => e.type === 'succeeded').length === 3, 'split and two detect items')
    await runner.stop()
    await expect(runner.result()).rejects.toMatchObject({ name: 'WorkflowRunnerStoppedError' })
    await runner.stop() // twice is fine
    const logged = f.logs.get('reload')?.length ?? 0

    // A new tab: the same log and blobs, a dispatch that runs everything.
    const g = fakes(exampleModules(), { blobs: f.blobs, logs: f.logs })
    const resumed = await resumeWorkflow(g.components, { runId: 'reload', spec: example, inputs: { text: inputText }, defaults })
    const result = await resumed.result()
    expect(result).toEqual(reference)
    expect(g.calls.map(c => c.taskId)).toEqual(['reload-detect-2-2', 'reload-count-x-1'])
    const log = f.logs.get('reload') ?? []
    // Interrupted, not failed: the item runs again without spending a retry.
    expect(log[logged]).toMatchObject({ type: 'interrupted', step: 'detect', item: 2, attempt: 1 })
    expect(log[logged + 1]).toMatchObject({ type: 'retried', step: 'detect', item: 2 })
  })

  it('resolves at once for a run that had ended', async () => {
    const f = fakes({ echo })
    await (await startWorkflow(f.components, { runId: 'done', spec: spec([{ name: 'a', module: 'echo', args: ['x'] }], undefined, { o: '${{ steps.a.stdout }}' }), inputs: {}, defaults })).result()
    const again = await resumeWorkflow(f.components, { runId: 'done', spec: spec([{ name: 'a', module: 'echo', args: ['x'] }], undefined, { o: '${{ steps.a.stdout }}' }), inputs: {}, defaults })
    expect(await again.result()).toEqual({ state: 'completed', outputs: { o: 'x' } })
    expect(f.calls).toHaveLength(1)
  })
})

describe('cancel', () => {
  it('logs canceled, aborts what is in flight, and runs nothing more', async () => {
    const f = fakes({ echo, slow: () => new Promise<never>(() => {}) })
    const runner = await startWorkflow(f.components, {
      runId: 'stop', defaults, inputs: {},
      spec: spec([{ name: 'a', module: 'slow' }, { name: 'b', module: 'echo', dependencies: ['a'] }])
    })
    const completions: unknown[] = []
    runner.addEventListener('complete', e => { completions.push((e as Event & { detail: unknown }).detail) })
    await waitFor(() => f.calls.length === 1, 'a to be sent')
    await runner.cancel('no longer needed')
    expect(await runner.result()).toEqual({ state: 'canceled' })
    expect(completions).toEqual([{ state: 'canceled' }])
    expect(f.logs.get('stop')?.at(-1)).toMatchObject({ type: 'canceled', reason: 'no longer needed' })
    expect(f.calls).toHaveLength(1)
    expect(f.settled).toEqual([])
    await runner.cancel() // once ended, a no-op
    expect(f.logs.get('stop')?.filter(e => e.type === 'canceled')).toHaveLength(1)
  })
})
