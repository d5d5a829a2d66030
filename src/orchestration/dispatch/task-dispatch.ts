/**
 * Getting a prepared task done: choosing its executor (executor-choice.ts:
 * by the Agent Cards, the router and standing, or by a sealed-bid auction) —
 * or several for a redundant task whose majority decides; sending the task
 * straight to each, or hop by hop through a neighbour when the connection
 * budget is spent (orchestration/forwarding); and learning from how it went.
 *
 * Tasks for one executor wait in this tab's own queue (executor-queue.ts)
 * beyond what it takes from one submitter — its worker slots, as its Agent
 * Card states them, plus MAX_QUEUED_TASKS_PER_SUBMITTER — and never more than
 * MAX_TASK_STREAMS_PER_EXECUTOR streams are open to it. A task the executor
 * still refuses as busy (its queue is shared with other submitters) waits
 * again and is offered to the same executor after a backoff, for up to
 * BUSY_RETRY_WINDOW_MS.
 */
import type { Connection } from '@libp2p/interface'
import type { PeerIdentity } from '../../crypto/identity.ts'
import type { AgentCardService, CardRequirements } from '../../discovery/index.ts'
import { sleep } from '../../core/abort.ts'
import { ConnectionBudgetError } from '../../network/peer-mesh.ts'
import type { PeerMesh } from '../../network/peer-mesh.ts'
import type { Outcome, ReputationService } from '../../trust/reputation/index.ts'
import type { ExecutorStanding, VerificationService } from '../../trust/verification/index.ts'
import { NoMajorityError, majorityOf } from '../../trust/witness/index.ts'
import { destinationOf, leastLoaded } from '../executor-selection.ts'
import { forwardTask } from '../forwarding/index.ts'
import type { StoredRouter } from '../routing/index.ts'
import {
  ExecutorBusyError, ExecutorLostError, MAX_QUEUED_TASKS_PER_SUBMITTER, MAX_TASK_STREAMS_PER_EXECUTOR, NoExecutorError, SpareTaskStreams, submitTask
} from '../task-protocol/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import type { SpareTaskStreamsInit, SubmitProgress, TaskOutcome, TaskTraceOptions, ValidOffer } from '../task-protocol/index.ts'
import type { TaskAccountability } from './accountability.ts'
import {
  BUSY_RETRY_FIRST_DELAY_MS, BUSY_RETRY_MAX_DELAY_MS, BUSY_RETRY_WINDOW_MS, DIRECT_CONNECTION_WAIT_MS, LIMITED_CONNECTION_HEADROOM_BYTES,
  LOST_BEFORE_ACCEPT_REOFFER_DELAY_MS, LOST_BEFORE_ACCEPT_REOFFERS, MAX_REDISPATCHES, REDISPATCH_ON
} from './constants.ts'
import { bulkConnection } from '../../network/bulk-connection.ts'
import { ExecutorChooser } from './executor-choice.ts'
import type { AuctionSettings, ExecutorChoice } from './executor-choice.ts'
import { ExecutorQueue } from './executor-queue.ts'
import { outcomeOf } from './outcome.ts'

export interface TaskDispatchComponents {
  identity: PeerIdentity
  /** Without `directConnectionTo` (a mesh that cannot upgrade), a task goes over whatever connection there is. */
  mesh: Pick<PeerMesh, 'executors' | 'neighbours' | 'connectionTo'> & Partial<Pick<PeerMesh, 'directConnectionTo'>>
  cards: Pick<AgentCardService, 'cards' | 'index'>
  router: Pick<StoredRouter, 'router' | 'record'>
  reputation: Pick<ReputationService, 'book' | 'record'>
  /**
   * The book of checked work: executors are ranked, and an auction's floor
   * applied, by what this peer has checked of them (trust/verification
   * standing.ts). Without it every executor is unchecked — neutral unless
   * the reputation book saw it fail or blacklists it.
   */
  verification?: Pick<VerificationService, 'book' | 'policy'>
  accountability: Pick<TaskAccountability, 'pay' | 'provenWrong'>
}

export interface TaskDispatchInit {
  /** Task streams opened ahead, one per executor lately sent a task (task-protocol/spare-streams.ts); false for none. Default on. */
  spareStreams?: SpareTaskStreamsInit | false
}

