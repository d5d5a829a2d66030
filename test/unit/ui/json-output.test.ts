import { describe, expect, it } from 'vitest'
import { MAX_CELL_CHARS, cell, jsonTable } from '../../../src/ui/json-output.ts'

describe('jsonTable', () => {
  it('makes one row per JSON line, columns in the order keys first appear (lang-detect --lines)', () => {
    const out = '{"language":"eng","probability":0.999998152,"top":[["eng",0.999998152],["ces",1.13885449e-06]]}\n' +
      '{"language":"deu","probability":0.985899329,"top":[["deu",0.985899329],["dan",0.0129983034]]}\n'
    expect(jsonTable(out)).toEqual({
      columns: ['language', 'probability', 'top'],
      rows: [
        ['eng', '0.999998', 'eng 0.999998, ces 0.00000113885'],
        ['deu', '0.985899', 'deu 0.985899, dan 0.0129983']
      ]
    })
  })

  it('takes one object, or an array of objects, and leaves missing keys empty', () => {
    expect(jsonTable('{"a":1}')).toEqual({ columns: ['a'], rows: [['1']] })
    expect(jsonTable('[{"a":1},{"b":true}]')).toEqual({ columns: ['a', 'b'], rows: [['1', ''], ['', 'true']] })
  })

  it('leaves text, numbers, arrays of non-objects, mixed lines and empty output as text', () => {
    for (const out of ['', 'hello', '42', '[1,2]', '{"a":1}\nnot json', '{"a":1}\n[1]', '{}']) {
      expect(jsonTable(out), out).toBeUndefined()
    }
  })

  it('cuts long cells and shows nested values as compact JSON', () => {
    expect(cell('x'.repeat(200))).toHaveLength(MAX_CELL_CHARS)
    expect(cell({ b: [1, 2] })).toBe('{"b":[1,2]}')
    expect(cell(null)).toBe('null')
  })
})
