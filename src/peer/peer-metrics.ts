/**
 * A peer's own figures on the Metrics port, recorded where they happen:
 * tasks it submitted (by outcome, with their round-trip time and fuel), tasks
 * it ran for others (by receipt status, with their fuel), what its payment
 * channels have earned and spent, and — read when sampled — its peers by link
 * and its worker slots. Names follow Prometheus' conventions (core/metrics.ts)
 * so that a Node exporter serves them as they are.
 */
import type { Counter, Gauge, Histogram, Metrics } from '../core/index.ts'
import { LATENCY_BUCKETS_SECONDS } from '../core/index.ts'
import type { ChannelRecord } from '../economy/payments/index.ts'
import type { PeerInfo } from '../network/transports.ts'
import { TaskDispatch } from '../orchestration/dispatch/index.ts'
import type { TaskDispatchComponents } from '../orchestration/dispatch/index.ts'
import type { TaskOutcome } from '../orchestration/task-protocol/index.ts'
import type { ExecutedTask } from '../orchestration/task-protocol/index.ts'
import type { Receipt } from '../receipts/index.ts'

export const PEER_METRIC = {
  /** Counter {outcome}: the receipt's status (ok, exit, timeout, …), `error` when none came back, `aborted` when the submitter gave up. */
  tasksSubmitted: 'zerostate_tasks_submitted_total',
  /** Counter {status}: tasks this peer ran for others, by their receipt's status. */
  tasksExecuted: 'zerostate_tasks_executed_total',
  /** Histogram: from dispatch to verified result (queueing, choosing, sending, running, verifying) of each submitted task that came back with a receipt. */
  roundTrip: 'zerostate_task_round_trip_seconds',
  /** Counter {role}: fuel of receipts, as submitter (its tasks) and as executor (run here). */
  fuel: 'zerostate_fuel_total',
  /** Gauge {direction}: net µ on this peer's channels: `spent` as payer, `earned` as payee (deposit minus balance, or the reverse). */
  channelFlow: 'zerostate_channel_flow_micro',
  /** Gauge {link}: other peers (not relays) connected `direct` (WebRTC) or only `relayed`. */
  peers: 'zerostate_peers',
  /** Gauge: worker slots contributed (0 while not contributing). */
  workerSlots: 'zerostate_worker_slots',
  /** Gauge: worker slots running a task. */
  workerSlotsBusy: 'zerostate_worker_slots_busy',
  /** Gauge: tasks waiting for a worker slot. */
  workerQueue: 'zerostate_worker_tasks_queued'
} as const

/** What is read each time the peer's levels are sampled. */
export interface PeerLevelSources {
  peers(): PeerInfo[]
  /** Contributed slots (0 when not contributing), running and queued tasks. */
  workers(): { slots: number, running: number, queued: number }
}

export class PeerMetrics {
  readonly #submitted: Counter
  readonly #executed: Counter
  readonly #roundTrip: Histogram
  readonly #fuel: Counter
  readonly #flow: Gauge
  readonly #peers: Gauge
  readonly #slots: Gauge
  readonly #busy: Gauge
  readonly #queued: Gauge
  #sources: PeerLevelSources | undefined

  constructor (metrics: Metrics) {
    this.#submitted = metrics.counter(PEER_METRIC.tasksSubmitted, { help: 'Tasks this peer submitted, by outcome', labels: ['outcome'] })
    this.#executed = metrics.counter(PEER_METRIC.tasksExecuted, { help: 'Tasks this peer ran for others, by receipt status', labels: ['status'] })
    this.#roundTrip = metrics.histogram(PEER_METRIC.roundTrip, { help: 'Round trip of submitted tasks, from dispatch to verified receipt', buckets: LATENCY_BUCKETS_SECONDS })
    this.#fuel = metrics.counter(PEER_METRIC.fuel, { help: 'Fuel on receipts, as submitter and as executor', labels: ['role'] })
    this.#flow = metrics.gauge(PEER_METRIC.channelFlow, { help: 'Net micro-units spent as payer and earned as payee on this peer\'s channels', labels: ['direction'] })
    this.#peers = metrics.gauge(PEER_METRIC.peers, { help: 'Other peers connected, direct (WebRTC) or only relayed', labels: ['link'] })
    this.#slots = metrics.gauge(PEER_METRIC.workerSlots, { help: 'Worker slots contributed' })
    this.#busy = metrics.gauge(PEER_METRIC.workerSlotsBusy, { help: 'Worker slots running a task' })
    this.#queued = metrics.gauge(PEER_METRIC.workerQueue, { help: 'Tasks waiting for a worker slot' })
  }

