/**
 * csv-to-json (src/workloads/csv-to-json/), built from source and run in the
 * sandbox, must parse CSV exactly as csv-parse's sync parser does (strict:
 * no relaxed quotes or column counts): JSON.parse of its output deep-equals
 * csv-parse's records on a seeded corpus of generated CSVs (quotes, delimiters,
 * CR/LF inside quotes, Unicode, BOM, CRLF or LF) and on hand-written files in
 * test/fixtures/csv/, with and without a header, as one array or JSON Lines,
 * and with --infer against a csv-parse cast function of the same rules.
 * Bad input ends with exit status 2 and one stderr line naming where.
 * Needs Debian's clang-14 and wasi-libc (test/support/c-toolchain.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, type Options } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/core/mulberry32.ts'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const FIXTURES = join(import.meta.dirname, '../../fixtures/csv')
const CORPUS_SIZE = 500

interface GeneratedCsv { text: string, delimiter: string, eol: string }

const PIECES = ['a', 'b', 'xyz', ' ', '  lead', 'trail ', '"', '""', ',', ';', '\t', '|', '\n', '\r\n', 'é', '日本', '😀', 'Ω≈ç', '\\', '\u0001', '\u007f',
  '0', '42', '-7', '3.25', '1e5', '007', 'true', 'false', 'null', '']

function generateCsv (random: () => number): GeneratedCsv {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const delimiter = pick([',', ',', ',', ';', '\t', '|'])
  const eol = random() < 0.5 ? '\n' : '\r\n'
  const columns = 1 + Math.floor(random() * 6)
  const rows = Math.floor(random() * 12)
  const field = (): string => {
    let value = ''
    const parts = Math.floor(random() * 4)
    for (let i = 0; i < parts; i++) value += pick(PIECES)
    return value
  }
  // RFC 4180 2.6: a field holding the delimiter, a quote, CR or LF must be quoted; others may be.
  const encode = (value: string): string => {
    const must = value.includes(delimiter) || /["\r\n]/.test(value)
    return must || random() < 0.2 ? `"${value.replaceAll('"', '""')}"` : value
  }
  const header = Array.from({ length: columns }, (_, i) => `${field()}#${i}`)
  const lines = [header, ...Array.from({ length: rows }, () => Array.from({ length: columns }, field))]
    .map(record => record.map(encode).join(delimiter))
  const bom = random() < 0.1 ? '\uFEFF' : ''
  const final = random() < 0.7 ? eol : ''
  return { text: bom + lines.join(eol) + final, delimiter, eol }
}

/** The --infer rules, as a csv-parse cast: unquoted JSON numbers, true/false and empty fields become values. */
const inferCast: Options['cast'] = (value, context) => {
  if (context.header || context.quoting) return value
  if (value === '') return null
  if (value === 'true') return true
  if (value === 'false') return false
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return Number(value)
  return value
}

const reference = (text: string, delimiter: string, eol: string, header: boolean, infer: boolean): unknown[] =>
  parse(text, {
    columns: header,
    delimiter,
    record_delimiter: eol,
    bom: true,
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    ...(infer ? { cast: inferCast } : {})
  }) as unknown[]

