/**
 * A workflow run on real libp2p nodes in Node (websockets on loopback, noise,
 * yamux): executor nodes serve /zerostate/task/1.0.0 with the real WASI
 * sandbox (a Node worker pool each), and a submitter node drives the workflow
 * runner whose dispatch is the real TaskDispatch over libp2p streams. The
 * spec fans lang-detect out over the lines of a text input, validates every
 * item's output with json-validate and skips a gzip step by its `when`. Also:
 * resuming the ended run from its log runs nothing again, and an executor
 * stopped mid-run is retried around (`retry: { limit: 2 }`).
 *
 * Only the submitter's view of the mesh is a stand-in: the peer directory
 * (gossipsub announcements, Agent Cards) is replaced by a list of the
 * executor nodes, ordered as PeerMesh.executors() orders peers (connected
 * ones first), and connections are the submitter's real libp2p connections.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../../src/crypto/identity.ts'
import { createNodeWorkerPool } from '../../../../src/execution/node-host.node.ts'
import type { ExecutionResult } from '../../../../src/execution/types.ts'
import type { WorkerPool } from '../../../../src/execution/worker-pool.ts'
import { receiptHash } from '../../../../src/receipts/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { TaskDispatch } from '../../../../src/orchestration/dispatch/index.ts'
import type { TaskDispatchComponents } from '../../../../src/orchestration/dispatch/index.ts'
import { QRouter } from '../../../../src/orchestration/routing/index.ts'
import { taskExecutorService } from '../../../../src/orchestration/task-protocol/index.ts'
import type { ExecutedTask, TaskOutcome } from '../../../../src/orchestration/task-protocol/index.ts'
import { parseWorkflowSpec } from '../../../../src/orchestration/workflow/spec/index.ts'
import type { RunEvent } from '../../../../src/orchestration/workflow/scheduler/index.ts'
import { resumeWorkflow, startWorkflow } from '../../../../src/orchestration/workflow/runner/index.ts'
import type {
  MemoizedOutputs, WorkflowRunInit, WorkflowRunnerComponents, WorkflowTaskDefaults
} from '../../../../src/orchestration/workflow/runner/index.ts'
import { createMemoryStore } from '../../../../src/storage/memory-store.ts'
import { ReputationBook } from '../../../../src/trust/reputation/index.ts'
import { startTestNode } from '../../../support/libp2p-node.ts'
import { memoryWorkflowStores } from '../../../support/memory-workflow-stores.ts'

const WORKLOADS = resolve(import.meta.dirname, '../../../../src/workloads')
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

type SucceededEvent = Extract<RunEvent, { type: 'succeeded' }>
type FailedEvent = Extract<RunEvent, { type: 'failed' }>

/** A committed workload module, src/workloads/<id>/<id>.wasm (what the page offers as a sample). */
async function workload (id: string): Promise<{ bytes: Uint8Array<ArrayBuffer>, hash: string }> {
  const bytes = new Uint8Array(await readFile(resolve(WORKLOADS, id, `${id}.wasm`)))
  return { bytes, hash: sha256Hex(bytes) }
}

/** Six one-line documents, one per language. */
const LINES = [
  'The quick brown fox jumps over the lazy dog near the river bank.',
  'Der schnelle braune Fuchs springt über den faulen Hund am Flussufer.',
  'Le renard brun rapide saute par-dessus le chien paresseux près de la rivière.',
  'El rápido zorro marrón salta sobre el perro perezoso junto al río.',
  'Быстрая коричневая лиса прыгает через ленивую собаку у реки.',
  'La volpe marrone veloce salta sopra il cane pigro vicino al fiume.'
]
const INPUT = LINES.join('\n')

/** Every item's output must be a detection with a three-letter language code. */
const SCHEMA = '{"type":"array","minItems":6,"items":{"type":"object","required":["language","probability","top"],' +
  '"properties":{"language":{"type":"string","pattern":"^[a-z]{3}$"},"probability":{"type":"number","minimum":0,"maximum":1}}}}'

