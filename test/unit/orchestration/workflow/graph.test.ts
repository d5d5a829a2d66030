/* eslint-disable no-template-curly-in-string -- '${{ … }}' is the workflow template syntax under test, not a mistaken JS template */
/**
 * The DAG: dependencies from every source, a stable topological order, and
 * cycles named by their steps (also for a spec built in code, never parsed).
 */
import { describe, expect, it } from 'vitest'
import { WorkflowSpecError, parseWorkflowSpec, stepDependencies, topologicalOrder } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { StepSpec, WorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'

const spec = (...tasks: StepSpec[]): WorkflowSpec => ({ version: 1, dag: { tasks } })
const step = (name: string, fields: Partial<StepSpec> = {}): StepSpec => ({ name, module: 'echo', ...fields })

describe('stepDependencies', () => {
  it('collects depends, dependencies, when, forEach and template references, each once', () => {
    const dependencies = stepDependencies(spec(
      step('a'),
      step('b', { forEach: [1, 2] }),
      step('c', { dependencies: ['a'], depends: undefined, when: 'b.AnySucceeded && steps.a.json.ok' }),
      step('d', { depends: 'a.Succeeded || !c.Failed', args: ['${{ steps.b.items }}', '${{ steps.a.stdout }}'] }),
      step('e', { forEach: 'steps.d.json.list', stdin: '${{ item }}', files: { 'x.txt': '${{ steps.c.files["y"] }}' } }),
      step('f', { stdin: '${{ inputs.text }}' })
    ))
    expect([...dependencies]).toEqual([
      ['a', []],
      ['b', []],
      ['c', ['a', 'b']],
      ['d', ['a', 'c', 'b']],
      ['e', ['d', 'c']],
      ['f', []]
    ])
  })

  it('leaves out names the spec does not have, and a step naming itself', () => {
    expect(stepDependencies(spec(step('a', { dependencies: ['ghost', 'a'] }), step('b', { depends: 'nobody.Succeeded' })))).toEqual(new Map([['a', []], ['b', []]]))
  })
})

describe('topologicalOrder', () => {
  it('puts every step after what it depends on, and otherwise keeps the declared order', () => {
    expect(topologicalOrder(spec(
      step('report', { dependencies: ['count', 'archive'] }),
      step('count', { stdin: '${{ steps.detect.items }}' }),
      step('archive'),
      step('detect', { forEach: 'steps.split.json.chunks' }),
      step('split')
    ))).toEqual(['archive', 'split', 'detect', 'count', 'report'])
    expect(topologicalOrder(spec(step('z'), step('y'), step('x')))).toEqual(['z', 'y', 'x'])
  })

  it('orders the documented kind of workflow, parsed from YAML', () => {
    const parsed = parseWorkflowSpec(`version: 1
dag:
  tasks:
    - { name: count, module: echo, depends: detect.AnySucceeded, stdin: "\${{ steps.detect.items }}" }
    - { name: detect, module: lang-detect, forEach: steps.split.stdout.lines, stdin: "\${{ item }}" }
    - { name: split, module: echo }
`)
    expect(topologicalOrder(parsed)).toEqual(['split', 'detect', 'count'])
  })

  it('throws WorkflowSpecError naming the cycle', () => {
    try {
      topologicalOrder(spec(step('a'), step('b', { dependencies: ['d'] }), step('c', { depends: 'b.Succeeded' }), step('d', { stdin: '${{ steps.c.stdout }}' })))
      expect.fail('ordered a cycle')
    } catch (err) {
      expect((err as Error).name).toBe(WorkflowSpecError.name)
      expect((err as WorkflowSpecError).problems).toEqual([{ path: '/dag/tasks/1', message: 'cycle: b → d → c → b' }])
    }
  })
})
