import { describe, expect, it } from 'vitest'
import { filesHash } from '../../../src/receipts/index.ts'
import { EXAMPLE_INPUT_FILES, EXAMPLE_OUTPUT_FILES, thrown } from './fixtures.ts'

const enc = new TextEncoder()

// Known answers computed with the node:crypto recipe printed in docs/receipt-format.md §4.
describe('filesHash', () => {
  it('hashes the empty list as the two bytes "[]"', () => {
    expect(filesHash([])).toBe('4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945')
  })

  it('reproduces the spec\'s examples (§4 and §8)', () => {
    // [["README","98ea6e4f…"],["notes.txt","73cb3858…"]]: given out of order, hashed sorted.
    expect(filesHash(EXAMPLE_INPUT_FILES)).toBe('91eb5cc8afe19bf8e244c9101f5c3eea8c5e441854027b5b05ed7c28bba7d489')
    expect(filesHash(EXAMPLE_OUTPUT_FILES)).toBe('48fae404807ef8bb4eea231538136f109cb4423fc9a17c497b7a7fe2d7d09097')
  })

  it('sorts by UTF-16 code units and escapes paths as RFC 8785 does', () => {
    // Sorted text: [["B",…],["C/d",…],["a",…],["new\nline",…],["😀",…],["דּ",…]]: uppercase before
    // lowercase, and U+1F600 (surrogates D83D DE00) before U+FB33, unlike code point order.
    const files: Array<[string, Uint8Array]> = [
      ['\ufb33', enc.encode('\ufb33')],
      ['\u{1f600}', enc.encode('\u{1f600}')],
      ['a', enc.encode('a')],
      ['C/d', new Uint8Array()],
      ['B', Uint8Array.of(0, 255)],
      ['new\nline', enc.encode('\n')]
    ]
    const expected = '6603f616ce5a22393031af7dccf9425f928f174943aacb5168828b6f6a4af2a3'
    expect(filesHash(files)).toBe(expected)
    expect(filesHash([...files].reverse())).toBe(expected)
  })

  it('depends on every path and every byte', () => {
    const base = filesHash(EXAMPLE_INPUT_FILES)
    expect(filesHash([['notes.txt', enc.encode('x\n')], ['readme', enc.encode('hi\n')]])).not.toBe(base)
    expect(filesHash([['notes.txt', enc.encode('x\n')], ['README', enc.encode('hi\r\n')]])).not.toBe(base)
    expect(filesHash([['notes.txt', enc.encode('x\n')]])).not.toBe(base)
  })

  it('refuses a path given twice', () => {
    const err = thrown(() => filesHash([['a', new Uint8Array()], ['b', new Uint8Array()], ['a', Uint8Array.of(1)]]))
    expect(err.name).toBe('DuplicateFilePathError')
  })

  it.each<[string, unknown]>([
    ['not an array', 'a'],
    ['an entry that is not a pair', [['a']]],
    ['a non-string path', [[1, new Uint8Array()]]],
    ['a path with a lone surrogate', [['\ud800', new Uint8Array()]]],
    ['content that is not bytes', [['a', 'text']]]
  ])('refuses %s with a TypeError', (_, files) => {
    expect(thrown(() => filesHash(files as Array<[string, Uint8Array]>)).name).toBe('TypeError')
  })
})
