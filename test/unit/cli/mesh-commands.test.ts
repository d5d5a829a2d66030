/**
 * The mesh commands (`submit`, `job`, `workflow`, `peers`, `ledger`) driven
 * through their parser with a fake Mesh in place of `connect()`: what each
 * option becomes in the SDK request, what is written on stdout and stderr,
 * and the exit codes — the task's own for submit, 1 for a mesh failure (a
 * locked directory with the hint to use another --dir), 2 for bad
 * arguments, 130 on SIGINT (a job canceled, a workflow stopped and left
 * resumable, not canceled).
 */
import { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { meshCommand } from '../../../src/cli/mesh-commands.ts'
import type { MeshCliIo } from '../../../src/cli/mesh-session.ts'
import { taskExitStatus } from '../../../src/cli/submit.ts'
import { workflowInputsOf } from '../../../src/cli/workflow.ts'
import { JobCanceledError, JobEvent } from '../../../src/orchestration/jobs/index.ts'
import type { JobItemResult } from '../../../src/orchestration/jobs/index.ts'
import { RemoteTaskError } from '../../../src/orchestration/task-protocol/index.ts'
import { WorkflowRunnerEvent } from '../../../src/orchestration/workflow/runner/index.ts'
import { parseWorkflowSpec } from '../../../src/orchestration/workflow/spec/index.ts'
import type { ConnectOptions, Mesh } from '../../../src/peer/connect.node.ts'
import type { JobRequest, SubmitRequest } from '../../../src/peer/types.ts'

const RECEIPT = { version: 1, taskId: 't-1', status: 'ok', exitCode: 0, executor: 'EXEC', submitter: 'ME', price: { charge: 0 } }

/** What a run of the command wrote and gave the mesh. */
interface Run {
  code: number
  stdout: string
  stderr: string
  connected: ConnectOptions[]
}

/** Runs `argv` with `mesh` as what connect() gives; `during` gets the signals while the command runs. */
async function run (argv: string[], mesh: Partial<Mesh> | Error, options: { stdin?: string, during?: (signals: EventEmitter) => void } = {}): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', chunk => { out += String(chunk) })
  stderr.on('data', chunk => { err += String(chunk) })
  const signals = new EventEmitter()
  const connected: ConnectOptions[] = []
  const io: MeshCliIo = {
    stdout,
    stderr,
    stdin: options.stdin === undefined ? Object.assign(Readable.from([]), { isTTY: true }) : Readable.from([Buffer.from(options.stdin)]),
    env: {},
    signals,
    connect: async connectOptions => {
      connected.push(connectOptions)
      if (mesh instanceof Error) throw mesh
      return { peerId: 'ME', waitForExecutors: async () => ['EXEC'], close: async () => {}, ...mesh } as Mesh
    },
    exit: code => { throw new Error(`exit ${code}`) },
    now: () => Date.now()
  }
  options.during?.(signals)
  const code = await meshCommand(argv, io)
  return { code, stdout: out, stderr: err, connected }
}

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'zerostate-cli-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('zerostate submit', () => {
  it('pipes stdin to the task, writes its stdout and stderr as they are, and exits 0', async () => {
    let request: SubmitRequest | undefined
    const r = await run(['submit', '--server', 'http://s:1', '--dir', dir, '--env', 'A=1', 'echo', 'x', '--', '--lines'], {
      submit: async given => {
        request = given
        return { stdout: new TextEncoder().encode('out\n'), stderr: new TextEncoder().encode('err\n'), files: [], exitCode: 0, executor: 'EXEC', receipt: RECEIPT as never }
      }
    }, { stdin: 'piped' })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('out\n')
    expect(r.stderr).toMatch(/err\n/)
    expect(new TextDecoder().decode(request!.stdin as Uint8Array)).toBe('piped')
    expect(request).toMatchObject({ module: 'echo', args: ['x', '--lines'], env: [['A', '1']] })
    expect(r.connected[0]).toMatchObject({ server: 'http://s:1', dir })
  })

  it('prints JSON and writes the receipt with --json --receipt; exits with the task\'s exit code', async () => {
    const receiptFile = join(dir, 'receipt.json')
    const r = await run(['submit', '--json', '--receipt', receiptFile, 'echo'], {
      submit: async () => ({ stdout: new TextEncoder().encode('partial'), stderr: new Uint8Array(0), files: [], exitCode: 3, executor: 'EXEC', receipt: { ...RECEIPT, status: 'exit', exitCode: 3 } as never })
    })
    expect(r.code).toBe(3)
    expect(JSON.parse(r.stdout)).toMatchObject({ stdout: 'partial', exitCode: 3, executor: 'EXEC', receipt: { taskId: 't-1' }, receiptHash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(JSON.parse(await readFile(receiptFile, 'utf8'))).toMatchObject({ taskId: 't-1', status: 'exit' })
  })

  it('exits as `zerostate run` does for a task that failed with a receipt (124 a timeout), 1 for a mesh failure', async () => {
    expect(taskExitStatus({ status: 'timeout', exitCode: null })).toBe(124)
    expect(taskExitStatus({ status: 'exit', exitCode: 300 })).toBe(1)
    const timedOut = await run(['submit', 'forever'], { submit: async () => { throw new RemoteTaskError('TaskTimeoutError', 'over 100 ms', { ...RECEIPT, status: 'timeout', exitCode: null } as never) } })
    expect(timedOut.code).toBe(124)
    expect(timedOut.stderr).toMatch(/^TaskTimeoutError: over 100 ms$/m)
    const lost = await run(['submit', 'echo'], { submit: async () => { throw Object.assign(new Error('gone'), { name: 'ExecutorLostError' }) } })
    expect(lost.code).toBe(1)
    expect(lost.stderr).toMatch(/^ExecutorLostError: gone$/m)
  })

  it('refuses a locked directory with exit 1, naming StoreLockedError and telling to use another --dir', async () => {
    const r = await run(['submit', 'echo'], Object.assign(new Error(`${dir} is in use by process 7`), { name: 'StoreLockedError' }))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^StoreLockedError: .* in use by process 7\. .*another --dir/m)
  })

  it('exits 2 for bad arguments, before connecting', async () => {
    for (const argv of [['submit', '--env', 'novalue', 'echo'], ['submit', '--redundancy', '9', 'echo'], ['submit', 'echo', '--bogus'], ['submit'], ['submit', '--timeout', 'soon', 'echo'], ['submit', '--stdin', join(dir, 'missing'), 'echo']]) {
      const r = await run(argv, { submit: async () => { throw new Error('must not run') } })
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.connected, argv.join(' ')).toEqual([])
    }
    expect((await run(['submit', '--help'], {})).code).toBe(0)
  })

  it('gives up with TimeoutError (exit 1) after --timeout', async () => {
    const r = await run(['submit', '--timeout', '50', 'echo'], {
      submit: async (_request, call) => await new Promise((_resolve, reject) => { call?.signal?.addEventListener('abort', () => { reject(call.signal!.reason) }) })
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^TimeoutError: --timeout 50 ms passed$/m)
  })

  it('exits 130 on SIGINT, the task abandoned through its signal', async () => {
    let aborted = false
    const r = await run(['submit', 'forever'], {
      submit: async (_request, call) => await new Promise((_resolve, reject) => {
        call?.signal?.addEventListener('abort', () => { aborted = true; reject(call.signal!.reason) })
      })
    }, { during: signals => { setTimeout(() => { signals.emit('SIGINT') }, 20) } })
    expect(r.code).toBe(130)
    expect(aborted).toBe(true)
  })
})

