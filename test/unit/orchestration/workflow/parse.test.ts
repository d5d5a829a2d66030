/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * parseWorkflowSpec: YAML and JSON read to the same spec (the documented
 * example included), and every refusal with its JSON pointer, line and column.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  MAX_DAG_DEPTH, MAX_FAN_OUT_ITEMS, MAX_NESTING_DEPTH, MAX_SPEC_BYTES, MAX_STEPS, WORKFLOW_SPEC_SCHEMA, WorkflowSpecError, parseWorkflowSpec
} from '../../../../src/orchestration/workflow/spec/index.ts'
import type { WorkflowSpecProblem } from '../../../../src/orchestration/workflow/spec/index.ts'

const docs = (name: string): string => readFileSync(new URL(`../../../../docs/${name}`, import.meta.url), 'utf8')
const HASH = `sha256:${'ab'.repeat(32)}`

function problems (text: string, format?: 'yaml' | 'json'): WorkflowSpecProblem[] {
  try {
    parseWorkflowSpec(text, format)
  } catch (err) {
    expect((err as Error).name).toBe(WorkflowSpecError.name)
    expect(err).toBeInstanceOf(WorkflowSpecError)
    return (err as WorkflowSpecError).problems
  }
  throw new Error('the spec was accepted')
}

/** The line and column where the `nth` occurrence (from 0) of `needle` starts in `text`. */
function at (text: string, needle: string, nth = 0): { line: number, column: number } {
  let index = -1
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1)
    if (index === -1) throw new Error(`no ${needle} in the text`)
  }
  const before = text.slice(0, index).split('\n')
  return { line: before.length, column: (before.at(-1) as string).length + 1 }
}

/** A problem at the `nth` occurrence of `needle`. */
const problem = (text: string, path: string, needle: string, message: string, nth = 0): WorkflowSpecProblem => ({ path, ...at(text, needle, nth), message })

/** A YAML spec with these step lines under `dag.tasks` (each already indented by 4). */
const yamlSteps = (steps: string, head = ''): string => `version: 1\n${head}dag:\n  tasks:\n${steps}`

/** The example of docs/workflow-spec.md, written as JSON by hand. */
const DOCUMENTED_AS_JSON = {
  version: 1,
  name: 'count-languages',
  description: 'Detect the language of every line of a file and count the lines per language.',
  inputs: { text: { type: 'text', description: 'The file, one document per line.' } },
  dag: {
    tasks: [
      { name: 'split', module: 'sha256:5e1d0c47a9b2f3e8d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817065', args: ['--lines', '200'], stdin: '${{ inputs.text }}' },
      {
        name: 'detect', module: 'lang-detect', forEach: 'steps.split.json.chunks', args: ['--lines', '--top', '1'], stdin: '${{ item }}',
        retry: { limit: 2, backoff: { initialMs: 500, factor: 2, maxMs: 5000 } }, timeoutMs: 30000, fuel: 20000000000
      },
      { name: 'count', module: 'sha256:c0a1e2d3f4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5', depends: 'detect.AnySucceeded', stdin: '${{ steps.detect.items }}', env: { COUNT_FIELD: 'lang' } },
      { name: 'archive', module: 'gzip', depends: 'count.Succeeded', when: 'steps.count.json.total > 10000', stdin: '${{ inputs.text }}', memoize: false }
    ]
  },
  outputs: { perLanguage: '${{ steps.count.json.perLanguage }}', countsFile: '${{ steps.count.files["counts.json"] }}' }
}

