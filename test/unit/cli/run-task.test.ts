import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import * as wat from '../../fixtures/wat-modules.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt } from '../execution/samples.ts'
import { DEFAULT_OUT_DIR } from '../../../src/build/compile-samples.ts'
import { parseRunArgs } from '../../../src/cli/run-task.ts'

const CLI = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'zerostate.ts')

/** Writes the guest path of every preopened directory (fd 3 on, until fd_prestat_get fails), one a line. */
const printsPreopens = (): Uint8Array => wat.wat(`(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "\\n")
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (local $fd i32)
    (local.set $fd (i32.const 3))
    (block $done (loop $next
      (br_if $done (call $get (local.get $fd) (i32.const 16)))
      (drop (call $name (local.get $fd) (i32.const 64) (i32.load (i32.const 20))))
      (call $write (i32.const 64) (i32.load (i32.const 20)))
      (call $write (i32.const 32) (i32.const 1))
      (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
      (br $next)))))`)

interface Outcome { code: number | null, stdout: string, stderr: string }

function cli (args: string[], stdin = ''): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdin.end(stdin)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => { resolve({ code, stdout, stderr }) })
  })
}

describe('zerostate run', () => {
  let dir: string
  const module = async (name: string, bytes: Uint8Array): Promise<string> => {
    const path = join(dir, `${name}.wasm`)
    await writeFile(path, bytes)
    return path
  }

  beforeAll(async () => {
    await ensureSamplesBuilt()
    dir = await mkdtemp(join(tmpdir(), 'zerostate-run-'))
  }, COMPILE_TIMEOUT_MS)

  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('runs a sample deterministically, with args and stdin, and --verbose figures on stderr', async () => {
    const entropy = join(DEFAULT_OUT_DIR, 'entropy.wasm')
    const [a, b, other] = await Promise.all([
      cli([entropy, '--verbose']),
      cli([entropy]),
      cli([entropy, '--seed', 'ab'.repeat(32)])
    ])
    expect(a.code).toBe(0)
    expect(a.stdout).toMatch(/^random: [0-9a-f]{32}$/m)
    expect(a.stdout).toBe(b.stdout)
    expect(other.stdout).not.toBe(a.stdout)
    expect(a.stderr).toMatch(/status ok, exit code 0, fuel used \d+, memory peak \d+ bytes/)
    const primes = await cli([join(DEFAULT_OUT_DIR, 'primes.wasm'), '--stdin', '-'], '100')
    expect(primes.stdout).toContain('primes: 25')
  })

  it('inherits stdin by default, as wasmtime does; --stdin FILE overrides it', async () => {
    const primes = join(DEFAULT_OUT_DIR, 'primes.wasm')
    const numberFile = join(dir, 'number.txt')
    await writeFile(numberFile, '1000')
    const [inherited, fromFile] = await Promise.all([cli([primes], '100'), cli(['--stdin', numberFile, primes], '100')])
    expect(inherited.stdout).toContain('primes: 25')
    expect(fromFile.stdout).toContain('primes: 168')
  })

  it('preopens --dir HOST::GUEST at GUEST (repeatable, fd 3 on without /work), writing created and changed files back to each', async () => {
    const data = join(dir, 'data')
    const extra = join(dir, 'extra')
    await mkdir(join(data, 'nested'), { recursive: true })
    await writeFile(join(data, 'in.txt'), 'copy me too')
    await writeFile(join(data, 'nested', 'a.txt'), 'old')
    const [copy, preopens, none, withWork] = await Promise.all([
      cli(['--dir', `${data}::/data`, await module('copies2', wat.copiesFiles())]),
      cli(['--dir', `${data}::/data`, '--dir', `${extra}::out`, await module('preopens', printsPreopens())]),
      cli([await module('preopens2', printsPreopens())]),
      cli([await module('preopens3', printsPreopens()), '--dir', extra, '--dir', `${data}::/`])
    ])
    expect(copy.code).toBe(0)
    expect(await readFile(join(data, 'out', 'copy.txt'), 'utf8')).toBe('copy me too')
    expect(await readFile(join(data, 'nested', 'a.txt'), 'utf8')).toBe('changed')
    expect(preopens.stdout).toBe('/data\nout\n')
    expect(none.stdout).toBe('')
    expect(withWork.stdout).toBe('/work\n.\n/\n')
  })

  it('parses options before the module, the module\'s args after it, and the older options after the module', () => {
    const options = parseRunArgs(['--dir', 'a::/x', '--env', 'A=1', 'm.wasm', '-x', 'y', '--dir', 'b', '--verbose', '--', '--env', 'B'])
    expect(options.modulePath).toBe('m.wasm')
    expect(options.args).toEqual(['-x', 'y', '--env', 'B'])
    expect(options.dirs).toEqual([{ host: 'a', guest: '/x' }, { host: 'b', guest: '/work' }])
    expect(options.env).toEqual([['A', '1']])
    expect(options.verbose).toBe(true)
    expect(options.stdinPath).toBeUndefined()
    expect(() => parseRunArgs(['--dir', 'a', '--dir', 'b::/work', 'm.wasm'])).toThrow(/two --dir/)
    expect(() => parseRunArgs(['--dir', '::/x', 'm.wasm'])).toThrow(/--dir must be/)
  })

  it('passes --env and maps --dir to /work, writing created and changed files back', async () => {
    const work = join(dir, 'work')
    await mkdir(join(work, 'nested'), { recursive: true })
    await writeFile(join(work, 'in.txt'), 'copy me')
    await writeFile(join(work, 'nested', 'a.txt'), 'old')
    const [copy, env] = await Promise.all([
      cli([await module('copies', wat.copiesFiles()), '--dir', work]),
      cli([await module('env', wat.printsEnv()), '--env', 'A=1', '--env', 'B=x=y'])
    ])
    expect(copy.code).toBe(0)
    expect(await readFile(join(work, 'out', 'copy.txt'), 'utf8')).toBe('copy me')
    expect(await readFile(join(work, 'nested', 'a.txt'), 'utf8')).toBe('changed')
    expect(env.stdout).toBe('A=1\0B=x=y\0')
  })

  it('exits with the task\'s code, or one per status with a one-line error', async () => {
    const [exit3, trap, timeout, fuel, invalid, memory] = await Promise.all([
      cli([await module('exit3', fixtures.exitsWith(3))]),
      cli([await module('trap', fixtures.traps())]),
      cli([await module('spin', wat.spins()), '--timeout', '200']),
      cli([await module('spin2', wat.spins()), '--fuel', '1000']),
      cli([await module('notwasm', fixtures.notWasm())]),
      cli([await module('grows', wat.growsUntilRefused()), '--memory', '2'])
    ])
    expect(exit3.code).toBe(3)
    expect([trap.code, trap.stderr]).toEqual([126, expect.stringMatching(/status trap: TaskTrapError/)])
    expect([timeout.code, timeout.stderr]).toEqual([124, expect.stringMatching(/status timeout: TaskTimeoutError/)])
    expect([fuel.code, fuel.stderr]).toEqual([127, expect.stringMatching(/status out-of-fuel: OutOfFuelError/)])
    expect([invalid.code, invalid.stderr]).toEqual([125, expect.stringMatching(/status invalid-module: InvalidModuleError/)])
    expect([memory.code, memory.stderr]).toEqual([128, expect.stringMatching(/status memory-limit: MemoryLimitError/)])
  })

  it('refuses bad arguments with exit code 2 and a message', async () => {
    const outcomes = await Promise.all([
      cli([]),
      cli(['x.wasm', '--memory', '500']),
      cli(['x.wasm', '--seed', 'nothex']),
      cli(['x.wasm', '--env', 'NOEQUALS']),
      cli(['--bogus', 'x.wasm']),
      cli([join(dir, 'missing.wasm')])
    ])
    for (const outcome of outcomes) {
      expect(outcome.code).toBe(2)
      expect(outcome.stderr).toMatch(/^zerostate run: /)
    }
  })
})
