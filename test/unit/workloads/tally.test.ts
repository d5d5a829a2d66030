/**
 * tally (src/workloads/tally/), built from source and run in the sandbox:
 * `split` against a JavaScript reference of its documented line rules (and
 * `split --lines 1` against the workflow's own inputs.text.lines rule);
 * `count` and `summary` on what a workflow's reduce step really receives —
 * the JSON array task-offer.ts renders for steps.X.items, made here from
 * real runs of lang-detect, json-validate, face-detect, image crop and
 * face-expression — against a reference of the documented search. Bad
 * input ends with exit status 2 and one stderr line.
 * Needs Debian's clang-14, wasi-libc and libstb-dev (test/support/c-toolchain.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExecutionResult } from '../../../src/execution/types.ts'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { startWorkloadRunner, text, type WorkloadRunner, type WorkFiles } from '../../support/workload-runner.ts'

const WORKLOADS = join(import.meta.dirname, '../../../src/workloads')

/** The documented split: lines end at LF (a CR before it belongs to the break); a chunk keeps its lines' breaks except its last. */
function splitReference (input: string, n: number): string[] {
  const lines: string[] = [] // each line with its break
  let at = 0
  while (at < input.length) {
    const lf = input.indexOf('\n', at)
    const end = lf === -1 ? input.length : lf + 1
    lines.push(input.slice(at, end))
    at = end
  }
  const chunks: string[] = []
  for (let i = 0; i < lines.length; i += n) chunks.push(lines.slice(i, i + n).join('').replace(/\r?\n$/, ''))
  return chunks
}

/** The workflow's inputs.text.lines (bindings.ts): split at \r?\n, a final break starts no line. */
function workflowLines (input: string): string[] {
  const split = input.split(/\r?\n/)
  if (split[split.length - 1] === '') split.pop()
  return split
}