describe('valid specs', () => {
  it('reads the documented example, in YAML and in JSON, to the same spec', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(docs('workflow-spec.md'))?.[1]
    expect(yaml).toBeDefined()
    const fromYaml = parseWorkflowSpec(yaml as string)
    const fromJson = parseWorkflowSpec(JSON.stringify(DOCUMENTED_AS_JSON, null, 2))
    expect(fromYaml).toEqual(fromJson)
    expect(parseWorkflowSpec(JSON.stringify(DOCUMENTED_AS_JSON), 'json')).toEqual(fromYaml)
    // JSON is YAML too.
    expect(parseWorkflowSpec(JSON.stringify(DOCUMENTED_AS_JSON), 'yaml')).toEqual(fromYaml)
    expect(fromYaml.dag.tasks.map(step => step.memoize)).toEqual([true, true, true, false])
  })

  it('reads literal fan-outs, dependencies lists and every input type', () => {
    const yaml = `
version: 1
inputs:
  words: { type: json }
  doc: { type: text }
  blob: { type: bytes }
  tree: { type: files }
dag:
  tasks:
    - name: a
      module: ${HASH}
      forEach: [1, "two", { three: 3 }]
      args: ["\${{ item }}"]
      files:
        in/blob.bin: "\${{ inputs.blob }}"
    - name: b
      module: echo
      forEach: inputs.words
      dependencies: [a]
      stdin: "\${{ item.text }} \${{ inputs.words[0] }}"
    - name: c
      module: echo
      forEach: inputs.doc.lines
      when: a.AllFailed || item == "x"
    - name: d
      module: echo
      forEach: steps.e.stdout.lines
    - name: e
      module: echo
      stdin: "\${{ steps.a.items }}\${{ steps.b.items }}"
      depends: "!(a.Errored || b.Errored) && c.AnySucceeded"
`
    const json = {
      version: 1,
      inputs: { words: { type: 'json' }, doc: { type: 'text' }, blob: { type: 'bytes' }, tree: { type: 'files' } },
      dag: {
        tasks: [
          { name: 'a', module: HASH, forEach: [1, 'two', { three: 3 }], args: ['${{ item }}'], files: { 'in/blob.bin': '${{ inputs.blob }}' } },
          { name: 'b', module: 'echo', forEach: 'inputs.words', dependencies: ['a'], stdin: '${{ item.text }} ${{ inputs.words[0] }}' },
          { name: 'c', module: 'echo', forEach: 'inputs.doc.lines', when: 'a.AllFailed || item == "x"' },
          { name: 'd', module: 'echo', forEach: 'steps.e.stdout.lines' },
          { name: 'e', module: 'echo', stdin: '${{ steps.a.items }}${{ steps.b.items }}', depends: '!(a.Errored || b.Errored) && c.AnySucceeded' }
        ]
      }
    }
    expect(parseWorkflowSpec(yaml)).toEqual(parseWorkflowSpec(JSON.stringify(json)))
  })

  it('accepts the limits themselves', () => {
    const steps = Array.from({ length: MAX_STEPS }, (_, i) => `    - { name: s${i}, module: echo${i % MAX_DAG_DEPTH === 0 ? '' : `, dependencies: [s${i - 1}]`} }\n`).join('')
    expect(parseWorkflowSpec(yamlSteps(steps)).dag.tasks).toHaveLength(MAX_STEPS)
    const items = JSON.stringify(Array.from({ length: MAX_FAN_OUT_ITEMS }, (_, i) => i))
    expect(parseWorkflowSpec(yamlSteps(`    - { name: a, module: echo, forEach: ${items} }\n`)).dag.tasks[0]?.forEach).toHaveLength(MAX_FAN_OUT_ITEMS)
  })

  it('is what the schema copy in docs/ says', () => {
    expect(JSON.parse(docs('workflow-spec.schema.json'))).toEqual(WORKFLOW_SPEC_SCHEMA)
  })
})

