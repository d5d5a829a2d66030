/**
 * A small mesh for the submitter's checks over many tasks (single tasks,
 * jobs, workflows): executor nodes on real libp2p (websockets on loopback,
 * noise, yamux) with the real TaskExecutor and the real sandbox (one Node
 * worker pool), some of which corrupt their sandbox's output before they sign
 * after a number of honest runs (the receipt verifies; the result is wrong);
 * and a submitter with the real TaskDispatch, ReputationService,
 * VerificationService, TaskAccountability and TaskVerification wired as
 * src/peer/compose.ts wires them, offered to the peer-level operations
 * (src/peer/jobs.ts, workflows.ts) as a PeerContext. Payments and witness
 * announcements are recorded rather than made; so are the runs of the
 * submitter's own sandbox (its checks).
 *
 * `checkedMeshSuite` registers a test file's lifecycle: the samples built and
 * loaded and the pool started before all tests, what each test started
 * stopped after it, the rest after all.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { mulberry32 } from '../../src/core/index.ts'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { CAPABILITY_VECTOR_DIMENSIONS } from '../../src/discovery/index.ts'
import type { AgentCard } from '../../src/discovery/index.ts'
import { HnswIndex } from '../../src/discovery/hnsw/index.ts'
import { BID_PROTOCOL } from '../../src/economy/bids/index.ts'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { TaskRunner } from '../../src/execution/types.ts'
import { serveBid } from '../../src/orchestration/auction/index.ts'
import { TaskAccountability, TaskDispatch, TaskVerification } from '../../src/orchestration/dispatch/index.ts'
import type { TaskAccountabilityComponents, TaskDispatchComponents } from '../../src/orchestration/dispatch/index.ts'
import { QRouter } from '../../src/orchestration/routing/index.ts'
import { TASK_PROTOCOL, TaskExecutor } from '../../src/orchestration/task-protocol/index.ts'
import type { PeerContext } from '../../src/peer/context.ts'
import type { Receipt, ReceiptRecord } from '../../src/receipts/index.ts'
import { createMemoryStore } from '../../src/storage/memory-store.ts'
import { ReputationService } from '../../src/trust/reputation/index.ts'
import { VerificationService } from '../../src/trust/verification/index.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from '../unit/execution/samples.ts'
import { startTestNode } from './libp2p-node.ts'

const utf8 = new TextEncoder()

/** Something a test started and must stop. */
export type Stoppable = { stop(): Promise<void> | void }

/** What a cheater returns instead of the module's output. */
export const FORGED_OUTPUT = 'forged output'

/** Prices every executor asks: a charge that is not zero, so that what a job spends can be checked. */
export const TEST_PRICES = { perMegaFuel: 1000, perSecond: 0, perMb: 10 }

export interface ExecutorPeer {
  identity: PeerIdentity
  node: Libp2p
  peerId: string
  /** Task ids this executor ran and answered, in order. */
  executed: string[]
}

export interface ExecutorOptions {
  /**
   * How many of its tasks it runs honestly before it replaces every output
   * with FORGED_OUTPUT (before it signs): Infinity (the default) never
   * cheats, 0 always does, 3 is a camouflaged cheater.
   */
  honestRuns?: number
  /** Also answers bid requests (BID_PROTOCOL) with this quote. */
  quote?: () => { price: number, expectedMs: number }
}

/** An executor node on `pool`, stopped with `owner`. */
export async function executorPeer (pool: TaskRunner, owner: Stoppable[], options: ExecutorOptions = {}): Promise<ExecutorPeer> {
  const { honestRuns = Infinity, quote } = options
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  owner.push(node)
  const executed: string[] = []
  let runs = 0
  const runner: TaskRunner = honestRuns === Infinity
    ? pool
    : {
        run: async (...args) => {
          const result = await pool.run(...args)
          return ++runs <= honestRuns ? result : { ...result, stdout: utf8.encode(FORGED_OUTPUT) as Uint8Array<ArrayBuffer> }
        }
      }
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner }, {
    isContributing: () => true,
    prices: () => TEST_PRICES,
    onExecuted: task => { executed.push(task.receipt.taskId) }
  })
  await node.handle(TASK_PROTOCOL, async (stream: Stream, connection: Connection) => executor.handle(stream, connection))
  if (quote !== undefined) {
    await node.handle(BID_PROTOCOL, async (stream: Stream, connection: Connection) => {
      await serveBid(stream, connection, { identity, quote })
    })
  }
  return { identity, node, peerId: identity.peerId.toString(), executed }
}

