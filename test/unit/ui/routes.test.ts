import { describe, expect, it } from 'vitest'
import { DEFAULT_SECTION, SECTIONS, SECTION_IDS, parseRoute, routeHref, sectionOf } from '../../../src/ui/routes.ts'

describe('parseRoute', () => {
  it('reads every section back from its own href', () => {
    for (const id of SECTION_IDS) expect(parseRoute(routeHref(id))).toBe(id)
  })

  it('is Home for an empty fragment, a bare "#" or "#/"', () => {
    for (const hash of ['', '#', '#/', '#//']) expect(parseRoute(hash)).toBe('home')
    expect(DEFAULT_SECTION).toBe('home')
  })

  it('takes the forms people type: no slash, capitals, a trailing slash, a query or more path after it', () => {
    expect(parseRoute('#submit')).toBe('submit')
    expect(parseRoute('#/Metrics')).toBe('metrics')
    expect(parseRoute('#/ledger/')).toBe('ledger')
    expect(parseRoute('#/workflows?run=wf-1')).toBe('workflows')
    expect(parseRoute('#/agents/lang-detect')).toBe('agents')
    expect(parseRoute('#/%53ettings')).toBe('settings')
  })

  it('maps the old one-page names to the section that holds them now', () => {
    expect(parseRoute('#/tasks')).toBe('submit')
    expect(parseRoute('#/jobs')).toBe('submit')
    expect(parseRoute('#/guilds')).toBe('agents')
    expect(parseRoute('#/peers')).toBe('network')
    expect(parseRoute('#/history')).toBe('ledger')
  })

  it('is Home for an unknown name or a malformed escape, never a throw', () => {
    expect(parseRoute('#/nope')).toBe('home')
    expect(parseRoute('#/%zz')).toBe('home')
    expect(parseRoute('#/%E0%A4%A')).toBe('home')
    expect(parseRoute('#/constructor')).toBe('home')
    expect(parseRoute('#/__proto__')).toBe('home')
  })
})

describe('SECTIONS', () => {
  it('lists each section once, in the order of SECTION_IDS, with a label', () => {
    expect(SECTIONS.map(s => s.id)).toEqual([...SECTION_IDS])
    for (const s of SECTIONS) expect(s.label.length).toBeGreaterThan(0)
  })

  it('puts at most four on the phone bar, Home first, so "More" makes five', () => {
    const primary = SECTIONS.filter(s => s.primary)
    expect(primary.length).toBeLessThanOrEqual(4)
    expect(primary[0]?.id).toBe('home')
  })

  it('names a section by id', () => {
    expect(sectionOf('ledger').label).toBe('Ledger')
  })
})
