/**
 * A Node peer's metrics (`zerostate contribute --metrics-port`,
 * docs/metrics.md "Node peer") beyond those it records through the core
 * Metrics port (prom-metrics.node.ts: tasks by status, fuel, worker slots and
 * queue, peers, libp2p's): the run time of what it ran for others by receipt
 * status and what it earned, read from the receipts it signed, and what it
 * holds now, read at scrape time from the peer itself (its libp2p
 * connections by direction and transport, the Agent Cards it knows). Nothing
 * is counted under two names.
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
  readonly peer: {
    readonly node: { getConnections(): Connection[] }
    readonly cards: { readonly cards: { readonly size: number } }
  }
}

export class NodePeerMetrics {
  private readonly duration: Histogram<'status'>
  private readonly earned: Counter
  private peer: NodePeerView | undefined

  constructor (registry: Registry) {
    const registers = [registry]
    this.duration = new Histogram({
      name: `${PREFIX}task_duration_seconds`,
      help: `Run time of the tasks it ran (the receipt's durationMs), by receipt status (${RECEIPT_STATUSES.join(', ')}).`,
      labelNames: ['status'],
      buckets: TASK_DURATION_BUCKETS,
      registers
    })
    this.earned = new Counter({ name: `${PREFIX}earned_micros_total`, help: 'Charges of the receipts it signed, micro-units (what its submitters owe it).', registers })
    const view = (): NodePeerView | undefined => this.peer
    /* eslint-disable no-new -- each gauge is registered in `registry` by its constructor and read through it */
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

  /** Times a task this peer ran for another, and adds its charge, from the receipt it signed. */
  observeReceipt (receipt: Receipt): void {
    this.duration.observe({ status: receipt.status }, receipt.durationMs / 1000)
    this.earned.inc(receipt.price.charge)
  }

  /** Reads the gauges from `peer` from the next scrape on (before it, they stay at 0). */
  watch (peer: NodePeerView): void {
    this.peer = peer
  }
}