/** A JobRunner's surface: released results in order, `cancel()` rejecting `results()`. */
function fakeJob (results: JobItemResult[], options: { hang?: boolean } = {}): { runner: EventTarget & { results(): Promise<JobItemResult[]>, cancel(): void }, canceled: () => boolean } {
  let canceled = false
  let cancel: (err: Error) => void = () => {}
  const runner = Object.assign(new EventTarget(), {
    results: async () => await new Promise<JobItemResult[]>((resolve, reject) => {
      cancel = reject
      setTimeout(() => {
        for (const result of results) runner.dispatchEvent(new JobEvent('result', result))
        if (options.hang !== true) resolve(results)
      }, 5)
    }),
    cancel: () => { canceled = true; cancel(new JobCanceledError('canceled')) }
  })
  return { runner, canceled: () => canceled }
}

describe('zerostate job', () => {
  it('takes a file\'s lines and writes every result in input order, as JSON Lines with --json', async () => {
    const inputs = join(dir, 'lines.txt')
    await writeFile(inputs, 'one\r\ntwo\n\nthree\n')
    let request: JobRequest | undefined
    const results = [0, 1, 2].map(index => ({ index, output: `out ${index}`, exitCode: 0, executor: 'EXEC', taskId: `job-x-${index}-1` }))
    const r = await run(['job', 'lang-detect', '--inputs', inputs, '--slice', '2', '--args=--lines --top 1', '--json'], {
      job: async given => {
        request = given
        return fakeJob(results).runner as never
      }
    })
    expect(r.code).toBe(0)
    expect(request).toMatchObject({ module: 'lang-detect', inputs: ['one', 'two', 'three'], sliceSize: 2, args: ['--lines', '--top', '1'] })
    expect(r.stdout.trimEnd().split('\n').map(line => JSON.parse(line) as unknown)).toEqual(results)
  })

  it('exits 1 when an input has no result, and writes one file per input with --out', async () => {
    const inputs = join(dir, 'two.txt')
    const out = join(dir, 'out')
    await writeFile(inputs, 'a\nb\n')
    const { runner } = fakeJob([{ index: 0, output: 'A', exitCode: 0 }, { index: 1, error: 'quarantined: failed everywhere' }])
    const r = await run(['job', 'echo', '--inputs', inputs, '--out', out], { job: async () => runner as never })
    expect(r.code).toBe(1)
    expect(await readFile(join(out, '0'), 'utf8')).toBe('A')
    expect(await readFile(join(out, '1.error'), 'utf8')).toMatch(/quarantined/)
  })

  it('cancels the job on SIGINT and exits 130', async () => {
    const inputs = join(dir, 'many.txt')
    await writeFile(inputs, 'a\nb\nc\n')
    const job = fakeJob([{ index: 0, output: 'A' }], { hang: true })
    const r = await run(['job', 'echo', '--inputs', inputs, '--json'], {
      job: async (_request, call) => {
        call?.signal?.addEventListener('abort', () => { job.runner.cancel() })
        return job.runner as never
      }
    }, { during: signals => { setTimeout(() => { signals.emit('SIGINT') }, 30) } })
    expect(r.code).toBe(130)
    expect(job.canceled()).toBe(true)
    expect(JSON.parse(r.stdout)).toMatchObject({ index: 0, output: 'A' })
  })

  it('exits 2 without inputs', async () => {
    const empty = join(dir, 'empty.txt')
    await writeFile(empty, '\n\n')
    expect((await run(['job', 'echo', '--inputs', empty], {})).code).toBe(2)
    expect((await run(['job', 'echo'], {})).code).toBe(2)
  })
})

