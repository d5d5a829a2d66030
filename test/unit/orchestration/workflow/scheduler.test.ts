/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The workflow scheduler: order, depends/when, skipping, fan-out and reduce,
 * retries, cancel, memo keys, refused events, and the documented example.
 * Replay from the log is in scheduler-replay.test.ts.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { StepSpec, WorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import { WorkflowRun } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import type { RunEvent, StepAction, StepOutputs } from '../../../../src/orchestration/workflow/scheduler/index.ts'

const spec = (tasks: StepSpec[], inputs: WorkflowSpec['inputs'] = undefined): WorkflowSpec => ({ version: 1, ...(inputs === undefined ? {} : { inputs }), dag: { tasks } })
const step = (name: string, fields: Partial<StepSpec> = {}): StepSpec => ({ name, module: 'echo', ...fields })
const out = (stdout: string, files: Record<string, string> = {}): StepOutputs => ({ stdout, stdoutHash: `h(${stdout})`, files })
const names = (actions: StepAction[]): string[] => actions.map(a => a.item === undefined ? a.step : `${a.step}[${a.item}]`)

/** Schedules, starts and ends one unit (attempt given by the action). */
function runAction (run: WorkflowRun, action: StepAction, at: number, result: StepOutputs | { error: string, retryable?: boolean }): void {
  const where = { step: action.step, ...(action.item === undefined ? {} : { item: action.item }) }
  run.apply({ type: action.attempt === 1 ? 'scheduled' : 'retried', at, ...where })
  run.apply({ type: 'started', at, ...where, attempt: action.attempt, executor: 'peer-1' })
  if ('error' in result) {
    run.apply({ type: 'failed', at, ...where, attempt: action.attempt, error: { name: 'TrapError', message: result.error }, retryable: result.retryable ?? false })
  } else {
    run.apply({ type: 'succeeded', at, ...where, attempt: action.attempt, outputs: result })
  }
}

function find (actions: StepAction[], name: string, item?: number): StepAction {
  const action = actions.find(a => a.step === name && a.item === item)
  if (action === undefined) throw new Error(`no action ${name}${item === undefined ? '' : `[${item}]`} in ${names(actions).join(', ')}`)
  return action
}

const stateOf = (run: WorkflowRun, name: string): string | undefined => run.status().steps.find(s => s.name === name)?.state

describe('order and parallelism', () => {
  it('offers independent steps together and a dependent only once its dependencies succeeded', () => {
    const run = new WorkflowRun(spec([
      step('a'), step('b'), step('c', { dependencies: ['a', 'b'] }), step('d', { stdin: '${{ steps.c.stdout }}' })
    ]), {}, 'r1')
    expect(run.status().state).toBe('submitted')
    let actions = run.next(0)
    expect(names(actions)).toEqual(['a', 'b'])
    runAction(run, find(actions, 'a'), 1, out('A'))
    expect(names(run.next(2))).toEqual(['b'])
    runAction(run, find(actions, 'b'), 3, out('B'))
    actions = run.next(4)
    expect(names(actions)).toEqual(['c'])
    runAction(run, actions[0]!, 5, out('C!'))
    actions = run.next(6)
    expect(actions).toMatchObject([{ step: 'd', attempt: 1, stdin: 'C!', args: [], env: {}, files: {} }])
    expect(run.status().state).toBe('working')
    runAction(run, actions[0]!, 7, out('D'))
    expect(run.status().state).toBe('completed')
    expect(run.next(8)).toEqual([])
  })

  it('does not offer again what was scheduled, and offers the same actions when asked twice', () => {
    const run = new WorkflowRun(spec([step('a'), step('b')]), {}, 'r')
    expect(run.next(0)).toEqual(run.next(0))
    run.apply({ type: 'scheduled', at: 1, step: 'a' })
    expect(names(run.next(1))).toEqual(['b'])
    expect(run.inFlight()).toEqual([{ step: 'a', attempt: 1, started: false }])
    expect(stateOf(run, 'a')).toBe('working')
    expect(stateOf(run, 'b')).toBe('submitted')
  })
})

describe('depends, when and skipping', () => {
  it('runs on A.Succeeded && !B.Failed, and skips once that can no longer be true', () => {
    const s = spec([step('a'), step('b'), step('c', { depends: 'a.Succeeded && !b.Failed' })])
    const ok = new WorkflowRun(s, {}, 'r')
    const first = ok.next(0)
    runAction(ok, find(first, 'a'), 1, out('A'))
    runAction(ok, find(first, 'b'), 2, out('B'))
    expect(names(ok.next(3))).toEqual(['c'])

    const bad = new WorkflowRun(s, {}, 'r')
    const again = bad.next(0)
    runAction(bad, find(again, 'b'), 1, { error: 'boom' })
    // a has not settled, yet c can no longer run: skipped at once.
    expect(names(bad.next(2))).toEqual(['a'])
    expect(bad.status().steps.find(st => st.name === 'c')).toMatchObject({ state: 'skipped', phase: 'Skipped', skipReason: 'depends is false: a.Succeeded && !b.Failed' })
    expect(bad.events.at(-1)).toEqual({ type: 'skipped', at: 2, step: 'c', reason: 'depends is false: a.Succeeded && !b.Failed' })
    runAction(bad, find(again, 'a'), 3, out('A'))
    expect(bad.status().state).toBe('failed')
  })

  it('runs a failure handler and then counts the failure as handled', () => {
    const run = new WorkflowRun(spec([step('a'), step('onFail', { depends: 'a.Failed' }), step('onOk', { depends: 'a.Succeeded' })]), {}, 'r')
    runAction(run, run.next(0)[0]!, 1, { error: 'exit 1' })
    expect(names(run.next(2))).toEqual(['onFail'])
    expect(stateOf(run, 'onOk')).toBe('skipped')
    runAction(run, run.next(2)[0]!, 3, out('cleaned'))
    expect(run.status()).toMatchObject({ state: 'completed', counts: { completed: 1, failed: 1, skipped: 1 } })
  })

  it('skips a step whose when is false, and what needed it to succeed', () => {
    const run = new WorkflowRun(spec([
      step('count'),
      step('archive', { depends: 'count.Succeeded', when: 'steps.count.json.total > 10' }),
      step('after', { dependencies: ['archive'] }),
      step('either', { depends: 'archive.Succeeded || archive.Skipped' })
    ]), {}, 'r')
    runAction(run, run.next(0)[0]!, 1, out('{"total": 3}'))
    expect(names(run.next(2))).toEqual(['either'])
    const status = run.status()
    expect(status.steps.map(s => [s.name, s.state, s.skipReason])).toEqual([
      ['count', 'completed', undefined],
      ['archive', 'skipped', 'when is false: steps.count.json.total > 10'],
      ['after', 'skipped', 'dependency archive skipped'],
      ['either', 'submitted', undefined]
    ])
  })

  it('errors a step whose when cannot be evaluated, and fails the run', () => {
    const run = new WorkflowRun(spec([step('a'), step('b', { when: 'steps.a.json.missing == 1' })]), {}, 'r')
    runAction(run, run.next(0)[0]!, 1, out('{}'))
    expect(run.next(2)).toEqual([])
    expect(run.status().steps[1]).toMatchObject({ state: 'failed', phase: 'Errored', lastError: { name: 'ExpressionEvaluationError' } })
    expect(run.events.at(-1)).toMatchObject({ type: 'failed', step: 'b', attempt: 0, retryable: false, errored: true })
    expect(run.status().state).toBe('failed')
  })
})

describe('fan-out and reduce', () => {
  const fan = spec([
    step('split'),
    step('map', { forEach: 'steps.split.json.chunks', stdin: '${{ item }}', args: ['--n', '${{ item }}'] }),
    step('reduce', { depends: 'map.AnySucceeded', stdin: '${{ steps.map.items }}' }),
    step('all', { depends: 'map.AllFailed' })
  ])

  it('runs one action per item, then the reduce step with every item in order', () => {
    const run = new WorkflowRun(fan, {}, 'r')
    runAction(run, run.next(0)[0]!, 1, out('{"chunks": ["x", "y", "z"]}'))
    const items = run.next(2)
    expect(items.map(a => [a.item, a.itemValue, a.stdin, a.args])).toEqual([[0, 'x', 'x', ['--n', 'x']], [1, 'y', 'y', ['--n', 'y']], [2, 'z', 'z', ['--n', 'z']]])
    expect(run.status().steps[1]).toMatchObject({ state: 'submitted', items: { done: 0, total: 3 } })
    // Out of order: item 2, then 0; item 1 fails for good.
    runAction(run, items[2]!, 3, out('Z'))
    runAction(run, items[0]!, 4, out('X'))
    expect(run.status().steps[1]).toMatchObject({ state: 'working', phase: 'Running', items: { done: 2, total: 3 } })
    expect(run.next(5).map(a => a.step)).toEqual(['map'])
    runAction(run, items[1]!, 6, { error: 'trap' })
    expect(run.status().steps[1]).toMatchObject({ state: 'failed', phase: 'Failed', items: { done: 3, total: 3 } })
    const reduce = run.next(7)
    expect(names(reduce)).toEqual(['reduce'])
    expect(reduce[0]!.stdin).toEqual([{ kind: 'items', step: 'map', items: [out('X'), null, out('Z')] }])
    expect(stateOf(run, 'all')).toBe('skipped')
    runAction(run, reduce[0]!, 8, out('done'))
    // map failed, but reduce ran because of it: handled, as in Argo.
    expect(run.status().state).toBe('completed')
  })

  it('tests AllFailed over every item', () => {
    const run = new WorkflowRun(fan, {}, 'r')
    runAction(run, run.next(0)[0]!, 1, out('{"chunks": [1, 2]}'))
    for (const action of run.next(2)) runAction(run, action, 3, { error: 'trap' })
    expect(names(run.next(4))).toEqual(['all'])
    expect(stateOf(run, 'reduce')).toBe('skipped')
  })

  it('skips a fan-out over an empty array, and errors one over something else', () => {
    const empty = new WorkflowRun(fan, {}, 'r')
    runAction(empty, empty.next(0)[0]!, 1, out('{"chunks": []}'))
    empty.next(2)
    expect(empty.status().steps[1]).toMatchObject({ state: 'skipped', skipReason: 'forEach has no items' })
    const wrong = new WorkflowRun(fan, {}, 'r')
    runAction(wrong, wrong.next(0)[0]!, 1, out('{"chunks": "no"}'))
    wrong.next(2)
    expect(wrong.status().steps[1]).toMatchObject({ state: 'failed', phase: 'Errored', lastError: { name: 'ForEachValueError' } })
  })

  it('fans out over a literal list, a json input and text lines, and evaluates when per item', () => {
    const run = new WorkflowRun(spec([
      step('lit', { forEach: [{ n: 1 }, { n: 2 }, { n: 3 }], when: 'item.n != 2', stdin: '${{ item.n }}' }),
      step('json', { forEach: 'inputs.data.list', stdin: '${{ item }}' }),
      step('lines', { forEach: 'inputs.text.lines', stdin: '${{ item }}' })
    ], { data: { type: 'json' }, text: { type: 'text' } }), { data: { list: [{ a: 1 }] }, text: 'one\ntwo\n' }, 'r')
    const actions = run.next(0)
    expect(actions.map(a => [a.step, a.item, a.stdin])).toEqual([
      ['lit', 0, '1'], ['lit', 2, '3'], ['json', 0, '{"a":1}'], ['lines', 0, 'one'], ['lines', 1, 'two']
    ])
    expect(run.events).toEqual([{ type: 'skipped', at: 0, step: 'lit', item: 1, reason: 'when is false: item.n != 2' }])
    for (const action of actions) runAction(run, action, 1, out('.'))
    expect(run.status()).toMatchObject({ state: 'completed', steps: [{ phase: 'Succeeded', items: { done: 3, total: 3 } }, {}, {}] })
  })
})

describe('bindings', () => {
  it('resolves inputs, stdout, json paths and files by hash', () => {
    const run = new WorkflowRun(spec([
      step('a', { stdin: '${{ inputs.text }}' }),
      step('b', {
        args: ['--x=${{ steps.a.json.x[1] }}', '${{ inputs.cfg.k }}', '${{ steps.a.json }}'],
        files: { 'in.bin': '${{ steps.a.files["out.bin"] }}', raw: '${{ inputs.blob }}' },
        env: { MODE: 'fast' }
      })
    ], { text: { type: 'text' }, cfg: { type: 'json' }, blob: { type: 'bytes' } }), { text: 'hello', cfg: { k: 7 }, blob: { blob: 'sha256:bb' } }, 'r')
    const [a] = run.next(0)
    expect(a).toMatchObject({ step: 'a', stdin: 'hello', module: 'echo' })
    runAction(run, a!, 1, out('{"x": [0, "one"], "b": true}', { 'out.bin': 'sha256:aa' }))
    expect(run.next(2)[0]).toMatchObject({
      args: ['--x=one', '7', '{"b":true,"x":[0,"one"]}'],
      env: { MODE: 'fast' },
      files: { 'in.bin': [{ kind: 'blob', hash: 'sha256:aa' }], raw: [{ kind: 'blob', hash: 'sha256:bb' }] }
    })
  })

  it('errors a step whose template cannot be bound', () => {
    const run = new WorkflowRun(spec([step('a'), step('b', { files: { f: '${{ steps.a.files["nope"] }}' } })]), {}, 'r')
    runAction(run, run.next(0)[0]!, 1, out('x'))
    expect(run.next(2)).toEqual([])
    expect(run.status().steps[1]).toMatchObject({ phase: 'Errored', lastError: { name: 'ExpressionEvaluationError' } })
    expect(WorkflowRun.replay(run.spec, {}, 'r', run.events).status()).toEqual(run.status())
  })

  it('gives equal memo keys for equal inputs, different ones otherwise, and none without memoize', () => {
    const key = (fields: Partial<StepSpec>, text = 't'): string | undefined =>
      new WorkflowRun(spec([step('s', fields)], { text: { type: 'text' } }), { text }, 'r').next(0)[0]?.memoKey
    const base = { args: ['-n'], env: { A: '1' }, stdin: '${{ inputs.text }}' }
    expect(key(base)).toMatch(/^memo1:[0-9a-f]{64}$/)
    expect(key(base)).toBe(key({ ...base }))
    // The step's name and run id do not count; what the module sees does.
    expect(new WorkflowRun(spec([step('other', base)], { text: { type: 'text' } }), { text: 't' }, 'r2').next(0)[0]?.memoKey).toBe(key(base))
    const keys = [key(base), key(base, 'u'), key({ ...base, args: ['-m'] }), key({ ...base, env: { A: '2' } }), key({ ...base, module: 'gzip' }), key({ ...base, stdin: undefined }), key({ ...base, files: { f: 'x' } })]
    expect(new Set(keys).size).toBe(keys.length)
    expect(key({ ...base, memoize: false })).toBeUndefined()
  })
})

describe('retries', () => {
  const retrying = spec([step('a', { retry: { limit: 2, backoff: { initialMs: 100, factor: 3, maxMs: 250 } } }), step('b', { dependencies: ['a'] })])

  it('waits out the backoff, growing by factor up to maxMs, and gives up after the limit', () => {
    const run = new WorkflowRun(retrying, {}, 'r')
    runAction(run, run.next(0)[0]!, 1000, { error: 'busy', retryable: true })
    expect(run.nextWakeAt()).toBe(1100)
    expect(run.next(1099)).toEqual([])
    expect(() => run.apply({ type: 'retried', at: 1099, step: 'a' })).toThrow(expect.objectContaining({ name: 'RunEventOrderError' }))
    const second = run.next(1100)
    expect(second).toMatchObject([{ step: 'a', attempt: 2 }])
    runAction(run, second[0]!, 1100, { error: 'busy', retryable: true })
    expect(run.nextWakeAt()).toBe(1350) // min(250, 100·3)
    expect(run.status().steps[0]).toMatchObject({ state: 'working', phase: 'Running', attempts: 2, lastError: { name: 'TrapError', message: 'busy' } })
    const third = run.next(1350)
    runAction(run, third[0]!, 1400, { error: 'busy', retryable: true })
    expect(run.nextWakeAt()).toBeUndefined()
    // The skip of b is a decision next() records; until then b waits.
    expect(run.status().steps[1]?.state).toBe('submitted')
    expect(run.next(1400)).toEqual([])
    expect(run.status()).toMatchObject({ state: 'failed', steps: [{ state: 'failed', attempts: 3 }, { state: 'skipped' }] })
  })

  it('does not retry a failure that is not retryable', () => {
    const run = new WorkflowRun(retrying, {}, 'r')
    runAction(run, run.next(0)[0]!, 1, { error: 'bad input', retryable: false })
    expect(run.next(2)).toEqual([])
    expect(run.status().state).toBe('failed')
  })
})

describe('cancel', () => {
  it('cancels the run: nothing more is offered or accepted', () => {
    const run = new WorkflowRun(spec([step('a', { retry: { limit: 1 } }), step('b'), step('c', { dependencies: ['a'] })]), {}, 'r')
    const [a, b] = run.next(0)
    runAction(run, a!, 1, { error: 'x', retryable: true })
    run.apply({ type: 'scheduled', at: 2, step: b!.step })
    run.apply({ type: 'canceled', at: 3, reason: 'user' })
    expect(run.status()).toMatchObject({ state: 'canceled', counts: { canceled: 3 } })
    expect(run.next(10_000)).toEqual([])
    expect(run.nextWakeAt()).toBeUndefined()
    expect(() => run.apply({ type: 'started', at: 4, step: 'b', attempt: 1 })).toThrow(expect.objectContaining({ name: 'RunEventOrderError' }))
  })
})

describe('refused events', () => {
  const s = spec([step('a'), step('b', { dependencies: ['a'] }), step('f', { forEach: [1, 2] })])
  const refused = (events: RunEvent[], bad: unknown, name = 'RunEventOrderError'): void => {
    const run = WorkflowRun.replay(s, {}, 'r', events)
    const before = run.status()
    expect(() => run.apply(bad as RunEvent)).toThrow(expect.objectContaining({ name }))
    expect(run.status()).toEqual(before)
    expect(run.events).toEqual(events)
  }
  const scheduled: RunEvent = { type: 'scheduled', at: 1, step: 'a' }
  const started: RunEvent = { type: 'started', at: 2, step: 'a', attempt: 1 }

  it('refuses events out of order', () => {
    refused([], { type: 'started', at: 1, step: 'a', attempt: 1 })
    refused([], { type: 'succeeded', at: 1, step: 'a', attempt: 1, outputs: out('x') })
    refused([], { type: 'scheduled', at: 1, step: 'b' })
    refused([], { type: 'scheduled', at: 1, step: 'ghost' })
    refused([], { type: 'scheduled', at: 1, step: 'f' })
    refused([], { type: 'scheduled', at: 1, step: 'f', item: 2 })
    refused([], { type: 'scheduled', at: 1, step: 'a', item: 0 })
    refused([], { type: 'skipped', at: 1, step: 'a', reason: 'no' })
    refused([], { type: 'retried', at: 1, step: 'a' })
    refused([scheduled], { type: 'scheduled', at: 1, step: 'a' })
    refused([scheduled], { type: 'started', at: 2, step: 'a', attempt: 2 })
    refused([scheduled], { type: 'started', at: 0, step: 'a', attempt: 1 })
    refused([scheduled, started], { type: 'succeeded', at: 3, step: 'a', attempt: 2, outputs: out('x') })
    refused([scheduled, started, { type: 'succeeded', at: 3, step: 'a', attempt: 1, outputs: out('x') }], { type: 'failed', at: 4, step: 'a', attempt: 1, error: { name: 'E', message: 'm' }, retryable: true })
  })

  it('refuses malformed events', () => {
    refused([], { type: 'exploded', at: 1, step: 'a' }, 'InvalidRunEventError')
    refused([], { type: 'scheduled', step: 'a' }, 'InvalidRunEventError')
    refused([], { type: 'scheduled', at: 1, step: 'f', item: -1 }, 'InvalidRunEventError')
    refused([scheduled, started], { type: 'succeeded', at: 3, step: 'a', attempt: 1, outputs: { stdout: 'x' } }, 'InvalidRunEventError')
    refused([scheduled, started], { type: 'failed', at: 3, step: 'a', attempt: 1, error: 'x', retryable: true }, 'InvalidRunEventError')
  })

  it('refuses inputs that do not match the spec', () => {
    const withInput = spec([step('a')], { text: { type: 'text' } })
    expect(() => new WorkflowRun(withInput, {}, 'r')).toThrow(expect.objectContaining({ name: 'InvalidWorkflowInputsError' }))
    expect(() => new WorkflowRun(withInput, { text: 1 }, 'r')).toThrow(expect.objectContaining({ name: 'InvalidWorkflowInputsError' }))
    expect(() => new WorkflowRun(withInput, { text: 'x', more: 'y' }, 'r')).toThrow(expect.objectContaining({ name: 'InvalidWorkflowInputsError' }))
  })
})

describe('the example of docs/workflow-spec.md', () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync(new URL('../../../../docs/workflow-spec.md', import.meta.url), 'utf8'))?.[1] ?? ''
  const example = parseWorkflowSpec(yaml)

  it('splits, detects each chunk in parallel (retrying one), counts in item order and skips the archive of a small file', () => {
    const run = new WorkflowRun(example, { text: 'hello\nbonjour\nhallo\n' }, 'count-1')
    let actions = run.next(0)
    expect(actions).toMatchObject([{ step: 'split', stdin: 'hello\nbonjour\nhallo\n', args: ['--lines', '200'] }])
    runAction(run, actions[0]!, 10, out('{"chunks": ["hello\\nbonjour", "hallo"]}'))

    actions = run.next(20)
    expect(actions.map(a => [a.step, a.item, a.stdin, a.timeoutMs, a.fuel])).toEqual([
      ['detect', 0, 'hello\nbonjour', 30000, 20000000000],
      ['detect', 1, 'hallo', 30000, 20000000000]
    ])
    runAction(run, actions[1]!, 30, out('{"lang":"deu"}\n', { 'x.json': 'sha256:11' }))
    runAction(run, actions[0]!, 40, { error: 'executor vanished', retryable: true })
    expect(run.nextWakeAt()).toBe(540) // retry.backoff.initialMs 500
    expect(run.next(100)).toEqual([])
    const retry = run.next(540)
    expect(retry).toMatchObject([{ step: 'detect', item: 0, attempt: 2 }])
    runAction(run, retry[0]!, 600, out('{"lang":"eng"}\n{"lang":"fra"}\n'))

    actions = run.next(700)
    expect(actions).toMatchObject([{ step: 'count', env: { COUNT_FIELD: 'lang' } }])
    const detected = [
      out('{"lang":"eng"}\n{"lang":"fra"}\n'),
      // Stdout that is JSON is handed on read as well.
      { ...out('{"lang":"deu"}\n', { 'x.json': 'sha256:11' }), json: { lang: 'deu' } }
    ]
    expect(actions[0]!.stdin).toEqual([{ kind: 'items', step: 'detect', items: detected }])
    runAction(run, actions[0]!, 800, out('{"total": 3, "perLanguage": {"eng": 1, "fra": 1, "deu": 1}}', { 'counts.json': 'sha256:cc' }))

    expect(run.next(900)).toEqual([])
    const status = run.status()
    expect(status.state).toBe('completed')
    expect(status.steps.map(s => [s.name, s.state, s.attempts, s.items])).toEqual([
      ['split', 'completed', 1, undefined],
      ['detect', 'completed', 3, { done: 2, total: 2 }],
      ['count', 'completed', 1, undefined],
      ['archive', 'skipped', 0, undefined]
    ])
    expect(status.counts).toEqual({ submitted: 0, working: 0, completed: 3, failed: 0, canceled: 0, skipped: 1 })
    expect(run.outputs()).toEqual({ perLanguage: '{"deu":1,"eng":1,"fra":1}', countsFile: [{ kind: 'blob', hash: 'sha256:cc' }] })
    // JSON all the way: the log survives a round trip and replays to the same state.
    const stored = JSON.parse(JSON.stringify(run.events)) as RunEvent[]
    expect(WorkflowRun.replay(example, { text: 'hello\nbonjour\nhallo\n' }, 'count-1', stored).status()).toEqual(status)
  })
})

describe('outputs', () => {
  it('leaves out an output bound to a step that was skipped, and keeps the rest', () => {
    const run = new WorkflowRun({
      ...spec([step('a'), step('b', { dependencies: ['a'], when: 'steps.a.stdout == "go"' })]),
      outputs: { fromA: '${{ steps.a.stdout }}', fromB: '${{ steps.b.stdout }}', missing: '${{ steps.a.json.nothing }}' }
    }, {}, 'outputs')
    runAction(run, find(run.next(0), 'a'), 1, out('stop'))
    expect(run.next(2)).toEqual([])
    expect(stateOf(run, 'b')).toBe('skipped')
    expect(run.state).toBe('completed')
    expect(run.outputs()).toEqual({ fromA: 'stop' })
  })
})
