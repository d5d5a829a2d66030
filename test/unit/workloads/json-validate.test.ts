/**
 * json-validate (src/workloads/json-validate/): a JSON Schema validator in C,
 * built by clang-14 to a WASI command and run in the project's sandbox, must
 * agree with ajv 8 (Ajv2020, allErrors: true, strict: false) — the same
 * verdict and the same set of (instancePath, keyword) errors — on a
 * hand-written corpus (test/fixtures/json-schema/cases.json) and on seeded
 * random documents against two realistic schemas, except for the deliberate
 * differences listed in DIFFERENCES below. Its regular expressions must agree
 * with JavaScript's RegExp with the u flag, and bad input must end in exit
 * status 2 with one line on stderr.
 * Needs Debian's clang-14, lld-14 and wasi-libc, like lang-detect.test.ts:
 * skipped without them, except in CI.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/core/mulberry32.ts'
import type { ExecutionResult } from '../../../src/execution/types.ts'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const WORKLOAD = join(import.meta.dirname, '../../../src/workloads/json-validate')
const FIXTURES = join(import.meta.dirname, '../../fixtures/json-schema')

interface Case { name: string, schema: unknown, documents: unknown[] }
interface ValidationError { instancePath: string, schemaPath: string, keyword: string, message: string }
interface Output { valid: boolean, errors: ValidationError[], errorsOmitted?: number }

/**
 * Where json-validate deliberately differs from ajv 8. Each is checked to
 * still differ exactly so (ours: our (instancePath keyword) pairs).
 */
const DIFFERENCES: Array<{ why: string, schema: unknown, document: string, ours: string[], ajv: string[] }> = [
  {
    why: 'multipleOf divides the decimal literals exactly; ajv divides doubles (0.3 / 0.1 = 2.9999999999999996)',
    schema: { multipleOf: 0.1 }, document: '0.3', ours: [], ajv: [' multipleOf']
  },
  {
    why: 'multipleOf exact: 1.13 is 113 hundredths',
    schema: { multipleOf: 0.01 }, document: '1.13', ours: [], ajv: [' multipleOf']
  },
  {
    why: 'multipleOf exact: 10^21 is not a multiple of 3, though 1e21 / 3 is an integer in doubles',
    schema: { multipleOf: 3 }, document: '1e21', ours: [' multipleOf'], ajv: []
  },
  {
    why: 'contains marks only the items it matched as evaluated (Core §10.3.1.3, §11.2); ajv marks every item',
    schema: { contains: { type: 'string' }, unevaluatedItems: { type: 'integer' } }, document: '["a", 1.5, "b"]', ours: ['/1 type'], ajv: []
  },
  {
    why: 'annotations of a failed subschema are dropped (Core §7.7.1.2); ajv counts the items prefixItems saw in a failed oneOf/anyOf branch',
    schema: { oneOf: [{ prefixItems: [{}], minItems: 5 }, {}], unevaluatedItems: false }, document: '[1]', ours: [' unevaluatedItems'], ajv: []
  },
  {
    why: 'ajv loses the properties a $ref evaluated when a dependentSchemas entry that evaluates properties does not apply',
    schema: {
      $defs: { base: { properties: { id: { type: 'integer' } } } },
      $ref: '#/$defs/base',
      dependentSchemas: { kind: { properties: { extra: {} } } },
      properties: { kind: {} },
      unevaluatedProperties: false
    },
    document: '{"id": 1}', ours: [], ajv: [' unevaluatedProperties']
  }
]

/** Documents that are mostly valid: each field is left out, or made wrong in some way, now and then. */
class DocumentMaker {
  constructor (private readonly rnd: () => number) {}
  chance (p: number): boolean { return this.rnd() < p }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.rnd() * items.length)]! }
  int (lo: number, hi: number): number { return lo + Math.floor(this.rnd() * (hi - lo + 1)) }
  /** good most of the time, otherwise one of the bad values. */
  either<T>(good: () => T, bad: readonly unknown[], p = 0.04): T | unknown { return this.chance(p) ? this.pick(bad) : good() }
  words (n: number): string {
    const vocabulary = ['fast', 'json', 'schema', 'zéro', 'état', 'mesh', 'wasm', '日本', 'naïve', 'tool', '😀', 'kit', 'lib', 'Ωmega']
    return Array.from({ length: n }, () => this.pick(vocabulary)).join(' ')
  }
}