const SPEC = parseWorkflowSpec(`
version: 1
name: detect-and-check
inputs:
  text:
    type: text
dag:
  tasks:
    - name: detect
      module: lang-detect
      forEach: inputs.text.lines
      args: ["--top", "1"]
      stdin: "\${{ item }}"
      retry:
        limit: 2
        backoff: { initialMs: 100, factor: 2, maxMs: 1000 }
    - name: check
      module: json-validate
      stdin: "\${{ steps.detect.items }}"
      files:
        schema.json: '${SCHEMA}'
      retry:
        limit: 2
        backoff: { initialMs: 100, factor: 2, maxMs: 1000 }
    - name: archive
      module: gzip
      depends: check.Succeeded
      when: steps.check.json.valid == false
      stdin: "\${{ steps.detect.items }}"
outputs:
  report: "\${{ steps.check.stdout }}"
`)

const DEFAULTS: WorkflowTaskDefaults = {
  timeoutMs: 30_000, memoryLimitBytes: 64 << 20, fuel: 20_000_000_000, maxTotalPrice: 1000, seed: new Uint8Array(32).fill(7)
}

/** Stops everything a test started, last first. */
const started: Array<{ stop(): Promise<void> | void }> = []
afterEach(async () => {
  for (const item of started.splice(0).reverse()) await item.stop()
})

interface ExecutorPeer {
  node: Libp2p
  peerId: string
  address: Multiaddr
  /** Tasks it ran, signed and sent (TaskExecutor's onExecuted). */
  executed: ExecutedTask[]
  /** Settles when its sandbox starts its first run. */
  firstRun: Promise<void>
}

/** An executor node with its task service registered as the app registers it, on a one-slot Node worker pool. */
async function startExecutor (): Promise<ExecutorPeer> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  const pool = createNodeWorkerPool({ slots: 1 })
  started.push(pool, node)
  let ranFirst = (): void => {}
  const firstRun = new Promise<void>(resolve => { ranFirst = resolve })
  const runner = {
    slots: pool.slots,
    run: async (...args: Parameters<WorkerPool['run']>): Promise<ExecutionResult> => {
      ranFirst()
      return pool.run(...args)
    }
  }
  const executed: ExecutedTask[] = []
  const service = taskExecutorService({ isContributing: () => true, onExecuted: task => { executed.push(task) } })({
    identity, store: createMemoryStore(), runner, registrar: node
  })
  await service.start()
  return { node, peerId: identity.peerId.toString(), address: node.getMultiaddrs()[0]!, executed, firstRun }
}

/**
 * The submitter's TaskDispatch over its real connections. The mesh lists the
 * executors as PeerMesh.executors() does — announced contributing peers, those
 * with an open connection first — and reaches one through its open
 * connection or by dialling it again; there are no Agent Cards, so the
 * dispatch takes contributing peers in that order.
 */
function dispatchOf (identity: PeerIdentity, node: Libp2p, executors: ExecutorPeer[]): TaskDispatch {
  const open = (peer: ExecutorPeer): Connection | undefined =>
    node.getConnections(peer.node.peerId).find(connection => connection.status === 'open')
  const byId = new Map(executors.map(peer => [peer.peerId, peer]))
  const book = new ReputationBook({ now: Date.now })
  return new TaskDispatch({
    identity,
    mesh: {
      executors: () => [...executors].sort((a, b) => Number(open(a) === undefined) - Number(open(b) === undefined)).map(peer => peer.peerId),
      neighbours: () => [...new Set(node.getConnections().filter(c => c.status === 'open').map(c => c.remotePeer.toString()))],
      connectionTo: async (peerId, options = {}) => {
        const peer = byId.get(peerId)
        if (peer === undefined) throw new Error(`unknown peer ${peerId}`)
        return open(peer) ?? await node.dial(peer.address, options)
      }
    },
    cards: { cards: new Map(), index: undefined } as unknown as TaskDispatchComponents['cards'],
    router: { router: new QRouter({ random: () => 0.5, now: Date.now }), record: () => {} },
    reputation: { book, record: (peerId, outcome) => { book.record(peerId, outcome) } },
    accountability: { pay: async () => {}, provenWrong: async () => {} }
  })
}

interface Submitter {
  components: WorkflowRunnerComponents
  log: Map<string, RunEvent[]>
  /** Receipts of the results the runner kept (its `settle`). */
  settled: Receipt[]
  /** Calls of the dispatch's runOnce. */
  dispatched: () => number
}

