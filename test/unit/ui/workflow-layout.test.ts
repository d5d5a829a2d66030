import { describe, expect, it } from 'vitest'
import { layoutWorkflow, STEP_WIDTH } from '../../../src/ui/workflow-layout.ts'

describe('layoutWorkflow', () => {
  it('puts each step right of the steps it waits for, and steps of one layer apart', () => {
    const layout = layoutWorkflow([
      { name: 'split', after: [] },
      { name: 'a', after: ['split'] },
      { name: 'b', after: ['split'] },
      { name: 'join', after: ['a', 'b'] }
    ])
    const at = Object.fromEntries(layout.steps.map(step => [step.name, step]))
    expect(at.a!.x).toBeGreaterThanOrEqual(at.split!.x + STEP_WIDTH)
    expect(at.join!.x).toBeGreaterThanOrEqual(at.a!.x + STEP_WIDTH)
    expect(at.a!.x).toBe(at.b!.x)
    expect(at.a!.y).not.toBe(at.b!.y)
    expect(layout.edges.map(e => `${e.from}>${e.to}`).sort()).toEqual(['a>join', 'b>join', 'split>a', 'split>b'])
    expect(layout.width).toBeGreaterThanOrEqual(3 * STEP_WIDTH)
  })

  it('ignores a dependency on a step it does not draw', () => {
    expect(layoutWorkflow([{ name: 'only', after: ['gone'] }]).edges).toEqual([])
  })
})

describe('layoutWorkflow with sizes of its own', () => {
  it('lays out boxes of the given size, as the gallery\'s miniatures are', () => {
    const layout = layoutWorkflow([{ name: 'a', after: [] }, { name: 'b', after: ['a'] }], { width: 16, height: 10, nodesep: 5, ranksep: 12, margin: 2 })
    expect(layout.steps.map(s => [s.width, s.height])).toEqual([[16, 10], [16, 10]])
    expect(layout.width).toBe(2 + 16 + 12 + 16 + 2)
    expect(layout.height).toBe(2 + 10 + 2)
  })
})
