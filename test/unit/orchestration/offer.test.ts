/**
 * validateOffer at every limit: exactly at the limit passes, one past it
 * throws InvalidTaskMessageError; a valid offer survives toWireOffer.
 */
import { describe, expect, it } from 'vitest'
import {
  MAX_ARG_BYTES, MAX_ARGS, MAX_ARGS_TOTAL_BYTES, MAX_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES, MAX_STDIN_BYTES,
  MAX_TIMEOUT_MS, MIN_TIMEOUT_MS
} from '../../../src/network/constants.ts'
import { toWireOffer, validateOffer } from '../../../src/orchestration/task-protocol/offer.ts'
import { TaskOffer } from '../../../src/orchestration/task-protocol/task.ts'

const HASH = Uint8Array.from({ length: 32 }, (_, i) => i)
const HASH_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'

function offer (overrides: Partial<TaskOffer> = {}): TaskOffer {
  return {
    taskId: 'task-1',
    moduleHash: HASH,
    moduleSize: 1024,
    stdin: new Uint8Array([1, 2, 3]),
    args: ['--flag', 'value'],
    timeoutMs: 10_000,
    memoryLimitBytes: 64 * 1024 * 1024,
    ...overrides
  }
}

const invalid = expect.objectContaining({ name: 'InvalidTaskMessageError' })