export interface CheckedBooks {
  reputation: ReputationService
  verification: VerificationService
  accountability: TaskAccountability
  /** Receipts paid for, in the order their payments started. */
  paid: Receipt[]
  /** Task ids whose refund was requested (a dispute the executor lost). */
  refunds: string[]
}

/**
 * A submitter's books, started (the caller stops them): the reputation book
 * (on `now`, default Date.now), the book of checked work, and the real
 * TaskAccountability over them, its payments and refund requests recorded
 * rather than made, reports and witness announcements dropped.
 */
export async function checkedBooks (options: { now?: () => number } = {}): Promise<CheckedBooks> {
  const reputation = new ReputationService({ store: createMemoryStore() }, options.now === undefined ? undefined : { now: options.now })
  const verification = new VerificationService({ store: createMemoryStore() })
  await Promise.all([reputation.start(), verification.start()])
  const paid: Receipt[] = []
  const refunds: string[] = []
  const channels = {
    pay: async (receipt: Receipt) => { paid.push(receipt) },
    requestRefund: async (receipt: { taskId: string }) => { refunds.push(receipt.taskId) }
  }
  const accountability = new TaskAccountability({
    payments: { channels } as unknown as TaskAccountabilityComponents['payments'],
    witness: { afterTask: async () => false },
    reputation,
    reports: { report: async () => {} },
    verification
  })
  return { reputation, verification, accountability, paid, refunds }
}

export interface CheckedSubmitter {
  ctx: PeerContext
  identity: PeerIdentity
  dispatch: TaskDispatch
  verifier: TaskVerification
  reputation: ReputationService
  verification: VerificationService
  /** Receipts paid for, in the order their payments started. */
  paid: Receipt[]
  /** Receipts kept in the history (PeerContext.remember). */
  kept: Receipt[]
  /** What each kept receipt was owed when kept (ReceiptRecord.payment; undefined: not paid from the history). */
  keptPayments: Array<ReceiptRecord['payment']>
  /** Module hashes of the runs in this peer's own sandbox (its checks, and the arbitration of a disagreement). */
  ownRuns: string[]
}

export interface CheckedSubmitterOptions {
  /**
   * The verification policy's draw (default 0.999: a task is checked only
   * when the policy's probability is 1 — a newcomer, a peer once caught, or
   * a record too short for the task's value; 0: every task is checked).
   */
  random?: () => number
  /** The reputation book's clock (the blacklist's expiry); default Date.now. */
  now?: () => number
  /** Agent Cards by PeerId, indexed as discovery indexes them; absent, the dispatch has no cards and no index. */
  cards?: ReadonlyMap<string, AgentCard>
  /** The samples `ctx.fetchModule` serves, by id (`samples/<id>.wasm`, as a workflow step names them). */
  modules?: Record<string, Uint8Array<ArrayBuffer>>
}

/**
 * A submitter dialled to every executor; its mesh lists them in `order`
 * (with equal standings and a router that learns nothing, the dispatch takes
 * them in that order). Its own checks run on `ownRunner`.
 */
