/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The workflow runner over in-memory twins of its components: the
 * documented example end to end, parallel dispatch, retries, a failing step,
 * memoization, resuming from the log after a reload, and cancel. The fake
 * dispatch runs a small JS function per module (by the module's hash) to
 * produce stdout and files; blobs are content-addressed by real SHA-256.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { RemoteTaskError } from '../../../../src/orchestration/task-protocol/index.ts'
import type { TaskOutcome, ValidOffer } from '../../../../src/orchestration/task-protocol/index.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { StepSpec, WorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { RunEvent, RunStatus } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import {
  MEMO_EXECUTOR, resumeWorkflow, startWorkflow, taskIdOf
} from '../../../../src/orchestration/workflow/runner/index.ts'
import type {
  MemoizedOutputs, WorkflowRunner, WorkflowRunnerComponents, WorkflowTaskDefaults
} from '../../../../src/orchestration/workflow/runner/index.ts'

/** What a fake module sees of its task, and what it gives back. */
interface FakeTask { stdin: string, args: string[], env: Record<string, string>, files: Record<string, string>, taskId: string }
interface FakeResult { stdout: string, files?: Record<string, string>, exitCode?: number }
type FakeModule = (task: FakeTask) => FakeResult | Promise<FakeResult>

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const moduleBytes = (name: string): Uint8Array<ArrayBuffer> => utf8ToBytes(`\0asm fake module ${name}`)
const moduleHash = (name: string): string => sha256Hex(moduleBytes(name))

const HASHED = new Map(['split', 'count'].map(name => [moduleHash(name), name]))

interface Call { taskId: string, module: string, stdin: string }

/** Components over maps; `modules` maps a module ref (sample id or sha256:<hex>) to its fake. */
function fakes (modules: Record<string, FakeModule>, stored: { blobs: Map<string, Uint8Array>, logs: Map<string, RunEvent[]> } = { blobs: new Map(), logs: new Map() }) {
  const byHash = new Map<string, { name: string, run: FakeModule }>()
  const refs = new Map<string, string>()
  for (const [ref, run] of Object.entries(modules)) {
    // A module named by its hash is one of ours: `sha256:` + moduleHash(name).
    const name = ref.startsWith('sha256:') ? (HASHED.get(ref.slice('sha256:'.length)) ?? ref) : ref
    byHash.set(moduleHash(name), { name, run })
    refs.set(ref, name)
  }
  const { blobs, logs } = stored
  const memo = new Map<string, MemoizedOutputs>()
  const calls: Call[] = []
  const settled: string[] = []
  const running = new Set<string>()
  let maxRunning = 0
  const concurrent: string[][] = []

  const components = {
    dispatch: {
      async runOnce (offer: ValidOffer, module: Uint8Array<ArrayBuffer>, _requirements: unknown, _request: unknown, options: { signal?: AbortSignal } = {}) {
        const fake = byHash.get(offer.moduleHash)
        if (fake === undefined) throw Object.assign(new Error('no such module'), { name: 'NoExecutorError' })
        expect(sha256Hex(module)).toBe(offer.moduleHash)
        // Every event is in the log before the runner acts on it: here, the attempt's `started`.
        const logged = [...logs].some(([runId, events]) => events.some(e => e.type === 'started' && taskIdOf(runId, e) === offer.taskId))
        if (!logged) throw new Error(`${offer.taskId} was sent before its started event was logged`)
        calls.push({ taskId: offer.taskId, module: fake.name, stdin: text(offer.stdin) })
        running.add(offer.taskId)
        maxRunning = Math.max(maxRunning, running.size)
        concurrent.push([...running])
        try {
          // A turn of the event loop, so tasks sent together are seen running together.
          await new Promise(resolve => setTimeout(resolve, 5))
          const task: FakeTask = {
            stdin: text(offer.stdin), args: offer.args, env: Object.fromEntries(offer.env),
            files: Object.fromEntries(offer.files.map(([path, data]) => [path, text(data)])), taskId: offer.taskId
          }
          const signal = options.signal
          const result = await Promise.race([
            Promise.resolve(fake.run(task)),
            new Promise<never>((_resolve, reject) => {
              if (signal?.aborted === true) reject(signal.reason)
              signal?.addEventListener('abort', () => { reject(signal.reason) })
            })
          ])
          const stdout = utf8ToBytes(result.stdout)
          const receipt = { taskId: offer.taskId, moduleHash: offer.moduleHash, outputHash: sha256Hex(stdout), exitCode: result.exitCode ?? 0 } as unknown as Receipt
          const outcome: TaskOutcome = {
            stdout, stderr: utf8ToBytes(result.exitCode === undefined ? '' : 'it broke'),
            files: Object.entries(result.files ?? {}).map(([path, data]) => [path, utf8ToBytes(data)]),
            exitCode: result.exitCode ?? 0, receipt
          }
          return { outcome, offer }
        } finally {
          running.delete(offer.taskId)
        }
      }
    },
    modules: {
      async load (ref: string) {
        const name = refs.get(ref)
        if (name === undefined) throw Object.assign(new Error(`no module ${ref}`), { name: 'ModuleNotFoundError' })
        return { bytes: moduleBytes(name), hash: moduleHash(name) }
      }
    },
    blobs: {
      async put (bytes: Uint8Array) {
        const hash = sha256Hex(bytes)
        blobs.set(hash, new Uint8Array(bytes))
        return hash
      },
      async get (hash: string) { return blobs.get(hash) }
    },
    log: {
      async append (runId: string, event: RunEvent) {
        const events = logs.get(runId) ?? []
        events.push(JSON.parse(JSON.stringify(event)) as RunEvent)
        logs.set(runId, events)
      },
      async load (runId: string) { return (logs.get(runId) ?? []).map(e => JSON.parse(JSON.stringify(e)) as RunEvent) }
    },
    memo: {
      async get (key: string) { return memo.get(key) },
      async put (key: string, outputs: MemoizedOutputs) { memo.set(key, outputs) }
    },
    async settle (outcome: TaskOutcome) { settled.push(outcome.receipt.taskId) }
  } satisfies WorkflowRunnerComponents
  return {
    components, blobs, logs, memo, calls, settled, concurrent,
    get maxRunning () { return maxRunning },
    /** The step names of the tasks dispatched, from their task ids. */
    steps: (runId: string) => calls.map(call => call.taskId.slice(runId.length + 1).replace(/-\d+$/, ''))
  }
}