describe('refusals', () => {
  it('names the first problem, with its line and column, in the message', () => {
    const text = yamlSteps('    - name: a\n      module: echo\n      depends: "zz.Succeeded"\n      when: "qq.Failed"\n')
    try {
      parseWorkflowSpec(text)
      expect.fail('accepted')
    } catch (err) {
      const { line, column } = at(text, 'zz.Succeeded')
      expect((err as Error).message).toBe(`/dag/tasks/0/depends (${line}:${column}): unknown step zz (and 1 more problem)`)
    }
  })

  it('refuses a spec over 64 KiB, counted in UTF-8', () => {
    const padding = (n: number): string => `# ${'x'.repeat(n)}\n`
    const base = yamlSteps('    - { name: a, module: echo }\n')
    const fits = padding(MAX_SPEC_BYTES - base.length - 3) + base
    expect(new TextEncoder().encode(fits).length).toBe(MAX_SPEC_BYTES)
    expect(parseWorkflowSpec(fits).dag.tasks).toHaveLength(1)
    expect(problems(`# ${'é'.repeat(MAX_SPEC_BYTES / 2)}\n${base}`)).toEqual([{ path: '', message: 'the spec is larger than 65536 bytes' }])
  })

  it.each([
    ['yaml', 'version: 1\ndag:\n  tasks: [\n    { name: a, module: echo }\n', 5, 1],
    ['yaml', 'version: 1\nversion: 2\ndag: {}\n', 2, 1],
    ['yaml', 'version: 1\ndag:\n  tasks:\n    - name: !custom a\n', 4, 13],
    ['yaml', 'version: 1\n  dag: x\n', 1, 10],
    ['json', '{\n  "version": 1,\n  "dag": {\n    "tasks": [}\n}', 4, 15],
    ['json', '{\n  "version": 1,\n  "version": 1, "dag": {"tasks": []}\n}', 3, 3],
    ['json', "{ 'version': 1 }", 1, 3],
    ['json', '{ "version": 1,', 1, 16]
  ] as const)('refuses %s syntax at %i:%i', (format, text, line, column) => {
    const [problem] = problems(text, format)
    expect(problem).toMatchObject({ path: '', line, column })
  })

  it('refuses alias bombs', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n'
    expect(problems(bomb)[0]?.message).toMatch(/alias/i)
  })

  it('refuses a document nested too deep', () => {
    const deep = `${'['.repeat(MAX_NESTING_DEPTH)}1${']'.repeat(MAX_NESTING_DEPTH)}`
    const [problem] = problems(yamlSteps(`    - name: a\n      module: echo\n      forEach: ${deep}\n`))
    expect(problem?.path).toBe(`/dag/tasks/0/forEach${'/0'.repeat(MAX_NESTING_DEPTH - 4)}`)
    expect(problem?.line).toBe(6)
  })

  it('refuses pathological nesting without crashing, in YAML and in JSON', () => {
    const depth = 20_000
    expect(problems(`version: 1\ndag: ${'['.repeat(depth)}${']'.repeat(depth)}\n`)[0]?.path).toBe('')
    expect(problems(`{"version": 1, "dag": ${'['.repeat(depth)}${']'.repeat(depth)}}`, 'json')[0]?.message).toBe(`nested deeper than ${MAX_NESTING_DEPTH} levels`)
  })

  it('reads YAML flow style when told it is YAML, and picks JSON for text starting with {', () => {
    const flow = '{ version: 1, dag: { tasks: [ { name: a, module: echo } ] } }'
    expect(parseWorkflowSpec(flow, 'yaml').dag.tasks[0]?.name).toBe('a')
    expect(problems(flow)[0]).toMatchObject({ path: '', line: 1, column: 3 })
  })

  it('reports every schema violation, each where it is', () => {
    const text = `version: 2
dag:
  tasks:
    - name: 1st
      module: Not-A-Module
      args: [1]
      env: { A: "\${{ inputs.x }}", "bad name": x }
      extra: true
      retry: { limit: 11, backoff: { factor: 0.5 } }
      timeoutMs: 1
      fuel: 1.5
      memoize: "yes"
      files: { "../up": x, "/abs": y }
    - module: echo
      forEach: []
inputs:
  item: { type: text }
  ok: { type: number }
`
    const relativePath = "must be a relative path of letters, digits, '.', '_' and '-', without '.' or '..' segments"
    expect(problems(text)).toEqual([
      problem(text, '/version', '2', 'must be 1'),
      problem(text, '/dag/tasks/0/name', '1st', "must be a name of letters, digits, '_' and '-' that starts with a letter or '_'"),
      problem(text, '/dag/tasks/0/module', 'Not-A-Module', 'must be a sample id (lang-detect) or sha256:<64 lowercase hex digits>'),
      problem(text, '/dag/tasks/0/args/0', '1]', 'must be string'),
      problem(text, '/dag/tasks/0/env/A', '"${{ inputs.x }}"', 'cannot hold ${{ … }} templates'),
      problem(text, '/dag/tasks/0/env/bad name', '"bad name"', "must be an environment variable name of letters, digits and '_'"),
      problem(text, '/dag/tasks/0/extra', 'extra', 'is not a known property'),
      problem(text, '/dag/tasks/0/retry/limit', '11', 'must be <= 10'),
      problem(text, '/dag/tasks/0/retry/backoff/factor', '0.5', 'must be >= 1'),
      problem(text, '/dag/tasks/0/timeoutMs', '1\n', 'must be >= 10'),
      problem(text, '/dag/tasks/0/fuel', '1.5', 'must be integer'),
      problem(text, '/dag/tasks/0/memoize', '"yes"', 'must be boolean'),
      problem(text, '/dag/tasks/0/files/..~1up', '"../up"', relativePath),
      problem(text, '/dag/tasks/0/files/~1abs', '"/abs"', relativePath),
      problem(text, '/dag/tasks/1/name', 'module: echo', 'is required'),
      problem(text, '/dag/tasks/1/forEach', '[]', 'must NOT have fewer than 1 items'),
      problem(text, '/inputs/item', 'item', '"item" is reserved'),
      problem(text, '/inputs/ok/type', 'number', 'must be one of "text", "bytes", "files", "json"')
    ])
  })

  it('refuses more steps than the limit, and a literal fan-out over the limit', () => {
    const steps = Array.from({ length: MAX_STEPS + 1 }, (_, i) => `    - { name: s${i}, module: echo }\n`).join('')
    expect(problems(yamlSteps(steps))).toEqual([{ path: '/dag/tasks', line: 4, column: 5, message: 'must NOT have more than 64 items' }])
    const items = JSON.stringify(Array.from({ length: MAX_FAN_OUT_ITEMS + 1 }, (_, i) => i))
    expect(problems(yamlSteps(`    - name: a\n      module: echo\n      forEach: ${items}\n`))).toEqual([
      { path: '/dag/tasks/0/forEach', line: 6, column: 16, message: 'must NOT have more than 1000 items' }
    ])
  })

  it('refuses duplicate step names and depends with dependencies', () => {
    const text = yamlSteps('    - { name: a, module: echo }\n    - { name: b, module: echo }\n    - { name: a, module: echo, depends: b.Succeeded, dependencies: [b] }\n')
    expect(problems(text)).toEqual([
      problem(text, '/dag/tasks/2/name', 'a, module', 'duplicate step name a (first at /dag/tasks/0)', 1),
      problem(text, '/dag/tasks/2/dependencies', '[b]', 'use depends or dependencies, not both')
    ])
  })

  it('refuses unknown steps and inputs wherever they are named, at their place in the string', () => {
    const text = `version: 1
inputs:
  doc: { type: text }
  blob: { type: bytes }
dag:
  tasks:
    - name: a
      module: echo
      depends: "b.Succeeded || ghost.Failed"
      when: steps.phantom.json.ok
      args: ["--x=\${{ steps.nobody.stdout }}", "\${{ inputs.missing }}"]
      stdin: "\${{ steps.a.stdout }}"
      files: { "in.txt": "\${{ item }}" }
    - name: b
      module: echo
      dependencies: [nope]
      forEach: inputs.doc
    - name: c
      module: echo
      forEach: inputs.blob
outputs:
  result: "\${{ steps.void.json }} \${{ inputs.doc.x }}"
`
    expect(problems(text)).toEqual([
      problem(text, '/dag/tasks/0/depends', 'ghost', 'unknown step ghost'),
      problem(text, '/dag/tasks/0/when', 'phantom', 'unknown step phantom'),
      problem(text, '/dag/tasks/0/args/0', 'nobody', 'unknown step nobody'),
      problem(text, '/dag/tasks/0/args/1', 'missing', 'unknown input missing (declare it under inputs)'),
      problem(text, '/dag/tasks/0/stdin', 'a.stdout', 'step a cannot read its own output'),
      problem(text, '/dag/tasks/0/files/in.txt', 'item }}', 'item is only defined in a step with forEach'),
      problem(text, '/dag/tasks/1/dependencies/0', 'nope', 'unknown step nope'),
      problem(text, '/dag/tasks/1/forEach', 'inputs.doc\n', 'inputs.doc is text, not a list; iterate over inputs.doc.lines'),
      problem(text, '/dag/tasks/2/forEach', 'inputs.blob', 'inputs.blob is bytes, not a list'),
      problem(text, '/outputs/result', 'void', 'unknown step void'),
      problem(text, '/outputs/result', 'x }}', 'inputs.doc is text, which has no members')
    ])
  })

  it('refuses bad expressions and templates at their place in the string', () => {
    const text = yamlSteps(`    - name: a
      module: echo
      depends: "b.Succeeded && steps.b.json.n > 1"
      when: "b.Succeeded &&"
      stdin: 'x \${{ steps.b.stdout'
      args: ["\${{ steps.b.json.constructor }}"]
      forEach: steps.b.stdout
    - name: b
      module: echo
    - name: c
      module: echo
      depends: b.AnySucceeded
      when: >-
        a.Failed ==
        = 1
`)
    expect(problems(text)).toEqual([
      problem(text, '/dag/tasks/0/depends', 'steps.b.json.n > 1', 'depends may only test step statuses (a.Succeeded && !b.Failed); use when for outputs'),
      // The end of the expression: just past its last character.
      problem(text, '/dag/tasks/0/when', '"\n', 'expected a value, found the end', 1),
      problem(text, '/dag/tasks/0/stdin', '${{ steps.b.stdout', "'${{' without '}}'"),
      problem(text, '/dag/tasks/0/args/0', 'constructor', "'constructor' cannot be read"),
      // Where `.lines` is missing: just past the reference.
      problem(text, '/dag/tasks/0/forEach', '\n    - name: b', 'steps.b.stdout is text; iterate over steps.b.stdout.lines or steps.b.json'),
      problem(text, '/dag/tasks/2/depends', 'b.AnySucceeded', 'AnySucceeded needs forEach on step b'),
      // A folded scalar is not the text as written, so only its start is known.
      problem(text, '/dag/tasks/2/when', '>-', "unexpected '=' (did you mean '=='?)")
    ])
  })

  it('refuses reading a fan-out step other than through .items, and .items of a plain step', () => {
    const text = yamlSteps(`    - { name: fan, module: echo, forEach: [1, 2] }
    - { name: one, module: echo }
    - { name: r, module: echo, stdin: "\${{ steps.fan.stdout }}", args: ["\${{ steps.one.items }}"] }
`)
    expect(problems(text)).toEqual([
      problem(text, '/dag/tasks/2/stdin', 'stdout }}', 'step fan runs once per item; read its outputs as steps.fan.items'),
      problem(text, '/dag/tasks/2/args/0', 'items }}', 'steps.one.items needs forEach on step one')
    ])
  })

  it('refuses cycles, naming their steps', () => {
    const text = yamlSteps(`    - { name: a, module: echo, depends: c.Succeeded }
    - { name: b, module: echo, dependencies: [a] }
    - { name: c, module: echo, stdin: "\${{ steps.b.stdout }}" }
    - { name: d, module: echo }
    - { name: e, module: echo, when: f.Succeeded }
    - { name: f, module: echo, args: ["\${{ steps.e.json.x }}"] }
`)
    expect(problems(text)).toEqual([
      problem(text, '/dag/tasks/0/name', 'a, module', 'cycle: a → c → b → a'),
      problem(text, '/dag/tasks/4/name', 'e, module', 'cycle: e → f → e')
    ])
  })

  it('refuses a chain longer than the depth limit', () => {
    const chain = (length: number): string => yamlSteps(Array.from({ length }, (_, i) => `    - { name: s${i}, module: echo${i === 0 ? '' : `, dependencies: [s${i - 1}]`} }\n`).join(''))
    expect(parseWorkflowSpec(chain(MAX_DAG_DEPTH)).dag.tasks).toHaveLength(MAX_DAG_DEPTH)
    expect(problems(chain(MAX_DAG_DEPTH + 1))).toEqual([
      { path: `/dag/tasks/${MAX_DAG_DEPTH}/name`, line: 4 + MAX_DAG_DEPTH, column: 15, message: `step s${MAX_DAG_DEPTH} ends a chain of ${MAX_DAG_DEPTH + 1} steps; the limit is ${MAX_DAG_DEPTH}` }
    ])
  })
})