/** How to run a task: on a named executor, by auction, or on the best ranked. */
export interface DispatchRequest {
  /** A PeerId: this executor and no other. */
  executor?: string
  /** Sealed bids among the best candidates (true: the defaults). */
  auction?: boolean | AuctionSettings
}

/**
 * A task's progress: on its executor (task protocol), or `waiting` in this
 * tab's queue for a turn at the executor — because this tab already has as
 * many tasks there as it takes (`queue`), or because the executor refused it
 * as busy and it will be offered again (`busy`).
 */
export type DispatchProgress = SubmitProgress | { phase: 'waiting', reason: 'queue' | 'busy' }

/** What a dispatch tells its caller as it goes. */
export interface DispatchOptions {
  signal?: AbortSignal
  /** The executor was chosen (or changed: a majority kept another's result), and why. */
  onChoice?(executor: string, reason: string): void
  /** The task's progress on its (first) executor. */
  onProgress?(progress: DispatchProgress): void
  /** A receipt runRedundant paid for (each of the majority's). */
  onPaid?(receipt: Receipt): void
  /** runRedundant: these executors (as many as `count`) rather than the best-ranked. */
  executors?: readonly string[]
  /** runRedundant: an executor that returned no result, and why. */
  onFailed?(executor: string, error: unknown): void
  /** Traces the task under this span: each executor's conversation, and the executor's own spans (task-protocol submitTask). */
  trace?: TaskTraceOptions
}

export type { AuctionSettings, ExecutorChoice }

export class TaskDispatch {
  private readonly components: TaskDispatchComponents
  private readonly queue = new ExecutorQueue({ limit: executor => this.inFlightLimit(executor) })
  /** Tasks runOnce chose an executor for and that have not ended, by executor. */
  private readonly chosen = new Map<string, number>()

  private readonly chooser: ExecutorChooser
  /** The next task stream to each executor lately sent a task, opened ahead (task-protocol/spare-streams.ts); none when turned off. */
  private readonly spares: SpareTaskStreams | undefined

  constructor (components: TaskDispatchComponents, init: TaskDispatchInit = {}) {
    this.components = components
    this.spares = init.spareStreams === false ? undefined : new SpareTaskStreams(init.spareStreams)
    this.chooser = new ExecutorChooser(components)
  }

  /**
   * Tasks of this tab in flight to `executor` at once: what it accepts from
   * one submitter (its worker slots by its Agent Card, 1 without one, plus the
   * queue it keeps per submitter), within the streams one connection carries.
   */
  inFlightLimit (executor: string): number {
    return Math.min(MAX_TASK_STREAMS_PER_EXECUTOR, this.workerSlots(executor) + MAX_QUEUED_TASKS_PER_SUBMITTER)
  }

  /** This tab's tasks for `executor`: in flight, and waiting in its queue. */
  tasksFor (executor: string): { inFlight: number, waiting: number } {
    return { inFlight: this.queue.inFlight(executor), waiting: this.queue.waiting(executor) }
  }

  /**
   * Agent Cards of reachable contributing peers, searched and ranked (see
   * orchestration/executor-selection.ts); a contributing peer whose card has
   * not arrived yet is still used when nothing better is known.
   */
  async chooseExecutor (requirements: CardRequirements, signal?: AbortSignal): Promise<ExecutorChoice> {
    return this.pick(requirements, signal, false)
  }

  /**
   * The best-ranked executor with a free slot for this tab (leastLoaded).
   * With `count`, the task is counted there in the same turn as the choice,
   * so tasks chosen together (a workflow's ready steps) see each other.
   */
  private async pick (requirements: CardRequirements, signal: AbortSignal | undefined, count: boolean, excluded: ReadonlySet<string> = new Set()): Promise<ExecutorChoice> {
    const all = await this.chooseExecutors(requirements, Number.MAX_SAFE_INTEGER, signal, 1)
    const ranked = excluded.size === 0 ? all : all.filter(choice => !excluded.has(choice.peerId))
    if (ranked.length === 0) throw new NoExecutorError(`no executor left for this task: ${excluded.size} lost it`)
    const chosen = leastLoaded(ranked, peerId => this.loadOf(peerId), peerId => this.workerSlots(peerId))!
    if (count) this.count(chosen.peerId, 1)
    return chosen === ranked[0] ? chosen : { ...chosen, reason: `${chosen.reason}; the better-ranked are busy with this tab's tasks` }
  }