const defaults: WorkflowTaskDefaults = {
  timeoutMs: 10_000, memoryLimitBytes: 1 << 24, fuel: 1_000_000, maxTotalPrice: 100, seed: new Uint8Array(32).fill(7)
}
const spec = (tasks: StepSpec[], inputs: WorkflowSpec['inputs'] = undefined, outputs: WorkflowSpec['outputs'] = undefined): WorkflowSpec =>
  ({ version: 1, ...(inputs === undefined ? {} : { inputs }), ...(outputs === undefined ? {} : { outputs }), dag: { tasks } })
const echo: FakeModule = task => ({ stdout: `${task.args.join(' ')}${task.stdin}` })

async function waitFor (check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

// The documented example, with its two sha256: modules named by the hashes of our fakes.
const doc = readFileSync(new URL('../../../../docs/workflow-spec.md', import.meta.url), 'utf8')
const yaml = (/```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '')
  .replace(/sha256:5e1d[0-9a-f]{60}/, `sha256:${moduleHash('split')}`)
  .replace(/sha256:c0a1[0-9a-f]{60}/, `sha256:${moduleHash('count')}`)
const example = parseWorkflowSpec(yaml)

const exampleModules = (overrides: Record<string, FakeModule> = {}): Record<string, FakeModule> => ({
  [`sha256:${moduleHash('split')}`]: task => {
    const size = Number(task.args[task.args.indexOf('--lines') + 1])
    const lines = task.stdin.split('\n').filter(line => line !== '')
    const chunks: string[] = []
    for (let i = 0; i < lines.length; i += size) chunks.push(lines.slice(i, i + size).join('\n'))
    return { stdout: JSON.stringify({ chunks }) }
  },
  'lang-detect': task => ({ stdout: task.stdin.split('\n').map(line => JSON.stringify({ lang: line.split(':')[0] })).join('\n') + '\n' }),
  [`sha256:${moduleHash('count')}`]: task => {
    // Each entry is an item's stdout: one JSON object per line (already read as JSON when it was one line).
    const entries = JSON.parse(task.stdin) as unknown[]
    const perLanguage: Record<string, number> = {}
    let total = 0
    for (const entry of entries) {
      const rows = typeof entry === 'string' ? entry.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Record<string, string>) : [entry as Record<string, string>]
      for (const row of rows) {
        const lang = row[task.env.COUNT_FIELD ?? ''] as string
        perLanguage[lang] = (perLanguage[lang] ?? 0) + 1
        total++
      }
    }
    const counts = JSON.stringify({ total, perLanguage })
    return { stdout: counts, files: { 'counts.json': counts } }
  },
  gzip: () => ({ stdout: 'gz' }),
  ...overrides
})

/** 450 lines: 200 + 200 + 50, so three chunks and three detect items. */
const inputText = Array.from({ length: 450 }, (_, i) => `${['eng', 'fra', 'deu'][i % 3] as string}: line ${i}`).join('\n') + '\n'
const expectedCounts = JSON.stringify({ total: 450, perLanguage: { eng: 150, fra: 150, deu: 150 } })

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
