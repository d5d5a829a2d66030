import { describe, expect, it } from 'vitest'
import {
  compareSemVer, isSemVer, parseAgentRef, parseSemVer, parseVersionRange, satisfies
} from '../../../../src/discovery/agent-manifest/index.ts'
import { thrown } from '../../../support/rejection.ts'

describe('SemVer 2.0.0', () => {
  it('orders versions as §11 does, prereleases included', () => {
    // The ordering example of SemVer §11.4, plus core versions around it.
    const ordered = [
      '0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1',
      '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0'
    ]
    const shuffled = [...ordered].reverse()
    shuffled.sort((a, b) => compareSemVer(parseSemVer(a), parseSemVer(b)))
    expect(shuffled).toEqual(ordered)
  })

  it('ignores build metadata in precedence, keeps it in the text', () => {
    const a = parseSemVer('1.0.0+build.1')
    expect(compareSemVer(a, parseSemVer('1.0.0+build.2'))).toBe(0)
    expect(a.build).toEqual(['build', '1'])
    expect(a.text).toBe('1.0.0+build.1')
  })

  it('refuses what SemVer 2.0.0 does not allow', () => {
    for (const bad of ['1', '1.2', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', 'v1.2.3', ' 1.2.3', '1.2.3-a..b', '9007199254740992.0.0', 3]) {
      expect(isSemVer(bad), String(bad)).toBe(false)
    }
    expect(thrown(() => parseSemVer('1.2'))).toEqual({ name: 'InvalidVersionError', field: undefined })
    expect(isSemVer('1.2.3-0a.1+x-y.01')).toBe(true)
  })

  it('reads ranges with npm\'s meaning of ^, ~ and partials', () => {
    const cases: Array<[string, string[], string[]]> = [
      ['^1.2.3', ['1.2.3', '1.9.0'], ['1.2.2', '2.0.0', '2.0.0-rc.1', '1.3.0-beta']],
      ['^0.2.3', ['0.2.3', '0.2.9'], ['0.3.0', '0.2.2']],
      ['^0.0.3', ['0.0.3'], ['0.0.4']],
      ['^1.2', ['1.2.0', '1.99.0'], ['1.1.9', '2.0.0']],
      ['^0', ['0.0.1', '0.9.0'], ['1.0.0']],
      ['~1.2.3', ['1.2.3', '1.2.9'], ['1.3.0']],
      ['~1', ['1.0.0', '1.9.9'], ['2.0.0']],
      ['1.2', ['1.2.0', '1.2.7'], ['1.3.0']],
      ['1.2.3', ['1.2.3', '1.2.3+build'], ['1.2.4']],
      ['*', ['0.0.1', '9.0.0'], ['1.0.0-rc.1']],
      ['^1.3.0-beta.1', ['1.3.0-beta.1', '1.3.0-beta.2', '1.3.0', '1.4.0'], ['1.3.0-alpha', '1.4.0-beta.1']],
      ['1.0.0-rc.1', ['1.0.0-rc.1'], ['1.0.0', '1.0.0-rc.2']]
    ]
    for (const [text, inside, outside] of cases) {
      const range = parseVersionRange(text)
      for (const v of inside) expect(satisfies(parseSemVer(v), range), `${v} in ${text}`).toBe(true)
      for (const v of outside) expect(satisfies(parseSemVer(v), range), `${v} not in ${text}`).toBe(false)
    }
  })

  it('parses agent refs', () => {
    expect(parseAgentRef('sentiment')).toMatchObject({ name: 'sentiment', range: { kind: 'any' } })
    expect(parseAgentRef('sentiment@1.4.2')).toMatchObject({ name: 'sentiment', range: { kind: 'exact', text: '1.4.2' } })
    expect(parseAgentRef('text-stats@^1.2')).toMatchObject({ name: 'text-stats', range: { kind: 'caret', text: '^1.2' } })
    for (const bad of ['', 'Sentiment', '-x', 'a@', 'a@^', 'a@>=1.0.0', 'a@1.2.3.4', 'a@b@1', 'a'.repeat(65), 7]) {
      expect(thrown(() => parseAgentRef(bad)).name, String(bad)).toBe('InvalidAgentRefError')
    }
  })
})