function makePackage (m: DocumentMaker): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  const put = (key: string, p: number, value: () => unknown): void => { if (m.chance(p)) doc[key] = value() }
  put('name', 0.97, () => m.either(() => m.pick(['left-pad', '@scope/pkg', 'zerostate', 'a.b_c-d', 'my~pkg']), ['Left-Pad', '', '.hidden', 'a b', 'x'.repeat(215), 7]))
  put('version', 0.97, () => m.either(() => m.pick(['1.0.0', '0.12.3-beta.1', '2.0.0+build.5', '10.20.30']), ['1.0', '01.0.0', '1.0.0-', 'v1.0.0', 1]))
  put('description', 0.7, () => m.either(() => m.words(m.int(1, 12)), [m.words(40), 42, null]))
  put('keywords', 0.5, () => m.either(() => [...new Set(Array.from({ length: m.int(0, 5) }, () => m.words(1)))], [['a', 'a'], [''], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], [1], 'kw']))
  put('license', 0.97, () => m.either(() => m.pick(['MIT', 'ISC', 'Apache-2.0', 'SEE LICENSE IN LICENSE.txt']), ['GPL', 5, 'see license in x']))
  const person = (): unknown => m.either(() => m.chance(0.5)
    ? m.pick(['Ann Lee', 'Ann Lee <ann@example.io>', 'Bo <bo@x.dev> (https://bo.dev)', 'Zoë Ü'])
    : { name: m.pick(['Ann', 'Bo', 'Zoë']), ...(m.chance(0.5) ? { email: m.either(() => 'ann@example.io', ['ann@', 'a b@x.io']) } : {}), ...(m.chance(0.3) ? { url: 'https://x.io' } : {}) },
  [{ email: 'a@b.io' }, { name: '' }, { name: 'A', phone: '1' }, 12, 'bad <x>'], 0.05)
  put('author', 0.6, person)
  put('contributors', 0.3, () => Array.from({ length: m.int(0, 3) }, person))
  put('private', 0.3, () => m.either(() => m.chance(0.5), ['yes', 1]))
  put('type', 0.5, () => m.either(() => m.pick(['module', 'commonjs']), ['esm', null]))
  put('main', 0.4, () => 'index.js')
  put('bin', 0.2, () => m.either(() => m.chance(0.5) ? 'cli.js' : { tool: 'cli.js', other: 'o.js' }, [{}, { tool: 1 }, 5]))
  put('scripts', 0.6, () => m.either(() => ({ build: 'tsc', test: 'vitest run', 'lint:fix': 'eslint --fix' }), [{ Build: 'x' }, { test: 1 }, { '1x': 'y', ok: null }]))
  const deps = (): unknown => m.either(() => Object.fromEntries(Array.from({ length: m.int(0, 4) }, (_, i) => [`dep${i}`, m.pick(['^1.2.3', '~0.1', '>=2', '*', 'latest', 'workspace:*', '1.0.0'])])),
    [{ a: 'not a version' }, { a: 1 }, Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`d${i}`, '1']))])
  put('dependencies', 0.6, deps)
  put('devDependencies', 0.5, deps)
  if ('dependencies' in doc) put('peerDependencies', 0.15, deps)
  else put('peerDependencies', 0.02, deps)
  put('engines', 0.3, () => m.either(() => ({ node: '>=20' }), [{ node: '>=20', npm: '10' }, { node: 20 }]))
  put('repository', 0.4, () => m.either(() => m.chance(0.5) ? 'github:a/b' : { type: 'git', url: 'git+https://github.com/a/b.git' }, [{ type: 'svn', url: 'https://x' }, { url: 'http://x' }, 3]))
  put('workspaces', 0.2, () => m.either(() => ['packages/*'], [[], ['a', 1]]))
  put('x-custom', 0.1, () => ({ anything: [1, 'two'] }))
  put(m.pick(['homepage', 'bugs', 'funding']), 0.08, () => 'https://x.io')
  return doc
}

