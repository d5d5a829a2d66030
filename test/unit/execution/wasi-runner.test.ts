import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_OUT_DIR } from '../../../src/build/compile-samples.ts'
import { DEFAULT_FUEL, MAX_STDOUT_BYTES, MAX_WORK_DIRECTORY_BYTES, WASM_PAGE_BYTES } from '../../../src/execution/constants.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import type { ExecutionResult, TaskInput, TaskLimits } from '../../../src/execution/types.ts'
import { runWasiCommand } from '../../../src/execution/wasi-runner.ts'
import { VirtualClock } from '../../../src/execution/virtual-clock.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import * as wat from '../../fixtures/wat-modules.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'
import { rejection } from '../../support/rejection.ts'
import { workloadIds } from '../../support/workload-examples.ts'

/** Calls `proc_raise(0)`, the one preview1 function the sandbox does not provide. */
const callsProcRaise = (): Uint8Array => wat.wat(`(module
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $proc_raise (i32.const 0)))))`)

const LIMITS: TaskLimits = { timeoutMs: 10_000, memoryLimitBytes: 128 * 1024 * 1024, fuel: DEFAULT_FUEL }
const utf8 = new TextEncoder()
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const SEED = new Uint8Array(32).fill(7)

function input (fields: Partial<TaskInput> = {}): TaskInput {
  return { args: [], env: [], stdin: new Uint8Array(0), files: [], seed: SEED, ...fields }
}

async function runTask (bytes: Uint8Array, fields: Partial<TaskInput> = {}, limits = LIMITS, metered = true): Promise<ExecutionResult> {
  const module = await compileTaskModule(bytes, { memoryLimitBytes: limits.memoryLimitBytes, metered })
  return runWasiCommand(module, input(fields), limits)
}

async function run (bytes: Uint8Array, stdin: string | Uint8Array, args: string[] = [], limits = LIMITS): Promise<ExecutionResult> {
  return runTask(bytes, { args, stdin: typeof stdin === 'string' ? utf8.encode(stdin) : stdin }, limits)
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
    for (const id of ['echo', 'entropy', 'text-stats', 'sentiment', 'sha256', 'primes', 'forever', 'lang-detect']) samples.set(id, await sampleBytes(id))
  }, COMPILE_TIMEOUT_MS)

  const sample = (id: string): Uint8Array => samples.get(id) as Uint8Array

  it('lists every sample in samples.json with the hash of its module, its group and its example', async () => {
    const manifest: Array<{ id: string, url: string, sha256: string, defaultTimeoutMs: number, category: string, stdinKind: string, defaultStdinUrl?: string }> =
      JSON.parse(await readFile(join(DEFAULT_OUT_DIR, 'samples.json'), 'utf8'))
    // The AssemblyScript samples and the committed real workloads (src/workloads).
    const workloads = await workloadIds()
    expect(workloads).toContain('lang-detect')
    expect(manifest.map(s => s.id).sort()).toEqual(['echo', 'entropy', 'forever', 'primes', 'sentiment', 'sha256', 'text-stats', ...workloads].sort())
    for (const entry of manifest) {
      expect(entry.url).toBe(`samples/${entry.id}.wasm`)
      expect(entry.sha256).toBe(createHash('sha256').update(await readFile(join(DEFAULT_OUT_DIR, `${entry.id}.wasm`))).digest('hex'))
      expect(['ai', 'image', 'data', 'tools']).toContain(entry.category)
      if (entry.defaultStdinUrl !== undefined) expect((await readFile(join(DEFAULT_OUT_DIR, '..', entry.defaultStdinUrl))).byteLength).toBeGreaterThan(0)
      if (entry.stdinKind === 'image') expect(entry.defaultStdinUrl).toMatch(/\.(png|jpe?g)$/)
    }
    expect(manifest.find(s => s.id === 'forever')?.defaultTimeoutMs).toBe(2000)
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

  it('primes fails cleanly when the sieve needs more memory than the limit allows', async () => {
    const result = await run(sample('primes'), '100000000', [], { ...LIMITS, memoryLimitBytes: 16 * 1024 * 1024 })
    expect(['trap', 'memory-limit']).toContain(result.status)
    expect(result.error?.message).toMatch(/memory in use: \d+ of 16777216/)
  })

  it('forever compiles as a WASI command (its timeout is enforced by the worker pool)', async () => {
    await compileTaskModule(sample('forever'))
  })
})

