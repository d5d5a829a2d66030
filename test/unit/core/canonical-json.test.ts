import { describe, expect, it } from 'vitest'
import { canonicalize } from '../../../src/core/index.ts'

const errorName = (value: unknown): string | undefined => {
  try {
    canonicalize(value)
  } catch (err) {
    return (err as Error).name
  }
  return undefined
}

describe('canonicalize (RFC 8785)', () => {
  it('§3.2.3 sorting example', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      דּ: 'Hebrew Letter Dalet With Dagesh',
      1: 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      ö: 'Latin Small Letter O With Diaeresis'
    }
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
  })

  it('§3.2.2 example: literals, numbers and string escapes', () => {
    const input = {
      // The RFC's own literal, which does lose precision: its serialisation is what is tested.
      // eslint-disable-next-line @typescript-eslint/no-loss-of-precision
      numbers: [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false]
    }
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
  })

  it.each([
    [1e30, '1e+30'],
    [4.50, '4.5'],
    [2e-3, '0.002'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
    [-0, '0'],
    [0, '0'],
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [9007199254740991, '9007199254740991'],
    [-1.5, '-1.5'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308']
  ])('§3.2.2.3 / Appendix B: %d → %s', (n, expected) => {
    expect(canonicalize(n)).toBe(expected)
  })

  it('writes no whitespace (§3.2.1) and sorts nested objects', () => {
    expect(canonicalize({ b: { d: 1, c: [{ z: 0, y: '' }] }, a: [] })).toBe('{"a":[],"b":{"c":[{"y":"","z":0}],"d":1}}')
  })

  it('sorts by UTF-16 code units, not code points', () => {
    // U+FB33 is above the high surrogate D83D in UTF-16, below U+1F600 as a code point.
    expect(canonicalize({ דּ: 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\ufb33":1}')
  })

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, unknown>
    o.x = 1
    expect(canonicalize(o)).toBe('{"x":1}')
  })

  it.each([NaN, Infinity, -Infinity])('rejects %d', n => {
    expect(errorName(n)).toBe('NonFiniteNumberError')
    expect(errorName({ a: [n] })).toBe('NonFiniteNumberError')
  })

  it.each([
    ['undefined', undefined],
    ['an undefined property', { a: undefined }],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['a symbol', Symbol('s')],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a Date', new Date(0)],
    ['a Uint8Array', new Uint8Array(2)],
    ['a Map', new Map()],
    ['symbol keys', { [Symbol('k')]: 1 }]
  ])('rejects %s', (_, value) => {
    expect(errorName(value)).toBe('UnsupportedJsonValueError')
  })

  it('rejects lone surrogates in values and keys (I-JSON, RFC 7493 §2.1)', () => {
    expect(errorName('\ud800')).toBe('LoneSurrogateError')
    expect(errorName({ '\udfff': 1 })).toBe('LoneSurrogateError')
  })

  it('rejects cycles but accepts shared subtrees', () => {
    const a: Record<string, unknown> = {}
    a.self = a
    expect(errorName(a)).toBe('CircularJsonError')
    const shared = { x: 1 }
    expect(canonicalize([shared, shared])).toBe('[{"x":1},{"x":1}]')
  })

  it('agrees with JSON.stringify on already-sorted input', () => {
    const value = { a: 'tab\tquote"back\\slash\u2028', b: [1, 2.5, -3e-9, true, null], c: { d: '\u007f\u0000' } }
    expect(canonicalize(value)).toBe(JSON.stringify(value))
  })
})
