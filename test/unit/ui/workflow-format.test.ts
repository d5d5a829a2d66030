import { describe, expect, it } from 'vitest'
import { WORKFLOW_TEMPLATES, parseWorkflowSpec } from '../../../src/app/index.ts'
import { agentSpec, attemptsLine, executorTail, itemsShare, outlineLine, ranOnLabel, retriesOf, stepLine, templateOutline } from '../../../src/ui/workflow-format.ts'

const PEER_A = '12D3KooWA1iceQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Ab'
const PEER_B = '12D3KooWBobbyQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Cd'

describe('templateOutline', () => {
  it('gives each step its workload and what it waits for, the workloads once, and the fan-outs', () => {
    const outline = templateOutline(WORKFLOW_TEMPLATES.find(t => t.id === 'detect-and-archive')!.spec)
    expect(outline?.steps.map(s => [s.name, s.module, s.after, s.fanOut])).toEqual([
      ['detect', 'lang-detect', [], true],
      ['stats', 'text-stats', [], false],
      ['collect', 'json-validate', ['detect'], false],
      ['archive', 'gzip', ['collect', 'detect'], false],
      ['alarm', 'echo', ['collect'], false]
    ])
    expect(outline?.modules).toEqual(['lang-detect', 'text-stats', 'json-validate', 'gzip', 'echo'])
    expect(outlineLine(outline!)).toBe('5 steps · 1 fan-out')
  })

  it('outlines every template, and nothing for a spec that does not parse', () => {
    for (const template of WORKFLOW_TEMPLATES) expect(templateOutline(template.spec), template.id).toBeDefined()
    expect(templateOutline('version: 1\ndag: {}')).toBeUndefined()
    expect(outlineLine({ steps: [{ name: 'a', module: 'echo', after: [], fanOut: false }], modules: ['echo'], fanOuts: 0 })).toBe('1 step')
  })
})

describe('who ran a step', () => {
  it('shows a PeerId\'s tail, the memo as memo', () => {
    expect(executorTail(PEER_A)).toBe('…CVe2Ab')
    expect(executorTail('memo')).toBe('memo')
  })

  it('names the first executor and counts the others; memo only when every result was reused', () => {
    expect(ranOnLabel(undefined)).toBe('')
    expect(ranOnLabel([])).toBe('')
    expect(ranOnLabel([PEER_A])).toBe('on …CVe2Ab')
    expect(ranOnLabel([PEER_A, PEER_B])).toBe('on …CVe2Ab +1')
    expect(ranOnLabel(['memo', PEER_B])).toBe('on …CVe2Cd +1')
    expect(ranOnLabel(['memo'])).toBe('memo')
  })
})

describe('a step\'s lines', () => {
  it('counts attempts beyond one per unit as retries', () => {
    expect(retriesOf({ attempts: 1 })).toBe(0)
    expect(retriesOf({ attempts: 3 })).toBe(2)
    expect(retriesOf({ attempts: 6, items: { done: 5, total: 5 } })).toBe(1)
    expect(retriesOf({ attempts: 0, items: { done: 0, total: 5 } })).toBe(0)
  })

  it('joins state, n/N and retries', () => {
    expect(stepLine({ state: 'submitted', attempts: 0 })).toBe('submitted')
    expect(stepLine({ state: 'working', attempts: 4, items: { done: 3, total: 5 } })).toBe('working · 3/5')
    expect(stepLine({ state: 'completed', attempts: 7, items: { done: 5, total: 5 } })).toBe('completed · 5/5 · 2 retried')
    expect(attemptsLine({ attempts: 2 })).toBe('2 (1 retry)')
    expect(attemptsLine({ attempts: 5, items: { done: 5, total: 5 } })).toBe('5 over 5 items')
    expect(attemptsLine({ attempts: 8, items: { done: 5, total: 5 } })).toBe('8 over 5 items (3 retries)')
  })

  it('gives a fan-out\'s share of items settled', () => {
    expect(itemsShare({})).toBeUndefined()
    expect(itemsShare({ items: { done: 0, total: 0 } })).toBeUndefined()
    expect(itemsShare({ items: { done: 2, total: 8 } })).toBe(0.25)
  })
})

describe('agentSpec', () => {
  it('is a valid one-step spec running the agent by ref on a text input', () => {
    const spec = parseWorkflowSpec(agentSpec('lang-detect', 'lang-detect@1.0.2'))
    expect(spec.dag.tasks).toHaveLength(1)
    expect(spec.dag.tasks[0]).toMatchObject({ name: 'lang-detect', agent: 'lang-detect@1.0.2' })
    expect(Object.keys(spec.inputs ?? {})).toEqual(['text'])
  })
})
