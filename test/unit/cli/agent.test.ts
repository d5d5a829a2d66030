/**
 * `zerostate agent init | build | test` on real scaffolds: each language's
 * scaffold compiles (asc with the WASI shim; Debian's clang-14 and
 * wasi-libc) to a WASI command whose examples pass in the sandbox; a broken
 * example fails with exit 1 and says where stdout differs; a bad name or a
 * non-empty folder is refused (exit 2); a build that is not a WASI command,
 * a missing toolchain, a stale build and module bytes other than the build's
 * manifest names are refused with a clear error. One build per language.
 */
import { EventEmitter } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentCommand } from '../../../src/cli/agent.ts'
import { AgentBuildError, AgentToolchainError, buildAgent, checkAgentModule } from '../../../src/cli/agent-build.ts'
import { AgentProjectError, checkAgentJson, readBuiltAgent } from '../../../src/cli/agent-project.ts'
import { scaffoldAgentJson } from '../../../src/cli/agent-scaffold.ts'
import { judgeExample } from '../../../src/cli/agent-test.ts'
import type { MeshCliIo } from '../../../src/cli/mesh-session.ts'
import { wat } from '../../fixtures/wat-modules.ts'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'

interface Outcome { code: number, stdout: string, stderr: string }

/** Runs `zerostate agent …argv` with its output captured; publish is not used here, so connect is never called. */
async function agent (argv: string[], connect?: MeshCliIo['connect'], signals = new EventEmitter()): Promise<Outcome> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', chunk => { out += String(chunk) })
  stderr.on('data', chunk => { err += String(chunk) })
  const io: MeshCliIo = {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: {},
    signals,
    connect: connect ?? (async () => { throw new Error('agent init/build/test must not join the mesh') }),
    exit: code => { throw new Error(`exit ${code}`) },
    now: () => Date.now()
  }
  const code = await agentCommand(argv, io)
  return { code, stdout: out, stderr: err }
}

/** A file's modification time set `seconds` into the future, so it is newer than the build. */
async function touchLater (path: string, seconds = 5): Promise<void> {
  const later = new Date(Date.now() + seconds * 1000)
  await utimes(path, later, later)
}

let root: string
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'zerostate-agent-')) })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

describe('agent init', () => {
  it('refuses a name the manifest format refuses, and a folder that is not empty (exit 2)', async () => {
    for (const name of ['Word-Count', 'a.b', 'a_b', 'x'.repeat(65)]) {
      const outcome = await agent(['init', name, '--dir', join(root, 'bad')])
      expect(outcome.code).toBe(2)
      expect(outcome.stderr).toContain('is not an agent name')
    }
    await mkdir(join(root, 'full'))
    await writeFile(join(root, 'full', 'keep.txt'), 'mine')
    const outcome = await agent(['init', 'full', '--dir', join(root, 'full')])
    expect(outcome.code).toBe(2)
    expect(outcome.stderr).toContain('is not empty')
    expect(await readFile(join(root, 'full', 'keep.txt'), 'utf8')).toBe('mine')
  })

  it('refuses an unknown language (exit 2)', async () => {
    const outcome = await agent(['init', 'rusty', '--lang', 'rust', '--dir', join(root, 'rusty')])
    expect(outcome.code).toBe(2)
    expect(outcome.stderr).toContain('rust')
  })

  it('writes agent.json with the fields the developer edits and none the tools fill in', async () => {
    const outcome = await agent(['init', 'counter', '--dir', join(root, 'counter')])
    expect(outcome.code).toBe(0)
    const json = JSON.parse(await readFile(join(root, 'counter', 'agent.json'), 'utf8')) as Record<string, unknown>
    expect(json).toMatchObject({ name: 'counter', version: '0.1.0', licence: 'MIT' })
    for (const filled of ['kind', 'author', 'publicKey', 'modules', 'publishedAt', 'signature']) expect(json).not.toHaveProperty(filled)
    expect(JSON.parse(await readFile(join(root, 'counter', 'build.json'), 'utf8'))).toEqual({ language: 'assemblyscript', entry: 'assembly/index.ts', ascFlags: ['-O3'] })
    expect(await readFile(join(root, 'counter', 'README.md'), 'utf8')).toContain('zerostate agent test')
  })
})

describe('agent.json checks', () => {
  const fields = scaffoldAgentJson('checked', 'c')

  it('refuses the members the tools fill in, naming who fills them', () => {
    expect(() => checkAgentJson({ ...fields, author: '12D3KooW' })).toThrow(/"author" is filled in by `agent publish`/)
    expect(() => checkAgentJson({ ...fields, modules: [] })).toThrow(/"modules" is filled in by `agent build`/)
  })

  it('names the first field the manifest format refuses', () => {
    expect(() => checkAgentJson({ ...fields, skills: [{ ...fields.skills[0], id: 'Bad Id' }] })).toThrow(/agent\.json: skills\[0\]\.id/)
    expect(() => checkAgentJson({ ...fields, version: '1.0' })).toThrow(/agent\.json: version/)
    expect(() => checkAgentJson({ ...fields, licence: 'MIT  OR Apache-2.0' })).toThrow(/agent\.json: licence/)
    expect(() => checkAgentJson({ ...fields, extra: 1 })).toThrow(AgentProjectError)
  })
})

