/**
 * A Node peer's metrics (`zerostate contribute --metrics-port`,
 * docs/metrics.md "Node peer"): what it ran for others, read from the
 * receipts it signed, and what it holds now, read at scrape time from the
 * peer itself (its executor's load, its pool's slots, its libp2p connections,
 * the Agent Cards it knows).
 *
 * @example
 * ```ts
 * const metrics = new NodePeerMetrics(registry)
 * const peer = await startNodePeer({ ..., onExecuted: task => { metrics.observeReceipt(task.receipt) } })
 * metrics.watch(peer)
 * ```
 */
import type { Connection } from '@libp2p/interface'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'
import { transportOf } from '../network/transports.ts'
import { RECEIPT_STATUSES } from '../receipts/index.ts'
import type { Receipt } from '../receipts/index.ts'

const PREFIX = 'zerostate_peer_'

/**
 * Buckets of the task duration histogram, seconds: a sample runs in
 * milliseconds, a model on a photo in seconds, and a task's timeout is
 * minutes at most.
 */
export const TASK_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/** What the gauges read: a NodePeer (node-peer.node.ts) has all of it. */
export interface NodePeerView {
  /** Tasks running here now, and waiting for a slot. */
  load(): { running: number, queued: number }
  readonly pool: { readonly slots: number }
  readonly peer: {
    readonly node: { getConnections(): Connection[] }
    readonly cards: { readonly cards: { readonly size: number } }
  }
}

export class NodePeerMetrics {
  private readonly executed: Counter<'status'>
  private readonly fuel: Counter
  private readonly duration: Histogram<'status'>
  private readonly earned: Counter
  private peer: NodePeerView | undefined

  constructor (registry: Registry) {
    const registers = [registry]
    this.executed = new Counter({
      name: `${PREFIX}tasks_executed_total`,
      help: `Tasks this peer ran for others and signed a receipt for, by receipt status (${RECEIPT_STATUSES.join(', ')}).`,
      labelNames: ['status'],
      registers
    })
    // Every status is shown from the start, at 0, so that a rate over it exists before the first task of that kind.
    for (const status of RECEIPT_STATUSES) this.executed.inc({ status }, 0)
    this.fuel = new Counter({ name: `${PREFIX}fuel_used_total`, help: 'Fuel the tasks it ran used, as their receipts state (a timed-out task states none).', registers })
    this.duration = new Histogram({
      name: `${PREFIX}task_duration_seconds`,
      help: 'Run time of the tasks it ran (the receipt\'s durationMs), by receipt status.',
      labelNames: ['status'],
      buckets: TASK_DURATION_BUCKETS,
      registers
    })
    this.earned = new Counter({ name: `${PREFIX}earned_micros_total`, help: 'Charges of the receipts it signed, micro-units (what its submitters owe it).', registers })
    const view = (): NodePeerView | undefined => this.peer
    /* eslint-disable no-new -- each gauge is registered in `registry` by its constructor and read through it */
    new Gauge({
      name: `${PREFIX}worker_slots`,
      help: 'Worker threads contributed.',
      registers,
      collect () { const peer = view(); if (peer !== undefined) this.set(peer.pool.slots) }
    })
    new Gauge({
      name: `${PREFIX}worker_slots_busy`,
      help: 'Worker slots running a task now.',
      registers,
      collect () { const peer = view(); if (peer !== undefined) this.set(peer.load().running) }
    })
    new Gauge({
      name: `${PREFIX}tasks_queued`,
      help: 'Accepted tasks waiting for a free slot.',
      registers,
      collect () { const peer = view(); if (peer !== undefined) this.set(peer.load().queued) }
    })
    new Gauge({
      name: `${PREFIX}connections`,
      help: 'Connections open now, by direction and transport (websocket, relayed, webrtc, other).',
      labelNames: ['direction', 'transport'],
      registers,
      collect () {
        this.reset()
        for (const connection of view()?.peer.node.getConnections() ?? []) {
          this.inc({ direction: connection.direction, transport: transportOf(connection) })
        }
      }
    })
    new Gauge({
      name: `${PREFIX}agent_cards`,
      help: 'Agent Cards of other peers it holds (verified, unexpired).',
      registers,
      collect () { const peer = view(); if (peer !== undefined) this.set(peer.peer.cards.cards.size) }
    })
    /* eslint-enable no-new */
  }

  /** Counts a task this peer ran for another, from the receipt it signed. */
  observeReceipt (receipt: Receipt): void {
    this.executed.inc({ status: receipt.status })
    if (receipt.fuelUsed !== null) this.fuel.inc(receipt.fuelUsed)
    this.duration.observe({ status: receipt.status }, receipt.durationMs / 1000)
    this.earned.inc(receipt.price.charge)
  }

  /** Reads the gauges from `peer` from the next scrape on (before it, they stay at 0). */
  watch (peer: NodePeerView): void {
    this.peer = peer
  }
}