/** A submitter node connected to every executor, and the runner's components: the real dispatch, in-memory twins of the rest. */
async function startSubmitter (executors: ExecutorPeer[]): Promise<Submitter> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: false })
  started.push(node)
  for (const peer of executors) await node.dial(peer.address)
  const dispatch = dispatchOf(identity, node, executors)
  const blobs = new Map<string, Uint8Array>()
  const log = new Map<string, RunEvent[]>()
  const memo = new Map<string, MemoizedOutputs>()
  const settled: Receipt[] = []
  let dispatched = 0
  const components: WorkflowRunnerComponents = {
    dispatch: {
      runOnce: async (...args: Parameters<TaskDispatch['runOnce']>) => {
        dispatched++
        return dispatch.runOnce(...args)
      }
    },
    modules: { load: workload },
    ...memoryWorkflowStores(blobs, log, memo),
    async settle (outcome: TaskOutcome) { settled.push(outcome.receipt) }
  }
  return { components, log, settled, dispatched: () => dispatched }
}

/** What the same modules print when run here, in the Node sandbox, with the same inputs, seed and limits. */
async function expectedOutputs (): Promise<{ items: string[], report: string }> {
  const pool = createNodeWorkerPool({ slots: 1 })
  started.push(pool)
  const limits = { timeoutMs: DEFAULTS.timeoutMs, memoryLimitBytes: DEFAULTS.memoryLimitBytes, fuel: DEFAULTS.fuel }
  const run = async (id: string, stdin: string, args: string[], files: Array<[string, Uint8Array]> = []): Promise<string> => {
    const { bytes, hash } = await workload(id)
    const result = await pool.run(hash, bytes, { args, env: [], stdin: utf8ToBytes(stdin), files, seed: DEFAULTS.seed }, limits)
    expect(result.exitCode).toBe(0)
    return text(result.stdout)
  }
  const items: string[] = []
  for (const line of LINES) items.push(await run('lang-detect', line, ['--top', '1']))
  // `steps.detect.items`: a JSON array of every item's stdout read as JSON, in item order (runner/task-offer.ts).
  const report = await run('json-validate', JSON.stringify(items.map(item => JSON.parse(item) as unknown)), [], [['schema.json', utf8ToBytes(SCHEMA)]])
  return { items, report }
}

const succeeded = (events: RunEvent[], step: string): SucceededEvent[] =>
  events.filter((e): e is SucceededEvent => e.type === 'succeeded' && e.step === step)

