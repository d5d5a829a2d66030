/**
 * The first real workload: language identification, a C port of `lande`
 * (src/workloads/lang-detect/), compiled by clang-14 to a WASI command and run
 * in the project's own sandbox, must give the same language and the same
 * float32 probabilities — bit for bit — as `lande(text)` in this process.
 * Needs Debian's clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32, like
 * test/unit/execution/c-toolchain.test.ts: skipped without them, except in CI.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import lande from 'lande'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const CORPUS = join(import.meta.dirname, '../../fixtures/lang-detect-corpus.txt')

interface Detection { language: string, probability: number, top: Array<[string, number]> }

/** Lines as the C program splits them: on \n, a trailing \r removed, empty ones skipped. */
const documents = (text: string): string[] => text.split('\n').map(line => line.replace(/\r$/, '')).filter(line => line.length > 0)

describe.skipIf(!HAVE_TOOLCHAIN)('lang-detect: lande in C, bit-exact in the sandbox', () => {
  const limits = { timeoutMs: 20_000, memoryLimitBytes: 48 << 20, fuel: 1e10 }
  let runner: WorkloadRunner
  let corpus: string[]
  const run = async (stdin: Uint8Array | string, args: string[] = []) => await runner.run(stdin, args)

  beforeAll(async () => {
    runner = await startWorkloadRunner('lang-detect', limits)
    corpus = documents(await readFile(CORPUS, 'utf8'))
  })

  afterAll(async () => {
    await runner?.stop()
  })

  it('has a corpus of at least 200 documents', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200)
  })

  it('gives every document the language and all 50 float32 probabilities of lande, bit for bit', async () => {
    let compared = 0
    let exact = 0
    let maxDiff = 0
    const mismatches: string[] = []
    let fuel = 0
    let ms = 0
    for (const doc of corpus) {
      const result = await run(doc, ['--top', '50'])
      expect(result.status, text(result.stderr)).toBe('ok')
      fuel += result.fuelUsed ?? 0
      ms += result.durationMs
      const got = JSON.parse(text(result.stdout)) as Detection
      const want = lande(doc)
      expect(got.language).toBe(want[0]![0])
      expect(got.probability).toBe(got.top[0]![1])
      expect(got.top).toHaveLength(50)
      got.top.forEach(([language, probability], i) => {
        const [wantLanguage, wantProbability] = want[i]!
        compared++
        // %.9g round-trips a float32: Math.fround recovers the exact value the C code computed.
        if (language === wantLanguage && Math.fround(probability) === wantProbability) exact++
        else mismatches.push(`${JSON.stringify(doc)} #${i}: ${language} ${probability} vs ${wantLanguage} ${wantProbability}`)
        if (language === wantLanguage) maxDiff = Math.max(maxDiff, Math.abs(Math.fround(probability) - wantProbability))
      })
    }
    console.log(`lang-detect: ${exact}/${compared} probabilities bit-exact (max |diff| ${maxDiff}) on ${corpus.length} documents; ` +
      `mean ${Math.round(fuel / corpus.length)} fuel and ${(ms / corpus.length).toFixed(1)} ms per document run`)
    expect(mismatches.slice(0, 10)).toEqual([])
    expect(exact).toBe(compared)
  }, 300_000)

  it('--lines on the whole corpus equals one run per document', async () => {
    const whole = await run(await readFile(CORPUS), ['--lines', '--top', '5'])
    expect(whole.status, text(whole.stderr)).toBe('ok')
    const lines = text(whole.stdout).trimEnd().split('\n')
    expect(lines).toHaveLength(corpus.length)
    for (const [i, doc] of corpus.entries()) {
      const single = await run(doc, ['--top', '5'])
      expect(lines[i]).toBe(text(single.stdout).trimEnd())
    }
  }, 300_000)

  it('prints the top 3 by default and honours --top', async () => {
    const three = JSON.parse(text((await run('Guten Morgen, wie geht es dir heute?')).stdout)) as Detection
    expect(three.language).toBe('deu')
    expect(three.top).toHaveLength(3)
    const one = JSON.parse(text((await run('Guten Morgen, wie geht es dir heute?', ['--top', '1'])).stdout)) as Detection
    expect(one.top).toEqual([three.top[0]])
    for (const bad of ['0', '51', 'x', '']) {
      const result = await run('hello', ['--top', bad])
      expect(result).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stderr)).toMatch(/^lang-detect: .+\n$/)
    }
  })

  it('rejects empty input and invalid UTF-8 with exit status 2 and a one-line message', async () => {
    const cases: Array<[Uint8Array | string, string[], RegExp]> = [
      ['', [], /empty input/],
      ['\n\n\r\n', ['--lines'], /no non-empty line/],
      [new Uint8Array([0x68, 0x69, 0xff]), [], /not valid UTF-8/],
      [new Uint8Array([0xc0, 0xaf]), [], /not valid UTF-8/], // overlong '/'
      [new Uint8Array([0xed, 0xa0, 0x80]), [], /not valid UTF-8/], // a surrogate
      [new Uint8Array([0xe2, 0x82]), ['--lines'], /not valid UTF-8/] // truncated
    ]
    for (const [stdin, args, message] of cases) {
      const result = await run(stdin, args)
      expect(result).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout)).toBe('')
      const stderr = text(result.stderr)
      expect(stderr).toMatch(message)
      expect(stderr.split('\n')).toHaveLength(2)
    }
  })

  it('is deterministic: the same input gives the same output and fuel', async () => {
    const doc = corpus.join('\n')
    const [first, second] = [await run(doc, ['--lines']), await run(doc, ['--lines'])]
    expect(first.status).toBe('ok')
    expect(text(second.stdout)).toBe(text(first.stdout))
    expect(second.fuelUsed).toBe(first.fuelUsed)
    expect(first.fuelUsed).toBeGreaterThan(0)
  })
})
