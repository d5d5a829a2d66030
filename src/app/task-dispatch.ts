/**
 * Getting a prepared task done: choosing its executor — by the Agent Cards
 * and the router, or by a sealed-bid auction among the best candidates — or
 * several for a redundant task whose majority decides; sending the task
 * straight to each, or hop by hop through a neighbour when the connection
 * budget is spent (orchestration/forwarding); and learning from how it went.
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
import { NoExecutorError, RemoteTaskError, submitTask } from '../orchestration/task-protocol/index.ts'
import type { SubmitProgress, TaskOutcome, ValidOffer } from '../orchestration/task-protocol/index.ts'
import type { Outcome } from '../trust/reputation/index.ts'
import { NoMajorityError, majorityOf } from '../trust/witness/index.ts'
import type { CapabilityService } from './capability-service.ts'
import type { TrustLayer } from './trust-layer.ts'
import type { AuctionSettings, SubmitRequest, TaskView } from './types.ts'
import { taskPatch } from './view-state.ts'

/** How long a submit waits for a contributing peer to announce itself. */
const EXECUTOR_WAIT_MS = 10_000
export const DEFAULT_AUCTION: Required<AuctionSettings> = { candidates: 3, windowMs: 1500, reputationFloor: 0.3 }

export interface TaskDispatchInit {
  identity: PeerIdentity
  mesh: PeerMesh
  capabilities: CapabilityService
  trust: TrustLayer
  /** Progress and choices of the task being dispatched, for its view. */
  onTask(patch: Partial<TaskView>): void
}

/** The chosen executor, why, and — after an auction — the price it won at, which becomes the task's budget. */
export interface ExecutorChoice {
  peerId: string
  reason: string
  awardedPrice?: number
}

/**
 * How a failed task reflects on its executor: a task that ran and failed on
 * its own (a trap, running out of fuel) was served honestly; a result that
 * does not verify is a wrong result; an error that says nothing about the
 * executor (a dial that failed, a route that broke) is not held against it.
 */