  private count (executor: string, delta: number): void {
    const now = (this.chosen.get(executor) ?? 0) + delta
    if (now > 0) this.chosen.set(executor, now)
    else this.chosen.delete(executor)
  }

  /**
   * This tab's tasks at `executor`: in flight or waiting in its queue, or —
   * for tasks chosen together, before any has reached the queue — chosen
   * for it by runOnce and not yet ended.
   */
  private loadOf (executor: string): number {
    return Math.max(this.chosen.get(executor) ?? 0, this.queue.inFlight(executor) + this.queue.waiting(executor))
  }

  /** The tasks `executor` runs at once, by its Agent Card (1 without one). */
  private workerSlots (executor: string): number {
    return Math.max(1, this.components.cards.cards.get(executor)?.workerSlots ?? 1)
  }

  /** The `count` best distinct executors, waiting a while until there are `atLeast` (default: all `count`); see executor-choice.ts. */
  async chooseExecutors (requirements: CardRequirements, count: number, signal?: AbortSignal, atLeast = count): Promise<ExecutorChoice[]> {
    return this.chooser.chooseExecutors(requirements, count, signal, atLeast)
  }

  /** A sealed-bid auction for `offer` among the best-ranked candidates (docs/bids.md); see executor-choice.ts. */
  async auction (offer: ValidOffer, requirements: CardRequirements, settings: AuctionSettings, signal?: AbortSignal): Promise<ExecutorChoice> {
    return this.chooser.auction(offer, requirements, settings, signal)
  }

  /** What ranking and the auction floor read of `peerId` (trust/verification standing.ts). */
  standing (peerId: string): ExecutorStanding {
    return this.chooser.standing(peerId)
  }

  /** One executor: named, won at auction, or the best ranked. */
  async runOnce (
    prepared: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, request: DispatchRequest, options: DispatchOptions = {}
  ): Promise<{ outcome: TaskOutcome, offer: ValidOffer }> {
    const { signal } = options
    const { executor, auction } = request
    const byAuction = auction != null && auction !== false
    // Executors that lost this task (MAX_REDISPATCHES): never chosen for it again.
    const tried = new Set<string>()
    let lost: unknown
    for (;;) {
      // The task counts at its executor from the choice to its end (pick counts it as it chooses).
      const choice = executor != null
        ? { peerId: executor, reason: 'chosen by the submitter' }
        : byAuction
          ? await this.auction(prepared, requirements, auction === true ? {} : auction, signal)
          : await this.traced(options.trace, 'choose', async () => this.pick(requirements, signal, true, tried)).catch((err: unknown) => {
            // Nobody left to take it: what the caller hears is how it was lost.
            throw lost ?? err
          })
      if (executor != null || byAuction) this.count(choice.peerId, 1)
      try {
        // An auction's price is the most the winner may charge: it becomes the task's budget.
        const offer = choice.awardedPrice === undefined ? prepared : { ...prepared, maxTotalPrice: choice.awardedPrice }
        options.onChoice?.(choice.peerId, tried.size === 0 ? choice.reason : `${choice.reason}; dispatched again after ${tried.size} executor${tried.size === 1 ? '' : 's'} lost it`)
        const outcome = await this.sendTracked(choice.peerId, offer, module, requirements, {
          signal,
          trace: options.trace,
          onProgress: p => { options.onProgress?.(p) },
          onForwarded: hop => { options.onChoice?.(choice.peerId, `${choice.reason}; not a neighbour, so forwarded via ${hop.slice(-8)}`) }
        })
        return { outcome, offer }
      } catch (err) {
        const movable = executor == null && !byAuction && signal?.aborted !== true && tried.size < MAX_REDISPATCHES
        if (!movable || !REDISPATCH_ON.includes(err instanceof Error ? err.name : '')) throw err
        tried.add(choice.peerId)
        lost = err
      } finally {
        this.count(choice.peerId, -1)
      }
    }
  }

  /** `work` inside a span named `name` of the task's trace, when it is traced. */
  private async traced<T> (trace: TaskTraceOptions | undefined, name: string, work: () => Promise<T>): Promise<T> {
    return trace === undefined ? work() : trace.recorder.within(name, trace.parent, work)
  }

