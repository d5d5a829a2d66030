/**
 * A program from a standard toolchain — C compiled by clang with wasi-libc —
 * runs unmodified in the sandbox. Needs Debian's clang-14, lld-14, wasi-libc
 * and libclang-rt-14-dev-wasm32 (`npm test` installs them when it runs as
 * root); without them the suite is skipped locally and fails in CI.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import type { TaskInput } from '../../../src/execution/types.ts'
import { CLANG, HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'

describe.skipIf(!HAVE_TOOLCHAIN)('a C program built with clang and wasi-libc', () => {
  const pool = createNodeWorkerPool({ slots: 1 })
  let dir: string
  let module: Uint8Array<ArrayBuffer>
  let hash: string
  const limits = { timeoutMs: 10_000, memoryLimitBytes: 16 << 20, fuel: 1e9 }
  const input = (stdin: string): TaskInput => ({
    args: ['first'],
    env: [['WHO', 'zerostate']],
    stdin: new TextEncoder().encode(stdin),
    files: [['input.txt', new TextEncoder().encode('hello from a file\n')], ['out/.keep', new Uint8Array()]],
    seed: new Uint8Array(32).fill(9)
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zerostate-c-'))
    const wasm = join(dir, 'stdio-files.wasm')
    execFileSync(CLANG!, ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-o', wasm, join(import.meta.dirname, '../../fixtures/c/stdio-files.c')])
    module = new Uint8Array(await readFile(wasm))
    hash = sha256Hex(module)
  })

  afterAll(async () => {
    pool.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('reads stdin, argv, its environment and files, writes a file, and cannot escape /work', async () => {
    const result = await pool.run(hash, module, input('a\nb\n'), limits)
    const stdout = new TextDecoder().decode(result.stdout)
    expect(result.status, new TextDecoder().decode(result.stderr)).toBe('ok')
    expect(stdout).toContain('argc=2 argv1=first')
    expect(stdout).toContain('lines=2 bytes=4')
    expect(stdout).toContain('WHO=zerostate')
    expect(stdout).toContain('input.txt=hello from a file')
    expect(stdout).toContain('/work/input.txt=hello from a file')
    expect(stdout).toContain('escape=refused')
    expect(result.files.map(([path, data]) => [path, new TextDecoder().decode(data)])).toEqual([['out/result.txt', 'lines 2\n']])
  })

  it('is deterministic: same input, same output and fuel; its time comes from the seed', async () => {
    const [first, second] = [await pool.run(hash, module, input('x\n'), limits), await pool.run(hash, module, input('x\n'), limits)]
    expect(new TextDecoder().decode(second.stdout)).toBe(new TextDecoder().decode(first.stdout))
    expect(second.fuelUsed).toBe(first.fuelUsed)
    const year = Number(/time=(\d+)/.exec(new TextDecoder().decode(first.stdout))?.[1]) / (365.25 * 86400) + 1970
    expect(Math.floor(year)).toBe(2020)
  })

  it('exits with its own exit code', async () => {
    const result = await pool.run(hash, module, input('1\n2\n3\n'), limits)
    expect(result).toMatchObject({ status: 'exit', exitCode: 3 })
  })
})
