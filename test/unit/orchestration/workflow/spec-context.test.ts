/**
 * The spec's `context:` declaration and a step's `context:` use
 * (docs/workflow-context.md, docs/workflow-spec.md), and `agent:` steps:
 * accepted, and refused with line and column like the rest of the spec.
 */
import { describe, expect, it } from 'vitest'
import { WorkflowSpecError, parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { WorkflowSpecProblem } from '../../../../src/orchestration/workflow/spec/index.ts'

function problems (text: string): WorkflowSpecProblem[] {
  try {
    parseWorkflowSpec(text)
  } catch (err) {
    expect((err as Error).name).toBe(WorkflowSpecError.name)
    return (err as WorkflowSpecError).problems
  }
  throw new Error('the spec was accepted')
}

const SPEC = `version: 1
context:
  findings: { rule: append, maxEntries: 200 }
  best: { rule: max }
dag:
  tasks:
    - name: find
      module: echo
      context: write
    - name: report
      agent: summarize@^1.2
      context: read
      dependencies: [find]
`

describe('context in a spec', () => {
  it('accepts a context declaration, steps that read and write it, and an agent step', () => {
    const spec = parseWorkflowSpec(SPEC)
    expect(spec.context).toEqual({ findings: { rule: 'append', maxEntries: 200 }, best: { rule: 'max' } })
    expect(spec.dag.tasks.map(step => [step.name, step.module, step.agent, step.context])).toEqual([
      ['find', 'echo', undefined, 'write'], ['report', undefined, 'summarize@^1.2', 'read']
    ])
  })

  it('refuses a step that uses the context when the spec declares none, at its line and column', () => {
    const text = SPEC.replace(/context:\n {2}findings.*\n {2}best.*\n/, '')
    expect(problems(text)).toEqual([
      { path: '/dag/tasks/0/context', line: 6, column: 16, message: 'step find uses the context, but the spec declares none (add context: at the top)' },
      { path: '/dag/tasks/1/context', line: 9, column: 16, message: 'step report uses the context, but the spec declares none (add context: at the top)' }
    ])
  })

  it('refuses a declaration the context rules refuse (a min key of strings), pointing at the member', () => {
    const text = SPEC.replace('best: { rule: max }', 'best: { rule: min, type: string }')
    expect(problems(text)).toEqual([{ path: '/context/best/type', line: 4, column: 28, message: 'a min key holds numbers only' }])
  })

  it('refuses a declaration whose worst case passes 1 MiB', () => {
    const text = SPEC.replace('findings: { rule: append, maxEntries: 200 }', 'findings: { rule: append, maxEntries: 1000, maxBytes: 65536 }')
    const [first] = problems(text)
    expect(first).toMatchObject({ path: '/context', line: 3, message: expect.stringContaining('1048576') })
  })

  it('refuses an unknown rule and an unknown use through the schema', () => {
    const text = SPEC.replace('rule: max', 'rule: median').replace('context: write', 'context: append')
    expect(problems(text).map(p => [p.path, p.message])).toEqual([
      ['/context/best/rule', 'must be one of "append", "min", "max", "sum", "lww"'],
      ['/dag/tasks/0/context', 'must be one of "read", "write", "read-write"']
    ])
  })

  it('refuses a step file named where the context goes', () => {
    const text = SPEC.replace('      context: write\n', '      context: write\n      files: { context.json: "x" }\n')
    expect(problems(text)).toEqual([{ path: '/dag/tasks/0/files/context.json', line: 10, column: 30, message: 'context.json is where the context goes; name the file otherwise' }])
  })
})

describe('agent: steps', () => {
  it('refuses a step with both module and agent, and one with neither', () => {
    const text = SPEC.replace('      agent: summarize@^1.2', '      agent: summarize@^1.2\n      module: echo').replace('      module: echo\n      context: write', '      context: write')
    expect(problems(text).map(p => [p.path, p.line, p.message])).toEqual([
      ['/dag/tasks/0/module', 7, 'is required (or agent: name@version)'],
      ['/dag/tasks/1/agent', 10, 'use module or agent, not both']
    ])
  })

  it('refuses an agent ref that does not parse', () => {
    expect(problems(SPEC.replace('summarize@^1.2', 'summarize@^x'))).toEqual([
      { path: '/dag/tasks/1/agent', line: 11, column: 14, message: expect.stringContaining('summarize@^x') }
    ])
    expect(problems(SPEC.replace('summarize@^1.2', 'Summarize'))[0]).toMatchObject({ path: '/dag/tasks/1/agent', line: 11 })
  })
})
