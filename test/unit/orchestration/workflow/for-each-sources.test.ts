/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The two forEach sources beyond JSON: `forEach: steps.<step>.items` (a map
 * after a map: `item.stdout`, `item.json…`, `item.files["n"]`; items of the
 * upstream that did not succeed are skipped, keeping the indexes aligned) and
 * `forEach: inputs.<files input>` (`item.name`, `item.file`). Parsing, the
 * refusals, the scheduler's behaviour and replay, and the memo keys.
 */
import { describe, expect, it } from 'vitest'
import { WorkflowSpecError, parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { StepSpec, WorkflowSpec, WorkflowSpecProblem } from '../../../../src/orchestration/workflow/spec/index.ts'
import { WorkflowRun } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import type { StepAction, StepOutputs } from '../../../../src/orchestration/workflow/scheduler/index.ts'

const yamlSteps = (steps: string, head = ''): string => `version: 1\n${head}dag:\n  tasks:\n${steps}`

function problems (text: string): Array<Pick<WorkflowSpecProblem, 'path' | 'message'>> {
  try {
    parseWorkflowSpec(text)
  } catch (err) {
    expect((err as Error).name).toBe(WorkflowSpecError.name)
    return (err as WorkflowSpecError).problems.map(({ path, message }) => ({ path, message }))
  }
  throw new Error('the spec was accepted')
}

const spec = (tasks: StepSpec[], inputs: WorkflowSpec['inputs'] = undefined): WorkflowSpec => ({ version: 1, ...(inputs === undefined ? {} : { inputs }), dag: { tasks } })
const out = (stdout: string, files: Record<string, string> = {}): StepOutputs => ({ stdout, stdoutHash: `h(${stdout})`, files })
const names = (actions: StepAction[]): string[] => actions.map(a => a.item === undefined ? a.step : `${a.step}[${a.item}]`)

function runAction (run: WorkflowRun, action: StepAction, at: number, result: StepOutputs | { error: string }): void {
  const where = { step: action.step, ...(action.item === undefined ? {} : { item: action.item }) }
  run.apply({ type: 'scheduled', at, ...where })
  run.apply({ type: 'started', at, ...where, attempt: action.attempt })
  if ('error' in result) run.apply({ type: 'failed', at, ...where, attempt: action.attempt, error: { name: 'StepExitError', message: result.error }, retryable: false })
  else run.apply({ type: 'succeeded', at, ...where, attempt: action.attempt, outputs: result })
}

const FACES = yamlSteps(`    - name: detect
      module: face-detect
      stdin: "\${{ inputs.photo }}"
    - name: crop
      module: image
      forEach: steps.detect.json.faces
      args: [crop, "\${{ item.box.x }}", "\${{ item.box.y }}", "\${{ item.box.width }}", "\${{ item.box.height }}"]
      stdin: "\${{ inputs.photo }}"
    - name: expression
      module: face-expression
      forEach: steps.crop.items
      depends: crop.AnySucceeded
      when: item.json.output.width > 10
      stdin: "\${{ item.files[\\"out.png\\"] }}"
      args: ["\${{ item.json.output.width }}"]
      files: { "summary.json": "\${{ item.stdout }}" }
    - name: report
      module: echo
      depends: expression.AnySucceeded
      stdin: "\${{ steps.expression.items }}"
`, 'inputs:\n  photo: { type: bytes }\n')

const PHOTOS = yamlSteps(`    - name: thumb
      module: image
      forEach: inputs.photos
      when: item.name != "skip.jpg"
      args: [thumbnail, "128", "-o", "\${{ item.name }}.png"]
      stdin: "\${{ item.file }}"
      files: { "copy.jpg": "\${{ item.file }}" }
`, 'inputs:\n  photos: { type: files }\n')

describe('parsing', () => {
  it('accepts a map after a map and a map over a files input', () => {
    const faces = parseWorkflowSpec(FACES)
    expect(faces.dag.tasks[2]?.forEach).toBe('steps.crop.items')
    expect(parseWorkflowSpec(PHOTOS).dag.tasks[0]?.forEach).toBe('inputs.photos')
  })

  it('refuses what item is not, with where it is', () => {
    const head = 'inputs:\n  photos: { type: files }\n  blob: { type: bytes }\n'
    const text = yamlSteps(`    - { name: a, module: echo, forEach: [1, 2] }
    - { name: b, module: echo, forEach: steps.a.items, stdin: "\${{ item }}" }
    - { name: c, module: echo, forEach: steps.a.items, stdin: "\${{ item.name }}" }
    - { name: d, module: echo, forEach: steps.a.items, when: "item.files[\\"x\\"] == 1" }
    - { name: e, module: echo, forEach: steps.a.items, stdin: "\${{ item.files }}" }
    - { name: f, module: echo, forEach: steps.a.items, stdin: "\${{ item.stdout.x }}" }
    - { name: g, module: echo, forEach: inputs.photos, stdin: "\${{ item.stdout }}" }
    - { name: h, module: echo, forEach: inputs.photos, when: "item.file == 1" }
    - { name: i, module: echo, forEach: inputs.photos, stdin: "\${{ item.name.x }}" }
    - { name: j, module: echo, forEach: [1], stdin: "\${{ item.files[\\"out.png\\"] }}" }
    - { name: k, module: echo, forEach: inputs.blob }
    - { name: l, module: echo, stdin: "\${{ item.files[\\"out.png\\"] }}" }
    - { name: m, module: echo, forEach: steps.a.items.x }
    - { name: n, module: echo, forEach: [1], dependencies: [a] }
    - { name: o, module: echo, forEach: steps.n.stdout.lines }
    - { name: p, module: echo, forEach: steps.l.items }
`, head)
    const outputs = 'the outputs of one item of steps.a: read item.stdout, item.json[.<path>]'
    expect(problems(text)).toEqual([
      { path: '/dag/tasks/1/stdin', message: `item is ${outputs}, item.files["<name>"]` },
      { path: '/dag/tasks/2/stdin', message: `item is ${outputs}, item.files["<name>"]` },
      { path: '/dag/tasks/3/when', message: 'item is the outputs of one item of steps.a: a file is bound only in a template (args, stdin, files); read item.stdout, item.json[.<path>]' },
      { path: '/dag/tasks/4/stdin', message: 'expected a file name after item.files, as in item.files["out.png"]' },
      { path: '/dag/tasks/5/stdin', message: 'item.stdout has no members' },
      { path: '/dag/tasks/6/stdin', message: 'item is one file of inputs.photos: read item.name, item.file' },
      { path: '/dag/tasks/7/when', message: 'item is one file of inputs.photos: a file is bound only in a template (args, stdin, files); read item.name' },
      { path: '/dag/tasks/8/stdin', message: 'item.name has no members' },
      { path: '/dag/tasks/9/stdin', message: 'item.files[…] reads a file only in a forEach over a fan-out step\'s items (forEach: steps.<step>.items); here item is a JSON value of the list' },
      { path: '/dag/tasks/10/forEach', message: 'inputs.blob is bytes, not a list' },
      { path: '/dag/tasks/11/stdin', message: 'item is only defined in a step with forEach' },
      { path: '/dag/tasks/12/forEach', message: 'steps.a.items has no members' },
      { path: '/dag/tasks/14/forEach', message: 'step n runs once per item; read its outputs as steps.n.items' },
      { path: '/dag/tasks/15/forEach', message: 'steps.l.items needs forEach on step l' }
    ])
  })
})

describe('a map after a map (forEach: steps.X.items)', () => {
  const faces = parseWorkflowSpec(FACES)
  const detected = JSON.stringify({ faces: [1, 2, 3, 4].map(n => ({ box: { x: n, y: n, width: 10 * n, height: 10 * n } })) })
  const cropOut = (n: number): StepOutputs => out(JSON.stringify({ output: { width: 10 * n } }), { 'out.png': `png-${n}` })

  /** The run up to the end of crop: item 1 failed, the others cropped. */
  function cropped (): WorkflowRun {
    const run = new WorkflowRun(faces, { photo: { blob: 'photo-hash' } }, 'faces-1')
    runAction(run, run.next(0)[0]!, 1, out(detected))
    const crops = run.next(2)
    expect(names(crops)).toEqual(['crop[0]', 'crop[1]', 'crop[2]', 'crop[3]'])
    expect(crops[2]?.args).toEqual(['crop', '3', '3', '30', '30'])
    expect(crops[2]?.stdin).toEqual([{ kind: 'blob', hash: 'photo-hash' }])
    crops.forEach((action, i) => { runAction(run, action, 3, i === 1 ? { error: 'exit 2' } : cropOut(i + 1)) })
    return run
  }

  it('runs one item per item of the upstream, binding its files, stdout and JSON; skips the items that did not succeed', () => {
    const run = cropped()
    const expressions = run.next(4)
    // crop[1] failed, so expression[1] is skipped; crop[0] is 10 px wide, so its `when` is false.
    expect(names(expressions)).toEqual(['expression[2]', 'expression[3]'])
    expect(expressions[0]).toMatchObject({
      item: 2,
      stdin: [{ kind: 'blob', hash: 'png-3' }],
      args: ['30'],
      files: { 'summary.json': '{"output":{"width":30}}' }
    })
    const skips = run.events.filter(e => e.type === 'skipped').map(e => [e.step, e.item, e.type === 'skipped' ? e.reason : ''])
    expect(skips).toEqual([
      ['expression', 0, 'when is false: item.json.output.width > 10'],
      ['expression', 1, 'item 1 of steps.crop did not succeed']
    ])
    expect(run.status().steps.find(s => s.name === 'expression')?.items).toEqual({ done: 2, total: 4 })

    runAction(run, expressions[0]!, 5, out('{"expression":"happy"}'))
    runAction(run, expressions[1]!, 5, out('{"expression":"sad"}'))
    const [report] = run.next(6)
    const withJson = (stdout: string): StepOutputs => ({ ...out(stdout), json: JSON.parse(stdout) })
    expect(report?.stdin).toEqual([{ kind: 'items', step: 'expression', items: [null, null, withJson('{"expression":"happy"}'), withJson('{"expression":"sad"}')] }])
    runAction(run, report!, 7, out('done'))
    expect(run.state).toBe('completed')

    // A replay of the log decides the same skips and ends in the same state.
    const replayed = WorkflowRun.replay(faces, { photo: { blob: 'photo-hash' } }, 'faces-1', run.events)
    expect(replayed.status()).toEqual(run.status())
  })

  it('is skipped as a whole when no item of the upstream succeeded, and waits for the upstream to settle', () => {
    const s = spec([
      { name: 'a', module: 'echo', forEach: [1, 2] },
      { name: 'b', module: 'echo', forEach: 'steps.a.items', depends: 'a.Completed', stdin: '${{ item.stdout }}' }
    ])
    const run = new WorkflowRun(s, {}, 'r')
    const [first, second] = run.next(0)
    runAction(run, first!, 1, { error: 'exit 1' })
    expect(names(run.next(2))).toEqual(['a[1]'])
    runAction(run, second!, 3, { error: 'exit 1' })
    expect(run.next(4)).toEqual([])
    expect(run.status().steps[1]).toMatchObject({ state: 'skipped', skipReason: 'no item of steps.a.items succeeded' })
  })

  it('without depends, runs only once every item of the upstream succeeded, one item per item', () => {
    const s = spec([
      { name: 'a', module: 'echo', forEach: ['x', 'y', 'z'] },
      { name: 'b', module: 'echo', forEach: 'steps.a.items', stdin: '${{ item.stdout }}!' }
    ])
    const run = new WorkflowRun(s, {}, 'r')
    run.next(0).forEach((action, i) => { runAction(run, action, 1, out(['x', 'y', 'z'][i] as string)) })
    const b = run.next(2)
    expect(b.map(a => a.stdin)).toEqual(['x!', 'y!', 'z!'])
    // Equal inputs give equal memo keys; an item's outputs are read through its bindings only.
    expect(new Set(b.map(a => a.memoKey)).size).toBe(3)
  })

  it('errors an item whose file is not there', () => {
    const s = spec([
      { name: 'a', module: 'echo', forEach: [1] },
      { name: 'b', module: 'echo', forEach: 'steps.a.items', stdin: '${{ item.files["out.png"] }}' }
    ])
    const run = new WorkflowRun(s, {}, 'r')
    runAction(run, run.next(0)[0]!, 1, out('no file'))
    expect(run.next(2)).toEqual([])
    expect(run.status()).toMatchObject({ state: 'failed', steps: [{}, { state: 'failed', lastError: { name: 'ExpressionEvaluationError', message: expect.stringMatching(/item 0 of steps\.a wrote no file "out\.png"/) } }] })
  })
})

describe('a map over a files input (forEach: inputs.X)', () => {
  const photos = parseWorkflowSpec(PHOTOS)

  it('runs one item per file in name order, item.name as text and item.file as the blob', () => {
    const run = new WorkflowRun(photos, { photos: { files: { 'b.jpg': 'hb', 'skip.jpg': 'hs', 'a.jpg': 'ha' } } }, 'p')
    const actions = run.next(0)
    expect(names(actions)).toEqual(['thumb[0]', 'thumb[1]'])
    expect(actions.map(a => [a.args, a.stdin, a.files])).toEqual([
      [['thumbnail', '128', '-o', 'a.jpg.png'], [{ kind: 'blob', hash: 'ha' }], { 'copy.jpg': [{ kind: 'blob', hash: 'ha' }] }],
      [['thumbnail', '128', '-o', 'b.jpg.png'], [{ kind: 'blob', hash: 'hb' }], { 'copy.jpg': [{ kind: 'blob', hash: 'hb' }] }]
    ])
    expect(run.events).toMatchObject([{ type: 'skipped', step: 'thumb', item: 2, reason: 'when is false: item.name != "skip.jpg"' }])
    // The same file under another name is another task; the same file and name, the same memo key.
    const again = new WorkflowRun(photos, { photos: { files: { 'a.jpg': 'ha', 'c.jpg': 'ha' } } }, 'p2').next(0)
    expect(again[0]?.memoKey).toBe(actions[0]?.memoKey)
    expect(again[1]?.memoKey).not.toBe(actions[0]?.memoKey)
  })

  it('skips the step when the input holds no file', () => {
    const run = new WorkflowRun(photos, { photos: { files: {} } }, 'p')
    expect(run.next(0)).toEqual([])
    expect(run.status()).toMatchObject({ state: 'completed', steps: [{ state: 'skipped', skipReason: 'forEach has no items' }] })
  })
})
