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