function outcomeOf (err: unknown): Outcome | undefined {
  const name = err instanceof Error ? err.name : ''
  if (name === 'TaskTimeoutError') return 'timeout'
  if (err instanceof RemoteTaskError && err.receipt != null) return 'success'
  if (name === 'ExecutorLostError') return 'no-show'
  if (name === 'TaskRefusedError' || name === 'TaskOverBudgetError') return 'refusal'
  if (name.startsWith('Receipt') || name === 'InvalidReceiptError' || name === 'InvalidTaskMessageError') return 'wrong-result'
  return undefined
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
    const [best] = await this.chooseExecutors(requirements, 1, signal)
    return best!
  }

  /** The `count` best distinct executors, waiting a while until there are `atLeast` (default: all `count`). */
  async chooseExecutors (requirements: CardRequirements, count: number, signal?: AbortSignal, atLeast = count): Promise<ExecutorChoice[]> {
    const { mesh, capabilities } = this.init
    const deadline = Date.now() + EXECUTOR_WAIT_MS
    for (;;) {
      const reachable = new Set(mesh.executors())
      const ranked: ExecutorChoice[] = capabilities.rank(requirements, reachable).map(r => ({ peerId: r.peerId, reason: r.reason }))
      const wantsSomething = (requirements.tags?.length ?? 0) > 0 || (requirements.skills?.length ?? 0) > 0
      if (!wantsSomething) {
        // A contributing peer whose card has not arrived yet still serves when nothing better is known.
        for (const peerId of reachable) {
          if (capabilities.cards.get(peerId) === undefined && !capabilities.reputation.isBlacklisted(peerId)) {
            ranked.push({ peerId, reason: 'a contributing peer (no Agent Card from it yet)' })
          }
        }
      }
      if (ranked.length >= atLeast) return ranked.slice(0, count)
      if (Date.now() > deadline) {
        throw new NoExecutorError(reachable.size === 0
          ? 'no peer is contributing compute: open another tab and turn on "Contribute compute" there'
          : `${ranked.length} contributing peers match the requirements ${JSON.stringify(requirements)}; ${count} are needed`)
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
    const ranked = (await this.chooseExecutors(requirements, candidates, signal, 1)).map(choice => choice.peerId)
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

  /** One executor: named, won at auction, or the best ranked. */
  async runOnce (
    prepared: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, request: SubmitRequest, signal?: AbortSignal
  ): Promise<{ outcome: TaskOutcome, offer: ValidOffer }> {
    const choice = request.executor != null
      ? { peerId: request.executor, reason: 'chosen by the submitter' }
      : request.auction != null && request.auction !== false
        ? await this.auction(prepared, requirements, request.auction === true ? {} : request.auction, signal)
        : await this.chooseExecutor(requirements, signal)
    // An auction's price is the most the winner may charge: it becomes the task's budget.
    const offer = choice.awardedPrice === undefined ? prepared : { ...prepared, maxTotalPrice: choice.awardedPrice }
    this.init.onTask({ executor: choice.peerId, selection: choice.reason })
    const outcome = await this.sendTracked(choice.peerId, offer, module, requirements, {
      signal,
      onProgress: p => { this.init.onTask(taskPatch(p)) },
      onForwarded: hop => { this.init.onTask({ selection: `${choice.reason}; not a neighbour, so forwarded via ${hop.slice(-8)}` }) }
    })
    return { outcome, offer }
  }

  /**
   * The same task on `count` executors at once (each with its own task id,
   * so each signs its own receipt); the strict majority's result is kept.
   * Only the majority is paid; an executor it contradicts is proven wrong.
   */
  async runRedundant (
    offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, count: number, signal?: AbortSignal
  ): Promise<TaskOutcome> {
    const executors = await this.chooseExecutors(requirements, count, signal)
    this.init.onTask({ executor: executors[0]?.peerId, selection: `run on ${count} executors; the majority's result is kept` })
    const settled = await Promise.allSettled(executors.map(async ({ peerId }, i) =>
      this.sendTracked(peerId, { ...offer, taskId: `${offer.taskId}-${i}` }, module, requirements, {
        signal,
        onProgress: p => { if (i === 0) this.init.onTask(taskPatch(p)) },
        onForwarded: () => {}
      })))
    const outcomes = settled.flatMap(result => result.status === 'fulfilled' ? [result.value] : [])
    const verdict = majorityOf(outcomes.map(outcome => outcome.receipt), count)
    if (verdict === undefined) {
      throw new NoMajorityError(`no result was returned by a majority of the ${count} executors (${outcomes.length} answered)`)
    }
    for (const receipt of verdict.dissenting) await this.init.trust.provenWrong(receipt)
    for (const receipt of verdict.agreed) await this.init.trust.pay(receipt)
    const kept = outcomes.find(outcome => outcome.receipt === verdict.agreed[0])!
    this.init.onTask({ executor: kept.receipt.executor, selection: `${verdict.agreed.length} of ${count} executors agreed; ${verdict.dissenting.length} contradicted them` })
    return kept
  }

  /** Sends a task and learns from how it went: the time through this executor, and its behaviour. */
  private async sendTracked (
    executor: string, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements,
    options: { signal?: AbortSignal, onProgress(p: SubmitProgress): void, onForwarded(hop: string): void }
  ): Promise<TaskOutcome> {
    const sentAt = performance.now()
    try {
      const outcome = await this.send(executor, offer, module, options)
      this.init.capabilities.recordOutcome(requirements, executor, performance.now() - sentAt, 'success')
      return outcome
    } catch (err) {
      this.init.capabilities.recordOutcome(requirements, executor, performance.now() - sentAt, outcomeOf(err))
      throw err
    }
  }

  /**
   * Sends a task straight to its executor, or — when the connection budget
   * is spent — to the neighbour the Q-router expects to get it there
   * fastest, which forwards it hop by hop (orchestration/forwarding).
   */
  private async send (executor: string, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, options: { signal?: AbortSignal, onProgress(p: SubmitProgress): void, onForwarded(via: string): void }): Promise<TaskOutcome> {
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
