import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_OUT_DIR } from '../../../src/build/compile-samples.ts'
import { MAX_STDOUT_BYTES, WASM_PAGE_BYTES } from '../../../src/execution/constants.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import type { ExecutionResult, TaskLimits } from '../../../src/execution/types.ts'
import { runWasiCommand } from '../../../src/execution/wasi-runner.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'
import { rejection } from '../../support/rejection.ts'

const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 256 * 1024 * 1024 }
const utf8 = new TextEncoder()
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

async function run (bytes: Uint8Array, stdin: string | Uint8Array, args: string[] = [], limits = LIMITS): Promise<ExecutionResult> {
  const module = await compileTaskModule(bytes, { memoryLimitBytes: limits.memoryLimitBytes })
  return runWasiCommand(module, { args, stdin: typeof stdin === 'string' ? utf8.encode(stdin) : stdin }, limits)
}

/** Parses the samples' "key: value" lines. */
function fields (stdout: Uint8Array): Record<string, string> {
  return Object.fromEntries(text(stdout).split('\n').filter(line => line.includes(': ')).map(line => {
    const at = line.indexOf(': ')
    return [line.slice(0, at).trim(), line.slice(at + 2)]
  }))
}

describe('samples', () => {
  const samples = new Map<string, Uint8Array>()

  beforeAll(async () => {
    await ensureSamplesBuilt()
    for (const id of ['echo', 'text-stats', 'sentiment', 'sha256', 'primes', 'forever']) samples.set(id, await sampleBytes(id))
  }, COMPILE_TIMEOUT_MS)

  const sample = (id: string): Uint8Array => samples.get(id) as Uint8Array

  it('lists every sample in samples.json with the hash of its module', async () => {
    const manifest: Array<{ id: string, url: string, sha256: string, defaultTimeoutMs: number }> =
      JSON.parse(await readFile(join(DEFAULT_OUT_DIR, 'samples.json'), 'utf8'))
    expect(manifest.map(s => s.id).sort()).toEqual(['echo', 'forever', 'primes', 'sentiment', 'sha256', 'text-stats'])
    for (const entry of manifest) {
      expect(entry.url).toBe(`samples/${entry.id}.wasm`)
      expect(entry.sha256).toBe(createHash('sha256').update(sample(entry.id)).digest('hex'))
      expect(entry.defaultTimeoutMs).toBe(entry.id === 'forever' ? 2000 : 30_000)
    }
  })

  it('echo returns stdin byte for byte, across several read chunks', async () => {
    const input = randomBytes(200_000)
    const result = await run(sample('echo'), input)
    expect(result.exitCode).toBe(0)
    expect(Buffer.from(result.stdout).equals(input)).toBe(true)
    expect(result.stderr).toHaveLength(0)
  })

  it('echo of empty stdin is empty', async () => {
    const result = await run(sample('echo'), '')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toHaveLength(0)
  })

  for (const input of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'héllo wörld ✓\n']) {
    it(`sha256 matches node:crypto for ${input.length} characters`, async () => {
      const result = await run(sample('sha256'), input)
      expect(result.exitCode).toBe(0)
      expect(text(result.stdout).trim()).toBe(createHash('sha256').update(input).digest('hex'))
    })
  }

  it('sha256 matches node:crypto for 1 MiB of random bytes', async () => {
    const input = randomBytes(1024 * 1024 + 7)
    const result = await run(sample('sha256'), input)
    expect(text(result.stdout).trim()).toBe(createHash('sha256').update(input).digest('hex'))
  })

  it('text-stats counts lines, words, characters, bytes and top words', async () => {
    const input = 'The cat sat.\nThe cat ran, the dog sat!\nÜber naïve café'
    const out = fields((await run(sample('text-stats'), input)).stdout)
    expect(out).toMatchObject({
      lines: '3',
      words: '12',
      characters: String([...input].length),
      bytes: String(utf8.encode(input).length)
    })
    const top = text((await run(sample('text-stats'), input)).stdout).split('top words:\n')[1]?.trim().split('\n').map(l => l.trim())
    expect(top).toEqual(['the 3', 'cat 2', 'sat 2', 'café 1', 'dog 1'])
  })

  it('text-stats of empty input is all zeros', async () => {
    expect(fields((await run(sample('text-stats'), '')).stdout)).toMatchObject({ lines: '0', words: '0', characters: '0', bytes: '0' })
  })

  it('sentiment scores positive, negative and neutral text', async () => {
    const positive = fields((await run(sample('sentiment'), 'I love it, it is great and fast.')).stdout)
    expect(Number(positive.score)).toBeGreaterThan(0)
    expect(positive.label).toBe('positive')
    const negative = fields((await run(sample('sentiment'), 'Terrible, slow and buggy. I hate it.')).stdout)
    expect(Number(negative.score)).toBeLessThan(0)
    expect(negative.label).toBe('negative')
    expect(fields((await run(sample('sentiment'), 'The train leaves at noon.')).stdout).label).toBe('neutral')
  })

  it('sentiment flips a negated word', async () => {
    expect(fields((await run(sample('sentiment'), 'This is not good.')).stdout).label).toBe('negative')
  })

  it('primes counts 25 primes up to 100', async () => {
    expect(fields((await run(sample('primes'), '100')).stdout)).toMatchObject({ primes: '25', largest: '97' })
  })

  it('primes counts 78498 primes up to 1,000,000', async () => {
    expect(fields((await run(sample('primes'), '1000000\n')).stdout)).toMatchObject({ primes: '78498', largest: '999983' })
  })

  it('primes reads N from argv[1] before stdin', async () => {
    expect(fields((await run(sample('primes'), 'ignored', ['10'])).stdout)).toMatchObject({ primes: '4', largest: '7' })
  })

  it('primes handles N below 2', async () => {
    expect(fields((await run(sample('primes'), '1')).stdout)).toMatchObject({ primes: '0', largest: 'none' })
  })

  it('primes exits 2 with a message on stderr for a non-number', async () => {
    const result = await run(sample('primes'), 'twelve')
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toHaveLength(0)
    expect(text(result.stderr)).toMatch(/expected a non-negative integer/)
  })

  it('passes non-ASCII arguments intact (UTF-8 argv sizing)', async () => {
    const result = await run(sample('primes'), '', ['日本語'])
    expect(result.exitCode).toBe(2)
    expect(text(result.stderr)).toContain('"日本語"')
  })

  it('primes traps when the sieve needs more memory than the limit allows', async () => {
    const err = await rejection(run(sample('primes'), '100000000', [], { timeoutMs: 10_000, memoryLimitBytes: 16 * 1024 * 1024 }))
    expect(err.name).toBe('TaskTrapError')
  })

  it('forever compiles as a WASI command (its timeout is enforced by the worker pool)', async () => {
    await compileTaskModule(sample('forever'))
  })
})

