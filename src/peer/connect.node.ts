/**
 * The Node SDK: `connect()` joins the mesh as a Node peer (node-peer.node.ts
 * — the same services as a tab, its state in a directory through node:sqlite)
 * and returns a `Mesh` with the shapes and error names of a tab's
 * `window.zerostate`: `submit`, `job` (the same JobRunner handle),
 * `estimateJob`, `workflow` and the rest of the workflow calls, `peers`,
 * `ledger`, `history`, `close`. Every call that waits takes an AbortSignal.
 *
 * @example
 * ```ts
 * import { connect } from 'zerostate'
 * const mesh = await connect({ server: 'http://127.0.0.1:8080' })
 * const r = await mesh.submit({ module: 'lang-detect', stdin: 'Hallo Welt' })
 * console.log(new TextDecoder().decode(r.stdout), r.receipt.executor)
 * await mesh.close()
 * ```
 */
import { sleep } from '../core/abort.ts'
import { consoleLogger } from '../core/index.ts'
import type { Logger } from '../core/index.ts'
import type { AgentCard } from '../discovery/index.ts'
import { createNodeWorkerPool } from '../execution/node-host.node.ts'
import type { PeerInfo } from '../network/transports.ts'
import type { JobRunner } from '../orchestration/jobs/index.ts'
import type { WorkflowRunRecord } from '../orchestration/workflow/records.ts'
import type { WorkflowRecord, WorkflowRecordReport } from '../orchestration/workflow/run-record/index.ts'
import type { WorkflowRunner } from '../orchestration/workflow/runner/index.ts'
import type { RunEvent } from '../orchestration/workflow/scheduler/index.ts'
import { FREE_PRICES, checkPriceSchedule, type PriceSchedule } from '../receipts/pricing/index.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import { holdServedBuiltInAgents } from '../discovery/agent-registry/index.ts'
import { withModuleCache } from '../storage/index.ts'
import { defaultStoreDir, openSqliteStore } from '../storage/sqlite-store.node.ts'
import type { PeerContext } from './context.ts'
import { estimateJobRun, startJob } from './jobs.ts'
import { ledgerView } from './ledger.ts'
import { LocalSandbox } from './local-sandbox.ts'
import { nodeModuleFetch } from './module-fetch.node.ts'
import { startNodePeer } from './node-peer.node.ts'
import type { ZeroStateRecords } from './store.ts'
import { submitTask } from './submit.ts'
import type { JobForecast, JobRequest, LedgerView, MeshAgents, SubmitRequest, SubmitResult } from './types.ts'
import type { WorkflowInputGiven } from './workflow-inputs.ts'
import { signedWorkflowRecord, verifyWorkflowRecordHere } from './workflow-record.ts'
import { resumeWorkflowRun, startWorkflowRun, type WorkflowOptions } from './workflows.ts'

/** The app server a Node peer asks for its relays and samples when none is given. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080'
/** How long `waitForExecutors` waits by default. */
export const DEFAULT_EXECUTOR_WAIT_MS = 60_000
const EXECUTOR_POLL_MS = 200

export interface ConnectOptions {
  /** The app server (default ZEROSTATE_SERVER or http://127.0.0.1:8080): its /config.json names the relays; sample ids and relative module URLs are fetched from it. */
  server?: string
  /** Relay multiaddrs, instead of the server's list (a server is still used for samples when given). */
  relays?: string[]
  /** Where this peer's identity, channels, receipts and runs are kept (default ZEROSTATE_HOME or ~/.zerostate). One process per directory. */
  dir?: string
  /** Run tasks for others too (worker threads, asking prices, skill tags); default false: only submit. */
  contribute?: { slots: number, prices?: PriceSchedule, tags?: string[], witnessRates?: { established: number, newcomer: number } } | false
  /** Where the services report what they chose to live with (default: console warnings, prefixed "zerostate"). */
  logger?: Logger
  /** Aborts the start; a peer started meanwhile is stopped again. */
  signal?: AbortSignal
}

export interface CallOptions { signal?: AbortSignal }