/** A WorkflowRunner's surface that never ends by itself. */
function fakeRunner (): EventTarget & { runId: string, stopped: boolean, canceled: boolean, status(): unknown, result(): Promise<never>, stop(): Promise<void>, cancel(): Promise<void> } {
  let fail: (err: Error) => void = () => {}
  const result = new Promise<never>((_resolve, reject) => { fail = reject })
  result.catch(() => {})
  const runner = Object.assign(new EventTarget(), {
    runId: 'wf-test',
    stopped: false,
    canceled: false,
    status: () => ({ runId: 'wf-test', state: 'working', steps: [{ name: 'a', state: 'working', phase: 'Running', attempts: 1 }], counts: { submitted: 0, working: 1, completed: 0, failed: 0, canceled: 0, skipped: 0 } }),
    result: async () => await result,
    stop: async () => { runner.stopped = true; fail(Object.assign(new Error('stopped'), { name: 'WorkflowRunnerStoppedError' })) },
    cancel: async () => { runner.canceled = true }
  })
  return runner
}

describe('zerostate workflow', () => {
  // eslint-disable-next-line no-template-curly-in-string -- a workflow template, not a JS one
  const SPEC = 'version: 1\nname: t\ninputs:\n  text: { type: text }\n  doc: { type: json }\n  photo: { type: bytes }\n  docs: { type: files }\ndag:\n  tasks:\n    - name: a\n      module: echo\n      stdin: "${{ inputs.text }}"\n'

  it('reads --input by the spec\'s types: text, json, a file\'s bytes, a directory\'s files', async () => {
    await writeFile(join(dir, 'p.bin'), new Uint8Array([1, 2, 3]))
    const docs = await mkdtemp(join(dir, 'docs-'))
    await writeFile(join(docs, 'x.json'), '{}')
    const inputs = await workflowInputsOf(parseWorkflowSpec(SPEC), ['text=hi', 'doc={"a":1}', `photo=@${join(dir, 'p.bin')}`, `docs=@${docs}/`])
    expect(inputs.text).toBe('hi')
    expect(inputs.doc).toEqual({ a: 1 })
    expect([...(inputs.photo as Uint8Array)]).toEqual([1, 2, 3])
    expect(Object.keys(inputs.docs as object)).toEqual(['x.json'])
    await expect(workflowInputsOf(parseWorkflowSpec(SPEC), ['doc={bad'])).rejects.toThrow(/--input doc=\{bad/)
  })

  it('stops the runner on SIGINT without canceling the run, says how to resume it, and exits 130', async () => {
    const spec = join(dir, 'spec.yaml')
    await writeFile(spec, SPEC)
    const runner = fakeRunner()
    const r = await run(['workflow', 'run', spec, '--input', 'text=hi', '--watch', '--json', '--dir', dir], {
      workflow: async (_text, _inputs, options) => {
        expect(options?.signal).toBeUndefined() // a signal would cancel the run
        setTimeout(() => { runner.dispatchEvent(new WorkflowRunnerEvent('status', runner.status())) }, 5)
        return runner as never
      },
      workflowLog: async () => []
    }, { during: signals => { setTimeout(() => { signals.emit('SIGINT') }, 40) } })
    expect(r.code).toBe(130)
    expect(runner.stopped).toBe(true)
    expect(runner.canceled).toBe(false)
    const lines = r.stdout.trimEnd().split('\n').map(line => JSON.parse(line) as { event: string })
    expect(lines[0]).toEqual({ event: 'started', runId: 'wf-test' })
    expect(lines.at(-1)).toMatchObject({ event: 'interrupted', runId: 'wf-test', resume: `zerostate workflow resume wf-test --dir ${dir}` })
    expect(lines.some(line => line.event === 'step')).toBe(true)
  })

  it('exits 2 for a spec with errors, an unknown template, or neither spec nor template', async () => {
    const bad = join(dir, 'bad.yaml')
    await writeFile(bad, 'version: 1\ndag: {tasks: [{name: a, module: echo, depends: b.Succeeded}]}')
    const badRun = await run(['workflow', 'run', bad], {})
    expect(badRun.code).toBe(2)
    expect(badRun.stderr).toMatch(/WorkflowSpecError/)
    expect((await run(['workflow', 'run', '--template', 'nope'], {})).code).toBe(2)
    expect((await run(['workflow', 'run'], {})).code).toBe(2)
  })
})

describe('zerostate peers and ledger', () => {
  it('print JSON that parses, without waiting for executors by default', async () => {
    let waited = false
    const mesh: Partial<Mesh> = {
      peers: () => [{ peerId: 'EXEC', transports: ['webrtc'], isRelay: false, contributing: true, slots: 1 }],
      cards: () => [],
      ledger: async () => ({ channels: [], payments: [], settlements: [], attestations: [], reports: [], reputation: [] }),
      waitForExecutors: async () => { waited = true; return [] }
    }
    const peers = await run(['peers', '--json'], mesh)
    expect(peers.code).toBe(0)
    expect(JSON.parse(peers.stdout)).toMatchObject({ peerId: 'ME', peers: [{ peerId: 'EXEC', contributing: true, reputation: 0.5 }] })
    const ledger = await run(['ledger', '--json'], mesh)
    expect(JSON.parse(ledger.stdout)).toMatchObject({ peerId: 'ME', channels: [], payments: { count: 0 } })
    expect(waited).toBe(false)
    const text = await run(['peers', '--wait-executors', '1'], mesh)
    expect(text.stdout).toMatch(/EXEC/)
    expect(waited).toBe(true)
  })
})