describe('runWasiCommand', () => {
  it('returns exit code 0 when _start returns', async () => {
    const result = await run(fixtures.emptyCommand(), '')
    expect(result.exitCode).toBe(0)
    expect(result.startedAt).toBeLessThanOrEqual(Date.now())
    expect(result.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('returns the code given to proc_exit', async () => {
    expect((await run(fixtures.exitsWith(42), '')).exitCode).toBe(42)
  })

  it('turns a trap into TaskTrapError with the engine message', async () => {
    const err = await rejection(run(fixtures.traps(), ''))
    expect(err.name).toBe('TaskTrapError')
    expect(err.message).toMatch(/unreachable/)
    expect(err.stderr).toBeInstanceOf(Uint8Array)
  })

  it('lets memory grow up to the limit', async () => {
    expect((await run(fixtures.growsMemory(3), '', [], { timeoutMs: 1000, memoryLimitBytes: 4 * WASM_PAGE_BYTES })).exitCode).toBe(0)
  })

  it('refuses to grow memory past the limit', async () => {
    const err = await rejection(run(fixtures.growsMemory(4), '', [], { timeoutMs: 1000, memoryLimitBytes: 4 * WASM_PAGE_BYTES }))
    expect(err.name).toBe('TaskTrapError')
    expect(err.message).toMatch(/memory in use: 65536 of 262144/)
  })

  it('reports MemoryLimitError when a module compiled without the cap ends over the limit', async () => {
    const module = await compileTaskModule(fixtures.growsMemory(8))
    const err = await rejection(runWasiCommand(module, { args: [], stdin: new Uint8Array(0) }, { timeoutMs: 1000, memoryLimitBytes: 4 * WASM_PAGE_BYTES }))
    expect(err.name).toBe('MemoryLimitError')
  })

  it('rejects with OutputTooLargeError past the stdout cap', async () => {
    const echo = await sampleBytes('echo')
    const err = await rejection(run(echo, new Uint8Array(MAX_STDOUT_BYTES + 1)))
    expect(err.name).toBe('OutputTooLargeError')
  })

  it('rejects with TaskTimeoutError when a WASI call comes after the deadline', async () => {
    const err = await rejection(run(fixtures.exitsWith(0), '', [], { timeoutMs: -1, memoryLimitBytes: LIMITS.memoryLimitBytes }))
    expect(err.name).toBe('TaskTimeoutError')
  })

  it('refuses a module that is not a WASI command', async () => {
    const module = await WebAssembly.compile(fixtures.noStart() as Uint8Array<ArrayBuffer>)
    const err = await rejection(runWasiCommand(module, { args: [], stdin: new Uint8Array(0) }, LIMITS))
    expect(err.name).toBe('NotWasiCommandError')
  })
})