describe('validateOffer', () => {
  it('accepts a valid offer and gives its hash as lowercase hex', () => {
    const valid = validateOffer(offer())
    expect(valid).toEqual({
      taskId: 'task-1',
      moduleHash: HASH_HEX,
      moduleSize: 1024,
      stdin: new Uint8Array([1, 2, 3]),
      args: ['--flag', 'value'],
      timeoutMs: 10_000,
      memoryLimitBytes: 64 * 1024 * 1024
    })
  })

  it('round-trips a valid offer through toWireOffer', () => {
    const wire = offer({ args: ['€', 'a b'], stdin: new Uint8Array(0) })
    const back = toWireOffer(validateOffer(wire))
    expect(back).toEqual(wire)
    expect(validateOffer(back)).toEqual(validateOffer(wire))
  })

  describe('taskId', () => {
    it('accepts 1 and 64 characters of [A-Za-z0-9_-]', () => {
      expect(validateOffer(offer({ taskId: 'a' })).taskId).toBe('a')
      const id = 'A-z_9'.repeat(12) + 'abcd'
      expect(id).toHaveLength(64)
      expect(validateOffer(offer({ taskId: id })).taskId).toBe(id)
    })

    it('refuses 65 characters, none, and other characters', () => {
      expect(() => validateOffer(offer({ taskId: 'a'.repeat(65) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ taskId: '' }))).toThrow(invalid)
      for (const taskId of ['a.b', 'a/b', 'é', 'a\n', ' a']) {
        expect(() => validateOffer(offer({ taskId }))).toThrow(invalid)
      }
    })
  })

  it('refuses a module hash that is not 32 bytes', () => {
    for (const length of [0, 31, 33, 64]) {
      expect(() => validateOffer(offer({ moduleHash: new Uint8Array(length) }))).toThrow(invalid)
    }
  })

  it('accepts module sizes 1 and MAX_MODULE_BYTES, refuses 0 and one more', () => {
    expect(validateOffer(offer({ moduleSize: 1 })).moduleSize).toBe(1)
    expect(validateOffer(offer({ moduleSize: MAX_MODULE_BYTES })).moduleSize).toBe(MAX_MODULE_BYTES)
    expect(() => validateOffer(offer({ moduleSize: 0 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ moduleSize: MAX_MODULE_BYTES + 1 }))).toThrow(invalid)
  })

  it('accepts stdin of MAX_STDIN_BYTES, refuses one more', () => {
    expect(validateOffer(offer({ stdin: new Uint8Array(MAX_STDIN_BYTES) })).stdin.byteLength).toBe(MAX_STDIN_BYTES)
    expect(() => validateOffer(offer({ stdin: new Uint8Array(MAX_STDIN_BYTES + 1) }))).toThrow(invalid)
  })

  describe('args', () => {
    it('accepts MAX_ARGS args, refuses one more', () => {
      expect(validateOffer(offer({ args: Array.from({ length: MAX_ARGS }, () => 'x') })).args).toHaveLength(MAX_ARGS)
      expect(() => validateOffer(offer({ args: Array.from({ length: MAX_ARGS + 1 }, () => 'x') }))).toThrow(invalid)
    })

    it('measures an arg in UTF-8 bytes, not characters', () => {
      // '€' is three bytes of UTF-8: 341 of them fit in 1024 bytes, 400 (1200 bytes) do not.
      expect(new TextEncoder().encode('€'.repeat(400)).byteLength).toBe(1200)
      expect(() => validateOffer(offer({ args: ['€'.repeat(400)] }))).toThrow(invalid)
      expect(validateOffer(offer({ args: ['€'.repeat(341) + 'a'] })).args).toHaveLength(1)
      expect(() => validateOffer(offer({ args: ['ok', '€'.repeat(341) + 'ab'] }))).toThrow(invalid)
    })

    it('accepts an arg of MAX_ARG_BYTES, refuses one more byte', () => {
      expect(validateOffer(offer({ args: ['a'.repeat(MAX_ARG_BYTES)] })).args).toHaveLength(1)
      expect(() => validateOffer(offer({ args: ['a'.repeat(MAX_ARG_BYTES + 1)] }))).toThrow(invalid)
    })

    it('accepts args totalling MAX_ARGS_TOTAL_BYTES, refuses one more byte', () => {
      const full = Array.from({ length: MAX_ARGS_TOTAL_BYTES / MAX_ARG_BYTES }, () => 'a'.repeat(MAX_ARG_BYTES))
      expect(full.length).toBeLessThanOrEqual(MAX_ARGS)
      expect(validateOffer(offer({ args: full })).args).toHaveLength(full.length)
      expect(() => validateOffer(offer({ args: [...full, 'a'] }))).toThrow(invalid)
      // The same total reached with multi-byte characters, each arg under the per-arg limit.
      const euros = Array.from({ length: 9 }, () => '€'.repeat(300)) // 9 × 900 = 8100 bytes
      expect(validateOffer(offer({ args: euros })).args).toHaveLength(9)
      expect(() => validateOffer(offer({ args: [...euros, '€'.repeat(31)] }))).toThrow(invalid) // 8193 bytes
    })
  })

  it('accepts timeouts MIN_TIMEOUT_MS and MAX_TIMEOUT_MS, refuses one past either', () => {
    expect(validateOffer(offer({ timeoutMs: MIN_TIMEOUT_MS })).timeoutMs).toBe(MIN_TIMEOUT_MS)
    expect(validateOffer(offer({ timeoutMs: MAX_TIMEOUT_MS })).timeoutMs).toBe(MAX_TIMEOUT_MS)
    expect(() => validateOffer(offer({ timeoutMs: MIN_TIMEOUT_MS - 1 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ timeoutMs: MAX_TIMEOUT_MS + 1 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ timeoutMs: 0 }))).toThrow(invalid)
  })

  it('accepts memory limits 64 KiB and MAX_MEMORY_LIMIT_BYTES, refuses one past either', () => {
    expect(validateOffer(offer({ memoryLimitBytes: 65536 })).memoryLimitBytes).toBe(65536)
    expect(validateOffer(offer({ memoryLimitBytes: MAX_MEMORY_LIMIT_BYTES })).memoryLimitBytes).toBe(MAX_MEMORY_LIMIT_BYTES)
    expect(() => validateOffer(offer({ memoryLimitBytes: 65535 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ memoryLimitBytes: 0 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ memoryLimitBytes: MAX_MEMORY_LIMIT_BYTES + 1 }))).toThrow(invalid)
  })

  it('refuses numbers the wire cannot carry unchanged (uint32 fields)', () => {
    for (const bad of [Number.NaN, 1500.5, Number.POSITIVE_INFINITY]) {
      expect(() => validateOffer(offer({ timeoutMs: bad }))).toThrow(invalid)
      expect(() => validateOffer(offer({ memoryLimitBytes: bad === 1500.5 ? 65536.5 : bad }))).toThrow(invalid)
      expect(() => validateOffer(offer({ moduleSize: bad }))).toThrow(invalid)
    }
  })

  it('accepts only offers that survive encoding and decoding unchanged (property)', () => {
    const pick = <T>(values: T[]): T => values[Math.floor(Math.random() * values.length)]!
    for (let i = 0; i < 300; i++) {
      const candidate = offer({
        moduleSize: pick([0, 1, 1.5, 1024, MAX_MODULE_BYTES, MAX_MODULE_BYTES + 1, Number.NaN]),
        timeoutMs: pick([MIN_TIMEOUT_MS - 1, MIN_TIMEOUT_MS, 999.9, 10_000, MAX_TIMEOUT_MS, MAX_TIMEOUT_MS + 1, Number.NaN]),
        memoryLimitBytes: pick([65535, 65536, 65536.25, MAX_MEMORY_LIMIT_BYTES, MAX_MEMORY_LIMIT_BYTES + 1, Number.NaN])
      })
      let valid
      try {
        valid = validateOffer(candidate)
      } catch (err) {
        expect(err).toMatchObject({ name: 'InvalidTaskMessageError' })
        continue
      }
      const decoded = TaskOffer.decode(TaskOffer.encode(toWireOffer(valid)))
      expect(validateOffer(decoded)).toEqual(valid)
    }
  })
})
