/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The workflow runner over in-memory twins of its components
 * (runner-fixture.ts): the documented example end to end, parallel dispatch,
 * retries, a failing step, paying for failed runs, bindings and the log.
 * Memoization, resume and cancel are in runner-resume.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { RemoteTaskError } from '../../../../src/orchestration/task-protocol/index.ts'
import type { RunEvent, RunStatus } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { startWorkflow, taskIdOf } from '../../../../src/orchestration/workflow/runner/index.ts'
import { defaults, echo, example, exampleModules, expectedCounts, fakes, inputText, spec, text } from './runner-fixture.ts'

describe('the documented example', () => {
  it('splits, detects the chunks in parallel, counts them and returns the outputs', async () => {
    const f = fakes(exampleModules())
    const runner = await startWorkflow(f.components, { runId: 'count-1', spec: example, inputs: { text: inputText }, defaults })
    const statuses: RunStatus[] = []
    runner.addEventListener('status', e => { statuses.push((e as Event & { detail: RunStatus }).detail) })
    const result = await runner.result()

    expect(result.state).toBe('completed')
    expect(result.outputs?.perLanguage).toBe('{"deu":150,"eng":150,"fra":150}')
    const countsHash = sha256Hex(utf8ToBytes(expectedCounts))
    expect(result.outputs?.countsFile).toEqual([{ kind: 'blob', hash: countsHash }])
    expect(text(f.blobs.get(countsHash) as Uint8Array)).toBe(expectedCounts)

    expect(f.steps('count-1')).toEqual(['split-x', 'detect-0', 'detect-1', 'detect-2', 'count-x'])
    expect(f.calls.map(c => c.taskId)).toContain('count-1-detect-2-1')
    // The three items were sent together, not one after another.
    expect(f.concurrent.some(set => set.length === 3 && set.every(id => id.includes('-detect-')))).toBe(true)
    // Every task that returned a result was paid for.
    expect(f.settled).toHaveLength(5)

    const status = runner.status()
    expect(status.steps.map(s => [s.name, s.state])).toEqual([['split', 'completed'], ['detect', 'completed'], ['count', 'completed'], ['archive', 'skipped']])
    expect(statuses.at(-1)?.state).toBe('completed')
    // The log holds every event, in order, ending with the archive's skip.
    const log = f.logs.get('count-1') ?? []
    expect(log[0]).toMatchObject({ type: 'scheduled', step: 'split' })
    expect(log.at(-1)).toMatchObject({ type: 'skipped', step: 'archive' })
    expect(log.filter(e => e.type === 'succeeded')).toHaveLength(5)
  })

  it('hands the reduce step each item in item order, as the JSON array of the spec', async () => {
    const f = fakes(exampleModules())
    const runner = await startWorkflow(f.components, { runId: 'count-2', spec: example, inputs: { text: 'eng: a\nfra: b\n' }, defaults })
    await runner.result()
    const count = f.calls.find(c => c.taskId.includes('-count-'))
    expect(JSON.parse(count?.stdin ?? '')).toEqual(['{"lang":"eng"}\n{"lang":"fra"}\n'])
  })
})