describe('runWasiCommand', () => {
  it('reports ok, exit code 0 and the figures when _start returns', async () => {
    const result = await run(fixtures.emptyCommand(), '')
    expect(result).toMatchObject({ status: 'ok', exitCode: 0, memoryPeakBytes: WASM_PAGE_BYTES, files: [] })
    expect(result.error).toBeUndefined()
    expect(result.fuelUsed).toBeGreaterThan(0)
    expect(result.startedAt).toBeLessThanOrEqual(Date.now())
    expect(result.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('reports exit with the code given to proc_exit', async () => {
    expect(await run(fixtures.exitsWith(3), '')).toMatchObject({ status: 'exit', exitCode: 3 })
    expect(await run(fixtures.exitsWith(0), '')).toMatchObject({ status: 'ok', exitCode: 0 })
  })

  it('reports a trap as TaskTrapError with the engine message', async () => {
    const result = await run(fixtures.traps(), '')
    expect(result.status).toBe('trap')
    expect(result.error?.name).toBe('TaskTrapError')
    expect(result.error?.message).toMatch(/unreachable/)
  })

  it('reports unbounded recursion (stack overflow) as a trap', async () => {
    const result = await runTask(wat.recursesForever())
    expect(result.status).toBe('trap')
    expect(result.error?.name).toBe('TaskTrapError')
  })

  it('reports out-of-fuel for an infinite loop, with fuelUsed = the budget', async () => {
    const result = await runTask(wat.spins(), {}, { ...LIMITS, fuel: 1_000_000 })
    expect(result).toMatchObject({ status: 'out-of-fuel', fuelUsed: 1_000_000, error: { name: 'OutOfFuelError' } })
  })

  it('reports fuelUsed null for an unmetered module', async () => {
    expect((await runTask(fixtures.emptyCommand(), {}, LIMITS, false)).fuelUsed).toBeNull()
  })

  it('lets memory grow up to the limit', async () => {
    expect((await run(fixtures.growsMemory(3), '', [], { ...LIMITS, memoryLimitBytes: 4 * WASM_PAGE_BYTES })).status).toBe('ok')
  })

  it('reports memory-limit when memory.grow in a loop reaches the cap and the module traps', async () => {
    const result = await runTask(wat.growsUntilRefused(), {}, { ...LIMITS, memoryLimitBytes: 32 * WASM_PAGE_BYTES })
    expect(result).toMatchObject({ status: 'memory-limit', memoryPeakBytes: 32 * WASM_PAGE_BYTES, error: { name: 'MemoryLimitError' } })
  })

  it('reports a trap far below the cap as a plain trap, naming memory in use', async () => {
    const result = await run(fixtures.growsMemory(4), '', [], { ...LIMITS, memoryLimitBytes: 64 * WASM_PAGE_BYTES })
    expect(result.status).toBe('ok')
    const refused = await run(fixtures.growsMemory(100), '', [], { ...LIMITS, memoryLimitBytes: 64 * WASM_PAGE_BYTES })
    expect(refused.status).toBe('trap')
    expect(refused.error?.message).toMatch(/memory in use: 65536 of 4194304/)
  })

  it('reports memory-limit when a module compiled without the cap ends over the limit', async () => {
    const module = await compileTaskModule(fixtures.growsMemory(8))
    const result = await runWasiCommand(module, input(), { ...LIMITS, memoryLimitBytes: 4 * WASM_PAGE_BYTES })
    expect(result.status).toBe('memory-limit')
  })

  it('reports a data segment that does not fit its memory as a trap at instantiation', async () => {
    const result = await runTask(fixtures.withDataSegment(2 * WASM_PAGE_BYTES))
    expect(result.status).toBe('trap')
    expect(result.error?.message).toMatch(/data segment|out of bounds/i)
    expect(result.memoryPeakBytes).toBe(0)
  })

  it('reports OutputTooLargeError (status trap) past the stdout cap, keeping what fit', async () => {
    const result = await runTask(wat.floodsStdout(100 * 1024 * 1024))
    expect(result).toMatchObject({ status: 'trap', error: { name: 'OutputTooLargeError' } })
    expect(result.stdout.byteLength).toBe(MAX_STDOUT_BYTES)
  })

  it('reports timeout when a WASI call comes after the deadline', async () => {
    const result = await runTask(fixtures.exitsWith(0), {}, { ...LIMITS, timeoutMs: -1 })
    expect(result).toMatchObject({ status: 'timeout', error: { name: 'TaskTimeoutError' } })
  })

  it('refuses a module that is not a WASI command', async () => {
    const module = await WebAssembly.compile(fixtures.noStart() as Uint8Array<ArrayBuffer>)
    expect((await rejection(runWasiCommand(module, input(), LIMITS))).name).toBe('NotWasiCommandError')
  })

  it('refuses a seed that is not 32 bytes', async () => {
    const module = await compileTaskModule(fixtures.emptyCommand())
    expect((await rejection(runWasiCommand(module, input({ seed: new Uint8Array(31) }), LIMITS))).name).toBe('RangeError')
  })

  it('runs a module that imports an unsupported WASI function without calling it', async () => {
    expect((await runTask(fixtures.importsSockSend())).status).toBe('ok')
  })

  it('fails a call to an unsupported WASI function with UnsupportedWasiCallError naming it', async () => {
    const result = await runTask(callsProcRaise())
    expect(result.status).toBe('trap')
    expect(result.error?.name).toBe('UnsupportedWasiCallError')
    expect(result.error?.message).toContain('proc_raise')
  })

  it('answers sock_send with an errno (the sandbox has no sockets), leaving the task to go on', async () => {
    expect((await runTask(wat.callsSockSend())).status).toBe('ok')
  })
})

describe('determinism', () => {
  const entropyOf = (result: ExecutionResult): { random: string, realtime: bigint, monotonic: bigint } => {
    const view = new DataView(result.stdout.buffer)
    return { random: Buffer.from(result.stdout.subarray(0, 16)).toString('hex'), realtime: view.getBigUint64(16, true), monotonic: view.getBigUint64(24, true) }
  }

  it('gives the same task byte-identical output and identical fuel', async () => {
    const a = await runTask(wat.entropy())
    const b = await runTask(wat.entropy())
    expect(a.status).toBe('ok')
    expect(Buffer.from(a.stdout).equals(Buffer.from(b.stdout))).toBe(true)
    expect(a.fuelUsed).toBe(b.fuelUsed)
    expect(a.fuelUsed).not.toBeNull()
  })

  it('gives different seeds different random bytes and start times', async () => {
    const a = entropyOf(await runTask(wat.entropy(), { seed: new Uint8Array(32).fill(1) }))
    const b = entropyOf(await runTask(wat.entropy(), { seed: new Uint8Array(32).fill(2) }))
    expect(a.random).not.toBe(b.random)
    expect(a.realtime).not.toBe(b.realtime)
  })

  it('starts the virtual clocks in 2020 (realtime) and at zero (monotonic), one microsecond per read', async () => {
    const { realtime, monotonic } = entropyOf(await runTask(wat.entropy()))
    const epoch2020 = 1_577_836_800_000_000_000n
    expect(realtime).toBeGreaterThan(epoch2020)
    expect(realtime).toBeLessThan(epoch2020 + 366n * 86_400n * 1_000_000_000n)
    expect(monotonic).toBe(2_000n) // the second clock read
  })

  it('sleeps in virtual time: poll_oneoff for 10 s returns at once with the clock 10 s later', async () => {
    const started = performance.now()
    const result = await runTask(wat.sleeps(10))
    expect(result.status).toBe('ok')
    expect(performance.now() - started).toBeLessThan(2000)
    expect(new DataView(result.stdout.buffer).getBigUint64(0, true)).toBe(10_000_000_000n + 1_000n)
  })

  it('entropy sample prints the same for the same seed and differs for another', async () => {
    await ensureSamplesBuilt()
    const entropy = await sampleBytes('entropy')
    const a = await runTask(entropy, { seed: SEED })
    const b = await runTask(entropy, { seed: SEED })
    const c = await runTask(entropy, { seed: new Uint8Array(32) })
    expect(a.status).toBe('ok')
    expect(text(a.stdout)).toBe(text(b.stdout))
    expect(text(a.stdout)).not.toBe(text(c.stdout))
    expect(a.fuelUsed).toBe(b.fuelUsed)
  }, COMPILE_TIMEOUT_MS)
})

describe('environment', () => {
  it('passes exactly input.env, in order', async () => {
    const result = await runTask(wat.printsEnv(), { env: [['B', '2'], ['A', 'héllo=1']] })
    expect(text(result.stdout)).toBe('B=2\0A=héllo=1\0')
  })

  it('passes an empty environment when none is given', async () => {
    expect((await runTask(wat.printsEnv())).stdout).toHaveLength(0)
  })

  it('refuses a variable name containing "="', async () => {
    const module = await compileTaskModule(wat.printsEnv())
    expect((await rejection(runWasiCommand(module, input({ env: [['A=B', 'c']] }), LIMITS))).name).toBe('TypeError')
  })
})

describe('files in /work', () => {
  const ERRNO_BADF = 8
  const ERRNO_NOTCAPABLE = 76

  /** Writes the 64-byte filestat of `in.txt` under fd 3, then that of a file it creates, to stdout. */
  const statsFiles = (): Uint8Array => wat.wat(`(module
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "in.txt")
  (data (i32.const 528) "new.txt")
  (func (export "_start")
    (if (call $stat (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 6) (i32.const 1024)) (then unreachable))
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 528) (i32.const 7) (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)) (then unreachable))
    (if (call $stat (i32.const 3) (i32.const 0) (i32.const 528) (i32.const 7) (i32.const 1088)) (then unreachable))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 128))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`)

  it('stamps files with the virtual clock and numbers inodes from 1, the same on every run', async () => {
    const files: Array<[string, Uint8Array]> = [['in.txt', utf8.encode('abc')]]
    const [a, b] = [await runTask(statsFiles(), { files }), await runTask(statsFiles(), { files })]
    expect(a.stdout).toEqual(b.stdout)
    const view = new DataView(a.stdout.buffer)
    const realtimeStart = new VirtualClock(SEED).realtimeStartNs
    // filestat: ino @8, filetype @16, size @32, atim @40, mtim @48, ctim @56.
    expect([view.getBigUint64(8, true), view.getUint8(16), view.getBigUint64(32, true), view.getBigUint64(48, true)]).toEqual([2n, 4, 3n, realtimeStart])
    expect([view.getBigUint64(64 + 8, true), view.getBigUint64(64 + 32, true), view.getBigUint64(64 + 48, true)]).toEqual([3n, 0n, realtimeStart])
  })

  it('preopens each mount at its guest path, after /work and ".", and returns its changed files apart', async () => {
    const result = await runTask(wat.copiesFiles(), {
      preopenWork: false,
      mounts: [{ path: '/data', files: [['in.txt', utf8.encode('mounted')], ['nested/a.txt', utf8.encode('old')]] }]
    })
    expect(result.status).toBe('ok')
    expect(result.files).toEqual([])
    expect(result.mountFiles?.map(files => files.map(([path, bytes]) => [path, text(bytes)]))).toEqual([[['nested/a.txt', 'changed'], ['out/copy.txt', 'mounted']]])
  })

  it('returns created and changed files, sorted, and not the unchanged ones', async () => {
    const result = await runTask(wat.copiesFiles(), {
      files: [['in.txt', utf8.encode('copy me')], ['nested/a.txt', utf8.encode('old')], ['keep.txt', utf8.encode('same')]]
    })
    expect(result.status).toBe('ok')
    expect(result.files.map(([path, bytes]) => [path, text(bytes)])).toEqual([['nested/a.txt', 'changed'], ['out/copy.txt', 'copy me']])
  })

  it('creates a file at a relative path', async () => {
    const result = await runTask(wat.createsFile('new.txt'))
    expect(result.stdout[0]).toBe(0)
    expect(result.files.map(([path, bytes]) => [path, text(bytes)])).toEqual([['new.txt', 'x']])
  })

  for (const path of ['/etc/passwd', '../escape.txt', 'a/../../escape.txt', '/work/../escape.txt']) {
    it(`refuses to create ${path} with ENOTCAPABLE`, async () => {
      const result = await runTask(wat.createsFile(path))
      expect(result.status).toBe('ok')
      expect(result.stdout[0]).toBe(ERRNO_NOTCAPABLE)
      expect(result.files).toEqual([])
    })
  }

  it('refuses path_open on a descriptor that is not a preopened directory', async () => {
    expect((await runTask(wat.createsFile('x', 9))).stdout[0]).toBe(ERRNO_BADF)
    expect((await runTask(wat.createsFile('x', 1))).stdout[0]).not.toBe(0)
  })

  it('ends the run with OutputTooLargeError when the files outgrow their cap', async () => {
    const chunk = 1024 * 1024
    const result = await runTask(wat.growsFile(chunk, MAX_WORK_DIRECTORY_BYTES / chunk + 1))
    expect(result).toMatchObject({ status: 'trap', error: { name: 'OutputTooLargeError' } })
  })

  it('refuses input paths that are absolute or climb out', async () => {
    const module = await compileTaskModule(fixtures.emptyCommand())
    for (const path of ['/abs', '../up', 'a//b', '']) {
      expect((await rejection(runWasiCommand(module, input({ files: [[path, new Uint8Array(1)]] }), LIMITS))).name).toBe('TypeError')
    }
  })
})