  /**
   * The same task on `count` executors at once (each with its own task id,
   * so each signs its own receipt); the strict majority's result is kept.
   * Only the majority is paid; an executor it contradicts is proven wrong.
   */
  async runRedundant (
    offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements, count: number, options: DispatchOptions = {}
  ): Promise<TaskOutcome> {
    const { signal } = options
    if (options.executors !== undefined && options.executors.length !== count) throw new RangeError(`${options.executors.length} executors given for a task to run on ${count}`)
    const executors = options.executors?.map(peerId => ({ peerId })) ?? await this.chooseExecutors(requirements, count, signal)
    if (executors[0] !== undefined) options.onChoice?.(executors[0].peerId, `run on ${count} executors; the majority's result is kept`)
    const settled = await Promise.allSettled(executors.map(async ({ peerId }, i) =>
      this.sendTracked(peerId, { ...offer, taskId: `${offer.taskId}-${i}` }, module, requirements, {
        signal,
        trace: options.trace,
        onProgress: p => { if (i === 0) options.onProgress?.(p) },
        onForwarded: () => {}
      }).catch((err: unknown) => {
        options.onFailed?.(peerId, err)
        throw err
      })))
    const outcomes = settled.flatMap(result => result.status === 'fulfilled' ? [result.value] : [])
    const verdict = majorityOf(outcomes.map(outcome => outcome.receipt), count)
    if (verdict === undefined) {
      throw new NoMajorityError(`no result was returned by a majority of the ${count} executors (${outcomes.length} answered)`)
    }
    const { accountability } = this.components
    for (const receipt of verdict.dissenting) await accountability.provenWrong(receipt)
    for (const receipt of verdict.agreed) {
      await accountability.pay(receipt)
      options.onPaid?.(receipt)
    }
    const kept = outcomes.find(outcome => outcome.receipt === verdict.agreed[0])!
    options.onChoice?.(kept.receipt.executor, `${verdict.agreed.length} of ${count} executors agreed; ${verdict.dissenting.length} contradicted them`)
    return kept
  }

  /**
   * Sends a task once this tab's queue gives it a turn at `executor`, offers
   * it again after a backoff while the executor refuses it as busy — or once
   * more when the stream died before the executor accepted it (see
   * LOST_BEFORE_ACCEPT_REOFFERS) — and learns from how it went: the time through this executor from its first
   * turn (a wait behind this tab's own tasks says nothing of the executor; a
   * busy executor's does), and its behaviour.
   */
  private async sendTracked (
    executor: string, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, requirements: CardRequirements,
    options: { signal?: AbortSignal, trace?: TaskTraceOptions, onProgress(p: DispatchProgress): void, onForwarded(hop: string): void }
  ): Promise<TaskOutcome> {
    const { signal } = options
    const busyUntil = Date.now() + BUSY_RETRY_WINDOW_MS
    let sentAt: number | undefined
    let reoffers = 0
    for (let attempt = 0; ; attempt++) {
      const release = await this.queue.acquire(executor, { signal, onWait: () => { options.onProgress({ phase: 'waiting', reason: 'queue' }) } })
      sentAt ??= performance.now()
      let retryInMs: number | undefined
      let busy = false
      let accepted = false
      try {
        const outcome = await this.send(executor, offer, module, {
          ...options,
          onProgress: p => {
            if (p.phase !== 'offering' && p.phase !== 'sending-module') accepted = true
            options.onProgress(p)
          }
        })
        this.learn(requirements, executor, performance.now() - sentAt, 'success')
        return outcome
      } catch (err) {
        const name = err instanceof Error ? err.name : undefined
        const lostBeforeAccept = name === ExecutorLostError.name && !accepted && signal?.aborted !== true && reoffers < LOST_BEFORE_ACCEPT_REOFFERS
        busy = name === ExecutorBusyError.name
        if (lostBeforeAccept) reoffers++
        retryInMs = lostBeforeAccept ? LOST_BEFORE_ACCEPT_REOFFER_DELAY_MS : busy ? busyBackoffMs(attempt) : undefined
        if (retryInMs === undefined || Date.now() + retryInMs > busyUntil) {
          this.learn(requirements, executor, performance.now() - sentAt, outcomeOf(err))
          throw err
        }
      } finally {
        release()
      }
      if (busy) options.onProgress({ phase: 'waiting', reason: 'busy' })
      await sleep(retryInMs, signal)
    }
  }

