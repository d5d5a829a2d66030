/**
 * The JobRunner over a fake TaskDispatch whose executors answer as told: it
 * hands each input one result in input order, retries a lost slice
 * elsewhere, pays only the results it keeps, quarantines a slice no
 * executor there can run, and cancels.
 */
import { describe, expect, it } from 'vitest'
import { JobCanceledError, JobRunner, type JobDispatch, type JobItemResult } from '../../../../src/orchestration/jobs/index.ts'
import { ExecutorLostError, RemoteTaskError, type TaskOutcome, type ValidOffer } from '../../../../src/orchestration/task-protocol/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'

const base: ValidOffer = {
  taskId: 'base',
  moduleHash: '00'.repeat(32),
  moduleSize: 8,
  stdin: new Uint8Array(),
  args: [],
  env: [],
  files: [],
  seed: new Uint8Array(32),
  timeoutMs: 1000,
  memoryLimitBytes: 1 << 20,
  fuel: 1000,
  maxTotalPrice: 10
}

/** An executor's behaviour for one task: answer (upper-casing each line), lose the task, hang until aborted, run it and trap (with a receipt), or answer wrongly (lower case). */
type Behaviour = 'answer' | 'lose' | 'hang' | 'trap' | 'wrong'

function fakeDispatch (executors: string[], behaviour: (executor: string, taskId: string) => Behaviour, slots = 1): JobDispatch & { sent: string[] } {
  const inFlight = new Map<string, number>()
  const sent: string[] = []
  return {
    sent,
    async chooseExecutors () { return executors.map(peerId => ({ peerId, reason: 'test' })) },
    inFlightLimit: () => slots,
    tasksFor: executor => ({ inFlight: inFlight.get(executor) ?? 0, waiting: 0 }),
    async runOnce (offer, _module, _requirements, request, options) {
      const executor = request.executor!
      sent.push(`${executor}:${offer.taskId}`)
      inFlight.set(executor, (inFlight.get(executor) ?? 0) + 1)
      try {
        await new Promise(resolve => setTimeout(resolve, 1))
        const what = behaviour(executor, offer.taskId)
        if (what === 'lose') throw new ExecutorLostError(`${executor} went away`)
        if (what === 'trap') throw new RemoteTaskError('TaskTrapError', 'unreachable executed', { taskId: offer.taskId, executor, price: { charge: 1 } } as unknown as Receipt)
        if (what === 'hang') {
          await new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }))
        }
        const stdin = new TextDecoder().decode(offer.stdin)
        const stdout = new TextEncoder().encode(what === 'wrong' ? stdin.toLowerCase() : stdin.toUpperCase())
        const receipt = { taskId: offer.taskId, executor, price: { charge: 1 } } as unknown as Receipt
        return { outcome: { stdout, stderr: new Uint8Array(), files: [], exitCode: 0, receipt } satisfies TaskOutcome, offer }
      } finally {
        inFlight.set(executor, (inFlight.get(executor) ?? 1) - 1)
      }
    },
    // The first `count` executors at once; the result most of them gave is kept, and they alone are paid.
    async runRedundant (offer, module, requirements, count, options) {
      const outcomes = await Promise.all(executors.slice(0, count).map(async (executor, i) =>
        (await this.runOnce({ ...offer, taskId: `${offer.taskId}-${i}` }, module, requirements, { executor }, options)).outcome))
      const text = (outcome: TaskOutcome): string => new TextDecoder().decode(outcome.stdout)
      const agreed = outcomes.filter(outcome => outcomes.filter(other => text(other) === text(outcome)).length > count / 2)
      if (agreed.length === 0) throw new Error('no majority')
      for (const outcome of agreed) options?.onPaid?.(outcome.receipt)
      return agreed[0]!
    }
  }
}

const inputs = Array.from({ length: 23 }, (_, i) => `line ${i}`)

function runner (dispatch: JobDispatch, paid: string[], sliceSize = 4, lostExecutorPauseMs = 0): JobRunner {
  return new JobRunner({ dispatch, settle: async (outcome) => { paid.push(outcome.receipt.taskId) }, lostExecutorPauseMs }, {
    jobId: 'job-test', base, module: new Uint8Array(8), requirements: {}, inputs, sliceSize
  })
}

const sliceOf = (taskId: string): string => taskId.split('-')[2]!

