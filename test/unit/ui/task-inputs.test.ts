import { describe, expect, it } from 'vitest'
import { MAX_ARGS_AND_ENV_BYTES, MAX_ENV_ENTRIES, MAX_FUEL, MAX_INPUT_FILES_BYTES, MAX_TASK_FILES } from '../../../src/core/limits.ts'
import {
  DEFAULT_EXECUTOR_CHOICE, DEFAULT_MEMORY_MIB, EXECUTOR_CHOICES, argsAndEnvProblem, executorChoiceRequest, parseExecutorChoice, inputFilesProblem, parseEnvLines, parseFuel, parseMaxTotalPrice, parseMemoryMib, parseSeedHex
} from '../../../src/ui/task-inputs.ts'

const MIB = 1024 * 1024

describe('parseMemoryMib', () => {
  it('defaults to 50 MiB, the app default', () => {
    expect(DEFAULT_MEMORY_MIB).toBe(50)
  })

  it.each([['1', MIB], ['50', 50 * MIB], [' 128 ', 128 * MIB]])('%s MiB → bytes', (input, bytes) => {
    expect(parseMemoryMib(input)).toEqual({ ok: true, value: bytes })
  })

  it.each(['', '0', '129', '1.5', '-1', '1e2', 'abc'])('refuses %j', (input) => {
    const parsed = parseMemoryMib(input)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toBe('Memory limit must be a whole number of MiB from 1 to 128.')
  })
})

describe('parseFuel', () => {
  it('leaves an empty field to the default', () => {
    expect(parseFuel('')).toEqual({ ok: true, value: undefined })
    expect(parseFuel('   ')).toEqual({ ok: true, value: undefined })
  })

  it('accepts whole numbers, with digit-group separators as the UI shows them', () => {
    expect(parseFuel('0')).toEqual({ ok: true, value: 0 })
    expect(parseFuel('1000000')).toEqual({ ok: true, value: 1_000_000 })
    expect(parseFuel('1,000,000')).toEqual({ ok: true, value: 1_000_000 })
    expect(parseFuel('1_000 000')).toEqual({ ok: true, value: 1_000_000 })
    expect(parseFuel(String(MAX_FUEL))).toEqual({ ok: true, value: MAX_FUEL })
  })

  it.each(['-1', '1.5', '1e9', 'lots'])('refuses %j', (input) => {
    expect(parseFuel(input)).toEqual({ ok: false, error: 'Fuel must be a whole number of instructions, or empty for the default.' })
  })

  it.each(['9007199254740992', '99999999999999999999'])('refuses %s, past 2^53 − 1', (input) => {
    expect(parseFuel(input)).toEqual({ ok: false, error: 'Fuel can be at most 9,007,199,254,740,991.' })
  })
})

describe('parseSeedHex', () => {
  const hex = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join('')

  it('leaves an empty field to a random seed', () => {
    expect(parseSeedHex('')).toEqual({ ok: true, value: undefined })
    expect(parseSeedHex('  ')).toEqual({ ok: true, value: undefined })
  })

  it('reads 64 hex digits as 32 bytes, in either case, ignoring whitespace', () => {
    const expected = Uint8Array.from({ length: 32 }, (_, i) => i)
    expect(parseSeedHex(hex)).toEqual({ ok: true, value: expected })
    expect(parseSeedHex(` ${hex.toUpperCase()}\n`)).toEqual({ ok: true, value: expected })
    expect(parseSeedHex(hex.match(/.{8}/g)!.join(' ').replace(/(.{35}) /, '$1\n'))).toEqual({ ok: true, value: expected })
  })

  it('names the wrong length', () => {
    expect(parseSeedHex(hex.slice(0, 62))).toEqual({ ok: false, error: 'Seed must be exactly 64 hex digits (32 bytes); got 62.' })
    expect(parseSeedHex(`${hex}00`)).toEqual({ ok: false, error: 'Seed must be exactly 64 hex digits (32 bytes); got 66.' })
  })

  it('names the first character that is not a hex digit', () => {
    expect(parseSeedHex(`0x${hex.slice(2)}`)).toEqual({ ok: false, error: 'Seed must be 64 hex digits (0–9, a–f); "x" at position 2 is not one.' })
    expect(parseSeedHex(`${hex.slice(0, 10)}g${hex.slice(11)}`)).toEqual({ ok: false, error: 'Seed must be 64 hex digits (0–9, a–f); "g" at position 11 is not one.' })
  })
})