function makeInvoice (m: DocumentMaker): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  const put = (key: string, p: number, value: () => unknown): void => { if (m.chance(p)) doc[key] = value() }
  const cents = (): unknown => m.either(() => m.int(0, 5_000_000), [-1, 1.5, '100', 100000000001], 0.02)
  const party = (): unknown => {
    const p: Record<string, unknown> = {}
    if (m.chance(0.97)) p.name = m.either(() => m.pick(['ACME GmbH', 'Zoë & Søn ApS', '株式会社テスト', 'Bob']), ['', 'x'.repeat(81), 3])
    if (m.chance(0.97)) p.country = m.either(() => m.pick(['DE', 'DK', 'JP', 'GB']), ['de', 'DEU', null])
    if (m.chance(0.4)) p.vat = m.either(() => m.pick(['DE123456789', 'DK12345678']), ['de123', 'X'])
    if (m.chance(0.4)) p.address = m.either(() => ({ lines: ['Main St 1'], postcode: '12345' }), [{ lines: [] }, { postcode: '1' }, { lines: ['a', 'b', 'c', 'd', 'e'] }])
    if (m.chance(0.03)) p.email = 'x@y.z'
    return p
  }
  const line = (): unknown => {
    const l: Record<string, unknown> = {}
    const either = <T>(good: () => T, bad: readonly unknown[]): unknown => m.either(good, bad, 0.015)
    if (m.chance(0.99)) l.sku = either(() => `${m.pick(['ABC', 'XYZ', 'QRS'])}-${m.int(1000, 9999)}`, ['abc-1234', 'ABC-12', 'ABCD-1234'])
    if (m.chance(0.995)) l.description = either(() => m.pick(['Widget', 'Gadget (blue)', 'Überstunden', 'Beratung 😀']), ['', 'y'.repeat(121)])
    if (m.chance(0.995)) l.quantity = either(() => m.int(1, 40) / 2, [0, -1, 0.3, 1.25, '2'])
    if (m.chance(0.995)) l.unitCents = cents()
    if (m.chance(0.5)) l.taxRate = either(() => m.pick([0, 0.05, 0.1, 0.2]), [0.19, '0.2'])
    if (m.chance(0.2)) l.discountPercent = either(() => m.int(0, 100), [101, -5])
    if (m.chance(0.02)) l.color = 'red'
    return l
  }
  put('id', 0.98, () => m.either(() => `INV-${String(m.int(0, 999999)).padStart(6, '0')}`, ['INV-12', 'inv-000001', 'INV-0000001']))
  put('issued', 0.98, () => m.either(() => `20${m.int(10, 29)}-${String(m.int(1, 12)).padStart(2, '0')}-${String(m.int(1, 28)).padStart(2, '0')}`, ['2024-13-01', '2024-1-1', '24-01-01']))
  put('currency', 0.98, () => m.either(() => m.pick(['EUR', 'USD', 'GBP', 'JPY']), ['eur', 'CHF']))
  put('seller', 0.98, party)
  put('buyer', 0.98, party)
  put('lines', 0.98, () => m.either(() => Array.from({ length: m.int(1, 4) }, line), [[], 'none']))
  put('totals', 0.98, () => m.either(() => ({ net: cents(), tax: cents(), gross: cents() }), [{ net: 1, tax: 2 }, { net: 1, tax: 2, gross: 3, due: 4 }]))
  const status = m.pick(['draft', 'sent', 'paid', 'void', 'paid'])
  put('status', 0.98, () => m.either(() => status, ['PAID', 'overdue']))
  if (status === 'paid' ? m.chance(0.95) : m.chance(0.1)) doc.paidAt = '2024-05-01T10:00:00Z'
  if (status === 'paid' ? m.chance(0.95) : m.chance(status === 'void' ? 0.05 : 0.3)) {
    doc.payments = m.either(() => Array.from({ length: m.int(1, 3) }, () => ({ method: m.pick(['card', 'transfer', 'cash']), amountCents: cents() })), [[], [{ method: 'cheque', amountCents: 1 }], [{ amountCents: 1 }]])
  }
  if (m.chance(0.2)) {
    doc.discountCode = m.either(() => 'SPRING24', ['spring', 'AB'])
    if (m.chance(0.85)) doc.discountReason = m.either(() => 'loyal customer', ['no'])
  }
  put('notes', 0.3, () => m.either(() => m.pick(['Thanks!', 'Zahlbar innerhalb 14 Tagen.', 'お支払いは30日以内']), ['n'.repeat(201)]))
  put('tags', 0.3, () => m.either(() => ['q1', 'priority'], [['a', 'a'], [1]]))
  put('reference', 0.03, () => 'PO-1')
  return doc
}

/** Paths of a parsed document in document order (RFC 6901 pointers), to check the errors come in that order. */
function preorder (value: unknown, path = '', out = new Map<string, number>()): Map<string, number> {
  out.set(path, out.size)
  if (Array.isArray(value)) value.forEach((item, i) => preorder(item, `${path}/${i}`, out))
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) preorder(item, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, out)
  }
  return out
}

const pairs = (errors: Array<{ instancePath: string, keyword: string }> | null | undefined): string[] =>
  [...new Set((errors ?? []).map(e => `${e.instancePath} ${e.keyword}`))].sort()

