/**
 * Getting a prepared task to an executor: choosing one — by the Agent Cards
 * and the router, or by a sealed-bid auction among the best candidates — and
 * sending the task straight to it, or hop by hop through a neighbour when the
 * connection budget is spent (orchestration/forwarding).
 */
import { bytesToBase64Url } from '../core/encoding.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { CardRequirements } from '../discovery/index.ts'
import { signBidRequest } from '../economy/bids/index.ts'
import { sleep } from '../network/backoff.ts'
import { ConnectionBudgetError } from '../network/peer-mesh.ts'
import type { PeerMesh } from '../network/peer-mesh.ts'
import { runAuction } from '../orchestration/auction/index.ts'
import { forwardTask } from '../orchestration/forwarding/index.ts'
import { NoExecutorError, submitTask } from '../orchestration/task-protocol/index.ts'
import type { SubmitProgress, TaskOutcome, ValidOffer } from '../orchestration/task-protocol/index.ts'
import type { CapabilityService } from './capability-service.ts'
import type { AuctionSettings } from './types.ts'

/** How long a submit waits for a contributing peer to announce itself. */
const EXECUTOR_WAIT_MS = 10_000
export const DEFAULT_AUCTION: Required<AuctionSettings> = { candidates: 3, windowMs: 1500, reputationFloor: 0.3 }

export interface TaskDispatchInit {
  identity: PeerIdentity
  mesh: PeerMesh
  capabilities: CapabilityService
}

/** The chosen executor, why, and — after an auction — the price it won at, which becomes the task's budget. */
export interface ExecutorChoice {
  peerId: string
  reason: string
  awardedPrice?: number
}

export class TaskDispatch {
  private readonly init: TaskDispatchInit

  constructor (init: TaskDispatchInit) {
    this.init = init
  }

  /**
   * Agent Cards of reachable contributing peers, searched and ranked (see
   * orchestration/executor-selection.ts); a contributing peer whose card has
   * not arrived yet is still used when nothing better is known.
   */
  async chooseExecutor (requirements: CardRequirements, signal?: AbortSignal): Promise<ExecutorChoice> {
    const { mesh, capabilities } = this.init
    const deadline = Date.now() + EXECUTOR_WAIT_MS
    for (;;) {
      const reachable = new Set(mesh.executors())
      const [best] = capabilities.rank(requirements, reachable)
      if (best != null) return { peerId: best.peerId, reason: best.reason }
      const wantsSomething = (requirements.tags?.length ?? 0) > 0 || (requirements.skills?.length ?? 0) > 0
      const [first] = reachable
      if (first != null && !wantsSomething) return { peerId: first, reason: 'the best-connected contributing peer (no Agent Card from any yet)' }
      if (Date.now() > deadline) {
        throw new NoExecutorError(reachable.size === 0
          ? 'no peer is contributing compute: open another tab and turn on "Contribute compute" there'
          : `no contributing peer matches the requirements ${JSON.stringify(requirements)}`)
      }
      await sleep(250, signal)
    }
  }

  /**
   * Asks the best-ranked candidates for sealed bids on `offer` and awards it
   * by the rule of docs/bids.md: the lowest bid above the reputation floor
   * wins, at the second-lowest price.
   */
  async auction (offer: ValidOffer, requirements: CardRequirements, settings: AuctionSettings, signal?: AbortSignal): Promise<ExecutorChoice> {
    const { identity, mesh, capabilities } = this.init
    const { candidates, windowMs, reputationFloor } = { ...DEFAULT_AUCTION, ...settings }
    if (!Number.isInteger(candidates) || candidates < 1 || candidates > 8) throw new RangeError(`auction candidates must be 1–8, got ${candidates}`)
    if (!Number.isInteger(windowMs) || windowMs < 100 || windowMs > 10_000) throw new RangeError(`auction windowMs must be 100–10000, got ${windowMs}`)
    await this.chooseExecutor(requirements, signal)
    const ranked = capabilities.rank(requirements, new Set(mesh.executors())).slice(0, candidates).map(r => r.peerId)
    const request = await signBidRequest({
      requestId: offer.taskId,
      taskId: offer.taskId,
      moduleHash: offer.moduleHash,
      limits: { timeoutMs: offer.timeoutMs, memoryBytes: offer.memoryLimitBytes, fuel: offer.fuel },
      maxTotalPrice: offer.maxTotalPrice,
      deadline: Date.now() + windowMs,
      submitter: identity.peerId.toString(),
      publicKey: bytesToBase64Url(identity.publicKey)
    }, identity)
    const { award, bids } = await runAuction(request, ranked, {
      connectionTo: async (peer, options) => mesh.connectionTo(peer, options),
      reputationOf: peer => capabilities.reputation.score(peer),
      reputationFloor
    }, { signal })
    const runnerUp = award.runnerUp === undefined ? 'the only eligible bid, at its own price' : `second price ${award.price} µ`
    return {
      peerId: award.winner,
      reason: `won a sealed-bid auction: bid ${award.bid.price} µ, expected ${award.bid.expectedMs} ms, of ${bids.length} bids from ${ranked.length} asked; pays ${runnerUp}`,
      awardedPrice: award.price
    }
  }

  /**
   * Sends a task straight to its executor, or — when the connection budget
   * is spent — to the neighbour the Q-router expects to get it there
   * fastest, which forwards it hop by hop (orchestration/forwarding).
   */
  async send (executor: string, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, options: { signal?: AbortSignal, onProgress(p: SubmitProgress): void, onForwarded(via: string): void }): Promise<TaskOutcome> {
    const { identity, mesh, capabilities } = this.init
    const self = identity.peerId.toString()
    const { signal } = options
    let connection
    try {
      connection = await mesh.connectionTo(executor, { signal })
    } catch (err) {
      const neighbours = mesh.neighbours()
      if (!(err instanceof ConnectionBudgetError) || neighbours.length === 0) throw err
      const hop = capabilities.router.choose(executor, neighbours)
      options.onForwarded(hop)
      const startedAt = performance.now()
      return await forwardTask(await mesh.connectionTo(hop, { signal }), { target: executor, origin: self }, offer, module, options)
        .finally(() => { capabilities.recordHop(executor, hop, performance.now() - startedAt) })
    }
    return await submitTask(connection, self, offer, module, options)
  }
}
