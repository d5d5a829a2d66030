/**
 * validateOffer at every limit: exactly at the limit passes, one past it
 * throws InvalidTaskMessageError; a valid offer survives toWireOffer.
 */
import { describe, expect, it } from 'vitest'
import {
  MAX_ARG_BYTES, MAX_ARGS, MAX_ARGS_AND_ENV_BYTES, MAX_ENV_ENTRIES, MAX_ENV_NAME_BYTES, MAX_ENV_VALUE_BYTES,
  MAX_FILE_PATH_BYTES, MAX_FUEL, MAX_INPUT_FILES_BYTES, MAX_MEMORY_LIMIT_BYTES, MAX_MODULE_BYTES, MAX_STDIN_BYTES,
  MAX_TASK_FILES, MAX_TIMEOUT_MS, MIN_MEMORY_LIMIT_BYTES, MIN_TIMEOUT_MS, TASK_SEED_BYTES
} from '../../../src/core/limits.ts'
import { toWireOffer, validateOffer } from '../../../src/orchestration/task-protocol/offer.ts'
import { TaskOffer } from '../../../src/orchestration/task-protocol/pb/task.ts'

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
    env: [],
    files: [],
    seed: new Uint8Array(32),
    fuel: 1_000_000n,
    maxTotalPrice: 10_000n,
    ...overrides
  }
}