export interface Mesh {
  readonly peerId: string
  /** The relays it joined through. */
  readonly relayAddrs: string[]
  /** Where its state is kept. */
  readonly dir: string
  /** One task on the mesh, as `window.zerostate.submit`: `module` is bytes, a sample id or URL (relative to the server), or a file path. */
  submit(request: SubmitRequest, options?: CallOptions): Promise<SubmitResult>
  /** One module over many inputs, as `window.zerostate.job`; aborting the signal cancels the job. */
  job(request: JobRequest, options?: CallOptions): Promise<JobRunner>
  /** What `job(request)` would cost and take: its first slice run here, in worker threads; the executors' Agent Cards. */
  estimateJob(request: JobRequest, options?: CallOptions): Promise<JobForecast>
  /** A workflow run (docs/workflow-spec.md), checkpointed in `dir`; aborting the signal cancels it. */
  workflow(spec: string, inputs?: Record<string, WorkflowInputGiven>, options?: WorkflowOptions & CallOptions): Promise<WorkflowRunner>
  /** Goes on with a run of this peer from its checkpoints (after a restart). */
  resumeWorkflow(runId: string, options?: WorkflowOptions & CallOptions): Promise<WorkflowRunner>
  workflows(): Promise<WorkflowRunRecord[]>
  workflowLog(runId: string): Promise<RunEvent[]>
  workflowRecord(runId: string): Promise<WorkflowRecord>
  verifyWorkflowRecord(record: unknown): Promise<WorkflowRecordReport>
  /** Open connections: `[{ peerId, transports, isRelay, contributing, slots }]`. */
  peers(): PeerInfo[]
  /** Verified Agent Cards of other peers. */
  cards(): AgentCard[]
  /** Contributing peers this one knows, best-connected first. */
  executors(): string[]
  /** Resolves once `count` contributing peers (default 1) are known and have sent their Agent Cards; rejects with a TimeoutError after `timeoutMs`. */
  waitForExecutors(count?: number, options?: CallOptions & { timeoutMs?: number }): Promise<string[]>
  /** A blob this peer holds by its SHA-256 (hex): a workflow's `bytes` and `files` inputs and its steps' output files. */
  blob(hash: string): Promise<Uint8Array | undefined>
  ledger(): Promise<LedgerView>
  /** Receipts this peer kept (both roles), newest first. */
  history(limit?: number): Promise<ReceiptRecord[]>
  /** Published agents: publish this peer's, list those held, resolve a ref to its checked entry module. */
  readonly agents: MeshAgents
  /** Stops taking tasks (a contributor lets running ones finish), leaves the mesh, closes the store. Safe to call twice. */
  close(): Promise<void>
}

