/**
 * A small mesh for the submitter's checks over many tasks (jobs, workflows):
 * executor nodes on real libp2p (websockets on loopback, noise, yamux) with
 * the real TaskExecutor and the real sandbox (one Node worker pool), some of
 * which corrupt their sandbox's output before they sign (the receipt
 * verifies; the result is wrong); and a submitter with the real
 * TaskDispatch, ReputationService, VerificationService, TaskAccountability
 * and TaskVerification wired as src/peer/compose.ts wires them, offered to
 * the peer-level operations (src/peer/jobs.ts, workflows.ts) as a
 * PeerContext. Payments and witness announcements are recorded rather than
 * made; so are the runs of the submitter's own sandbox (its checks).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import type { TaskRunner } from '../../src/execution/types.ts'
import { TaskAccountability, TaskDispatch, TaskVerification } from '../../src/orchestration/dispatch/index.ts'
import type { TaskAccountabilityComponents, TaskDispatchComponents } from '../../src/orchestration/dispatch/index.ts'
import { QRouter } from '../../src/orchestration/routing/index.ts'
import { TASK_PROTOCOL, TaskExecutor } from '../../src/orchestration/task-protocol/index.ts'
import type { PeerContext } from '../../src/peer/context.ts'
import type { Receipt, ReceiptRecord } from '../../src/receipts/index.ts'
import { createMemoryStore } from '../../src/storage/memory-store.ts'
import { ReputationService } from '../../src/trust/reputation/index.ts'
import { VerificationService } from '../../src/trust/verification/index.ts'
import { startTestNode } from './libp2p-node.ts'

const utf8 = new TextEncoder()

/** What a cheater returns instead of the module's output. */
export const FORGED_OUTPUT = 'forged output'

/** Prices every executor asks: a charge that is not zero, so that what a job spends can be checked. */
export const TEST_PRICES = { perMegaFuel: 1000, perSecond: 0, perMb: 10 }

export interface ExecutorPeer {
  node: Libp2p
  peerId: string
  /** Task ids this executor ran and answered, in order. */
  executed: string[]
}

/** An executor node on `pool`; a cheater replaces every output with FORGED_OUTPUT before it signs. */
export async function executorPeer (pool: TaskRunner, cheat: boolean, owner: Array<{ stop(): Promise<void> | void }>): Promise<ExecutorPeer> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: true })
  owner.push(node)
  const executed: string[] = []
  const runner: TaskRunner = cheat
    ? { run: async (...args) => ({ ...await pool.run(...args), stdout: utf8.encode(FORGED_OUTPUT) as Uint8Array<ArrayBuffer> }) }
    : pool
  const executor = new TaskExecutor({ identity, store: createMemoryStore(), runner }, {
    isContributing: () => true,
    prices: () => TEST_PRICES,
    onExecuted: task => { executed.push(task.receipt.taskId) }
  })
  await node.handle(TASK_PROTOCOL, async (stream: Stream, connection: Connection) => executor.handle(stream, connection))
  return { node, peerId: identity.peerId.toString(), executed }
}

export interface CheckedSubmitter {
  ctx: PeerContext
  identity: PeerIdentity
  dispatch: TaskDispatch
  reputation: ReputationService
  verification: VerificationService
  /** Receipts paid for, in the order their payments started. */
  paid: Receipt[]
  /** Receipts kept in the history (PeerContext.remember). */
  kept: Receipt[]
  /** Module hashes of the runs in this peer's own sandbox (its checks, and the arbitration of a disagreement). */
  ownRuns: string[]
}

/**
 * A submitter dialled to every executor; its mesh lists them in `order`
 * (with no Agent Cards and equal standings, the dispatch takes them in that
 * order). `modules` are the samples it fetches, by id. `random` is the verification policy's draw (default 0.999: a task
 * is checked only when the policy's probability is 1 — a newcomer, a peer
 * once caught, or a record too short for the task's value).
 */
export async function checkedSubmitter (
  order: ExecutorPeer[], ownRunner: TaskRunner, modules: Record<string, Uint8Array<ArrayBuffer>>, owner: Array<{ stop(): Promise<void> | void }>, random: () => number = () => 0.999
): Promise<CheckedSubmitter> {
  const identity = await createIdentity()
  const node = await startTestNode({ identity, listen: false })
  owner.push(node)
  const connections = new Map<string, Connection>()
  for (const executor of order) connections.set(executor.peerId, await node.dial(executor.node.getMultiaddrs()[0]!))
  const reputation = new ReputationService({ store: createMemoryStore() })
  const verification = new VerificationService({ store: createMemoryStore() })
  await Promise.all([reputation.start(), verification.start()])
  owner.push(reputation, verification)
  const paid: Receipt[] = []
  const kept: Receipt[] = []
  const ownRuns: string[] = []
  const accountability = new TaskAccountability({
    payments: { channels: { pay: async (receipt: Receipt) => { paid.push(receipt) } } } as unknown as TaskAccountabilityComponents['payments'],
    witness: { afterTask: async () => false },
    reputation,
    reports: { report: async () => {} },
    verification
  })
  const ids = order.map(executor => executor.peerId)
  const mesh = { executors: () => [...ids], neighbours: () => [], connectionTo: async (peerId: string) => connections.get(peerId)! }
  const dispatch = new TaskDispatch({
    identity,
    mesh,
    cards: { cards: new Map(), index: undefined } as unknown as TaskDispatchComponents['cards'],
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
    remember: async (record: ReceiptRecord) => { kept.push(record.receipt) },
    // A sample by id (`samples/<id>.wasm`, as a workflow step names it) from `modules`.
    fetchModule: async (url: string) => {
      const bytes = modules[/^samples\/(.+)\.wasm$/.exec(url)?.[1] ?? '']
      return bytes === undefined ? new Response(null, { status: 404 }) : new Response(bytes)
    }
  } as unknown as PeerContext
  return { ctx, identity, dispatch, reputation, verification, paid, kept, ownRuns }
}
