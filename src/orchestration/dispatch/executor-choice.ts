/**
 * Choosing who runs a task: the reachable contributing peers' Agent Cards
 * searched and ranked (orchestration/executor-selection.ts) by capability,
 * expected time and standing — what this peer has checked of each
 * (trust/verification standing.ts) — or a sealed-bid auction among the best
 * candidates (docs/bids.md). Sending the task is task-dispatch.ts's.
 */
import { bytesToBase64Url } from '../../core/encoding.ts'
import { sleep } from '../../core/abort.ts'
import type { PeerIdentity } from '../../crypto/identity.ts'
import type { AgentCardService, CardRequirements } from '../../discovery/index.ts'
import { signBidRequest } from '../../economy/bids/index.ts'
import type { PeerMesh } from '../../network/peer-mesh.ts'
import type { ReputationService } from '../../trust/reputation/index.ts'
import { UNCHECKED, executorStanding } from '../../trust/verification/index.ts'
import type { ExecutorStanding, VerificationService } from '../../trust/verification/index.ts'
import { runAuction } from '../auction/index.ts'
import { avoidThrottled, rankExecutors } from '../executor-selection.ts'
import type { RankedExecutor } from '../executor-selection.ts'
import type { StoredRouter } from '../routing/index.ts'
import { NoExecutorError } from '../task-protocol/index.ts'
import type { ValidOffer } from '../task-protocol/index.ts'
import { DEFAULT_AUCTION, EXECUTOR_POLL_MS, EXECUTOR_WAIT_MS, MAX_AUCTION_CANDIDATES, MAX_AUCTION_WINDOW_MS, MIN_AUCTION_WINDOW_MS } from './constants.ts'

/** Sealed-bid settings (docs/bids.md); defaults in DEFAULT_AUCTION. */
export interface AuctionSettings {
  /** How many of the best-ranked candidates are asked for a bid, 1–8. */
  candidates?: number
  /** How long bids are awaited, 100–10000 ms. */
  windowMs?: number
  /** Bidders below this reputation are not awarded. */
  reputationFloor?: number
}

/** The chosen executor, why, and — after an auction — the price it won at, which becomes the task's budget. */
export interface ExecutorChoice {
  peerId: string
  reason: string
  awardedPrice?: number
}

/** What choosing reads: a narrow part of TaskDispatchComponents. */
export interface ExecutorChooserComponents {
  identity: PeerIdentity
  mesh: Pick<PeerMesh, 'executors' | 'connectionTo'>
  cards: Pick<AgentCardService, 'cards' | 'index'>
  router: Pick<StoredRouter, 'router'>
  reputation: Pick<ReputationService, 'book'>
  verification?: Pick<VerificationService, 'book' | 'policy'>
}

export class ExecutorChooser {
  private readonly components: ExecutorChooserComponents

  constructor (components: ExecutorChooserComponents) {
    this.components = components
  }

  /** The `count` best distinct executors, waiting a while until there are `atLeast` (default: all `count`). */
  async chooseExecutors (requirements: CardRequirements, count: number, signal?: AbortSignal, atLeast = count): Promise<ExecutorChoice[]> {
    const { mesh, cards } = this.components
    const deadline = Date.now() + EXECUTOR_WAIT_MS
    for (;;) {
      const reachable = new Set(mesh.executors())
      const byCard = this.rank(requirements, reachable)
      // A latency-sensitive task leaves throttled (background) tabs out while enough others are eligible (docs/agent-card.md §11).
      const ranked: ExecutorChoice[] = (requirements.latencySensitive === true ? avoidThrottled(byCard, atLeast) : byCard)
        .map(r => ({ peerId: r.peerId, reason: r.reason }))
      const wantsSomething = (requirements.tags?.length ?? 0) > 0 || (requirements.skills?.length ?? 0) > 0
      if (!wantsSomething) {
        // A contributing peer whose card has not arrived yet still serves when nothing better is known, best standing first.
        const cardless = [...reachable]
          .filter(peerId => cards.cards.get(peerId) === undefined)
          .map(peerId => ({ peerId, standing: this.standing(peerId) }))
          .filter(({ standing }) => !standing.blacklisted)
          .sort((a, b) => b.standing.score - a.standing.score) // stable: equals keep the mesh's order
        for (const { peerId, standing } of cardless) {
          ranked.push({ peerId, reason: `a contributing peer (no Agent Card from it yet), reputation ${standing.score.toFixed(2)}` })
        }
      }
      if (ranked.length >= atLeast) return ranked.slice(0, count)
      if (Date.now() > deadline) {
        throw new NoExecutorError(reachable.size === 0
          ? 'no peer is contributing compute: open another tab and turn on "Contribute compute" there'
          : `${ranked.length} contributing peers match the requirements ${JSON.stringify(requirements)}; ${count} are needed`)
      }
      await sleep(EXECUTOR_POLL_MS, signal)
    }
  }

  /**
   * Asks the best-ranked candidates for sealed bids on `offer` and awards it
   * by the rule of docs/bids.md: the lowest bid above the reputation floor
   * wins, at the second-lowest price.
   */
  async auction (offer: ValidOffer, requirements: CardRequirements, settings: AuctionSettings, signal?: AbortSignal): Promise<ExecutorChoice> {
    const { identity, mesh } = this.components
    const { candidates, windowMs, reputationFloor } = { ...DEFAULT_AUCTION, ...settings }
    if (!Number.isInteger(candidates) || candidates < 1 || candidates > MAX_AUCTION_CANDIDATES) {
      throw new RangeError(`auction candidates must be 1–${MAX_AUCTION_CANDIDATES}, got ${candidates}`)
    }
    if (!Number.isInteger(windowMs) || windowMs < MIN_AUCTION_WINDOW_MS || windowMs > MAX_AUCTION_WINDOW_MS) {
      throw new RangeError(`auction windowMs must be ${MIN_AUCTION_WINDOW_MS}–${MAX_AUCTION_WINDOW_MS}, got ${windowMs}`)
    }
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
      reputationOf: peer => this.standing(peer).score,
      reputationFloor
    }, { signal })
    const runnerUp = award.runnerUp === undefined ? 'the only eligible bid, at its own price' : `second price ${award.price} µ`
    return {
      peerId: award.winner,
      reason: `won a sealed-bid auction: bid ${award.bid.price} µ, expected ${award.bid.expectedMs} ms, of ${bids.length} bids from ${ranked.length} asked; pays ${runnerUp}`,
      awardedPrice: award.price
    }
  }

  /** Reachable executors for `requirements`, ranked by capability, expected time and standing. */
  rank (requirements: CardRequirements, reachable: ReadonlySet<string>): RankedExecutor[] {
    const { cards, router } = this.components
    return rankExecutors({
      requirements,
      card: id => cards.cards.get(id),
      index: cards.index,
      router: router.router,
      reachable,
      reputation: id => this.standing(id)
    })
  }

  /**
   * What ranking and the auction floor read of `peerId`: trust from checked
   * work only — an unchecked success earns nothing — lowered by failures the
   * reputation book saw, none once caught (trust/verification standing.ts).
   */
  standing (peerId: string): ExecutorStanding {
    const { reputation, verification } = this.components
    const book = reputation.book
    return executorStanding({
      checked: verification?.book.record(peerId) ?? UNCHECKED,
      observedScore: book.score(peerId),
      blacklisted: book.isBlacklisted(peerId),
      whitelisted: book.isWhitelisted(peerId)
    }, Date.now(), verification?.policy)
  }
}