describe('a workflow on real libp2p nodes', () => {
  it('fans lang-detect out to executor nodes, validates the items, skips the `when` step, and resumes without running anything again', async () => {
    const executors = [await startExecutor(), await startExecutor(), await startExecutor()]
    const executorIds = new Set(executors.map(peer => peer.peerId))
    const submitter = await startSubmitter(executors)
    const expected = await expectedOutputs()
    const init: WorkflowRunInit = { runId: 'wf-libp2p-1', spec: SPEC, inputs: { text: INPUT }, defaults: DEFAULTS }

    const startedAt = Date.now()
    const result = await (await startWorkflow(submitter.components, init)).result()
    console.log(`[libp2p-workflow] 6 items + 1 step on ${executors.length} executor nodes: ${Date.now() - startedAt} ms`)

    expect(result.state).toBe('completed')
    expect(result.outputs?.report).toBe(expected.report)
    expect(JSON.parse(expected.report)).toEqual({ valid: true, errors: [] })
    const events = submitter.log.get(init.runId) ?? []
    const items = succeeded(events, 'detect').sort((a, b) => (a.item ?? 0) - (b.item ?? 0))
    expect(items.map(e => e.item)).toEqual([0, 1, 2, 3, 4, 5])
    expect(items.map(e => e.outputs.stdout)).toEqual(expected.items)
    expect(items.map(e => (JSON.parse(e.outputs.stdout) as { language: string }).language)).toEqual(['eng', 'deu', 'fra', 'spa', 'rus', 'ita'])
    const check = succeeded(events, 'check')
    expect(check.map(e => e.outputs.stdout)).toEqual([expected.report])

    // Every kept result names one of the executor nodes and the receipt it signed: the receipts the executors sent.
    const kept = [...items, ...check]
    const executedReceipts = executors.flatMap(peer => peer.executed.map(task => {
      expect(task.receipt.executor).toBe(peer.peerId)
      return receiptHash(task.receipt)
    }))
    for (const event of kept) {
      expect(executorIds.has(event.executor ?? '')).toBe(true)
      expect(event.receiptHash).toMatch(/^[0-9a-f]{64}$/)
    }
    expect(new Set(kept.map(e => e.receiptHash))).toEqual(new Set(executedReceipts))
    expect(submitter.settled.map(receipt => receiptHash(receipt)).sort()).toEqual([...executedReceipts].sort())
    expect(executedReceipts).toHaveLength(7)

    // Where the items ran: the runner sends all six at once, and TaskDispatch gives each to the
    // best-ranked executor with a free slot for this tab (one each, without Agent Cards), so the
    // first three go to the three executors and none waits behind another while one idles.
    const spread = new Map<string, number>()
    for (const event of items) spread.set(event.executor!, (spread.get(event.executor!) ?? 0) + 1)
    expect(spread.size).toBe(executors.length)
    console.log(`[libp2p-workflow] items per executor: ${[...spread.values()].join(', ')}`)

    // The step whose `when` is false is skipped, and nothing ran for it.
    expect(events.filter(e => 'step' in e && e.step === 'archive').map(e => e.type)).toEqual(['skipped'])
    expect(submitter.dispatched()).toBe(7)

    // Resuming the ended run from the same log runs nothing again: no dispatch, no task on any executor, no new event.
    const logged = events.length
    const again = await resumeWorkflow(submitter.components, init)
    const resumed = await again.result()
    expect(resumed).toEqual(result)
    expect(again.status().steps.map(step => [step.name, step.state])).toEqual([['detect', 'completed'], ['check', 'completed'], ['archive', 'skipped']])
    expect(submitter.dispatched()).toBe(7)
    expect(executors.flatMap(peer => peer.executed)).toHaveLength(7)
    expect(submitter.settled).toHaveLength(7)
    expect(submitter.log.get(init.runId)).toHaveLength(logged)
  }, 60_000)

  it('completes on the remaining executor when the one running the first item is stopped mid-run (retry: { limit: 2 })', async () => {
    const executors = [await startExecutor(), await startExecutor()]
    const [first, second] = executors as [ExecutorPeer, ExecutorPeer]
    const submitter = await startSubmitter(executors)
    const expected = await expectedOutputs()
    const init: WorkflowRunInit = { runId: 'wf-libp2p-2', spec: SPEC, inputs: { text: INPUT }, defaults: DEFAULTS }

    const runner = await startWorkflow(submitter.components, init)
    // Every item goes to the first executor in the mesh's order (see above); stop that node as soon as its sandbox starts one.
    await first.firstRun
    await first.node.stop()
    const result = await runner.result()

    expect(result.state).toBe('completed')
    expect(result.outputs?.report).toBe(expected.report)
    const events = submitter.log.get(init.runId) ?? []
    const items = succeeded(events, 'detect').sort((a, b) => (a.item ?? 0) - (b.item ?? 0))
    expect(items.map(e => e.outputs.stdout)).toEqual(expected.items)
    // Tasks lost with the stopped node were dispatched again to the other one within their attempt
    // (TaskDispatch re-dispatches a task whose executor was lost or cannot be reached), or failed
    // retryably and were retried there; either way the rest ran on the other node.
    const failed = events.filter((e): e is FailedEvent => e.type === 'failed')
    expect(failed.every(e => e.retryable)).toBe(true)
    expect(items.filter(e => e.executor === second.peerId).length).toBeGreaterThan(0)
    for (const event of [...items, ...succeeded(events, 'check')]) {
      expect([first.peerId, second.peerId]).toContain(event.executor)
      expect(event.receiptHash).toMatch(/^[0-9a-f]{64}$/)
      if (event.attempt > 1) expect(event.executor).toBe(second.peerId)
    }
    console.log(`[libp2p-workflow] stopped executor mid-run: ${failed.length} failed attempts (${[...new Set(failed.map(e => `${e.error.name}: ${e.error.message}`))].join('; ')}), ` +
      `items on the stopped / remaining executor: ${items.filter(e => e.executor === first.peerId).length} / ${items.filter(e => e.executor === second.peerId).length}`)
    expect(events.filter(e => 'step' in e && e.step === 'archive').map(e => e.type)).toEqual(['skipped'])
  }, 60_000)
})