  /** Where `collect()` reads the peers and the workers from (set once the mesh exists). */
  observe (sources: PeerLevelSources): void {
    this.#sources = sources
  }

  /** A submitted task ended after `seconds`: with a verified outcome, or with `err` (and the receipt, when it ran and failed). */
  submitted (seconds: number, outcome: TaskOutcome | undefined, err?: unknown): void {
    const receipt: Receipt | undefined = outcome?.receipt ?? receiptOf(err)
    const aborted = err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError') && receipt === undefined
    this.#submitted.inc({ outcome: receipt?.status ?? (aborted ? 'aborted' : 'error') })
    if (receipt === undefined) return
    this.#roundTrip.observe({}, seconds)
    if (receipt.fuelUsed !== null) this.#fuel.inc({ role: 'submitter' }, receipt.fuelUsed)
  }

  /** This peer ran a task for another and sent the signed result. */
  executed (task: ExecutedTask): void {
    this.#executed.inc({ status: task.receipt.status })
    if (task.receipt.fuelUsed !== null) this.#fuel.inc({ role: 'executor' }, task.receipt.fuelUsed)
  }

  /** The channels as the store holds them now: what this peer spent as payer and earned as payee. */
  channels (channels: readonly ChannelRecord[]): void {
    let spent = 0
    let earned = 0
    for (const channel of channels) {
      const s = channel.latest.state
      if (channel.side === 'a') spent += s.depositA - s.balanceA
      else earned += s.balanceB - s.depositB
    }
    this.#flow.set({ direction: 'spent' }, spent)
    this.#flow.set({ direction: 'earned' }, earned)
  }

  /** Reads the levels (peers by link, worker slots) into their gauges: call before each sample or scrape. */
  collect (): void {
    const sources = this.#sources
    if (sources === undefined) return
    let direct = 0
    let relayed = 0
    for (const peer of sources.peers()) {
      if (peer.isRelay) continue
      if (peer.transports.includes('webrtc')) direct++
      else if (peer.transports.length > 0) relayed++
    }
    this.#peers.set({ link: 'direct' }, direct)
    this.#peers.set({ link: 'relayed' }, relayed)
    const workers = sources.workers()
    this.#slots.set({}, workers.slots)
    this.#busy.set({}, workers.running)
    this.#queued.set({}, workers.queued)
  }
}

function receiptOf (err: unknown): Receipt | undefined {
  // RemoteTaskError carries the verified receipt of a task that ran and failed.
  const receipt = (err as { receipt?: Receipt } | null)?.receipt
  return receipt !== null && typeof receipt === 'object' ? receipt : undefined
}

/**
 * TaskDispatch that times every task it sends (one executor, or several for
 * a majority) and counts it by outcome: every way a peer submits — a task,
 * a job's slices, a workflow's steps — goes through it.
 */
export class MeteredTaskDispatch extends TaskDispatch {
  readonly #metrics: PeerMetrics
  readonly #now: () => number

  /** `now`: a monotonic clock in ms (performance.now in a tab). */
  constructor (components: TaskDispatchComponents, metrics: PeerMetrics, now: () => number) {
    super(components)
    this.#metrics = metrics
    this.#now = now
  }

  override async runOnce (...args: Parameters<TaskDispatch['runOnce']>): ReturnType<TaskDispatch['runOnce']> {
    const started = this.#now()
    try {
      const sent = await super.runOnce(...args)
      this.#metrics.submitted((this.#now() - started) / 1000, sent.outcome)
      return sent
    } catch (err) {
      this.#metrics.submitted((this.#now() - started) / 1000, undefined, err)
      throw err
    }
  }

  override async runRedundant (...args: Parameters<TaskDispatch['runRedundant']>): ReturnType<TaskDispatch['runRedundant']> {
    const started = this.#now()
    try {
      const outcome = await super.runRedundant(...args)
      this.#metrics.submitted((this.#now() - started) / 1000, outcome)
      return outcome
    } catch (err) {
      this.#metrics.submitted((this.#now() - started) / 1000, undefined, err)
      throw err
    }
  }
}