const env = (...pairs: Array<[string, string]>): TaskOffer['env'] => pairs.map(([name, value]) => ({ name, value }))
const file = (path: string, data: Uint8Array<ArrayBuffer> = new Uint8Array(0)): TaskOffer['files'][number] => ({ path, data })

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
      env: [],
      files: [],
      seed: new Uint8Array(32),
      timeoutMs: 10_000,
      memoryLimitBytes: 64 * 1024 * 1024,
      fuel: 1_000_000,
      maxTotalPrice: 10_000
    })
  })

  it('round-trips a valid offer through toWireOffer', () => {
    const wire = offer({ args: ['€', 'a b'], stdin: new Uint8Array(0) })
    const back = toWireOffer(validateOffer(wire))
    expect(back).toEqual(wire)
    expect(validateOffer(back)).toEqual(validateOffer(wire))
  })

  it('round-trips an offer with env, files, seed and fuel through toWireOffer and the wire codec', () => {
    const wire = offer({
      args: ['--in', 'data/in.txt'],
      env: env(['LANG', 'C.UTF-8'], ['EMPTY', ''], ['GREETING', 'héllo wörld €']),
      files: [file('data/in.txt', new TextEncoder().encode('hello\n')), file('empty'), file('a/b/c.bin', Uint8Array.of(0, 255, 7))],
      seed: Uint8Array.from({ length: TASK_SEED_BYTES }, (_, i) => 255 - i),
      fuel: BigInt(MAX_FUEL),
      maxTotalPrice: BigInt(Number.MAX_SAFE_INTEGER)
    })
    const valid = validateOffer(wire)
    expect(valid.env).toEqual([['LANG', 'C.UTF-8'], ['EMPTY', ''], ['GREETING', 'héllo wörld €']])
    expect(valid.files.map(([path]) => path)).toEqual(['data/in.txt', 'empty', 'a/b/c.bin'])
    expect(valid.fuel).toBe(MAX_FUEL)
    const back = toWireOffer(valid)
    expect(back).toEqual(wire)
    const decoded = TaskOffer.decode(TaskOffer.encode(back))
    expect(decoded).toEqual(wire)
    expect(decoded.fuel).toBe(BigInt(MAX_FUEL))
    expect(valid.maxTotalPrice).toBe(Number.MAX_SAFE_INTEGER)
    expect(validateOffer(decoded)).toEqual(valid)
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

    it('accepts args totalling MAX_ARGS_AND_ENV_BYTES (no env), refuses one more byte', () => {
      const full = Array.from({ length: MAX_ARGS_AND_ENV_BYTES / MAX_ARG_BYTES }, () => 'a'.repeat(MAX_ARG_BYTES))
      expect(full.length).toBeLessThanOrEqual(MAX_ARGS)
      expect(validateOffer(offer({ args: full })).args).toHaveLength(full.length)
      expect(() => validateOffer(offer({ args: [...full, 'a'] }))).toThrow(invalid)
      // The same total reached with multi-byte characters, each arg under the per-arg limit.
      const euros = Array.from({ length: 9 }, () => '€'.repeat(300)) // 9 × 900 = 8100 bytes
      expect(validateOffer(offer({ args: euros })).args).toHaveLength(9)
      expect(() => validateOffer(offer({ args: [...euros, '€'.repeat(31)] }))).toThrow(invalid) // 8193 bytes
    })

    it('refuses a NUL character in an arg', () => {
      expect(() => validateOffer(offer({ args: ['a\0b'] }))).toThrow(invalid)
      expect(() => validateOffer(offer({ args: ['ok', '\0'] }))).toThrow(invalid)
    })
  })

  describe('env', () => {
    it('accepts MAX_ENV_ENTRIES entries, refuses one more', () => {
      const entries = Array.from({ length: MAX_ENV_ENTRIES + 1 }, (_, i): [string, string] => [`V${i}`, 'x'])
      expect(validateOffer(offer({ env: env(...entries.slice(0, MAX_ENV_ENTRIES)) })).env).toHaveLength(MAX_ENV_ENTRIES)
      expect(() => validateOffer(offer({ env: env(...entries) }))).toThrow(invalid)
    })

    it('accepts an empty value and a name of MAX_ENV_NAME_BYTES', () => {
      expect(validateOffer(offer({ env: env(['A', '']) })).env).toEqual([['A', '']])
      const name = 'N'.repeat(MAX_ENV_NAME_BYTES)
      expect(validateOffer(offer({ env: env([name, 'x']) })).env).toEqual([[name, 'x']])
    })

    it('refuses an empty name, a name containing "=", and a name one byte over MAX_ENV_NAME_BYTES', () => {
      expect(() => validateOffer(offer({ env: env(['', 'x']) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ env: env(['A=B', 'x']) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ env: env(['=', '']) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ env: env(['N'.repeat(MAX_ENV_NAME_BYTES + 1), 'x']) }))).toThrow(invalid)
      // Measured in UTF-8 bytes: 86 × '€' is 258 bytes though only 86 characters.
      expect(() => validateOffer(offer({ env: env(['€'.repeat(86), 'x']) }))).toThrow(invalid)
    })

    it('accepts a value of MAX_ENV_VALUE_BYTES, refuses one more byte', () => {
      expect(validateOffer(offer({ env: env(['A', 'v'.repeat(MAX_ENV_VALUE_BYTES)]) })).env).toHaveLength(1)
      expect(() => validateOffer(offer({ env: env(['A', 'v'.repeat(MAX_ENV_VALUE_BYTES + 1)]) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ env: env(['A', '€'.repeat(342)]) }))).toThrow(invalid) // 1026 bytes
    })

    it('refuses a NUL character in a value or a name', () => {
      expect(() => validateOffer(offer({ env: env(['A', 'a\0b']) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ env: env(['A\0', 'x']) }))).toThrow(invalid)
    })
  })

  describe('args and env together', () => {
    // Half the budget in args, half in env names and values (2-byte names + 1022-byte values).
    const args = Array.from({ length: 4 }, () => 'a'.repeat(MAX_ARG_BYTES))
    const entries = Array.from({ length: 4 }, (_, i): [string, string] => [`E${i}`, 'v'.repeat(MAX_ARG_BYTES - 2)])

    it('accepts exactly MAX_ARGS_AND_ENV_BYTES', () => {
      expect(4 * MAX_ARG_BYTES * 2).toBe(MAX_ARGS_AND_ENV_BYTES)
      const valid = validateOffer(offer({ args, env: env(...entries) }))
      expect(valid.args).toHaveLength(4)
      expect(valid.env).toHaveLength(4)
    })

    it('refuses one byte more, whether in an arg, a name or a value', () => {
      expect(() => validateOffer(offer({ args: [...args, 'a'], env: env(...entries) }))).toThrow(invalid)
      expect(() => validateOffer(offer({ args, env: env(...entries, ['X', '']) }))).toThrow(invalid)
      const longer = entries.map(([name, value], i): [string, string] => [name, i === 3 ? value + 'v' : value])
      expect(() => validateOffer(offer({ args, env: env(...longer) }))).toThrow(invalid)
    })
  })

  it('accepts a seed of TASK_SEED_BYTES, refuses 0, 31 and 33 bytes', () => {
    expect(TASK_SEED_BYTES).toBe(32)
    expect(validateOffer(offer({ seed: new Uint8Array(32).fill(7) })).seed).toEqual(new Uint8Array(32).fill(7))
    for (const length of [0, 31, 33]) {
      expect(() => validateOffer(offer({ seed: new Uint8Array(length) }))).toThrow(invalid)
    }
  })

  it('accepts fuel up to MAX_FUEL, refuses more', () => {
    expect(validateOffer(offer({ fuel: BigInt(MAX_FUEL) })).fuel).toBe(MAX_FUEL)
    expect(() => validateOffer(offer({ fuel: BigInt(MAX_FUEL) + 1n }))).toThrow(invalid)
    expect(() => validateOffer(offer({ fuel: 2n ** 64n - 1n }))).toThrow(invalid)
  })

  describe('maxTotalPrice', () => {
    it('accepts budgets from 0 (free executors only) to 2^53 − 1 micro-units', () => {
      for (const budget of [0, 1, 1_000_000, Number.MAX_SAFE_INTEGER]) {
        expect(validateOffer(offer({ maxTotalPrice: BigInt(budget) })).maxTotalPrice).toBe(budget)
      }
    })

    it('refuses a budget above 2^53 − 1, negative, or not a bigint', () => {
      for (const maxTotalPrice of [BigInt(Number.MAX_SAFE_INTEGER) + 1n, 2n ** 64n - 1n, -1n]) {
        expect(() => validateOffer(offer({ maxTotalPrice }))).toThrow(invalid)
      }
      // What a caller built against the previous schema passes: no budget at all.
      for (const maxTotalPrice of [undefined, 10_000, Number.NaN]) {
        expect(() => validateOffer(offer({ maxTotalPrice: maxTotalPrice as unknown as bigint }))).toThrow(invalid)
      }
    })

    it('reads an offer that does not carry the field as a budget of 0 (proto3 default)', () => {
      const wire = offer({ maxTotalPrice: 0n })
      const bytes = TaskOffer.encode(wire)
      // A zero uint64 is not written, so these are the bytes an encoder without field 12 sends: one tag byte and one varint byte fewer.
      expect(bytes.byteLength).toBe(TaskOffer.encode({ ...wire, maxTotalPrice: 1n }).byteLength - 2)
      expect(validateOffer(TaskOffer.decode(bytes)).maxTotalPrice).toBe(0)
    })
  })

  describe('files', () => {
    it('accepts MAX_TASK_FILES files, refuses one more', () => {
      const files = Array.from({ length: MAX_TASK_FILES + 1 }, (_, i) => file(`f${i}`))
      expect(validateOffer(offer({ files: files.slice(0, MAX_TASK_FILES) })).files).toHaveLength(MAX_TASK_FILES)
      expect(() => validateOffer(offer({ files }))).toThrow(invalid)
    })

    it('accepts relative paths with nested directories and dots inside names', () => {
      const paths = ['a', 'a/b/c.txt', '.hidden', '..x', 'x..', 'dir/.config/y']
      expect(validateOffer(offer({ files: paths.map(path => file(path)) })).files.map(([path]) => path)).toEqual(paths)
    })

    it.each([
      ['absolute', '/etc/passwd'],
      ['..', '..'],
      ['.. inside', 'a/../b'],
      ['.. at the start', '../etc/passwd'],
      ['.', '.'],
      ['. inside', 'a/./b'],
      ['empty', ''],
      ['an empty segment', 'a//b'],
      ['a trailing /', 'a/'],
      ['NUL', 'a\0b']
    ])('refuses a path that is %s (%j)', (_, path) => {
      expect(() => validateOffer(offer({ files: [file(path)] }))).toThrow(invalid)
    })

    it('accepts a path of MAX_FILE_PATH_BYTES, refuses one more byte', () => {
      const path = 'p'.repeat(MAX_FILE_PATH_BYTES)
      expect(validateOffer(offer({ files: [file(path)] })).files).toHaveLength(1)
      expect(() => validateOffer(offer({ files: [file(path + 'p')] }))).toThrow(invalid)
      expect(() => validateOffer(offer({ files: [file('€'.repeat(86))] }))).toThrow(invalid) // 258 bytes
    })

    it('refuses the same path twice', () => {
      expect(() => validateOffer(offer({ files: [file('a/b'), file('c'), file('a/b')] }))).toThrow(invalid)
    })

    it('accepts files totalling MAX_INPUT_FILES_BYTES, refuses one byte more', () => {
      // One buffer shared by every entry keeps the test's memory at a quarter of the limit.
      const quarter = new Uint8Array(MAX_INPUT_FILES_BYTES / 4)
      const full = [0, 1, 2, 3].map(i => file(`part${i}`, quarter))
      expect(validateOffer(offer({ files: full })).files).toHaveLength(4)
      expect(() => validateOffer(offer({ files: [...full, file('extra', new Uint8Array(1))] }))).toThrow(invalid)
      expect(() => validateOffer(offer({ files: [...full, file('part4', quarter)] }))).toThrow(invalid)
    })
  })

  it('accepts timeouts MIN_TIMEOUT_MS and MAX_TIMEOUT_MS, refuses one past either', () => {
    expect(validateOffer(offer({ timeoutMs: MIN_TIMEOUT_MS })).timeoutMs).toBe(MIN_TIMEOUT_MS)
    expect(validateOffer(offer({ timeoutMs: MAX_TIMEOUT_MS })).timeoutMs).toBe(MAX_TIMEOUT_MS)
    expect(() => validateOffer(offer({ timeoutMs: MIN_TIMEOUT_MS - 1 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ timeoutMs: MAX_TIMEOUT_MS + 1 }))).toThrow(invalid)
    expect(() => validateOffer(offer({ timeoutMs: 0 }))).toThrow(invalid)
  })

  it('accepts memory limits MIN_MEMORY_LIMIT_BYTES (64 KiB) and MAX_MEMORY_LIMIT_BYTES, refuses one past either', () => {
    expect(MIN_MEMORY_LIMIT_BYTES).toBe(65536)
    expect(validateOffer(offer({ memoryLimitBytes: MIN_MEMORY_LIMIT_BYTES })).memoryLimitBytes).toBe(MIN_MEMORY_LIMIT_BYTES)
    expect(() => validateOffer(offer({ memoryLimitBytes: MIN_MEMORY_LIMIT_BYTES - 1 }))).toThrow(invalid)
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
        memoryLimitBytes: pick([65535, 65536, 65536.25, MAX_MEMORY_LIMIT_BYTES, MAX_MEMORY_LIMIT_BYTES + 1, Number.NaN]),
        fuel: pick([0n, 1n, 1_000_000n, BigInt(MAX_FUEL), BigInt(MAX_FUEL) + 1n, 2n ** 64n - 1n]),
        maxTotalPrice: pick([0n, 1n, 10_000n, BigInt(Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER) + 1n, 2n ** 64n - 1n]),
        seed: new Uint8Array(pick([0, 31, 32, 32, 33])),
        env: pick([[], env(['A', 'b']), env(['', 'b']), env(['A=', 'b'])]),
        files: pick([[], [file('in/a.txt', Uint8Array.of(1, 2))], [file('/abs')], [file('x'), file('x')]])
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
