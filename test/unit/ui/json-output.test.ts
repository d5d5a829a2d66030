import { describe, expect, it } from 'vitest'
import { MAX_CELL_CHARS, cell, jsonTable, probabilities } from '../../../src/ui/json-output.ts'

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

describe('jsonTable: one object holding a list of objects', () => {
  it('makes the list the rows and shows the other fields in the caption (json-validate)', () => {
    const text = JSON.stringify({ valid: false, errors: [{ instancePath: '/a', keyword: 'type' }, { instancePath: '/b', keyword: 'required' }] })
    expect(jsonTable(text)).toEqual({ columns: ['instancePath', 'keyword'], rows: [['/a', 'type'], ['/b', 'required']], caption: 'errors · valid: false' })
  })

  it('keeps one row when there are two lists or none', () => {
    expect(jsonTable(JSON.stringify({ a: [{ x: 1 }], b: [{ y: 2 }] }))?.rows).toHaveLength(1)
    expect(jsonTable(JSON.stringify({ valid: true, errors: [] }))).toEqual({ columns: ['valid', 'errors'], rows: [['true', '[]']] })
  })

  it('shows an object of numbers largest first', () => {
    expect(cell({ sad: 0.25, happy: 0.75 })).toBe('happy 0.75, sad 0.25')
  })
})

describe('probabilities: a distribution to draw as bars', () => {
  it('finds the first object of numbers in [0, 1] that add up to 1, most probable first', () => {
    const text = JSON.stringify({ expressions: { neutral: 0.1, happy: 0.85, sad: 0.05 }, expression: 'happy' })
    expect(probabilities(text)).toEqual({ field: 'expressions', entries: [['happy', 0.85], ['neutral', 0.1], ['sad', 0.05]] })
  })

  it('is undefined for scores that are not a distribution, or for anything else', () => {
    for (const text of ['{"scores":{"a":0.5,"b":0.2}}', '{"x":{"a":2,"b":-1}}', '{"x":{"a":1}}', '[1,2]', 'text', '{"x":{"a":"0.5","b":0.5}}']) {
      expect(probabilities(text), text).toBeUndefined()
    }
  })
})