describe('parseEnvLines', () => {
  it('reads NAME=value lines in order, splitting at the first "="', () => {
    expect(parseEnvLines('LANG=C.UTF-8\nEQ=a=b\nEMPTY=\nSPACED= two words ')).toEqual({
      ok: true,
      value: [['LANG', 'C.UTF-8'], ['EQ', 'a=b'], ['EMPTY', ''], ['SPACED', ' two words ']]
    })
  })

  it('skips blank lines and drops the \\r of pasted Windows lines', () => {
    expect(parseEnvLines('\r\nA=1\r\n\n  \nB=2\r\n')).toEqual({ ok: true, value: [['A', '1'], ['B', '2']] })
    expect(parseEnvLines('')).toEqual({ ok: true, value: [] })
  })

  it('refuses a line without "=", naming the line', () => {
    expect(parseEnvLines('A=1\nHELLO')).toEqual({ ok: false, error: 'Environment line 2 ("HELLO") has no "="; write NAME=value.' })
  })

  it('refuses an empty name, a name with spaces, and a name given twice', () => {
    expect(parseEnvLines('=value')).toEqual({ ok: false, error: 'Environment line 1 has no name before "="; write NAME=value.' })
    expect(parseEnvLines('MY VAR=1')).toEqual({ ok: false, error: 'Environment line 1: the name "MY VAR" contains a space; names cannot.' })
    expect(parseEnvLines('A=1\nB=2\nA=3')).toEqual({ ok: false, error: 'Environment line 3: A is already set on line 1.' })
  })

  it('refuses NUL characters and values or names over their limits', () => {
    expect(parseEnvLines('A=x\0y').ok).toBe(false)
    expect(parseEnvLines(`${'N'.repeat(257)}=1`).ok).toBe(false)
    expect(parseEnvLines(`V=${'v'.repeat(1025)}`).ok).toBe(false)
    expect(parseEnvLines(`V=${'v'.repeat(1024)}`).ok).toBe(true)
  })

  it('refuses more variables than a task may have', () => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `V${i}=1`).join('\n')
    expect(parseEnvLines(lines(MAX_ENV_ENTRIES)).ok).toBe(true)
    expect(parseEnvLines(lines(MAX_ENV_ENTRIES + 1))).toEqual({ ok: false, error: '65 environment variables; the limit is 64.' })
  })
})

describe('argsAndEnvProblem', () => {
  it('accepts args and environment up to the shared byte limit', () => {
    expect(argsAndEnvProblem(['a'.repeat(MAX_ARGS_AND_ENV_BYTES - 2)], [['A', 'b']])).toBeUndefined()
  })

  it('refuses one byte more', () => {
    expect(argsAndEnvProblem(['a'.repeat(MAX_ARGS_AND_ENV_BYTES - 1)], [['A', 'b']]))
      .toBe('Arguments and environment together are 8,193 bytes; the limit is 8,192 bytes of UTF-8.')
  })
})

describe('inputFilesProblem', () => {
  it('accepts distinct names within the limits', () => {
    expect(inputFilesProblem([])).toBeUndefined()
    expect(inputFilesProblem([{ name: 'data.csv', size: 10 }, { name: 'config.json', size: MAX_INPUT_FILES_BYTES - 10 }])).toBeUndefined()
  })

  it('refuses the same name twice, since both would be /work/<name>', () => {
    expect(inputFilesProblem([{ name: 'a.txt', size: 1 }, { name: 'a.txt', size: 2 }]))
      .toBe('Two input files are named "a.txt"; each needs its own name in /work.')
  })

  it('refuses names that are not a single path segment', () => {
    for (const name of ['', '.', '..', 'dir/file', 'nul\0']) expect(inputFilesProblem([{ name, size: 1 }])).toMatch(/cannot be used/)
  })

  it('refuses too many files or too many bytes', () => {
    const many = Array.from({ length: MAX_TASK_FILES + 1 }, (_, i) => ({ name: `f${i}`, size: 1 }))
    expect(inputFilesProblem(many)).toBe('257 input files; the limit is 256.')
    expect(inputFilesProblem([{ name: 'big', size: MAX_INPUT_FILES_BYTES + 1 }])).toBe('Input files total 16,777,217 bytes; the limit is 16,777,216 bytes.')
    expect(inputFilesProblem([{ name: 'a', size: 20 * MIB }, { name: 'b', size: MIB }])).toBe('Input files total 21.0 MiB; the limit is 16.0 MiB.')
  })
})

describe('parseMaxTotalPrice', () => {
  it('is the default when empty', () => {
    expect(parseMaxTotalPrice('  ')).toEqual({ ok: true, value: undefined })
  })

  it.each([['0', 0], ['2500', 2500], ['1,000,000', 1_000_000], ["1'000_000", 1_000_000], [' 42 ', 42]])('%j → %d µ', (input, value) => {
    expect(parseMaxTotalPrice(input)).toEqual({ ok: true, value })
  })

  it.each(['-1', '1.5', '1e6', 'ten', '0x10'])('refuses %j with a sentence', (input) => {
    const parsed = parseMaxTotalPrice(input)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(/^Max total price must be a whole number/)
  })

  it('refuses amounts beyond a safe integer', () => {
    const parsed = parseMaxTotalPrice('9007199254740993')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(/at most 9,007,199,254,740,991 µ/)
  })
})

describe('executor choice', () => {
  it('offers best match (the default), sealed bids and a majority of three, in that order', () => {
    expect(DEFAULT_EXECUTOR_CHOICE).toBe('best-match')
    expect(EXECUTOR_CHOICES.map((c) => [c.value, c.label])).toEqual([
      ['best-match', 'Best match (Agent Cards and routing)'],
      ['auction', 'Sealed bids from the 3 best-ranked (second price)'],
      ['redundancy', 'Three executors, majority wins']
    ])
  })

  it('reads the select\'s value, and anything unknown as the default', () => {
    expect(parseExecutorChoice('auction')).toBe('auction')
    expect(parseExecutorChoice('redundancy')).toBe('redundancy')
    expect(parseExecutorChoice('best-match')).toBe('best-match')
    expect(parseExecutorChoice('')).toBe('best-match')
    expect(parseExecutorChoice('toString')).toBe('best-match')
  })

  it('sends neither field for best match, so the app chooses', () => {
    expect(executorChoiceRequest('best-match')).toEqual({})
  })

  it('asks for an auction with the app\'s default settings', () => {
    expect(executorChoiceRequest('auction')).toEqual({ auction: true })
  })

  it('asks for three executors and a majority', () => {
    expect(executorChoiceRequest('redundancy')).toEqual({ redundancy: 3 })
  })
})