export async function checkedSubmitter (
  order: ExecutorPeer[], ownRunner: TaskRunner, owner: Stoppable[], options: CheckedSubmitterOptions = {}
): Promise<CheckedSubmitter> {
  const { random = () => 0.999, now, cards, modules = {} } = options
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: false })
  owner.push(node)
  const connections = new Map<string, Connection>()
  for (const executor of order) connections.set(executor.peerId, await node.dial(executor.node.getMultiaddrs()[0]!))
  const { reputation, verification, accountability, paid } = await checkedBooks(now === undefined ? {} : { now })
  owner.push(reputation, verification)
  const kept: Receipt[] = []
  const keptPayments: Array<ReceiptRecord['payment']> = []
  const ownRuns: string[] = []
  const ids = order.map(executor => executor.peerId)
  const mesh = { executors: () => [...ids], neighbours: () => [], connectionTo: async (peerId: string) => connections.get(peerId)! }
  const dispatch = new TaskDispatch({
    identity,
    mesh,
    cards: cardsOf(cards) as unknown as TaskDispatchComponents['cards'],
    router: { router: new QRouter({ random: () => 0.5, now: Date.now }), record: () => {} },
    reputation,
    verification,
    accountability
  })
  const runner: TaskRunner = {
    run: async (moduleHash, ...rest) => {
      ownRuns.push(moduleHash)
      return ownRunner.run(moduleHash, ...rest)
    }
  }
  const verifier = new TaskVerification({ identity, mesh, dispatch, reputation, verification, accountability, runner }, { random })
  const store = createMemoryStore()
  const ctx = {
    peer: { dispatch, accountability, verifier, reputation, verification },
    store,
    identity,
    remember: async (record: ReceiptRecord) => { kept.push(record.receipt); keptPayments.push(record.payment) },
    fetchModule: async (url: string) => {
      const bytes = modules[/^samples\/(.+)\.wasm$/.exec(url)?.[1] ?? '']
      return bytes === undefined ? new Response(null, { status: 404 }) : new Response(bytes)
    }
  } as unknown as PeerContext
  return { ctx, identity, dispatch, verifier, reputation, verification, paid, kept, keptPayments, ownRuns }
}

/** The dispatch's view of the cards: those given, in an index as discovery builds it; or none at all. */
function cardsOf (cards: ReadonlyMap<string, AgentCard> | undefined): { cards: ReadonlyMap<string, AgentCard>, index: HnswIndex | undefined } {
  if (cards === undefined) return { cards: new Map(), index: undefined }
  const index = new HnswIndex({ dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32(1) })
  for (const [peerId, card] of cards) index.insert(peerId, card.capabilityVector)
  return { cards, index }
}

/** A test file's mesh: its sandbox, its samples, and who stops what. */
export interface CheckedMeshSuite<Sample extends string> {
  /** The sandbox every node of the file runs on (set before the setup runs). */
  readonly pool: TaskRunner
  /** The samples, by id (loaded before the setup runs). */
  readonly modules: Readonly<Record<Sample, Uint8Array<ArrayBuffer>>>
  /** An executor on the pool: stopped after all tests, or after this one with `perTest`. */
  executor(options?: ExecutorOptions & { perTest?: boolean }): Promise<ExecutorPeer>
  /** A submitter dialled to `order` (stopped after this test), its checks on the pool, serving the samples. */
  submitter(order: ExecutorPeer[], options?: Omit<CheckedSubmitterOptions, 'modules'>): Promise<CheckedSubmitter>
}

/**
 * Registers the file's hooks: before all tests the samples are built and
 * loaded, a two-slot Node worker pool started and `setup` run (the file's
 * shared executors); what a test started is stopped after it, in reverse;
 * the rest after all tests.
 */
export function checkedMeshSuite<Sample extends string> (samples: readonly Sample[], setup: (suite: CheckedMeshSuite<Sample>) => Promise<void>): CheckedMeshSuite<Sample> {
  const shared: Stoppable[] = []
  const perTest: Stoppable[] = []
  let pool: TaskRunner | undefined
  const modules = {} as Record<Sample, Uint8Array<ArrayBuffer>>
  const started = (): TaskRunner => {
    if (pool === undefined) throw new Error('the checked mesh is used before its beforeAll ran')
    return pool
  }
  const suite: CheckedMeshSuite<Sample> = {
    get pool () { return started() },
    modules,
    executor: async ({ perTest: forThisTest = false, ...options } = {}) => executorPeer(started(), forThisTest ? perTest : shared, options),
    submitter: async (order, options = {}) => checkedSubmitter(order, started(), perTest, { ...options, modules })
  }

  beforeAll(async () => {
    await ensureSamplesBuilt()
    for (const id of samples) modules[id] = await sampleBytes(id)
    const workers = createNodeWorkerPool({ slots: 2 })
    shared.push(workers)
    pool = workers
    await setup(suite)
  }, COMPILE_TIMEOUT_MS)

  afterEach(async () => {
    for (const thing of perTest.splice(0).reverse()) await thing.stop()
  })

  afterAll(async () => {
    for (const thing of shared.splice(0).reverse()) await thing.stop()
  })

  return suite
}