describe('agent build refuses what the sandbox would', () => {
  it('a module that is not a WASI command (no _start)', async () => {
    const reactor = wat('(module (memory (export "memory") 1) (func (export "_initialize")))')
    await expect(checkAgentModule(reactor, 50 << 20, 'build/x.wasm')).rejects.toThrow(/build\/x\.wasm is not a WASI preview1 command the sandbox runs: NotWasiCommandError/)
    const imports = wat('(module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))')
    await expect(checkAgentModule(imports, 50 << 20, 'build/x.wasm')).rejects.toThrow(/UnsupportedImportError/)
    await expect(checkAgentModule(new TextEncoder().encode('not wasm'), 50 << 20, 'build/x.wasm')).rejects.toThrow(AgentBuildError)
  })

  it('a missing toolchain, naming the Debian package', async () => {
    const dir = join(root, 'no-toolchain')
    expect((await agent(['init', 'no-toolchain', '--lang', 'c', '--dir', dir])).code).toBe(0)
    await expect(buildAgent(dir, { toolchain: { clang: 'clang-14', files: [['/nonexistent/wasm32-wasi/libc.a', 'wasi-libc']] } }))
      .rejects.toThrow(new AgentToolchainError('a C agent needs Debian\'s clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32; missing: wasi-libc (sudo apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)'))
    await expect(buildAgent(dir, { toolchain: { clang: 'clang-14-not-installed', files: [] } })).rejects.toThrow(/missing: clang-14 \(sudo apt-get install/)
  })
})

describe('agent build and test, AssemblyScript', () => {
  const dir = (): string => join(root, 'wc-as')

  beforeAll(async () => {
    expect((await agent(['init', 'wc-as', '--lang', 'assemblyscript', '--dir', dir()])).code).toBe(0)
  })

  it('test before build says to build', async () => {
    const outcome = await agent(['test', '--dir', dir()])
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toContain('run `zerostate agent build` first')
  })

  it('builds a WASI command and lists it by SHA-256 in build/manifest.unsigned.json', async () => {
    const outcome = await agent(['build', '--dir', dir(), '--json'])
    expect(outcome.stderr).toBe('')
    expect(outcome.code).toBe(0)
    const { module } = JSON.parse(outcome.stdout) as { module: { name: string, sha256: string, size: number, entry: true } }
    const bytes = await readFile(join(dir(), 'build', 'wc-as.wasm'))
    expect(module).toEqual({ name: 'wc-as.wasm', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: bytes.byteLength, entry: true })
    const manifest = JSON.parse(await readFile(join(dir(), 'build', 'manifest.unsigned.json'), 'utf8')) as Record<string, unknown>
    expect(manifest.modules).toEqual([module])
    expect(manifest).toMatchObject({ name: 'wc-as', version: '0.1.0', kind: 'zerostate/agent-manifest/1' })
    for (const filled of ['author', 'publicKey', 'publishedAt', 'signature']) expect(manifest).not.toHaveProperty(filled)
  }, 60_000)

  it('passes every example of the scaffold in the sandbox', async () => {
    const outcome = await agent(['test', '--dir', dir()])
    expect(outcome.stderr).toBe('')
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toContain('3 passed, 0 failed')
    for (const name of ['two lines', 'empty input', 'utf-8 counts bytes']) expect(outcome.stdout).toMatch(new RegExp(`${name}\\s*│ pass`))
    const json = JSON.parse((await agent(['test', '--dir', dir(), '--json'])).stdout) as { passed: number, examples: Array<{ stdout: string, fuelUsed: number }> }
    expect(json.passed).toBe(3)
    expect(json.examples[0]!.stdout).toBe('{"lines":2,"words":6,"bytes":31}\n')
    expect(json.examples[0]!.fuelUsed).toBeGreaterThan(0)
  })

  it('fails a broken example with exit 1 and shows where stdout differs', async () => {
    const path = join(dir(), 'agent.json')
    const original = await readFile(path, 'utf8')
    try {
      const json = JSON.parse(original) as { examples: Array<Record<string, unknown>> }
      json.examples[0] = { ...json.examples[0], expectedStdout: { text: '{"lines":2,"words":7,"bytes":31}\n' } }
      await writeFile(path, JSON.stringify(json))
      const outcome = await agent(['test', '--dir', dir()])
      expect(outcome.code).toBe(1)
      expect(outcome.stdout).toContain('2 passed, 1 failed')
      expect(outcome.stdout).toMatch(/two lines\s*│ FAIL/)
      expect(outcome.stdout).toContain('✗ two lines: stdout differs from expectedStdout at byte 19 (line 1, column 20); expected 33 bytes, got 33')
      expect(outcome.stdout).toContain('expected: "{\\"lines\\":2,\\"words\\":7,\\"bytes\\":31}\\n"')
      expect(outcome.stdout).toContain('actual:   "{\\"lines\\":2,\\"words\\":6,\\"bytes\\":31}\\n"')
    } finally {
      await writeFile(path, original)
    }
  })

  it('refuses a stale build and module bytes other than the build\'s manifest names', async () => {
    const wasm = join(dir(), 'build', 'wc-as.wasm')
    const original = await readFile(wasm)
    try {
      const altered = Uint8Array.from(original)
      altered[altered.length - 1]! ^= 1
      await writeFile(wasm, altered)
      await expect(readBuiltAgent(dir())).rejects.toThrow(/build\/wc-as\.wasm has SHA-256 [0-9a-f]{64}, build\/manifest\.unsigned\.json says [0-9a-f]{64}: .*run `zerostate agent build` again/)
      const outcome = await agent(['publish', '--dir', dir()])
      expect(outcome.code).toBe(1)
      expect(outcome.stderr).toContain('ManifestModuleMismatchError: build/wc-as.wasm has SHA-256')
      await writeFile(wasm, original.subarray(1))
      await expect(readBuiltAgent(dir())).rejects.toThrow(/is \d+ bytes, build\/manifest\.unsigned\.json says \d+/)
    } finally {
      await writeFile(wasm, original)
    }
    await touchLater(join(dir(), 'assembly', 'index.ts'))
    const outcome = await agent(['test', '--dir', dir()])
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toContain('assembly/index.ts changed after the last build')
  })
})

describe.skipIf(!HAVE_TOOLCHAIN)('agent build and test, C (clang-14, wasi-libc)', () => {
  const dir = (): string => join(root, 'wc-c')

  beforeAll(async () => {
    expect((await agent(['init', 'wc-c', '--lang', 'c', '--dir', dir()])).code).toBe(0)
  })

  it('builds the scaffold and passes its examples', async () => {
    const built = await agent(['build', '--dir', dir()])
    expect(built.stderr).toBe('')
    expect(built.code).toBe(0)
    expect(built.stdout).toMatch(/^built wc-c@0\.1\.0: .*wc-c\.wasm \(\d+ bytes, sha256 [0-9a-f]{64}\)/)
    const tested = await agent(['test', '--dir', dir()])
    expect(tested.code).toBe(0)
    expect(tested.stdout).toContain('3 passed, 0 failed')
  }, 60_000)

  it('refuses a build that compiles to a WASI reactor rather than a command, and keeps the last good build', async () => {
    const good = await readFile(join(dir(), 'build', 'wc-c.wasm'))
    const config = join(dir(), 'build.json')
    await writeFile(config, JSON.stringify({ language: 'c', sources: ['src/main.c'], cflags: ['-mexec-model=reactor'] }))
    const outcome = await agent(['build', '--dir', dir()])
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toContain('AgentBuildError: build/wc-c.wasm is not a WASI preview1 command the sandbox runs: NotWasiCommandError')
    expect(await readFile(join(dir(), 'build', 'wc-c.wasm'))).toEqual(good)
  }, 60_000)

  it('reports a compile error with clang\'s message', async () => {
    await writeFile(join(dir(), 'build.json'), JSON.stringify({ language: 'c', sources: ['src/main.c'], cflags: [] }))
    await writeFile(join(dir(), 'src', 'main.c'), 'int main(void) { return missing; }\n')
    const outcome = await agent(['build', '--dir', dir()])
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toMatch(/AgentBuildError: clang-14 failed:\n.*use of undeclared identifier 'missing'/s)
  }, 60_000)
})

describe('judging an example', () => {
  const example = { name: 'e', stdin: { text: '' }, expectedStdout: { text: 'abc\ndef\n' } }
  const run = (stdout: string, status: 'ok' | 'exit' | 'trap' = 'ok', exitCode = 0, stderr = '') => ({
    status, exitCode, stdout: new TextEncoder().encode(stdout), stderr: new TextEncoder().encode(stderr), ...(status === 'trap' ? { error: { name: 'TaskTrapError', message: 'unreachable' } } : {})
  })

  it('passes the same bytes and an example without expectedStdout that exits 0', () => {
    expect(judgeExample(example, run('abc\ndef\n'))).toBeUndefined()
    expect(judgeExample({ name: 'e', stdin: { text: '' } }, run('anything'))).toBeUndefined()
  })

  it('locates the first difference by byte, line and column; a shorter stdout differs where it ends', () => {
    expect(judgeExample(example, run('abc\ndXf\n'))).toMatch(/^stdout differs from expectedStdout at byte 5 \(line 2, column 2\); expected 8 bytes, got 8/)
    expect(judgeExample(example, run('abc\n'))).toMatch(/at byte 4 \(line 2, column 1\); expected 8 bytes, got 4/)
  })

  it('fails a run that did not exit 0, with its stderr', () => {
    expect(judgeExample(example, run('abc\ndef\n', 'exit', 2, 'bad input\n'))).toBe('exited with code 2; stderr:\n    bad input')
    expect(judgeExample(example, run('', 'trap'))).toBe('ended with status trap (TaskTrapError: unreachable)')
  })
})
