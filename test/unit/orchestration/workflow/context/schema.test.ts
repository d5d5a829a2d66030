import { describe, expect, it } from 'vitest'
import {
  CONTEXT_SCHEMA_JSON_SCHEMA, DEFAULT_APPEND_ENTRIES, DEFAULT_CONTEXT_VALUE_BYTES, MAX_CONTEXT_BYTES, MAX_CONTEXT_KEY_ENTRIES, MAX_CONTEXT_KEYS,
  MAX_NUMBER_JSON_BYTES, checkContextSchema, worstCaseContextBytes
} from '../../../../../src/orchestration/workflow/context/index.ts'
import { thrown } from '../../../../support/rejection.ts'

describe('checkContextSchema', () => {
  it('fills in every limit and freezes the result', () => {
    const schema = checkContextSchema({
      findings: { rule: 'append' },
      best: { rule: 'max' },
      low: { rule: 'min' },
      done: { rule: 'sum' },
      status: { rule: 'lww', type: 'string', maxBytes: 256 }
    })
    expect(schema).toEqual({
      best: { rule: 'max', type: 'number', maxBytes: MAX_NUMBER_JSON_BYTES, maxEntries: 1 },
      done: { rule: 'sum', type: 'number', maxBytes: MAX_NUMBER_JSON_BYTES, maxEntries: MAX_CONTEXT_KEY_ENTRIES },
      findings: { rule: 'append', type: 'json', maxBytes: DEFAULT_CONTEXT_VALUE_BYTES, maxEntries: DEFAULT_APPEND_ENTRIES },
      low: { rule: 'min', type: 'number', maxBytes: MAX_NUMBER_JSON_BYTES, maxEntries: 1 },
      status: { rule: 'lww', type: 'string', maxBytes: 256, maxEntries: 1 }
    })
    expect(Object.isFrozen(schema)).toBe(true)
    expect(Object.isFrozen(schema.findings)).toBe(true)
    expect(checkContextSchema(schema)).toBe(schema)
  })

  it.each([
    ['not an object', [], ''],
    ['a bad key name', { '1st': { rule: 'lww' } }, '1st'],
    ['a key reaching the prototype', JSON.parse('{"__proto__":{"rule":"lww"}}'), '__proto__'],
    ['a declaration that is not an object', { a: 'lww' }, 'a'],
    ['an unknown rule', { a: { rule: 'median' } }, 'a.rule'],
    ['an unknown type', { a: { rule: 'lww', type: 'date' } }, 'a.type'],
    ['a string min', { a: { rule: 'min', type: 'string' } }, 'a.type'],
    ['a json sum', { a: { rule: 'sum', type: 'json' } }, 'a.type'],
    ['maxBytes on a number key', { a: { rule: 'max', maxBytes: 8 } }, 'a.maxBytes'],
    ['maxBytes above 64 KiB', { a: { rule: 'lww', maxBytes: 64 * 1024 + 1 } }, 'a.maxBytes'],
    ['maxEntries on an lww key', { a: { rule: 'lww', maxEntries: 3 } }, 'a.maxEntries'],
    ['maxEntries above 1000', { a: { rule: 'append', maxEntries: 1001 } }, 'a.maxEntries'],
    ['an unknown member', { a: { rule: 'lww', merge: 'x' } }, 'a.merge']
  ])('refuses %s', (_, value, field) => {
    expect(thrown(() => checkContextSchema(value))).toEqual({ name: 'InvalidContextSchemaError', field })
  })

  it('refuses more than 64 keys', () => {
    const schema = Object.fromEntries(Array.from({ length: MAX_CONTEXT_KEYS + 1 }, (_, i) => [`k${i}`, { rule: 'max' }]))
    expect(thrown(() => checkContextSchema(schema))).toEqual({ name: 'InvalidContextSchemaError', field: '' })
    expect(() => checkContextSchema(Object.fromEntries(Object.entries(schema).slice(1)))).not.toThrow()
  })

  it('refuses a schema whose worst case is above 1 MiB, and says so before any entry arrives', () => {
    // 1000 entries of 1 KiB: about 1 MiB plus commas and the key.
    expect(thrown(() => checkContextSchema({ log: { rule: 'append', maxEntries: 1000, maxBytes: 1048 } }))).toEqual({ name: 'InvalidContextSchemaError', field: '' })
    const fits = checkContextSchema({ log: { rule: 'append', maxEntries: 1000, maxBytes: 1040 } })
    expect(worstCaseContextBytes(fits)).toBeLessThanOrEqual(MAX_CONTEXT_BYTES)
    // 16 lww keys of 64 KiB are 1 MiB of values alone.
    const wide = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, { rule: 'lww', maxBytes: 64 * 1024 }]))
    expect(thrown(() => checkContextSchema(wide))).toEqual({ name: 'InvalidContextSchemaError', field: '' })
  })

  it('computes the worst case exactly for a small schema', () => {
    // {"a":[x,x]} with 3-byte values: 2 + (1+3 + 2 + 3+1+3) = 15; {"n":<24 bytes>} = 2 + 4 + 24
    expect(worstCaseContextBytes(checkContextSchema({ a: { rule: 'append', maxEntries: 2, maxBytes: 3 } }))).toBe('{"a":[123,456]}'.length)
    expect(worstCaseContextBytes(checkContextSchema({ n: { rule: 'max' } }))).toBe(`{"n":${String(-Number.MAX_VALUE)}}`.length)
  })

  it('exports a JSON Schema fragment with the same limits', () => {
    expect(CONTEXT_SCHEMA_JSON_SCHEMA.maxProperties).toBe(MAX_CONTEXT_KEYS)
    expect(CONTEXT_SCHEMA_JSON_SCHEMA.additionalProperties.properties.rule.enum).toEqual(['append', 'min', 'max', 'sum', 'lww'])
    expect(new RegExp(CONTEXT_SCHEMA_JSON_SCHEMA.propertyNames.pattern).test('best_score-2')).toBe(true)
  })
})
