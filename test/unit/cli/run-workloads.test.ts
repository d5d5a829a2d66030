/**
 * Every real workload runs from a terminal: `zerostate run` with the sample's
 * example input (stdin from a file, its /work files in --dir), giving exactly
 * what the sandbox gives in-process, output files written back into the folder.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import { workloadExamples } from '../../support/workload-examples.ts'

const CLI = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'zerostate.ts')
const examples = await workloadExamples()

async function cli (args: string[]): Promise<{ code: number | null, stdout: Buffer, stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout.push(chunk) })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => { resolve({ code, stdout: Buffer.concat(stdout), stderr }) })
  })
}

describe('zerostate run: every workload from a terminal', () => {
  let dir: string
  const pool = createNodeWorkerPool({ slots: 1 })

  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'zerostate-run-workloads-')) })
  afterAll(async () => {
    pool.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it.each(examples.map(e => [e.id, e] as const))('%s: its example gives what the sandbox gives, files written back', async (id, example) => {
    const work = join(dir, id)
    await mkdir(work, { recursive: true })
    for (const [name, bytes] of example.files) await writeFile(join(work, name), bytes)
    const stdinPath = join(dir, `${id}.stdin`)
    await writeFile(stdinPath, example.stdin)
    const modulePath = join(dir, `${id}.wasm`)
    await writeFile(modulePath, example.module)
    const outcome = await cli([modulePath, '--stdin', stdinPath, '--dir', work, '--', ...example.args])
    const want = await pool.run(sha256Hex(example.module), new Uint8Array(example.module), {
      args: example.args, env: [], stdin: new Uint8Array(example.stdin), files: example.files.map(([n, f]) => [n, new Uint8Array(f)]), seed: new Uint8Array(32)
    }, { timeoutMs: 120_000, memoryLimitBytes: 50 << 20, fuel: 5e10 })
    expect(outcome.stderr).toBe(new TextDecoder().decode(want.stderr))
    // The exit status is the task's: json-validate's example has violations, reported with status 1.
    expect(outcome.code).toBe(want.exitCode)
    expect(outcome.code).toBe(id === 'json-validate' ? 1 : 0)
    expect(outcome.stdout.equals(Buffer.from(want.stdout))).toBe(true)
    for (const [name, bytes] of want.files) {
      expect((await readFile(join(work, name))).equals(Buffer.from(bytes)), name).toBe(true)
    }
  }, 120_000)
})