/** What task-offer.ts puts in place of steps.X.items: each item's stdout as JSON when it is JSON, else as a string; null for a failed item. */
function renderItems (stdouts: Array<string | null>): string {
  return JSON.stringify(stdouts.map(stdout => {
    if (stdout === null) return null
    try {
      return JSON.parse(stdout) as unknown
    } catch {
      return stdout
    }
  }))
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function resolve (value: unknown, path: string[]): unknown {
  for (const key of path) {
    if (isObject(value) && Object.hasOwn(value, key)) value = value[key]
    else if (Array.isArray(value) && /^\d+$/.test(key) && Number(key) < value.length) value = value[Number(key)]
    else return undefined
  }
  return value
}

/** The documented count, on parsed JSON (so only for values whose JSON text JSON.stringify reproduces). */
function countReference (input: string, field: string): { total: number, items: number, missing: number, counts: Array<[string, number]> } {
  const path = field.split('.')
  const counts = new Map<string, number>()
  const add = (key: string): void => { counts.set(key, (counts.get(key) ?? 0) + 1) }
  const countOne = (v: unknown): void => { add(typeof v === 'string' ? v : JSON.stringify(v)) }
  const parseText = (s: string): unknown[] | undefined => {
    try {
      return [JSON.parse(s)]
    } catch {
      try {
        return s.split('\n').filter(line => line.trim() !== '').map(line => JSON.parse(line) as unknown)
      } catch {
        return undefined
      }
    }
  }
  const search = (v: unknown, entry: boolean, nested: boolean): number => {
    if (isObject(v)) {
      const found = resolve(v, path)
      if (found !== undefined) {
        if (Array.isArray(found)) found.forEach(countOne)
        else countOne(found)
        return 1
      }
      return Object.values(v).reduce<number>((sum, member) => sum + search(member, false, nested), 0)
    }
    if (Array.isArray(v)) return v.reduce<number>((sum, e) => sum + search(e, true, nested), 0)
    if (typeof v === 'string' && entry && !nested && v !== '') {
      return (parseText(v) ?? []).reduce<number>((sum, root) => sum + search(root, true, true), 0)
    }
    return 0
  }
  const roots = parseText(input)!
  const items = roots.length === 1 && Array.isArray(roots[0]) ? roots[0] : roots
  const missing = items.filter(item => search(item, true, false) === 0).length
  const sorted = [...counts].sort(([a, x], [b, y]) => y - x || Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return { total: sorted.reduce((sum, [, c]) => sum + c, 0), items: items.length, missing, counts: sorted }
}

/** count's stdout for the reference result, byte for byte. */
const countJson = (r: ReturnType<typeof countReference>): string =>
  `{"total":${r.total},"items":${r.items},"missing":${r.missing},"counts":{${r.counts.map(([k, c]) => `${JSON.stringify(k)}:${c}`).join(',')}}}\n`

describe.skipIf(!HAVE_TOOLCHAIN)('tally: split, count and summary for workflow fan-outs', () => {
  const limits = { timeoutMs: 120_000, memoryLimitBytes: 50 << 20, fuel: 5e10 }
  let runner: WorkloadRunner
  const modules: Record<string, Uint8Array<ArrayBuffer>> = {}

  beforeAll(async () => {
    runner = await startWorkloadRunner('tally', limits)
    for (const id of ['lang-detect', 'json-validate', 'face-detect', 'face-expression', 'image', 'faces']) modules[id] = await runner.build(id)
  }, 180_000)

  afterAll(async () => {
    await runner?.stop()
  })

  /** A run that must succeed, with its stdout. */
  const ok = async (stdin: string | Uint8Array, args: string[], files: WorkFiles = []): Promise<{ stdout: string, result: ExecutionResult }> => {
    const result = await runner.run(stdin, args, files)
    expect(result.status, text(result.stderr)).toBe('ok')
    expect(text(result.stderr)).toBe('')
    return { stdout: text(result.stdout), result }
  }
  const other = async (id: string, stdin: string | Uint8Array, args: string[] = [], files: WorkFiles = []): Promise<ExecutionResult> => {
    const result = await runner.runModule(modules[id]!, stdin, args, files)
    expect(result.exitCode, `${id}: ${text(result.stderr)}`).toBeLessThanOrEqual(1)
    return result
  }

  it('split: at most N lines a chunk, breaks kept but the last of each chunk, as the reference on edge cases', async () => {
    const cases = ['', '\n', '\n\n', 'a', 'a\n', 'a\nb', 'a\nb\n', 'a\r\nb\r\n', 'a\r\n\r\nb', 'x\ry\n', 'end\r', '\n\na\n\n',
      'héllo "wörld"\t\\\u0001\u007f\n日本語\n😀\n', Array.from({ length: 25 }, (_, i) => `line ${i}`).join('\n')]
    for (const input of cases) {
      for (const n of [1, 2, 3, 10, 100000]) {
        const { stdout } = await ok(input, ['split', '--lines', String(n)])
        const chunks = splitReference(input, n)
        expect(stdout, JSON.stringify([input, n])).toBe(`${JSON.stringify({ chunks })}\n`)
      }
    }
    // --lines 1 gives what a workflow's inputs.text.lines gives.
    for (const input of ['a\nb\n', 'a\r\nb', '\n\nx', 'one']) {
      expect((JSON.parse((await ok(input, ['split', '--lines', '1'])).stdout) as { chunks: string[] }).chunks).toEqual(workflowLines(input))
    }
    // The input from a file in /work.
    const { stdout } = await ok('', ['split', '--lines', '2', 'in.txt'], [['in.txt', new TextEncoder().encode('1\n2\n3\n')]])
    expect(JSON.parse(stdout)).toEqual({ chunks: ['1\n2', '3'] })
  }, 60_000)

  it('count: lang-detect fanned out over the chunks of split, its items as the reduce step reads them', async () => {
    const text1 = [
      'The quick brown fox jumps over the lazy dog.', 'Der schnelle braune Fuchs springt über den faulen Hund.',
      'Le renard brun rapide saute par-dessus le chien paresseux.', 'El rápido zorro marrón salta sobre el perro perezoso.',
      'Быстрая коричневая лиса прыгает через ленивую собаку.', 'Il veloce cane marrone salta sopra il gatto pigro.',
      'Where is the train station, please?', 'Wo ist der Bahnhof, bitte?'
    ].join('\n') + '\n'
    const { chunks } = JSON.parse((await ok(text1, ['split', '--lines', '3'])).stdout) as { chunks: string[] }
    expect(chunks).toHaveLength(3)
    // Each item: lang-detect --lines on its chunk. A chunk of several lines prints JSON Lines (not one JSON value: a string item).
    const stdouts = await Promise.all(chunks.map(async chunk => text((await other('lang-detect', chunk, ['--lines'])).stdout)))
    // And one item that failed.
    const items = renderItems([...stdouts, null])
    expect(JSON.parse(items).filter((e: unknown) => typeof e === 'string')).toHaveLength(3)
    const want = countReference(items, 'language')
    const { stdout, result } = await ok(items, ['count', '--field', 'language'])
    expect(stdout).toBe(countJson(want))
    expect(want).toMatchObject({ total: 8, items: 4, missing: 1 })
    expect(Object.fromEntries(want.counts)).toMatchObject({ eng: 2, deu: 2 })
    expect(result.files.map(([name, bytes]) => [name, text(bytes)])).toEqual([['counts.json', stdout]])

    // lang-detect's stdout itself (JSON Lines) as the whole input, and a single item (one JSON value) alike.
    expect((await ok(stdouts[0]!, ['count', '--field', 'language'])).stdout).toBe(countJson(countReference(stdouts[0]!, 'language')))
    const single = text((await other('lang-detect', 'Hallo Welt, wie geht es dir?')).stdout)
    expect(JSON.parse((await ok(renderItems([single, single]), ['count', '--field', 'language'])).stdout)).toEqual({ total: 2, items: 2, missing: 0, counts: { deu: 2 } })
    // Nested paths and array values: top.0.0 is each line's best language again.
    expect(JSON.parse((await ok(items, ['count', '--field', 'top.0.0'])).stdout).counts).toEqual(Object.fromEntries(want.counts))
  }, 120_000)

  it('count: json-validate verdicts and error keywords, and booleans and numbers by their JSON text', async () => {
    const schema = new TextEncoder().encode('{"type":"object","required":["id"],"properties":{"id":{"type":"integer"},"tags":{"type":"array","maxItems":2}}}')
    const documents = ['{"id":1}', '{"id":"x"}', '{"tags":[1,2,3]}', '{"id":2,"tags":[]}', '{}']
    const stdouts = await Promise.all(documents.map(async d => text((await other('json-validate', d, [], [['schema.json', schema]])).stdout)))
    const items = renderItems(stdouts)
    expect((await ok(items, ['count', '--field', 'valid'])).stdout).toBe('{"total":5,"items":5,"missing":0,"counts":{"false":3,"true":2}}\n')
    const keywords = countReference(items, 'keyword')
    expect((await ok(items, ['count', '--field', 'keyword'])).stdout).toBe(countJson(keywords))
    expect(Object.fromEntries(keywords.counts)).toEqual({ required: 2, type: 1, maxItems: 1 })
    expect(keywords.missing).toBe(2) // the valid documents have no errors

    const literal = '[{"n":1.50},{"n":1.5},{"n":-0},{"n":1e2},{"n":true},{"n":null},{"n":[1,"1",{"b":"\\u00e9"}]},{"n":{"z":1,"a":[]}},{"m":1}]'
    expect((await ok(literal, ['count', '--field', 'n'])).stdout)
      .toBe('{"total":10,"items":9,"missing":1,"counts":{"1":2,"-0":1,"1.5":1,"1.50":1,"1e2":1,"null":1,"true":1,"{\\"b\\":\\"é\\"}":1,"{\\"z\\":1,\\"a\\":[]}":1}}\n')
    // Keys escaped as JSON.stringify escapes them, lone surrogates included.
    const odd = '[{"k":"a\\"b\\\\c\\n\\t\\b\\f\\u0001"},{"k":"\\ud800"},{"k":"😀"}]'
    expect((await ok(odd, ['count', '--field', 'k'])).stdout).toBe(countJson(countReference(odd, 'k')))
  }, 120_000)

  it('count and summary: the faces workflow by hand — face-detect, a crop per face, face-expression per crop — agree with faces', async () => {
    const photo = new Uint8Array(await readFile(join(WORKLOADS, 'faces/example.jpg')))
    const detected = JSON.parse(text((await other('face-detect', photo)).stdout)) as { faces: Array<{ box: Record<'x' | 'y' | 'width' | 'height', number> }> }
    expect(detected.faces.length).toBe(5)
    const expressions: string[] = []
    for (const { box } of detected.faces) {
      // As a workflow passes them: the numbers' JSON text as arguments.
      const crop = await other('image', photo, ['crop', String(box.x), String(box.y), String(box.width), String(box.height)])
      const png = crop.files.find(([name]) => name === 'out.png')![1]
      expressions.push(text((await other('face-expression', png)).stdout))
    }
    const faces = JSON.parse(text((await other('faces', photo)).stdout)) as { faces: Array<{ expression: string, expressions: Record<string, number> }> }
    // Cropping as face-api does gives the crops faces classifies: the same probabilities, to the last digit printed.
    expect(expressions.map(e => JSON.parse(e) as unknown)).toEqual(faces.faces.map(f => ({ expressions: f.expressions, expression: f.expression })))

    const items = renderItems(expressions)
    const { stdout } = await ok(items, ['count', '--field', 'expression'])
    expect(stdout).toBe('{"total":5,"items":5,"missing":0,"counts":{"happy":4,"sad":1}}\n')
    // faces' own output, one document, counts the same (the search goes into its "faces" array).
    const facesOut = JSON.stringify(faces)
    expect((await ok(facesOut, ['count', '--field', 'expression'])).stdout).toBe('{"total":5,"items":1,"missing":0,"counts":{"happy":4,"sad":1}}\n')

    const report = await ok(facesOut, ['summary', '--field', 'expression', '--columns', 'score,box.x,box.y,box.width,box.height,expressions.happy,nothing', '--title', 'Faces | photo'])
    const lines = report.stdout.split('\n')
    expect(lines.slice(0, 10)).toEqual([
      '## Faces \\| photo', '',
      '| expression | count | share |', '|:--|--:|--:|', '| happy | 4 | 80.0 % |', '| sad | 1 | 20.0 % |', '| **total** | 5 | 100.0 % |', '',
      '5 values in 1 item.', ''
    ])
    expect(lines[10]).toBe('| # | expression | score | box.x | box.y | box.width | box.height | expressions.happy | nothing |')
    const rows = lines.slice(12, -1)
    expect(rows).toHaveLength(5)
    rows.forEach((row, i) => {
      const f = faces.faces[i] as unknown as { score: number, box: Record<string, number>, expression: string, expressions: Record<string, number> }
      const g = (v: number): string => String(Number(v.toPrecision(6)))
      expect(row).toBe(`| ${i + 1} | ${f.expression} | ${g(f.score)} | ${g(f.box.x!)} | ${g(f.box.y!)} | ${g(f.box.width!)} | ${g(f.box.height!)} | ${g(f.expressions.happy!)} | - |`)
    })
    expect(report.result.files.map(([name, bytes]) => [name, text(bytes)])).toEqual([['summary.md', report.stdout]])
    // Missing items are reported; no --columns, no record table.
    expect((await ok(renderItems([expressions[0]!, null, 'not json']), ['summary', '--field', 'expression'])).stdout)
      .toBe('| expression | count | share |\n|:--|--:|--:|\n| happy | 1 | 100.0 % |\n| **total** | 1 | 100.0 % |\n\n1 value in 3 items; 2 items without one.\n')
  }, 300_000)

  it('is deterministic: the same input gives the same output and fuel', async () => {
    const input = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ language: ['eng', 'deu', 'fra', 'spa'][i % 7 % 4], i })))
    const [a, b] = [await ok(input, ['count', '--field', 'language']), await ok(input, ['count', '--field', 'language'])]
    expect(b.stdout).toBe(a.stdout)
    expect(b.result.fuelUsed).toBe(a.result.fuelUsed)
    expect(a.stdout).toBe(countJson(countReference(input, 'language')))
  }, 60_000)

  it('rejects bad arguments and bad input with exit status 2 and one line on stderr', async () => {
    const cases: Array<[string | Uint8Array, string[], RegExp]> = [
      ['a', [], /^tally: missing subcommand; usage: /],
      ['a', ['sum'], /^tally: unknown subcommand "sum"/],
      ['a', ['split'], /^tally: split needs --lines N/],
      ['a', ['split', '--lines'], /--lines needs a value/],
      ['a', ['split', '--lines', '0'], /--lines must be an integer from 1 to 100000, got "0"/],
      ['a', ['split', '--lines', '100001'], /--lines must be an integer from 1 to 100000/],
      ['a', ['split', '--lines', '2.5'], /--lines must be an integer/],
      ['a', ['split', '--lines', '1', '--field', 'x'], /^tally: split: unknown option --field/],
      ['a', ['split', '--lines', '1', 'a', 'b'], /more than one INPUT/],
      [new Uint8Array([0x61, 0x0a, 0xc3, 0x28]), ['split', '--lines', '1'], /^tally: split: the input is not UTF-8 text \(invalid byte 0xC3 on line 2\)$/],
      ['a', ['split', '--lines', '1', 'missing.txt'], /^tally: cannot open \/work\/missing.txt: /],
      ['[]', ['count'], /^tally: count needs --field PATH/],
      ['[]', ['count', '--field', 'a..b'], /--field "a..b" has an empty segment/],
      ['[]', ['count', '--field', ''], /--field "" has an empty segment/],
      ['[]', ['count', '--field', Array(33).fill('a').join('.')], /more than 32 segments/],
      ['[]', ['count', '--field', 'a', '--columns', 'b'], /^tally: count: unknown option --columns/],
      ['[]', ['summary', '--field', 'a', '--columns', 'b,,c'], /--columns path "" has an empty segment/],
      ['', ['count', '--field', 'a'], /^tally: the input is neither JSON nor JSON Lines: empty input, expected a JSON value at line 1, column 1$/],
      ['[1,', ['count', '--field', 'a'], /neither JSON nor JSON Lines: unexpected end of input/],
      ['{"a":1}\n{"a":', ['count', '--field', 'a'], /neither JSON nor JSON Lines: unexpected end of input, expected a value at line 2, column 6$/],
      ['{"a":1,"a":2}', ['count', '--field', 'a'], /duplicate key "a"/],
      ['"\\ud800" x', ['count', '--field', 'a'], /neither JSON nor JSON Lines/],
      ['['.repeat(600) + ']'.repeat(600), ['count', '--field', 'a'], /nesting deeper than 512 levels/],
      [JSON.stringify(Array.from({ length: 100001 }, (_, i) => ({ a: i }))), ['count', '--field', 'a'], /^tally: more than 100000 distinct values \(the limit\)$/]
    ]
    for (const [stdin, args, message] of cases) {
      const result = await runner.run(stdin, args)
      const stderr = text(result.stderr)
      expect(result, `${args.join(' ')}: ${stderr}`).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout)).toBe('')
      expect(stderr.indexOf('\n'), stderr).toBe(stderr.length - 1)
      expect(stderr.trimEnd()).toMatch(message)
      expect(result.files).toEqual([])
    }
  }, 120_000)

  it('handles a 4 MiB input within the sandbox limits, and refuses an output over 8 MiB before writing any', async () => {
    const line = 'x'.repeat(63) + '\n'
    const big = line.repeat((4 << 20) / 64)
    const { stdout, result } = await ok(big, ['split', '--lines', '1000'])
    expect((JSON.parse(stdout) as { chunks: string[] }).chunks).toHaveLength(Math.ceil((4 << 20) / 64 / 1000))
    console.log(`tally split of 4 MiB: ${result.fuelUsed} fuel, ${result.durationMs.toFixed(0)} ms`)
    // Control characters take six bytes each as JSON: 4 MiB of them would be 24 MiB.
    const control = await runner.run('\u0001'.repeat(4 << 20), ['split', '--lines', '1'])
    expect(control).toMatchObject({ status: 'exit', exitCode: 2 })
    expect(text(control.stdout)).toBe('')
    expect(text(control.stderr)).toBe('tally: the output would be larger than 8388608 bytes (the limit)\n')
    // 4 MiB of items, many of them strings holding JSON Lines.
    const items = JSON.stringify(Array.from({ length: 30000 }, (_, i) => i % 2 === 0 ? { language: `l${i % 50}` } : `{"language":"l${i % 50}"}\n{"language":"x"}\n`))
    const counted = await ok(items, ['count', '--field', 'language'])
    expect(counted.stdout).toBe(countJson(countReference(items, 'language')))
    console.log(`tally count of ${(items.length / 1e6).toFixed(1)} MB: ${counted.result.fuelUsed} fuel, ${counted.result.durationMs.toFixed(0)} ms`)
  }, 120_000)
})
