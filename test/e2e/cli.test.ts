/**
 * The mesh commands of the CLI driven as a user drives them: `zerostate
 * submit`, `job`, `workflow`, `peers` and `ledger` spawned against the
 * harness's relay and app server, with two Chromium tabs contributing —
 * stdin piped in, `--json` parsed, a receipt saved and checked by
 * `zerostate receipt verify`, a job's results in input order, a job and a
 * workflow interrupted by SIGINT (exit 130), and the workflow resumed with
 * `workflow resume` without running a finished step again (its log says so).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunEvent } from '../../src/orchestration/workflow/scheduler/index.ts'
import { startHarness } from './harness.ts'
import type { Harness, Peer } from './harness.ts'
import { corpusLines, langDetectHere } from '../support/lang-detect-corpus.ts'

const ROOT = join(import.meta.dirname, '..', '..')

/** A spawned `zerostate …`: what it wrote so far, and its exit. */
interface Cli {
  child: ChildProcessWithoutNullStreams
  stdout(): string
  stderr(): string
  exited: Promise<number | null>
  /** Resolves once stdout has a line `match` accepts (rejects if the process ends first or after `timeoutMs`). */
  line(match: (line: string) => boolean, timeoutMs?: number): Promise<string>
}

function cli (args: string[], stdin?: string): Cli {
  const child = spawn(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', join(ROOT, 'src/cli/zerostate.ts'), ...args], { cwd: ROOT, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => { stdout += String(chunk) })
  child.stderr.on('data', chunk => { stderr += String(chunk) })
  // stdin is a pipe, not a terminal: what is given, or nothing (closed), as `cmd < /dev/null`.
  child.stdin.end(stdin)
  const exited = new Promise<number | null>(resolve => { child.once('exit', code => { resolve(code) }) })
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async line (match, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = stdout.split('\n').find(match)
        if (found !== undefined) return found
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no such line (exit ${child.exitCode}); stdout: ${stdout.slice(-2000)}; stderr: ${stderr.slice(-2000)}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    }
  }
}

/** Runs `zerostate …` to its end (SIGKILL after `timeoutMs`). */
async function run (args: string[], stdin?: string, timeoutMs = 180_000): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const spawned = cli(args, stdin)
  const timer = setTimeout(() => { spawned.child.kill('SIGKILL') }, timeoutMs)
  const code = await spawned.exited
  clearTimeout(timer)
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() }
}

const jsonLines = (text: string): Array<Record<string, unknown>> => text.trimEnd().split('\n').filter(line => line !== '').map(line => JSON.parse(line) as Record<string, unknown>)

