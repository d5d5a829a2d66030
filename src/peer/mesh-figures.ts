/**
 * This peer's mesh figures (receipts/mesh-figures, docs/metrics.md "Mesh
 * figures"): counted where its metrics are recorded (MeteredPeerFigures, a
 * PeerMetrics that also keeps the tally) and, only while the user opted in
 * (Contribute's "Share my figures with the mesh"; `shareMetrics(true)`;
 * `zerostate contribute --share-metrics`), signed and published every period
 * on MESH_FIGURES_TOPIC.
 *
 * It publishes without subscribing: the figures are for the relays, which
 * subscribe, check and sum them for their operator's /metrics; a peer has no
 * use for another's, so it neither receives nor forwards them (gossipsub
 * sends a publication on a topic it has not joined to the topic's known
 * subscribers, its fanout).
 *
 * @example
 * const figures = meshFiguresPublisher({ periodMs: 30_000 })({ identity, pubsub, tally, logger })
 * figures.start()
 * figures.share(true) // publishes now, then every period
 */
import type { GossipSub } from '@libp2p/gossipsub'
import { bytesToBase64Url, noopLogger, utf8ToBytes } from '../core/index.ts'
import type { Logger, Metrics } from '../core/index.ts'
import type { PeerIdentity } from '../crypto/index.ts'
import type { ExecutedTask, TaskOutcome } from '../orchestration/task-protocol/index.ts'
import type { Receipt } from '../receipts/index.ts'
import { DEFAULT_MESH_FIGURES_PERIOD_MS, MAX_MESH_FIGURES_PERIOD_MS, MESH_FIGURES_TOPIC, MIN_MESH_FIGURES_PERIOD_MS, MeshFiguresTally, signMeshFigures } from '../receipts/mesh-figures/index.ts'
import type { MeshFigures } from '../receipts/mesh-figures/index.ts'
import { PeerMetrics } from './peer-metrics.ts'

export interface MeshFiguresPublisherInit {
  /** How often it publishes while sharing, ms; default DEFAULT_MESH_FIGURES_PERIOD_MS (30 s), within the format's bounds. */
  periodMs?: number
  /** Whether it shares from the start; default false (a peer shares only once asked). */
  sharing?: boolean
  /** Unix epoch ms; default Date.now. */
  now?(): number
}

export interface MeshFiguresPublisherComponents {
  identity: PeerIdentity
  pubsub: Pick<GossipSub, 'publish'>
  tally: MeshFiguresTally
  logger?: Logger
}

export interface MeshFiguresPublisher {
  /** Whether it publishes now. */
  readonly sharing: boolean
  /** Starts or stops publishing; turning it on publishes at once, then every period. Safe to repeat. */
  share(on: boolean): void
  /** Signs the figures now and publishes them; resolves with them (whether anyone received them or not). */
  publish(): Promise<MeshFigures>
  /** Safe to call twice. */
  start(): void
  /** Safe to call twice. */
  stop(): void
}

class Publisher implements MeshFiguresPublisher {
  readonly #components: MeshFiguresPublisherComponents
  readonly #periodMs: number
  readonly #now: () => number
  readonly #logger: Logger
  /** When this run's counting started: a restart is a new run (receipts/mesh-figures/board.ts). */
  readonly #since: number
  #seq = 0
  #sharing: boolean
  #running = false
  #timer: ReturnType<typeof setInterval> | undefined

  constructor (init: MeshFiguresPublisherInit, components: MeshFiguresPublisherComponents) {
    const periodMs = init.periodMs ?? DEFAULT_MESH_FIGURES_PERIOD_MS
    if (!Number.isSafeInteger(periodMs) || periodMs < MIN_MESH_FIGURES_PERIOD_MS || periodMs > MAX_MESH_FIGURES_PERIOD_MS) {
      throw new RangeError(`periodMs must be a whole number from ${MIN_MESH_FIGURES_PERIOD_MS} to ${MAX_MESH_FIGURES_PERIOD_MS}, got ${String(periodMs)}`)
    }
    this.#components = components
    this.#periodMs = periodMs
    this.#now = init.now ?? Date.now
    this.#logger = components.logger ?? noopLogger
    this.#since = this.#now()
    this.#sharing = init.sharing ?? false
  }

  get sharing (): boolean {
    return this.#sharing
  }

  share (on: boolean): void {
    if (on === this.#sharing) return
    this.#sharing = on
    this.#schedule()
  }

  async publish (): Promise<MeshFigures> {
    const { identity, pubsub, tally } = this.#components
    const figures = await signMeshFigures({
      ...tally.counters(),
      peerId: identity.peerId.toString(),
      publicKey: bytesToBase64Url(identity.publicKey),
      since: this.#since,
      seq: this.#seq++,
      at: Math.max(this.#since, this.#now()),
      periodMs: this.#periodMs
    }, identity)
    try {
      await pubsub.publish(MESH_FIGURES_TOPIC, utf8ToBytes(JSON.stringify(figures)))
    } catch (err) {
      // No relay subscribed yet (or none reachable): the next period's figures carry everything these did.
      this.#logger.debug(`publishing mesh figures on ${MESH_FIGURES_TOPIC} reached nobody`, err)
    }
    return figures
  }

  start (): void {
    if (this.#running) return
    this.#running = true
    this.#schedule()
  }

  stop (): void {
    if (!this.#running) return
    this.#running = false
    this.#schedule()
  }

  #schedule (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    if (!this.#running || !this.#sharing) return
    const send = (): void => { this.publish().catch(err => { this.#logger.warn('signing mesh figures', err) }) }
    send()
    this.#timer = setInterval(send, this.#periodMs)
  }
}

/** The publisher of this peer's mesh figures, off until `share(true)`. */
export function meshFiguresPublisher (init: MeshFiguresPublisherInit = {}): (components: MeshFiguresPublisherComponents) => MeshFiguresPublisher {
  return components => new Publisher(init, components)
}

/**
 * PeerMetrics that also counts into the mesh figures' tally: every way a
 * peer submits (MeteredTaskDispatch) and every task it runs for another reach
 * both, so the figures it publishes are those its own metrics show.
 */
export class MeteredPeerFigures extends PeerMetrics {
  readonly tally: MeshFiguresTally

  constructor (metrics: Metrics, tally: MeshFiguresTally = new MeshFiguresTally()) {
    super(metrics)
    this.tally = tally
  }

  override submitted (seconds: number, outcome: TaskOutcome | undefined, err?: unknown): void {
    super.submitted(seconds, outcome, err)
    this.tally.submitted(outcome?.receipt ?? receiptCarriedBy(err))
  }

  override executed (task: ExecutedTask): void {
    super.executed(task)
    this.tally.executed(task.receipt)
  }
}

function receiptCarriedBy (err: unknown): Receipt | undefined {
  // RemoteTaskError carries the verified receipt of a task that ran and failed (as peer-metrics.ts reads it).
  const receipt = (err as { receipt?: Receipt } | null)?.receipt
  return receipt !== null && typeof receipt === 'object' ? receipt : undefined
}
