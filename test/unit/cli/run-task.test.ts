import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import * as wat from '../../fixtures/wat-modules.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt } from '../execution/samples.ts'
import { DEFAULT_OUT_DIR } from '../../../src/build/compile-samples.ts'

const CLI = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'zerostate.ts')

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
      cli(['x.wasm', '--bogus']),
      cli([join(dir, 'missing.wasm')])
    ])
    for (const outcome of outcomes) {
      expect(outcome.code).toBe(2)
      expect(outcome.stderr).toMatch(/^zerostate run: /)
    }
  })
})