describe('JobRunner', () => {
  it('gives every input one result in input order, spread over the executors, each kept slice paid once', async () => {
    const paid: string[] = []
    const dispatch = fakeDispatch(['a', 'b', 'c'], () => 'answer')
    const job = runner(dispatch, paid)
    const streamed: JobItemResult[] = []
    job.addEventListener('result', event => { streamed.push((event as unknown as { detail: JobItemResult }).detail) })
    const results = await job.results()
    expect(results.map(r => r.output)).toEqual(inputs.map(line => line.toUpperCase()))
    expect(streamed.map(r => r.index)).toEqual(inputs.map((_, i) => i))
    expect(new Set(results.map(r => r.executor))).toEqual(new Set(['a', 'b', 'c']))
    expect(paid.map(sliceOf).sort()).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(job.status()).toMatchObject({ state: 'completed', total: 6, computed: 6, failed: 0 })
  })

  it('runs a slice lost with its executor again elsewhere, and pays only the result it keeps', async () => {
    const paid: string[] = []
    // b loses every task it gets: each of its slices is run again on a or c.
    const dispatch = fakeDispatch(['a', 'b', 'c'], executor => executor === 'b' ? 'lose' : 'answer')
    const job = runner(dispatch, paid)
    const results = await job.results()
    expect(results.map(r => r.output)).toEqual(inputs.map(line => line.toUpperCase()))
    expect(results.every(r => r.executor !== 'b')).toBe(true)
    expect(new Set(paid.map(sliceOf)).size).toBe(paid.length)
    expect(job.status().retries).toBeGreaterThan(0)
  })

  it('sends no more slices to an executor that lost one, for a while', async () => {
    const paid: string[] = []
    // b loses the first task it gets, and would answer the rest: with a pause of a minute it gets no other.
    let bLost = false
    const dispatch = fakeDispatch(['a', 'b'], executor => {
      if (executor !== 'b') return 'answer'
      if (bLost) return 'answer'
      bLost = true
      return 'lose'
    })
    const results = await runner(dispatch, paid, 4, 60_000).results()
    expect(results.every(r => r.executor === 'a')).toBe(true)
    expect(dispatch.sent.filter(sent => sent.startsWith('b:'))).toHaveLength(1)
  })

  it('quarantines a slice that failed on every executor there is, and the rest of the job goes on', async () => {
    const paid: string[] = []
    // Slice 1 (inputs 4–7) is lost by both executors; everything else works.
    const dispatch = fakeDispatch(['a', 'b'], (_executor, taskId) => sliceOf(taskId) === '1' ? 'lose' : 'answer')
    const results = await runner(dispatch, paid).results()
    expect(results.map(r => r.index)).toEqual(inputs.map((_, i) => i))
    expect(results.slice(4, 8).every(r => r.error?.startsWith('quarantined') === true)).toBe(true)
    expect(results.filter(r => r.error === undefined)).toHaveLength(inputs.length - 4)
    expect(paid.map(sliceOf)).not.toContain('1')
  }, 20_000)

  it('keeps a slice whose task ran and failed (a verified receipt) as its inputs\' error, and pays for it once', async () => {
    const paid: string[] = []
    const dispatch = fakeDispatch(['a', 'b'], (_executor, taskId) => sliceOf(taskId) === '2' ? 'trap' : 'answer')
    const job = runner(dispatch, paid)
    const results = await job.results()
    expect(results.slice(8, 12).map(r => r.error)).toEqual(Array.from({ length: 4 }, () => 'TaskTrapError: unreachable executed'))
    // Run once (every executor would agree), and paid: the executor did the work its receipt signs for.
    expect(dispatch.sent.filter(sent => sliceOf(sent.split(':')[1]!) === '2')).toHaveLength(1)
    expect(paid.map(sliceOf).sort()).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(job.status()).toMatchObject({ state: 'completed' })
  })

  it('never starts more than its budget covers, pauses when it is spent, and goes on when it is raised', async () => {
    const paid: string[] = []
    const dispatch = fakeDispatch(['a', 'b', 'c'], () => 'answer')
    let running = 0
    let mostRunning = 0
    const runOnce = dispatch.runOnce.bind(dispatch)
    dispatch.runOnce = async (...args) => {
      mostRunning = Math.max(mostRunning, ++running)
      try { return await runOnce(...args) } finally { running-- }
    }
    // Each task may cost up to 10 and charges 1: a budget of 13 covers one task at a time, while 13 − spent ≥ 10.
    const job = new JobRunner({ dispatch, settle: async (outcome) => { paid.push(outcome.receipt.taskId) }, lostExecutorPauseMs: 0 }, {
      jobId: 'job-test', base, module: new Uint8Array(8), requirements: {}, inputs, sliceSize: 4, maxTotalPrice: 13
    })
    const paused = await new Promise<{ state: string, pausedReason?: string, computed: number }>(resolve => {
      job.addEventListener('status', event => {
        const status = (event as unknown as { detail: { state: string, pausedReason?: string, computed: number } }).detail
        if (status.state === 'paused') resolve(status)
      })
    })
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'budget', computed: 4 })
    expect(mostRunning).toBe(1)
    job.raiseBudget(1000)
    const results = await job.results()
    expect(results.map(r => r.output)).toEqual(inputs.map(line => line.toUpperCase()))
    expect(paid).toHaveLength(6)
  })

  it('runs each slice on several executors with redundancy, keeps the majority\'s result, and counts what the majority charged', async () => {
    const settled: Array<{ taskId: string, paid: boolean }> = []
    // b answers wrongly every time: a and c outvote it on every slice.
    const dispatch = fakeDispatch(['a', 'b', 'c'], executor => executor === 'b' ? 'wrong' : 'answer')
    const job = new JobRunner({ dispatch, settle: async (outcome, _offer, _module, options) => { settled.push({ taskId: outcome.receipt.taskId, paid: options?.paid === true }) }, lostExecutorPauseMs: 0 }, {
      jobId: 'job-test', base, module: new Uint8Array(8), requirements: {}, inputs, sliceSize: 4, redundancy: 3
    })
    const results = await job.results()
    expect(results.map(r => r.output)).toEqual(inputs.map(line => line.toUpperCase()))
    expect(results.every(r => r.executor === 'a' || r.executor === 'c')).toBe(true)
    // Each slice's kept result is recorded once, as already paid; the two agreeing receipts were paid 1 each.
    expect(settled).toHaveLength(6)
    expect(settled.every(s => s.paid)).toBe(true)
    expect(job.status().spent).toBe(12)
  })

  it('neither checks nor pays an answer that comes after its slice was given up on (a check pays what it checks)', async () => {
    const executors = ['a', 'b']
    let answer = (): void => {}
    const held = new Promise<void>(resolve => { answer = resolve })
    const dispatch = fakeDispatch(executors, () => 'answer')
    const runOnce = dispatch.runOnce.bind(dispatch)
    // a answers only when told, after it has left and its slice ran elsewhere.
    let toA = 0
    dispatch.runOnce = async (offer, module, requirements, request, options) => {
      if (request.executor === 'a') {
        toA++
        await held
      }
      return runOnce(offer, module, requirements, request, options)
    }
    const checked: string[] = []
    const settled: string[] = []
    const verifier = {
      verify: async (outcome: TaskOutcome) => {
        checked.push(outcome.receipt.taskId)
        return { outcome, decision: { check: true, holdPayment: true, probability: 1, reason: 'newcomer' as const }, checker: 'self', settled: true, payments: Promise.resolve() }
      }
    }
    const job = new JobRunner({ dispatch, verifier, settle: async outcome => { settled.push(outcome.receipt.taskId) }, lostExecutorPauseMs: 0 }, {
      jobId: 'job-test', base, module: new Uint8Array(8), requirements: {}, inputs: ['only'], sliceSize: 1
    })
    await expect.poll(() => toA).toBe(1)
    executors.splice(0, 1) // a leaves the mesh
    const results = await job.results()
    expect(results).toMatchObject([{ index: 0, output: 'ONLY', executor: 'b', taskId: 'job-test-0-2' }])
    answer()
    await expect.poll(() => dispatch.sent.length).toBe(2)
    await new Promise(resolve => setTimeout(resolve, 20))
    // Only b's answer was checked, and kept (its check paid it: settle keeps it without paying again).
    expect(checked).toEqual(['job-test-0-2'])
    expect(settled).toEqual(['job-test-0-2'])
  }, 15_000)

  it('gives each input of its own files a task with them in /work beside the job\'s files', async () => {
    const seen: Array<Array<[string, string]>> = []
    const dispatch = fakeDispatch(['a'], () => 'answer')
    const runOnce = dispatch.runOnce.bind(dispatch)
    dispatch.runOnce = async (offer, ...rest) => {
      seen.push(offer.files.map(([path, data]) => [path, new TextDecoder().decode(data)]))
      return runOnce(offer, ...rest)
    }
    const job = new JobRunner({ dispatch, settle: async () => {}, lostExecutorPauseMs: 0 }, {
      jobId: 'job-test', base: { ...base, files: [['schema.json', new TextEncoder().encode('{}')]] }, module: new Uint8Array(8), requirements: {}, sliceSize: 1,
      inputs: [{ files: [['doc.json', new TextEncoder().encode('[1]')]], stdin: 'one' }, { files: [['doc.json', new TextEncoder().encode('[2]')]] }]
    })
    const results = await job.results()
    expect(results.map(r => r.output)).toEqual(['ONE', ''])
    expect(seen).toEqual([[['schema.json', '{}'], ['doc.json', '[1]']], [['schema.json', '{}'], ['doc.json', '[2]']]])
  })

  it('cancel ends the job: results() rejects with JobCanceledError and nothing more is sent', async () => {
    const dispatch = fakeDispatch(['a'], () => 'hang')
    const job = runner(dispatch, [])
    await new Promise(resolve => setTimeout(resolve, 20))
    job.cancel()
    await expect(job.results()).rejects.toMatchObject({ name: JobCanceledError.name })
    const sent = dispatch.sent.length
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(dispatch.sent.length).toBe(sent)
    expect(job.status().state).toBe('canceled')
  })
})
