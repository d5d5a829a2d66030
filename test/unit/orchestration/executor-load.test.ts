/**
 * Load on one executor between real libp2p nodes in Node (websockets on
 * loopback, noise, yamux): the executor's queue is bounded — an offer past it
 * is refused with ExecutorBusyError before the module is sent — and served
 * round-robin between submitters; a task whose submitter leaves gives its
 * place back; and a burst of 100 dispatches from one peer waits in its own
 * queue instead of failing on libp2p's stream limits.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../src/execution/node-host.node.ts'
import type { ExecutionOptions, ExecutionResult, TaskInput, TaskLimits, TaskRunner } from '../../../src/execution/types.ts'
import type { DispatchProgress } from '../../../src/orchestration/dispatch/index.ts'
import {
  MAX_INBOUND_TASK_STREAMS, MAX_QUEUED_TASKS_PER_SUBMITTER, TASK_PROTOCOL, TaskExecutor, submitTask, taskExecutorService, validateOffer
} from '../../../src/orchestration/task-protocol/index.ts'
import type { SubmitProgress, TaskOutcome, ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import { createMemoryStore } from '../../../src/storage/memory-store.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { testDispatch } from '../../support/test-dispatch.ts'
import { rejection } from '../../support/rejection.ts'
import { wireOffer } from '../../support/task-offer.ts'
import { ensureSamplesBuilt, sampleBytes } from '../execution/samples.ts'

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function until (condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(10)
  }
}

/** Settles `promise` or says it did not within `ms` (today's unbounded executor would accept and hold it). */
async function within<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`not settled within ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A runner whose runs echo stdin and end only when the test lets them (or
 * when their signal aborts), recording the order they start in. Pretends to
 * have `slots` worker slots, as a WorkerPool does, but holds no queue of its own.
 */
class GatedRunner implements TaskRunner {
  readonly slots: number
  readonly started: string[] = []
  readonly aborted: string[] = []
  private readonly gates: Array<() => void> = []

  constructor (slots: number) {
    this.slots = slots
  }

  get open (): number {
    return this.gates.length
  }

  async run (_hash: string, _module: Uint8Array, input: TaskInput, _limits: TaskLimits, options: ExecutionOptions = {}): Promise<ExecutionResult> {
    const name = text(input.stdin)
    options.signal?.throwIfAborted()
    const startedAt = Date.now()
    this.started.push(name)
    options.onProgress?.({ phase: 'running', startedAt })
    await new Promise<void>((resolve, reject) => {
      const gate = (): void => { resolve() }
      this.gates.push(gate)
      options.signal?.addEventListener('abort', () => {
        this.gates.splice(this.gates.indexOf(gate), 1)
        this.aborted.push(name)
        reject(new Error(`run ${name} aborted`))
      }, { once: true })
    })
    return {
      status: 'ok',
      stdout: new Uint8Array(input.stdin),
      stderr: new Uint8Array(0),
      exitCode: 0,
      startedAt,
      durationMs: Date.now() - startedAt,
      fuelUsed: 1,
      memoryPeakBytes: 65536,
      files: []
    }
  }

  /** Ends the oldest run still going. */
  releaseNext (): void {
    this.gates.shift()?.()
  }
}

/** Lets runs end one at a time until every promise has settled. */
async function drain (runner: GatedRunner, promises: Array<Promise<unknown>>): Promise<void> {
  let settled = 0
  for (const promise of promises) promise.then(() => { settled++ }, () => { settled++ })
  while (settled < promises.length) {
    runner.releaseNext()
    await sleep(5)
  }
}

interface Executor {
  node: Libp2p
  identity: PeerIdentity
  executor: TaskExecutor
  store: ReturnType<typeof createMemoryStore>
}

interface Submitter {
  node: Libp2p
  id: string
  identity: PeerIdentity
  connection: Connection
}

const started: Array<{ stop(): Promise<void> | void }> = []

afterEach(async () => {
  for (const item of started.splice(0).reverse()) await item.stop()
})

/** An executor node with its task service registered as the app registers it (its inbound stream limit included). */
async function startExecutor (runner: TaskRunner & { slots?: number }): Promise<Executor> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  started.push(node)
  const store = createMemoryStore()
  const service = taskExecutorService({ isContributing: () => true })({ identity, store, runner, registrar: node })
  await service.start()
  return { node, identity, executor: service.executor, store }
}

async function startSubmitter (executor: Executor): Promise<Submitter> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: false })
  started.push(node)
  const connection = await node.dial(executor.node.getMultiaddrs()[0]!)
  return { node, id: identity.peerId.toString(), identity, connection }
}

/** Module bytes for the gated runner, which never looks at them: distinct bytes, distinct hash. */
const moduleNamed = (name: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(`module ${name}`) as Uint8Array<ArrayBuffer>
const offerFor = (module: Uint8Array<ArrayBuffer>, stdin: string): ValidOffer => validateOffer(wireOffer(module, stdin))

/** Submits `stdin` as a task, noting its progress phases. */
function submit (from: Submitter, module: Uint8Array<ArrayBuffer>, stdin: string, options: { signal?: AbortSignal } = {}): { phases: string[], outcome: Promise<TaskOutcome> } {
  const phases: string[] = []
  const outcome = submitTask(from.connection, from.id, offerFor(module, stdin), module, {
    ...options,
    onProgress: (p: SubmitProgress) => { phases.push(p.phase) }
  })
  outcome.catch(() => {})
  return { phases, outcome }
}

describe('an executor under load', () => {
  it('refuses an offer past the submitter\'s share of its queue with ExecutorBusyError, before the module is sent, and accepts it again later', async () => {
    const runner = new GatedRunner(1)
    const executor = await startExecutor(runner)
    const a = await startSubmitter(executor)
    const module = moduleNamed('a')
    // One running and MAX_QUEUED_TASKS_PER_SUBMITTER waiting: what the executor takes from one submitter with one slot.
    const accepted = Array.from({ length: 1 + MAX_QUEUED_TASKS_PER_SUBMITTER }, (_, i) => submit(a, module, `t${i}`))
    await until(() => accepted.every(t => t.phases.includes('queued')), 'every task is accepted')
    // The five offers travel on five streams opened at once: whichever the executor reads first runs first.
    expect(runner.started).toHaveLength(1)
    expect(['t0', 't1', 't2', 't3', 't4']).toContain(runner.started[0])

    const other = moduleNamed('never sent')
    const over = submit(a, other, 'over')
    const refused = await rejection(within(over.outcome, 3000))
    expect(refused.name).toBe('ExecutorBusyError')
    expect(over.phases).not.toContain('sending-module')
    expect(await executor.store.getModule(sha256Hex(other))).toBeUndefined()

    await drain(runner, accepted.map(t => t.outcome))
    expect((await Promise.all(accepted.map(async t => text((await t.outcome).stdout))))).toEqual(['t0', 't1', 't2', 't3', 't4'])
    // The same task offered again once there is room: accepted, module sent, run.
    const again = submit(a, other, 'over')
    await drain(runner, [again.outcome])
    expect(text((await again.outcome).stdout)).toBe('over')
    expect(again.phases).toContain('sending-module')
  })

  it('serves a second submitter\'s task next rather than after the first submitter\'s backlog', async () => {
    const runner = new GatedRunner(1)
    const executor = await startExecutor(runner)
    const c = await startSubmitter(executor)
    const a = await startSubmitter(executor)
    const module = moduleNamed('shared')
    const backlog = Array.from({ length: 5 }, (_, i) => submit(c, module, `c${i}`))
    await until(() => backlog.every(t => t.phases.includes('queued')), 'C\'s backlog is accepted')
    const probe = submit(a, module, 'probe')
    await until(() => probe.phases.includes('queued'), 'the probe is accepted')

    await drain(runner, [...backlog, probe].map(t => t.outcome))
    // C's five offers travel on streams opened at once, so they queue in the order they arrive; A's probe runs second whatever that order.
    expect(runner.started[1]).toBe('probe')
    expect([...runner.started].sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'probe'])
    expect(text((await probe.outcome).stdout)).toBe('probe')
  })

  it('lets a task whose submitter gave up leave the queue, and stops one that runs', async () => {
    const runner = new GatedRunner(1)
    const executor = await startExecutor(runner)
    const c = await startSubmitter(executor)
    const a = await startSubmitter(executor)
    const module = moduleNamed('leaving')
    const leaving = new AbortController()
    submit(c, module, 'running', { signal: leaving.signal })
    await until(() => runner.started.length === 1, 'the first task runs')
    const giveUp = new AbortController()
    const waiting = submit(a, module, 'waiting', { signal: giveUp.signal })
    const next = submit(a, module, 'next')
    await until(() => waiting.phases.includes('queued') && next.phases.includes('queued'), 'both are queued')
    expect(executor.executor.load).toEqual({ running: 1, queued: 2 })

    giveUp.abort(new Error('gave up'))
    await until(() => executor.executor.load.queued === 1, 'the abandoned task leaves the queue')
    // The running task's submitter leaves too: its run is stopped and the slot goes to the next task.
    leaving.abort(new Error('left'))
    await until(() => runner.aborted.includes('running'), 'the run is stopped')
    await drain(runner, [next.outcome])
    expect(text((await next.outcome).stdout)).toBe('next')
    expect(runner.started).toEqual(['running', 'next'])
    expect(executor.executor.load).toEqual({ running: 0, queued: 0 })
  })
})

describe('a burst of dispatches from one peer', () => {
  it('completes 100 tasks sent at once through TaskDispatch on the real sandbox, never more in flight than the executor takes', async () => {
    await ensureSamplesBuilt()
    const echo = await sampleBytes('echo')
    const pool = createNodeWorkerPool({ slots: 2 })
    started.push(pool)
    const identity = await createIdentity()
    const node = await startTestNode({ identity, listen: true })
    started.push(node)
    const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner: pool }, { isContributing: () => true })
    let open = 0
    let mostOpen = 0
    await node.handle(TASK_PROTOCOL, async (stream, connection) => {
      mostOpen = Math.max(mostOpen, ++open)
      try {
        await executor.handle(stream, connection)
      } finally {
        open--
      }
    }, { maxInboundStreams: MAX_INBOUND_TASK_STREAMS })
    const submitterIdentity = await createIdentity()
    const submitter = await startTestNode({ identity: submitterIdentity, listen: false })
    started.push(submitter)
    const executorId = identity.peerId.toString()
    const connection = await submitter.dial(node.getMultiaddrs()[0]!)

    // Open task streams are counted as tasks in flight: none opened ahead.
    const dispatch = testDispatch(submitterIdentity, [executorId], async () => connection, undefined, { spareStreams: false })
    const phases = new Set<string>()
    const startedAt = Date.now()
    const results = await Promise.allSettled(Array.from({ length: 100 }, async (_, i) => {
      const { outcome } = await dispatch.runOnce(offerFor(echo, String(i)), echo, { moduleHash: sha256Hex(echo) }, { executor: executorId }, {
        onProgress: (p: DispatchProgress) => { phases.add(p.phase) }
      })
      return text(outcome.stdout)
    }))
    console.log(`[executor-load] 100 dispatches at once, Node sandbox with 2 slots: ${Date.now() - startedAt} ms`)
    const failures = results.flatMap((r, i) => r.status === 'rejected' ? [`#${i} ${(r.reason as Error).name}: ${(r.reason as Error).message}`] : [])
    expect(failures).toEqual([])
    expect(results.map(r => r.status === 'fulfilled' ? r.value : undefined)).toEqual(Array.from({ length: 100 }, (_, i) => String(i)))
    // No Agent Card: one slot assumed, plus the queue the executor keeps per submitter.
    expect(mostOpen).toBeLessThanOrEqual(1 + MAX_QUEUED_TASKS_PER_SUBMITTER)
    expect(phases).toContain('waiting')
    expect(dispatch.tasksFor(executorId)).toEqual({ inFlight: 0, waiting: 0 })
  }, 60_000)
})