describe('scheduling', () => {
  it('dispatches independent steps together, and a dependent after both', async () => {
    const f = fakes({ echo })
    const runner = await startWorkflow(f.components, {
      runId: 'par', defaults, inputs: {},
      spec: spec([
        { name: 'a', module: 'echo', args: ['A'] }, { name: 'b', module: 'echo', args: ['B'] },
        { name: 'c', module: 'echo', stdin: '${{ steps.a.stdout }}+${{ steps.b.stdout }}' }
      ], undefined, { joined: '${{ steps.c.stdout }}' })
    })
    const result = await runner.result()
    expect(result).toEqual({ state: 'completed', outputs: { joined: 'A+B' } })
    expect(f.concurrent).toContainEqual(['par-a-x-1', 'par-b-x-1'])
    expect(f.steps('par')).toEqual(['a-x', 'b-x', 'c-x'])
  })

  it('retries a failed step and goes on when it succeeds', async () => {
    let tries = 0
    const f = fakes({ echo, flaky: () => ++tries === 1 ? { stdout: '', exitCode: 3 } : { stdout: 'ok' } })
    const runner = await startWorkflow(f.components, {
      runId: 'retry', defaults, inputs: {},
      spec: spec([
        { name: 'a', module: 'flaky', retry: { limit: 2, backoff: { initialMs: 0, factor: 1, maxMs: 0 } } },
        { name: 'b', module: 'echo', stdin: '${{ steps.a.stdout }}!' }
      ], undefined, { out: '${{ steps.b.stdout }}' })
    })
    expect(await runner.result()).toEqual({ state: 'completed', outputs: { out: 'ok!' } })
    expect(f.calls.map(c => c.taskId)).toEqual(['retry-a-x-1', 'retry-a-x-2', 'retry-b-x-1'])
    const log = f.logs.get('retry') ?? []
    expect(log.filter(e => 'step' in e && e.step === 'a').map(e => e.type)).toEqual(['scheduled', 'started', 'failed', 'retried', 'started', 'succeeded'])
    expect(log.find(e => e.type === 'failed')).toMatchObject({ error: { name: 'StepExitError', message: 'exit 3: it broke' }, retryable: true })
    // The failed attempt ran, so it was paid for as well.
    expect(f.settled).toEqual(['retry-a-x-1', 'retry-a-x-2', 'retry-b-x-1'])
  })

  it('pays for an attempt that ran and trapped (its receipt is verified), but not for one that timed out', async () => {
    const receiptOf = (task: { taskId: string }): Receipt => ({ taskId: task.taskId, price: { charge: 1 } }) as unknown as Receipt
    const f = fakes({
      trap: task => { throw new RemoteTaskError('TaskTrapError', 'unreachable executed', receiptOf(task)) },
      slow: task => { throw new RemoteTaskError('TaskTimeoutError', 'ran past its timeout', receiptOf(task)) }
    })
    const runner = await startWorkflow(f.components, {
      runId: 'paid', defaults, inputs: {},
      spec: spec([{ name: 'a', module: 'trap' }, { name: 'b', module: 'slow' }])
    })
    expect(await runner.result()).toMatchObject({ state: 'failed' })
    expect(f.settled).toEqual(['paid-a-x-1'])
  })

  it('fails the run when a step fails on every attempt, and skips what depends on it', async () => {
    const f = fakes({ echo, broken: () => { throw Object.assign(new Error('trapped'), { name: 'TaskTrapError' }) } })
    const runner = await startWorkflow(f.components, {
      runId: 'fail', defaults, inputs: {},
      spec: spec([
        { name: 'a', module: 'broken', retry: { limit: 1, backoff: { initialMs: 0, factor: 1, maxMs: 0 } } },
        { name: 'b', module: 'echo', dependencies: ['a'] },
        { name: 'c', module: 'echo' }
      ])
    })
    expect(await runner.result()).toEqual({ state: 'failed' })
    expect(f.steps('fail').sort()).toEqual(['a-x', 'a-x', 'c-x'])
    const status = runner.status()
    expect(status.steps.map(s => [s.name, s.state])).toEqual([['a', 'failed'], ['b', 'skipped'], ['c', 'completed']])
    expect(status.steps[0]?.lastError).toEqual({ name: 'TaskTrapError', message: 'trapped' })
    expect(status.steps[0]?.attempts).toBe(2)
  })

  it('records a step whose module cannot be loaded as Errored', async () => {
    const f = fakes({ echo })
    const runner = await startWorkflow(f.components, { runId: 'nomod', defaults, inputs: {}, spec: spec([{ name: 'a', module: 'missing' }]) })
    expect(await runner.result()).toEqual({ state: 'failed' })
    expect(runner.status().steps[0]).toMatchObject({ phase: 'Errored', lastError: { name: 'ModuleNotFoundError' } })
    expect(f.logs.get('nomod')?.at(-1)).toMatchObject({ type: 'failed', errored: true, attempt: 1 })
    expect(f.calls).toEqual([])
  })

  it('records a task over the protocol limits as Errored without sending it', async () => {
    const f = fakes({ echo })
    const runner = await startWorkflow(f.components, { runId: 'big', defaults: { ...defaults, timeoutMs: 1 }, inputs: {}, spec: spec([{ name: 'a', module: 'echo' }]) })
    expect(await runner.result()).toEqual({ state: 'failed' })
    expect(f.logs.get('big')?.at(-1)).toMatchObject({ type: 'failed', errored: true, retryable: false, error: { name: 'InvalidTaskMessageError' } })
    expect(f.calls).toEqual([])
  })

  it('refuses to start a run whose log already has events', async () => {
    const f = fakes({ echo })
    await (await startWorkflow(f.components, { runId: 'once', defaults, inputs: {}, spec: spec([{ name: 'a', module: 'echo' }]) })).result()
    await expect(startWorkflow(f.components, { runId: 'once', defaults, inputs: {}, spec: spec([{ name: 'a', module: 'echo' }]) }))
      .rejects.toMatchObject({ name: 'WorkflowRunExistsError' })
  })

  it('gives a task id that fits the protocol even for a long run id', () => {
    expect(taskIdOf('r1', { step: 'detect', item: 3, attempt: 2 })).toBe('r1-detect-3-2')
    const long = taskIdOf('0f8e9b52-6f1f-4b7e-9f5e-1c2d3e4f5a6b', { step: 'a-rather-long-step-name-indeed', attempt: 1 })
    expect(long).toMatch(/^wf-[0-9a-f]{32}$/)
  })
})