describe.skipIf(!HAVE_TOOLCHAIN)('csv-to-json: RFC 4180 CSV to JSON in the sandbox', () => {
  const limits = { timeoutMs: 20_000, memoryLimitBytes: 48 << 20, fuel: 1e10 }
  let runner: WorkloadRunner
  const run = async (stdin: Uint8Array | string, args: string[] = [], files: Array<[string, Uint8Array]> = []) => await runner.run(stdin, args, files)
  const flags = (delimiter: string, header: boolean, infer: boolean, lines: boolean): string[] => [
    ...(delimiter === ',' ? [] : ['--delimiter', delimiter === '\t' ? '\\t' : delimiter]),
    ...(header ? [] : ['--no-header']),
    ...(infer ? ['--infer'] : []),
    ...(lines ? ['--lines'] : [])
  ]
  /** Runs the module and parses its output as one JSON array, or as JSON Lines. */
  const convert = async (csv: string, args: string[]): Promise<unknown[]> => {
    const result = await run(csv, args)
    expect(result.status, text(result.stderr)).toBe('ok')
    const output = text(result.stdout)
    if (!args.includes('--lines')) return JSON.parse(output) as unknown[]
    return output === '' ? [] : output.replace(/\n$/, '').split('\n').map(line => JSON.parse(line) as unknown)
  }

  beforeAll(async () => {
    runner = await startWorkloadRunner('csv-to-json', limits)
  })

  afterAll(async () => {
    await runner?.stop()
  })

  it(`parses ${CORPUS_SIZE} generated CSVs as csv-parse does, in every mode`, async () => {
    const random = mulberry32(20261204)
    let records = 0
    let fields = 0
    let fuel = 0
    let bytes = 0
    const modes = [[true, false], [false, false], [true, true], [false, true]] as const
    for (let i = 0; i < CORPUS_SIZE; i++) {
      const { text: csv, delimiter, eol } = generateCsv(random)
      const [header, infer] = modes[i % modes.length]!
      const want = reference(csv, delimiter, eol, header, infer)
      const result = await run(csv, flags(delimiter, header, infer, false))
      expect(result.status, `${JSON.stringify(csv)}: ${text(result.stderr)}`).toBe('ok')
      expect(JSON.parse(text(result.stdout)), JSON.stringify(csv)).toEqual(want)
      expect(await convert(csv, flags(delimiter, header, infer, true)), JSON.stringify(csv)).toEqual(want)
      records += want.length
      fields += want.reduce<number>((sum, record) => sum + Object.keys(record as object).length, 0)
      fuel += result.fuelUsed ?? 0
      bytes += new TextEncoder().encode(csv).byteLength
    }
    console.log(`csv-to-json: ${CORPUS_SIZE} generated CSVs (${records} records, ${fields} fields, ${bytes} bytes) equal csv-parse's, ` +
      `as arrays and as JSON Lines; ${Math.round(fuel / CORPUS_SIZE)} fuel per file`)
  }, 300_000)

  it.each([
    ['rfc4180.csv', ','],
    ['bom-semicolon.csv', ';'],
    ['unicode-tab.csv', '\t'],
    ['no-final-newline.csv', ',']
  ])('parses test/fixtures/csv/%s as csv-parse does, from stdin and from /work', async (name, delimiter) => {
    const bytes = new Uint8Array(await readFile(join(FIXTURES, name)))
    const csv = text(bytes)
    const eol = csv.includes('\r\n') ? '\r\n' : '\n'
    for (const infer of [false, true]) {
      const want = reference(csv, delimiter, eol, true, infer)
      expect(await convert(csv, flags(delimiter, true, infer, false))).toEqual(want)
      const fromFile = await run('', [...flags(delimiter, true, infer, false), name], [[name, bytes]])
      expect(fromFile.status, text(fromFile.stderr)).toBe('ok')
      expect(JSON.parse(text(fromFile.stdout))).toEqual(want)
    }
  })

  it('writes the documented JSON: one record per line, RFC 8259 escapes, literal numbers with --infer', async () => {
    expect(text((await run('a,b\n1,2\n3,4\n')).stdout)).toBe('[\n{"a":"1","b":"2"},\n{"a":"3","b":"4"}\n]\n')
    expect(text((await run('a,b\n1,2\n3,4\n', ['--lines'])).stdout)).toBe('{"a":"1","b":"2"}\n{"a":"3","b":"4"}\n')
    expect(text((await run('a,b\n')).stdout)).toBe('[]\n')
    expect(text((await run('a,b\n', ['--lines'])).stdout)).toBe('')
    expect(text((await run('x\n"\u0001\u001f\t\n\r\\""/"\n', ['--lines'])).stdout)).toBe('{"x":"\\u0001\\u001f\\t\\n\\r\\\\\\"/"}\n')
    expect(text((await run('n,s,b,e\n-1.5e3,007,false,\n"1",x,TRUE,""\n', ['--infer', '--lines'])).stdout))
      .toBe('{"n":-1.5e3,"s":"007","b":false,"e":null}\n{"n":"1","s":"x","b":"TRUE","e":""}\n')
    // CRLF and LF may be mixed (csv-parse keeps to the first it sees); a lone CR is data.
    expect(text((await run('a,b\r\n1,2\n3,4\r5\r\n', ['--lines'])).stdout)).toBe('{"a":"1","b":"2"}\n{"a":"3","b":"4\\r5"}\n')
    // An empty line is a record of one empty field, as csv-parse reads it.
    expect(text((await run('a\n1\n\n2\n', ['--lines'])).stdout)).toBe('{"a":"1"}\n{"a":""}\n{"a":"2"}\n')
  })

  it('rejects bad input with exit status 2 and one stderr line that says where', async () => {
    const cases: Array<[Uint8Array | string, string[], RegExp]> = [
      ['', [], /^csv-to-json: empty input$/],
      ['\uFEFF', [], /empty input/],
      ['a,b\n1,"two\n3,4\n', [], /unterminated quoted field starting at line 2, column 3$/],
      ['a,b\n1,"two"x\n', [], /unexpected character after a closing quote at line 2, column 8$/],
      ['a,b\n1,"two" \n', [], /unexpected character after a closing quote at line 2, column 8$/],
      ['a,b\n1,t"wo\n', [], /quote inside an unquoted field .* at line 2, column 4$/],
      ['a,b\n1,2\n3\n', [], /record at line 3 has 1 field, the header has 2$/],
      ['a,b\n1,2\n"x\ny",2,3\n', [], /record at line 3 has more than 2 fields, the header has 2$/],
      ['a,b\n1,2\n\n', [], /record at line 3 has 1 field, the header has 2$/],
      ['1,2\n3\n', ['--no-header'], /record at line 2 has 1 field, the first record has 2$/],
      ['a,b,a\n1,2,3\n', [], /duplicate header name "a" \(columns 1 and 3\) at line 1, column 5$/],
      ['\uFEFF"x""",b,"x"""\n1,2,3\n', [], /duplicate header name "x\\"" \(columns 1 and 3\) at line 1, column 10$/],
      [new Uint8Array([0x61, 0x0a, 0xc3, 0xa9, 0xff, 0x0a]), [], /invalid UTF-8 at line 2, column 2 \(byte offset 4\)$/],
      [new Uint8Array([0x61, 0x0a, 0xed, 0xa0, 0x80]), [], /invalid UTF-8 at line 2, column 1/], // a surrogate
      [new Uint8Array([0x61, 0x0a, 0xc0, 0xaf]), [], /invalid UTF-8/], // overlong '/'
      ['a\n', ['--delimiter', '"'], /--delimiter must be/],
      ['a\n', ['--delimiter', ';;'], /--delimiter must be/],
      ['a\n', ['--bogus'], /unknown option --bogus/],
      ['a\n', ['missing.csv'], /cannot open \/work\/missing.csv/]
    ]
    for (const [stdin, args, message] of cases) {
      const result = await run(stdin, args)
      expect(result, JSON.stringify(stdin)).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout)).toBe('')
      const stderr = text(result.stderr)
      expect(stderr.split('\n'), stderr).toHaveLength(2)
      expect(stderr.trimEnd()).toMatch(message)
    }
    const tooLarge = await run('', ['big.csv'], [['big.csv', new Uint8Array((8 << 20) + 1).fill(0x61)]])
    expect(tooLarge).toMatchObject({ status: 'exit', exitCode: 2 })
    expect(text(tooLarge.stderr)).toBe('csv-to-json: input is larger than the 8 MiB limit\n')
    // The pool still runs tasks after all those failures.
    expect(await convert('a\n1\n', [])).toEqual([{ a: '1' }])
  })

  it('handles a 4 MiB input within the sandbox limits, deterministically', async () => {
    const random = mulberry32(7)
    const rows = ['id,name,score,note']
    let size = rows[0]!.length + 1
    for (let i = 0; size < (4 << 20) - 200; i++) {
      const row = `${i},"name ${i}, ""q""",${(random() * 1000).toFixed(3)},${random() < 0.5 ? 'ok' : '"multi\nline"'}`
      rows.push(row)
      size += new TextEncoder().encode(row).byteLength + 1
    }
    const csv = rows.join('\n') + '\n'
    const [first, second] = [await run(csv, ['--infer']), await run(csv, ['--infer'])]
    expect(first.status, text(first.stderr)).toBe('ok')
    expect(JSON.parse(text(first.stdout))).toEqual(reference(csv, ',', '\n', true, true))
    expect(text(second.stdout)).toBe(text(first.stdout))
    expect(second.fuelUsed).toBe(first.fuelUsed)
    const mib = new TextEncoder().encode(csv).byteLength / (1 << 20)
    console.log(`csv-to-json: ${(mib).toFixed(2)} MiB (${rows.length - 1} records) in ${first.durationMs.toFixed(0)} ms, ` +
      `${Math.round((first.fuelUsed ?? 0) / mib)} fuel and ${(first.durationMs / mib).toFixed(1)} ms per MiB, peak memory ${first.memoryPeakBytes >> 20} MiB`)
  }, 120_000)

  it('fails cleanly when the JSON would pass the 8 MiB stdout cap', async () => {
    // 1.5 MiB of one-character fields under a long header name: each becomes ~12 bytes of JSON.
    const csv = 'a_long_column_name\n' + 'x\n'.repeat(750_000)
    const result = await run(csv)
    expect(result).toMatchObject({ status: 'exit', exitCode: 2 })
    expect(text(result.stdout)).toBe('')
    expect(text(result.stderr)).toMatch(/^csv-to-json: output exceeds the 8 MiB stdout limit in the record starting at line \d+, column 1\n$/)
  })
})