  /** Learns from a finished (or failed) task: how long it took through `executor`, and how it behaved. */
  private learn (requirements: CardRequirements, executor: string, elapsedMs: number, outcome: Outcome | undefined): void {
    this.components.router.record(destinationOf(requirements), executor, elapsedMs)
    if (outcome !== undefined) this.components.reputation.record(executor, outcome)
  }

  /**
   * Sends a task straight to its executor, or — when the connection budget
   * is spent — to the neighbour the Q-router expects to get it there
   * fastest, which forwards it hop by hop (orchestration/forwarding).
   */
  private async send (executor: string, offer: ValidOffer, module: Uint8Array<ArrayBuffer>, options: { signal?: AbortSignal, trace?: TaskTraceOptions, onProgress(p: DispatchProgress): void, onForwarded(via: string): void }): Promise<TaskOutcome> {
    const { identity, mesh, router } = this.components
    const self = identity.peerId.toString()
    const { signal } = options
    let connection
    try {
      connection = await mesh.connectionTo(executor, { signal })
    } catch (err) {
      const neighbours = mesh.neighbours()
      if (!(err instanceof ConnectionBudgetError)) {
        if (signal?.aborted === true) throw signal.reason
        // Not reached (a tab that closed is announced a while longer; its relay or its dial fails):
        // the executor never saw the task, which can go to another (REDISPATCH_ON).
        throw new ExecutorLostError(`could not reach executor ${executor}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
      }
      if (neighbours.length === 0) throw err
      const hop = router.router.choose(executor, neighbours)
      options.onForwarded(hop)
      const startedAt = performance.now()
      // The whole task crosses the hop's connection too: past a relayed one's data limit, it waits for the direct one.
      const via = await this.carrierTo(hop, await mesh.connectionTo(hop, { signal }), offer, module, signal)
      return await forwardTask(via, { target: executor, origin: self }, offer, module, options)
        .finally(() => { router.record(executor, hop, performance.now() - startedAt) })
    }
    // A relayed connection ends once the relay's data limit is spent (circuit relay v2: 128 KiB in all), so a task
    // larger than what it has left would be cut off halfway every time, and its executor taken for lost: such a
    // task waits a while for the direct connection the mesh's upgrade opens, and is sent over the relayed one
    // only when none comes (the executor may hold the module already, and then the offer alone crosses).
    return await submitTask(await this.carrierTo(executor, connection, offer, module, signal), self, offer, module, { ...options, ...(this.spares === undefined ? {} : { streams: this.spares }) })
  }

  /** Resets the task streams opened ahead; tasks still sent open their own. */
  stop (): void {
    this.spares?.stop()
  }

  /** `connection` when it carries the task within its data limit (if any); else the direct one, when it comes within DIRECT_CONNECTION_WAIT_MS. */
  private async carrierTo (peerId: string, connection: Connection, offer: ValidOffer, module: Uint8Array, signal: AbortSignal | undefined): Promise<Connection> {
    const { mesh } = this.components
    if (mesh.directConnectionTo === undefined) return connection
    const direct = mesh.directConnectionTo.bind(mesh)
    // What crosses: the module and inputs, with headroom for the protocol and the answer.
    const bytes = module.byteLength + offer.stdin.byteLength + offer.files.reduce((sum, [, data]) => sum + data.byteLength, 0) + LIMITED_CONNECTION_HEADROOM_BYTES
    return await bulkConnection(connection, bytes, async () => direct(peerId, { signal, timeoutMs: DIRECT_CONNECTION_WAIT_MS }))
  }
}

/**
 * The wait before offering a task again to an executor that refused it as
 * busy, after `attempt` earlier refusals: BUSY_RETRY_FIRST_DELAY_MS doubling
 * up to BUSY_RETRY_MAX_DELAY_MS, times a jitter in [0.5, 1.5).
 */
export function busyBackoffMs (attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BUSY_RETRY_MAX_DELAY_MS, BUSY_RETRY_FIRST_DELAY_MS * 2 ** attempt)
  return Math.round(base * (0.5 + random()))
}