describe('bindings', () => {
  it('fills blobs, files inputs and a fan-out\'s item files into the task', async () => {
    const f = fakes({
      echo,
      writer: task => ({ stdout: `w${task.stdin}`, files: { 'out.txt': `file of ${task.stdin}` } }),
      show: task => ({ stdout: JSON.stringify({ stdin: task.stdin, args: task.args, files: task.files }) })
    })
    const bytesHash = await f.components.blobs.put(utf8ToBytes('raw bytes'))
    const docHash = await f.components.blobs.put(utf8ToBytes('a doc'))
    const runner = await startWorkflow(f.components, {
      runId: 'bind', defaults,
      inputs: { data: { blob: bytesHash }, docs: { files: { 'docs/a.txt': docHash } } },
      spec: spec([
        { name: 'w', module: 'writer', forEach: ['1', '2'], stdin: '${{ item }}' },
        { name: 'one', module: 'writer', stdin: 'x' },
        {
          name: 'r', module: 'show', stdin: '${{ steps.w.items }}', args: ['--in=${{ inputs.data }}', '${{ inputs.docs }}'],
          files: { 'copy.txt': '${{ steps.one.files["out.txt"] }}' }
        }
      ], { data: { type: 'bytes' }, docs: { type: 'files' } }, { shown: '${{ steps.r.stdout }}' })
    })
    const result = await runner.result()
    expect(result.state).toBe('completed')
    expect(JSON.parse(result.outputs?.shown as string)).toEqual({
      stdin: '["w1","w2"]',
      args: ['--in=raw bytes', 'docs/a.txt'],
      files: { 'w/0000/out.txt': 'file of 1', 'w/0001/out.txt': 'file of 2', 'docs/a.txt': 'a doc', 'copy.txt': 'file of x' }
    })
  })

  it('records a step whose blob is not stored as Errored, not retried', async () => {
    const f = fakes({ echo })
    const runner = await startWorkflow(f.components, {
      runId: 'noblob', defaults, inputs: { data: { blob: 'ab'.repeat(32) } },
      spec: spec([{ name: 'a', module: 'echo', stdin: '${{ inputs.data }}', retry: { limit: 3 } }], { data: { type: 'bytes' } })
    })
    expect(await runner.result()).toEqual({ state: 'failed' })
    expect(f.logs.get('noblob')?.at(-1)).toMatchObject({ type: 'failed', attempt: 1, errored: true, retryable: false, error: { name: 'UnboundInputError' } })
  })
})

describe('the log', () => {
  it('ends the runner with the log\'s error when an event cannot be logged, and sends nothing after it', async () => {
    const f = fakes({ echo })
    let appended = 0
    const log = {
      ...f.components.log,
      async append (runId: string, event: RunEvent) {
        if (++appended === 3) throw Object.assign(new Error('quota exceeded'), { name: 'QuotaExceededError' })
        return f.components.log.append(runId, event)
      }
    }
    const runner = await startWorkflow({ ...f.components, log }, {
      runId: 'quota', defaults, inputs: {}, spec: spec([{ name: 'a', module: 'echo' }, { name: 'b', module: 'echo', dependencies: ['a'] }])
    })
    const errors: unknown[] = []
    runner.addEventListener('error', e => { errors.push((e as Event & { detail: unknown }).detail) })
    await expect(runner.result()).rejects.toMatchObject({ name: 'QuotaExceededError' })
    // scheduled and started of a were logged; a's succeeded was not, so b was never sent.
    expect(f.logs.get('quota')?.map(e => e.type)).toEqual(['scheduled', 'started'])
    expect(f.calls.map(c => c.taskId)).toEqual(['quota-a-x-1'])
    expect(errors).toEqual([{ message: 'the run\'s log failed: quota exceeded' }])
  })
})
