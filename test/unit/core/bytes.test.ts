import { describe, expect, it } from 'vitest'
import { assertBytes } from '../../../src/core/index.ts'

describe('assertBytes', () => {
  it('accepts a Uint8Array, of any length when none is asked', () => {
    expect(() => { assertBytes(new Uint8Array(3), 'bytes') }).not.toThrow()
    expect(() => { assertBytes(Buffer.from('abc'), 'bytes') }).not.toThrow()
  })

  it('rejects anything else with a TypeError naming the value', () => {
    for (const value of ['abc', [1, 2], new ArrayBuffer(2), new Uint16Array(2), null, undefined]) {
      expect(() => { assertBytes(value, 'seed') }).toThrow(new TypeError('seed must be a Uint8Array'))
    }
  })

  it('rejects a wrong length with a RangeError', () => {
    expect(() => { assertBytes(new Uint8Array(32), 'seed', 32) }).not.toThrow()
    expect(() => { assertBytes(new Uint8Array(31), 'seed', 32) }).toThrow(new RangeError('seed must be 32 bytes, got 31'))
    expect(() => { assertBytes('x'.repeat(32), 'seed', 32) }).toThrow(TypeError)
  })
})