export async function connect (options: ConnectOptions = {}): Promise<Mesh> {
  const { signal } = options
  signal?.throwIfAborted()
  const contribute = options.contribute ?? false
  const server = options.server ?? (options.relays === undefined ? process.env.ZEROSTATE_SERVER ?? DEFAULT_SERVER : undefined)
  const logger = options.logger ?? consoleLogger('zerostate')
  const dir = options.dir ?? defaultStoreDir()
  const prices = contribute === false ? FREE_PRICES : checkPriceSchedule(contribute.prices ?? FREE_PRICES)
  // One process per directory: a second is refused here with StoreLockedError, naming the first.
  const store = withModuleCache(await openSqliteStore<ZeroStateRecords>(dir))
  const node = await startNodePeer({
    ...(options.relays === undefined ? {} : { relayAddrs: options.relays }),
    ...(server === undefined ? {} : { server }),
    store,
    slots: contribute === false ? 1 : contribute.slots,
    contributing: contribute !== false,
    prices,
    ...(contribute === false || contribute.tags === undefined ? {} : { tags: contribute.tags }),
    ...(contribute === false || contribute.witnessRates === undefined ? {} : { witnessRates: contribute.witnessRates }),
    logger,
    onNotice: message => { logger.warn(message) }
  }).catch((err: unknown) => {
    store.close()
    throw err
  })
  if (signal?.aborted === true) {
    await node.stop({ drainMs: 0 })
    throw signal.reason
  }
  // The server's built-in agents (docs/agent-manifest.md §12), so `agent:` steps find them without a tab on the mesh.
  if (server !== undefined) {
    await holdServedBuiltInAgents(server.endsWith('/') ? server : `${server}/`, node.peer.agents, (agent, err) => {
      logger.warn(`built-in agent ${agent.manifest.name} not held`, err)
    }).catch((err: unknown) => { logger.warn('the server\'s built-in agents could not be read', err) })
  }
  const fetchModule = nodeModuleFetch(server)
  const ctx: PeerContext = {
    peer: node.peer,
    store,
    identity: node.identity,
    fetchModule,
    remember: async record => { await store.addReceipt(record) },
    agents: node.peer.agents
  }
  const local = new LocalSandbox({ fetchModule, createPool: init => createNodeWorkerPool(init) })
  /** Cancels `runner` when `signal` aborts, until it ends. */
  const cancelOnAbort = (runner: WorkflowRunner, callSignal: AbortSignal | undefined): WorkflowRunner => {
    if (callSignal === undefined) return runner
    const cancel = (): void => { runner.cancel('aborted by the caller').catch(err => { logger.warn('canceling a workflow run', err) }) }
    callSignal.addEventListener('abort', cancel, { once: true })
    const forget = (): void => { callSignal.removeEventListener('abort', cancel) }
    runner.result().then(forget, forget)
    return runner
  }
  let closing: Promise<void> | undefined
  const { peer } = node
  return {
    peerId: node.peerId,
    relayAddrs: node.relayAddrs,
    dir,
    submit: async (request, call = {}) => submitTask(ctx, request, { ...(call.signal === undefined ? {} : { signal: call.signal }), onNotice: message => { logger.warn(message) } }),
    job: async (request, call = {}) => (await startJob(ctx, request, call)).runner,
    estimateJob: async (request, call = {}) => estimateJobRun(ctx, async (task, runOptions) => local.run(task, runOptions), request, call.signal),
    workflow: async (spec, inputs = {}, { signal: callSignal, ...workflowOptions } = {}) => {
      callSignal?.throwIfAborted()
      return cancelOnAbort((await startWorkflowRun(ctx, spec, inputs, workflowOptions)).runner, callSignal)
    },
    resumeWorkflow: async (runId, { signal: callSignal, ...workflowOptions } = {}) => {
      callSignal?.throwIfAborted()
      return cancelOnAbort((await resumeWorkflowRun(ctx, runId, workflowOptions)).runner, callSignal)
    },
    workflows: async () => store.listRuns(),
    workflowLog: async runId => await store.listRunEvents(runId) as RunEvent[],
    workflowRecord: async runId => signedWorkflowRecord(ctx, runId),
    verifyWorkflowRecord: async record => verifyWorkflowRecordHere(ctx, record),
    peers: () => peer.mesh.peers(),
    cards: () => [...peer.cards.cards.cards()],
    executors: () => peer.mesh.executors(),
    async waitForExecutors (count = 1, call = {}) {
      const deadline = Date.now() + (call.timeoutMs ?? DEFAULT_EXECUTOR_WAIT_MS)
      for (;;) {
        const known = peer.mesh.executors().filter(peerId => peer.cards.cards.get(peerId) !== undefined)
        if (known.length >= count) return known
        if (Date.now() > deadline) {
          throw Object.assign(new Error(`${known.length} of ${count} contributing peers known after ${call.timeoutMs ?? DEFAULT_EXECUTOR_WAIT_MS} ms`), { name: 'TimeoutError' })
        }
        await sleep(EXECUTOR_POLL_MS, call.signal)
      }
    },
    blob: async hash => store.getBlob(hash),
    // Both wait for what submitted tasks still owe behind their results (peer/settlements.ts).
    ledger: async () => {
      await peer.settlements.settled()
      return ledgerView({ store, self: node.peerId, payments: peer.payments, reputation: peer.reputation, reports: peer.reports })
    },
    history: async limit => {
      await peer.settlements.settled()
      return store.listReceipts(limit)
    },
    agents: {
      publish: async agent => peer.agents.publish(agent),
      publishManifest: async (manifest, modules) => peer.agents.publishManifest(manifest, modules),
      list: () => peer.agents.list(),
      resolve: async (ref, call = {}) => peer.agents.resolveModule(ref, call)
    },
    async close () {
      closing ??= (async () => {
        local.stop()
        await node.stop()
      })()
      await closing
    }
  }
}