describe('the zerostate CLI on a mesh of two contributing tabs', () => {
  let harness: Harness
  let tabs: Peer[]
  let work: string
  let mesh: string[]

  beforeAll(async () => {
    harness = await startHarness()
    tabs = [await harness.openPeer(), await harness.openPeer()]
    for (const tab of tabs) {
      await tab.page.evaluate(async () => { await window.zerostate.contribute(true, 1, { witnessRates: { established: 0, newcomer: 0 } }) })
    }
    work = await mkdtemp(join(tmpdir(), 'zerostate-cli-'))
    // One state directory for the CLI's peer: each command holds it while it runs, one after the other.
    mesh = ['--server', harness.mesh.url, '--dir', join(work, 'peer')]
  }, 180_000)

  afterAll(async () => {
    await harness?.close()
    if (work !== undefined) await rm(work, { recursive: true, force: true })
  })

  it('submits a task with stdin piped in, prints --json, and saves a receipt that `receipt verify` accepts', async () => {
    const receipt = join(work, 'receipt.json')
    const submitted = await run(['submit', ...mesh, '--json', '--receipt', receipt, 'echo'], 'hello from the CLI')
    expect(submitted.code, submitted.stderr).toBe(0)
    const result = JSON.parse(submitted.stdout) as { stdout: string, exitCode: number, executor: string, receiptHash: string, receipt: { executor: string } }
    expect(result).toMatchObject({ stdout: 'hello from the CLI', exitCode: 0 })
    expect(tabs.map(tab => tab.peerId)).toContain(result.executor)
    expect(result.receipt.executor).toBe(result.executor)
    const verified = await run(['receipt', 'verify', receipt, '--json'])
    expect(verified.code, verified.stderr).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, receiptHash: result.receiptHash })
    // Without --json: the task's bytes as they are.
    const plain = await run(['submit', ...mesh, 'echo'], 'bytes as they are\n')
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout).toBe('bytes as they are\n')
  }, 240_000)

  it('runs a job over a 200-line file: one JSON line per input, in input order, each the right answer', async () => {
    const lines = await corpusLines(200)
    const file = join(work, 'lines.txt')
    await writeFile(file, lines.join('\n') + '\n')
    const job = await run(['job', 'lang-detect', ...mesh, '--inputs', file, '--slice', '20', '--args=--lines', '--wait-executors', '2', '--json'])
    expect(job.code, job.stderr).toBe(0)
    const results = jsonLines(job.stdout) as Array<{ index: number, output: string, executor: string, taskId: string }>
    expect(results.map(r => r.index)).toEqual(lines.map((_, i) => i))
    expect(results.map(r => r.output)).toEqual(await langDetectHere(lines))
    for (const r of results) expect(tabs.map(tab => tab.peerId)).toContain(r.executor)
  }, 300_000)

  it('cancels a job on SIGINT (exit 130), and the next job on the same directory runs', async () => {
    // Far more inputs than the two tabs run in the time one slow task takes: results come out in input order, so one
    // early task held up a few seconds (in session 17 a run of 400 inputs had all its results out when index 2 was)
    // releases all those done behind it at once, and the Ctrl-C must still find the job running.
    const lines = await corpusLines(3000)
    const file = join(work, 'many.txt')
    await writeFile(file, lines.join('\n') + '\n')
    const job = cli(['job', 'lang-detect', ...mesh, '--inputs', file, '--slice', '1', '--args=--lines', '--json'])
    await job.line(line => line.startsWith('{"index":2,'))
    job.child.kill('SIGINT')
    expect(await job.exited, job.stderr()).toBe(130)
    const partial = jsonLines(job.stdout())
    expect(partial.length, job.stderr()).toBeLessThan(lines.length)
    expect(partial.map(r => r.index)).toEqual(partial.map((_, i) => i))

    const again = await run(['job', 'lang-detect', ...mesh, '--inputs', join(work, 'lines.txt'), '--slice', '50', '--args=--lines', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(jsonLines(again.stdout)).toHaveLength(200)
  }, 300_000)

  it('runs a workflow template with --json: its outputs, the archive saved, a signed record that verifies', async () => {
    const out = join(work, 'outputs')
    const record = join(work, 'record.json')
    const receipts = join(work, 'receipts.json')
    const flow = await run(['workflow', 'run', '--template', 'detect-and-archive', ...mesh, '--json', '--out', out, '--record', record, '--receipts', receipts, '--task-timeout', '30000'])
    expect(flow.code, flow.stderr).toBe(0)
    const result = jsonLines(flow.stdout).at(-1) as { event: string, state: string, outputs: { stats: string, archive: Array<{ kind: string, bytes: number, path: string }> }, steps: Array<{ step: string, state: string }> }
    expect(result).toMatchObject({ event: 'result', state: 'completed' })
    expect(result.outputs.stats).toMatch(/lines: 5/)
    expect(result.outputs.archive[0]).toMatchObject({ kind: 'blob', path: join(out, 'archive') })
    expect((await stat(join(out, 'archive'))).size).toBe(result.outputs.archive[0]!.bytes)
    expect(result.steps.find(step => step.step === 'detect')).toMatchObject({ state: 'completed' })
    const verified = await run(['receipt', 'verify', record, receipts])
    expect(verified.code, verified.stderr).toBe(0)
  }, 240_000)

  it('leaves a workflow resumable on SIGINT; `workflow resume` completes it without running a finished step again', async () => {
    const file = join(work, 'workflow-lines.txt')
    await writeFile(file, (await corpusLines(80)).join('\n') + '\n')
    const flow = cli(['workflow', 'run', '--template', 'detect-and-archive', '--input', `text=@${file}`, ...mesh, '--watch', '--json', '--task-timeout', '30000'])
    const started = JSON.parse(await flow.line(line => line.includes('"event":"started"'))) as { runId: string }
    // Mid-way: some of the fan-out's items done, not all.
    await flow.line(line => /"step":"detect".*"progress":"[1-9]\d*\/80"/.test(line))
    flow.child.kill('SIGINT')
    expect(await flow.exited, flow.stderr()).toBe(130)
    const interrupted = jsonLines(flow.stdout()).at(-1)
    expect(interrupted).toMatchObject({ event: 'interrupted', runId: started.runId, state: 'working' })

    const before = await run(['workflow', 'log', started.runId, '--dir', join(work, 'peer'), '--json'])
    expect(before.code, before.stderr).toBe(0)
    const logBefore = JSON.parse(before.stdout) as RunEvent[]
    const finished = new Set(logBefore.flatMap(event => event.type === 'succeeded' ? [`${event.step}#${event.item ?? ''}`] : []))
    expect(finished.size).toBeGreaterThan(0)

    const resumed = await run(['workflow', 'resume', started.runId, ...mesh, '--json', '--task-timeout', '30000'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({ event: 'result', runId: started.runId, state: 'completed' })

    const after = JSON.parse((await run(['workflow', 'log', started.runId, '--dir', join(work, 'peer'), '--json'])).stdout) as RunEvent[]
    expect(after.slice(0, logBefore.length)).toEqual(logBefore)
    const rerun = after.slice(logBefore.length).filter(event => event.type !== 'canceled' && ['scheduled', 'retried', 'started', 'succeeded'].includes(event.type) && finished.has(`${event.step}#${event.item ?? ''}`))
    expect(rerun).toEqual([])
    expect(after.filter(event => event.type === 'succeeded' && event.step === 'detect')).toHaveLength(80)

    const list = await run(['workflow', 'list', '--dir', join(work, 'peer'), '--json'])
    expect((JSON.parse(list.stdout) as Array<{ runId: string, state: string }>).find(r => r.runId === started.runId)).toMatchObject({ state: 'completed' })
  }, 360_000)

  it('lists peers and the ledger as JSON', async () => {
    const peers = await run(['peers', ...mesh, '--wait-executors', '2', '--json'])
    expect(peers.code, peers.stderr).toBe(0)
    const view = JSON.parse(peers.stdout) as { peerId: string, peers: Array<{ peerId: string, contributing: boolean }> }
    for (const tab of tabs) expect(view.peers.find(peer => peer.peerId === tab.peerId)).toMatchObject({ contributing: true })
    const ledger = await run(['ledger', ...mesh, '--json'])
    expect(ledger.code, ledger.stderr).toBe(0)
    expect(JSON.parse(ledger.stdout)).toMatchObject({ peerId: view.peerId, payments: { count: expect.any(Number) } })
  }, 120_000)
})