describe.skipIf(!HAVE_TOOLCHAIN)('json-validate: a JSON Schema validator in C, checked against ajv', () => {
  const limits = { timeoutMs: 30_000, memoryLimitBytes: 50 << 20, fuel: 5e10 }
  const encoder = new TextEncoder()
  let runner: WorkloadRunner
  let fuelTotal = 0
  let runs = 0

  const run = async (schema: string | Uint8Array, stdin: string | Uint8Array, args: string[] = [], extra: Array<[string, Uint8Array]> = []): Promise<ExecutionResult> => {
    const result = await runner.run(stdin, args, [['schema.json', typeof schema === 'string' ? encoder.encode(schema) : schema], ...extra])
    fuelTotal += result.fuelUsed ?? 0
    runs++
    return result
  }
  const validateWith = async (schema: unknown, document: string): Promise<{ result: ExecutionResult, output: Output }> => {
    const result = await run(JSON.stringify(schema), document)
    expect(result.status === 'ok' || (result.status === 'exit' && result.exitCode === 1), `${result.status} ${result.exitCode} ${text(result.stderr)}`).toBe(true)
    const output = JSON.parse(text(result.stdout)) as Output
    expect(output.valid).toBe(result.status === 'ok')
    return { result, output }
  }
  const newAjv = (): Ajv2020 => new Ajv2020({ allErrors: true, strict: false, logger: false })

  /** Runs one schema over documents, comparing with ajv; returns the disagreements. */
  const compare = async (schema: unknown, documents: unknown[], label: string): Promise<{ agreed: number, valid: number, mismatches: string[] }> => {
    const check = newAjv().compile(schema as object)
    let agreed = 0
    let valid = 0
    const mismatches: string[] = []
    for (const document of documents) {
      const { output } = await validateWith(schema, JSON.stringify(document))
      const ajvValid = check(document)
      const order = preorder(document)
      const positions = output.errors.map(e => order.get(e.instancePath) ?? -1)
      expect(positions.every((p, i) => p >= 0 && (i === 0 || p >= positions[i - 1]!)), `errors in document order: ${JSON.stringify(output.errors)}`).toBe(true)
      if (ajvValid) valid++
      const ours = pairs(output.errors)
      const theirs = pairs(check.errors)
      if (output.valid === ajvValid && JSON.stringify(ours) === JSON.stringify(theirs)) agreed++
      else mismatches.push(`${label} ${JSON.stringify(document)}: ours ${JSON.stringify(ours)} ajv ${JSON.stringify(theirs)}`)
    }
    return { agreed, valid, mismatches }
  }

  beforeAll(async () => {
    runner = await startWorkloadRunner('json-validate', limits)
  })

  afterAll(async () => {
    await runner?.stop()
  })

  it('agrees with ajv on the hand-written corpus', async () => {
    const cases = JSON.parse(await readFile(join(FIXTURES, 'cases.json'), 'utf8')) as Case[]
    let total = 0
    let agreed = 0
    let valid = 0
    const mismatches: string[] = []
    for (const c of cases) {
      const outcome = await compare(c.schema, c.documents, c.name)
      total += c.documents.length
      agreed += outcome.agreed
      valid += outcome.valid
      mismatches.push(...outcome.mismatches)
    }
    console.log(`json-validate: hand-written corpus, ${cases.length} schemas, ${agreed}/${total} schema/document pairs agree with ajv (${valid} valid)`)
    expect(mismatches).toEqual([])
    expect(total).toBeGreaterThanOrEqual(30)
  }, 300_000)

  it('agrees with ajv on 300 seeded random documents against a package.json and an invoice schema', async () => {
    const m = new DocumentMaker(mulberry32(20261204))
    const summary: string[] = []
    const mismatches: string[] = []
    for (const [file, make] of [['package-json.schema.json', makePackage], ['invoice.schema.json', makeInvoice]] as const) {
      const schema = JSON.parse(await readFile(join(FIXTURES, file), 'utf8')) as unknown
      const documents = Array.from({ length: 150 }, () => make(m))
      const outcome = await compare(schema, documents, file)
      summary.push(`${file} ${outcome.agreed}/${documents.length} (${outcome.valid} valid)`)
      mismatches.push(...outcome.mismatches)
      expect(outcome.valid).toBeGreaterThan(20)
      expect(outcome.valid).toBeLessThan(130)
    }
    console.log(`json-validate: random documents agreeing with ajv: ${summary.join(', ')}`)
    expect(mismatches.slice(0, 10)).toEqual([])
  }, 300_000)

  it('accepts exactly the JSON that JSON.parse accepts, on 400 seeded mutations (duplicate keys aside)', async () => {
    const rnd = mulberry32(99)
    const bases = ['{"a": [1, 2.5e-3, -0, "x\\u00e9\\ud83d\\ude00", true, null], "b": {"c": "\\n\\t"}}', '[[], {}, "", 0, 1E+2, -12.50]', '"\\u0000\\"\\\\\\/"', ' {"k" : false } ']
    const alphabet = new TextEncoder().encode('{}[],:"\\-0123456789.eE+ tfnu\u0000')
    const mismatches: string[] = []
    for (let i = 0; i < 400; i++) {
      const bytes = [...encoder.encode(bases[i % bases.length]!)]
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        const at = Math.floor(rnd() * bytes.length)
        const byte = rnd() < 0.8 ? alphabet[Math.floor(rnd() * alphabet.length)]! : Math.floor(rnd() * 256)
        const op = rnd()
        if (op < 0.33) bytes.splice(at, 1)
        else if (op < 0.66) bytes.splice(at, 0, byte)
        else bytes[at] = byte
      }
      const document = new Uint8Array(bytes)
      let parses = true
      try { JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(document)) } catch { parses = false }
      const result = await run('{}', document)
      const stderr = text(result.stderr)
      if (result.exitCode === 2) expect(stderr).toMatch(/^json-validate: document \(stdin\) is not valid JSON: [^\n]+ at line \d+, column \d+\n$/)
      if ((result.status === 'ok') !== parses && !/duplicate key/.test(stderr)) mismatches.push(`${JSON.stringify(new TextDecoder().decode(document))}: JSON.parse ${parses}, ours ${stderr}`)
    }
    expect(mismatches).toEqual([])
  }, 120_000)

  it('matches JavaScript RegExp (u flag) on pattern', async () => {
    const patterns = [
      '^abc$', 'a|b|cd', '^(ab)+$', '^a{2}$', '^a{2,}$', '^a{1,3}$', '^a*?b', 'colou?r', '^[^abc]+$', '^[a-c-]$',
      '^\\d+\\.\\d*$', '^\\D\\W\\S$', '\\s', '^\\w+$', '^.$', '^..$', '\\bis\\b', '\\Bis\\B', '^\\u00e9$', '^\\x41\\u{1F600}$',
      '^[\\u0400-\\u04FF]+$', '^[😀-😂]$', '^(?:a|ab)(?:c|bcd)$', '^(?<year>\\d{4})-(?<m>\\d\\d)$', '\\$\\^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/',
      '^[\\b]$', '^\\t\\n$', '^\\cJ$', '^\\0$', '^[\\d\\s]+$', '^[^\\W_]+$', '(x+x+)+y', '^$', '', '^[.]$', 'a.c', '^(a|)+$', '^\\p?',
      '^[-a]$', '^[a\\-z]$'
    ].filter(p => { try { return new RegExp(p, 'u') instanceof RegExp } catch { return false } })
    const strings = ['abc', 'ab', 'a', 'aa', 'aaaa', 'b', 'color', 'colour', 'def', '-', '12.5', '1.', 'x_ ', ' ', 'word_1', 'é', 'e\u0301',
      '😀', '😀😀', 'this is it', 'thisisit', 'A😀', 'Привет', '😁', 'abcd', 'acd', '2026-12', '$^.*+?()[]{}|/', '\b', '\t\n', '\n', '\0',
      '1 2', 'aB9', 'a_b', 'xxxxxxxxxxxxxxx', 'xxxxxxxxxxxxy', '', '.', 'a\nc', 'a\u2028c', 'abxc', 'z']
    const schema = { properties: Object.fromEntries(patterns.map((p, i) => [`p${i}`, { pattern: p }])) }
    const mismatches: string[] = []
    for (const s of strings) {
      const { output } = await validateWith(schema, JSON.stringify(Object.fromEntries(patterns.map((_, i) => [`p${i}`, s]))))
      const failing = new Set(output.errors.map(e => e.instancePath))
      patterns.forEach((p, i) => {
        if (failing.has(`/p${i}`) === new RegExp(p, 'u').test(s)) mismatches.push(`/${p}/u on ${JSON.stringify(s)}: ours ${!failing.has(`/p${i}`)}`)
      })
    }
    expect(mismatches).toEqual([])
    expect(patterns.length * strings.length).toBeGreaterThan(1500)
    // What the u flag makes a syntax error is a schema error here too; the supported subset's gaps are errors that say so.
    for (const bad of ['a{2,1}', '(', '[', 'a**', '\\q', '{', 'a{,5}', '(?i)a', '\\c1', '[z-a]', '[\\d-z]', '\\u{110000}', ')', 'a]', '\\x4', '^*']) {
      expect(() => new RegExp(bad, 'u'), bad).toThrow(SyntaxError)
      const result = await run(JSON.stringify({ pattern: bad }), '""')
      expect(result.exitCode, bad).toBe(2)
      expect(text(result.stderr), bad).toMatch(/invalid regular expression|pattern too/)
    }
    for (const unsupported of ['(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?<n>a)\\k<n>', '\\p{L}', '\\P{Lu}']) {
      expect(new RegExp(unsupported, 'u').test('x'), unsupported).toBeTypeOf('boolean')
      const result = await run(JSON.stringify({ pattern: unsupported }), '""')
      expect(result.exitCode, unsupported).toBe(2)
      expect(text(result.stderr), unsupported).toMatch(/unsupported feature: (lookahead|lookbehind|backreference|named backreference|Unicode property escape)/)
    }
    // A Thompson NFA has no catastrophic backtracking: (x+x+)+y on 100 000 x's (JavaScript would run for ages).
    const { result, output } = await validateWith({ pattern: '(x+x+)+y' }, JSON.stringify('x'.repeat(100_000)))
    expect(output.errors.map(e => e.keyword)).toEqual(['pattern'])
    expect(result.fuelUsed).toBeLessThan(1e9)
  }, 120_000)

  it('differs from ajv only where documented', async () => {
    for (const d of DIFFERENCES) {
      const { output } = await validateWith(d.schema, d.document)
      expect(pairs(output.errors), d.why).toEqual(d.ours)
      const check = newAjv().compile(d.schema as object)
      check(JSON.parse(d.document))
      expect(pairs(check.errors), d.why).toEqual(d.ajv)
    }
  })

  it('prints errors with ajv-style locations and messages, in document order', async () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'array', items: { type: 'string' } }, n: { minimum: 3 }, z: {} },
      required: ['a', 'z'],
      additionalProperties: false
    }
    const { result, output } = await validateWith(schema, '{"n": 1, "a": ["x", 2], "extra": true}')
    expect(result).toMatchObject({ status: 'exit', exitCode: 1 })
    expect(output).toEqual({
      valid: false,
      errors: [
        { instancePath: '', schemaPath: '#/required', keyword: 'required', message: "must have required property 'z'" },
        { instancePath: '', schemaPath: '#/additionalProperties', keyword: 'additionalProperties', message: "must NOT have additional property 'extra'" },
        { instancePath: '/n', schemaPath: '#/properties/n/minimum', keyword: 'minimum', message: 'must be >= 3' },
        { instancePath: '/a/1', schemaPath: '#/properties/a/items/type', keyword: 'type', message: 'must be string' }
      ]
    })
    const ok = await run(JSON.stringify(schema), '{"a": [], "z": null}')
    expect(ok.status).toBe('ok')
    expect(text(ok.stdout)).toBe('{"valid":true,"errors":[]}\n')
  })

  it('reads the document from a path and the schema from --schema', async () => {
    const schema = encoder.encode('{"maxLength": 2}')
    const result = await run('{}', '', ['--schema', '/work/s/short.json', '/work/doc.json'], [['s/short.json', schema], ['doc.json', encoder.encode('"abc"')]])
    expect(result).toMatchObject({ status: 'exit', exitCode: 1 })
    expect((JSON.parse(text(result.stdout)) as Output).errors.map(e => e.keyword)).toEqual(['maxLength'])
  })

  it('resolves $ref between schema resources by $id, and draft-07 schemas', async () => {
    const invoice = JSON.parse(await readFile(join(FIXTURES, 'invoice.schema.json'), 'utf8')) as Record<string, unknown>
    const bundle = { type: 'array', items: { $ref: 'https://example.com/invoice' }, $defs: { invoice: { ...invoice, $schema: undefined, $id: 'https://example.com/invoice' } } }
    const { output } = await validateWith(bundle, JSON.stringify([{ id: 'INV-1' }]))
    expect(output.errors.some(e => e.instancePath === '/0/id' && e.keyword === 'pattern')).toBe(true)
    const draft07 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: { s: { type: 'string' } },
      items: [{ $ref: '#/definitions/s', maxLength: 1 }],
      additionalItems: false,
      dependencies: { a: ['b'], c: { required: ['d'] } }
    }
    // draft-07 ignores $ref's siblings (maxLength here), has the array form of items, and dependencies.
    expect((await validateWith(draft07, '["abc"]')).output.valid).toBe(true)
    expect(pairs((await validateWith(draft07, '["a", 1]')).output.errors)).toEqual([' additionalItems'])
    expect(pairs((await validateWith(draft07, '[1]')).output.errors)).toEqual(['/0 type'])
    expect(pairs((await validateWith({ ...draft07, items: undefined }, '{"a": 1, "c": 2}')).output.errors)).toEqual([' dependencies', ' required'])
  })

  it('rejects bad input with exit status 2 and one line on stderr, and the pool keeps working', async () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n)
    const cases: Array<[string | Uint8Array, string | Uint8Array, string[], Array<[string, Uint8Array]>, RegExp]> = [
      ['{"type": "string"}', '{"a": 1,}', [], [], /document \(stdin\) is not valid JSON: expected a property name .* at line 1, column 9/],
      ['{"type": "string"}', '{\n  "a": [1, 2\n}', [], [], /at line 3, column 1/],
      ['{"type": "string"}', '', [], [], /empty input/],
      ['{"type": "string"}', '"abc" x', [], [], /unexpected data after the JSON value at line 1, column 7/],
      ['{"type": "string"}', new Uint8Array([0x22, 0xff, 0x22]), [], [], /invalid UTF-8 in a string at line 1, column 2/],
      ['{"type": "string"}', '"tab\there"', [], [], /control character U\+0009/],
      ['{"type": "string"}', '{"a": 1, "a": 2}', [], [], /duplicate key "a"/],
      ['{"type": "string"}', '01', [], [], /unexpected data|invalid number/],
      ['{"type": "string"}', deep(600), [], [], /nesting deeper than 512 levels/],
      ['{"type": "string"', '1', [], [], /schema \/work\/schema.json is not valid JSON: .* at line 1, column 18/],
      ['{"type": 5}', '1', [], [], /invalid schema at #\/type: must be one of/],
      ['{"properties": {"a": {"minLength": -1}}}', '1', [], [], /invalid schema at #\/properties\/a\/minLength: must be a non-negative integer/],
      ['{"items": {"maxItems": 1.5}}', '1', [], [], /#\/items\/maxItems: must be a non-negative integer/],
      ['{"multipleOf": 0}', '1', [], [], /#\/multipleOf: must be a number greater than 0/],
      ['{"required": ["a", "a"]}', '1', [], [], /#\/required: must be an array of unique strings/],
      ['{"allOf": []}', '1', [], [], /#\/allOf: must be a non-empty array of schemas/],
      ['{"properties": {"a": 3}}', '1', [], [], /#\/properties: property "a" must be a schema/],
      ['{"$ref": "#/$defs/missing"}', '1', [], [], /invalid schema at #\/\$ref: \$ref "#\/\$defs\/missing" does not resolve/],
      ['{"$ref": "other.json#/x"}', '1', [], [], /other documents are not fetched/],
      ['{"$ref": "#nowhere"}', '1', [], [], /does not resolve/],
      ['{"pattern": "(?=a)b"}', '1', [], [], /#\/pattern: pattern "\(\?=a\)b": unsupported feature: lookahead/],
      ['{"pattern": "(a)\\\\1"}', '1', [], [], /unsupported feature: backreference/],
      ['{"pattern": "\\\\p{L}"}', '1', [], [], /unsupported feature: Unicode property escape/],
      ['{"patternProperties": {"[a-": {}}}', '1', [], [], /#\/patternProperties: pattern property "\[a-": invalid regular expression: unterminated character class/],
      ['{"pattern": "a{2,1}"}', '1', [], [], /numbers out of order/],
      ['{"pattern": "a{"}', '1', [], [], /lone '\{'/],
      ['{"pattern": "\\\\q"}', '1', [], [], /unknown escape/],
      ['{"$dynamicRef": "#x"}', '1', [], [], /unsupported keyword \$dynamicRef/],
      ['{"$schema": "http://json-schema.org/draft-04/schema#"}', '1', [], [], /unsupported \$schema/],
      ['{"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}', '1', [], [], /more than 2000 levels deep/],
      ['{}', '1', ['/work/missing.json'], [], /cannot open document \/work\/missing.json/],
      ['{}', '1', ['--schema'], [], /--schema needs a path/],
      ['{}', '1', ['--frobnicate'], [], /unknown option --frobnicate/],
      ['{}', '1', ['/work/big.json'], [['big.json', new Uint8Array((4 << 20) + 1).fill(0x20)]], /document \/work\/big.json is larger than 4194304 bytes/],
      [new Uint8Array((1 << 20) + 1).fill(0x20), '1', [], [], /schema \/work\/schema.json is larger than 1048576 bytes/]
    ]
    for (const [schema, stdin, args, files, message] of cases) {
      const result = await run(schema, stdin, args, files)
      expect(result, message.source).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout)).toBe('')
      const stderr = text(result.stderr)
      expect(stderr).toMatch(/^json-validate: [^\n]+\n$/)
      expect(stderr).toMatch(message)
    }
    const after = await run('{"type": "integer"}', '7')
    expect(after.status).toBe('ok')
  }, 120_000)

  it('handles the deepest documents and long $ref chains without trapping', async () => {
    const nested = '['.repeat(511) + ']'.repeat(511)
    const recursive = await run('{"items": {"$ref": "#"}, "type": "array"}', nested)
    expect(recursive.status, text(recursive.stderr)).toBe('ok')
    const objects = '{"a":'.repeat(511) + '1' + '}'.repeat(511)
    const heavy = await run('{"additionalProperties": {"anyOf": [{"$ref": "#"}]}, "propertyNames": {"$ref": "#/$defs/n"}, "$defs": {"n": {"anyOf": [{"minLength": 1}]}}}', objects)
    expect(heavy.status, text(heavy.stderr)).toBe('ok')
    // 990 definitions, each an allOf holding a $ref to the next: 1980 nested applications, just under the limit.
    const chain = (n: number): string => JSON.stringify({
      $defs: Object.fromEntries([...Array.from({ length: n }, (_, i) => [`d${i}`, { allOf: [{ $ref: `#/$defs/d${i + 1}` }] }]), [`d${n}`, { type: 'integer' }]]),
      $ref: '#/$defs/d0'
    })
    const long = await run(chain(990), '"x"')
    expect(long, text(long.stderr)).toMatchObject({ status: 'exit', exitCode: 1 })
    expect((JSON.parse(text(long.stdout)) as Output).errors[0]!.schemaPath).toBe('#/$defs/d990/type')
    const tooLong = await run(chain(1100), '1')
    expect(tooLong).toMatchObject({ status: 'exit', exitCode: 2 })
    expect(text(tooLong.stderr)).toMatch(/^json-validate: schema applied more than 2000 levels deep/)
  }, 60_000)

  it('keeps at most 20000 errors and counts the rest', async () => {
    const result = await run('{"items": {"type": "string"}}', JSON.stringify(Array.from({ length: 30_000 }, (_, i) => i)))
    expect(result).toMatchObject({ status: 'exit', exitCode: 1 })
    const output = JSON.parse(text(result.stdout)) as Output
    expect(output.errors).toHaveLength(20_000)
    expect(output.errors[19_999]!.instancePath).toBe('/19999')
    expect(output.errorsOmitted).toBe(10_000)
    // Each error under a 3 MiB key prints that key: the output stops before the sandbox's 8 MiB stdout cap.
    const key = 'k'.repeat(3 << 20)
    const long = await run('{"additionalProperties": {"items": {"type": "string"}}}', JSON.stringify({ [key]: [1, 2, 3] }))
    expect(long).toMatchObject({ status: 'exit', exitCode: 1 })
    const longOutput = JSON.parse(text(long.stdout)) as Output
    expect(longOutput.errors.map(e => e.instancePath)).toEqual([`/${key}/0`, `/${key}/1`])
    expect(longOutput.errorsOmitted).toBe(1)
  })

  it('runs its sample: the default document has violations', async () => {
    const sample = JSON.parse(await readFile(join(WORKLOAD, 'sample.json'), 'utf8')) as { defaultStdin: string, defaultArgs: string[], defaultFiles: Record<string, string>, category: string }
    expect(sample.category).toBe('data')
    const files = await Promise.all(Object.entries(sample.defaultFiles).map(async ([name, file]) => [name, new Uint8Array(await readFile(join(WORKLOAD, file)))] as [string, Uint8Array]))
    const result = await runner.run(sample.defaultStdin, sample.defaultArgs, files)
    expect(result).toMatchObject({ status: 'exit', exitCode: 1 })
    const output = JSON.parse(text(result.stdout)) as Output
    const schema = JSON.parse(new TextDecoder().decode(files.find(([name]) => name === 'schema.json')![1])) as object
    const check = newAjv().compile(schema)
    expect(check(JSON.parse(sample.defaultStdin))).toBe(false)
    expect(pairs(output.errors)).toEqual(pairs(check.errors))
    expect(output.errors.length).toBeGreaterThanOrEqual(2)
  })

  it('validates a ~1 MiB document deterministically, and reports its fuel and time', async () => {
    const invoice = JSON.parse(await readFile(join(FIXTURES, 'invoice.schema.json'), 'utf8')) as Record<string, unknown>
    const bundle = JSON.stringify({ type: 'array', items: { $ref: 'https://example.com/invoice' }, $defs: { invoice: { ...invoice, $schema: undefined, $id: 'https://example.com/invoice' } } })
    const m = new DocumentMaker(mulberry32(7))
    const documents: unknown[] = []
    let size = 2
    while (size < 1 << 20) {
      const doc = makeInvoice(m)
      size += JSON.stringify(doc).length + 1
      documents.push(doc)
    }
    const document = JSON.stringify(documents)
    const first = await run(bundle, document)
    const second = await run(bundle, document)
    expect(first.status === 'ok' || first.exitCode === 1, text(first.stderr)).toBe(true)
    expect(text(second.stdout)).toBe(text(first.stdout))
    expect(second.fuelUsed).toBe(first.fuelUsed)
    const output = JSON.parse(text(first.stdout)) as Output
    const check = newAjv().compile(JSON.parse(bundle) as object)
    expect(output.valid).toBe(check(documents))
    expect(pairs(output.errors)).toEqual(pairs(check.errors))
    console.log(`json-validate: ${(document.length / 1048576).toFixed(2)} MiB document (${documents.length} invoices, ${output.errors.length} errors): ` +
      `${first.fuelUsed} fuel, ${first.durationMs.toFixed(0)} ms; .wasm ${runner.module.length} bytes; mean over all ${runs} runs ${Math.round(fuelTotal / runs)} fuel`)
  }, 120_000)
})
