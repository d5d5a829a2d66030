/**
 * A peer's own mesh figures, counted from the receipts it signs and those it
 * gets back (pure: no clock, no I/O). The peer layer feeds it where it
 * records its metrics (peer/mesh-figures.ts) and publishes `counters()`.
 */
import type { Receipt } from '../types.ts'
import { MESH_DURATION_BUCKETS_MS } from './constants.ts'
import { addCounters, zeroCounters } from './figures.ts'
import type { MeshCounters } from './figures.ts'

/** The index of the bucket of MESH_DURATION_BUCKETS_MS a run time of `ms` falls in (the last for above every bound). */
export function durationBucket (ms: number): number {
  const i = MESH_DURATION_BUCKETS_MS.findIndex(le => ms <= le)
  return i === -1 ? MESH_DURATION_BUCKETS_MS.length : i
}

export class MeshFiguresTally {
  #counters: MeshCounters = zeroCounters()

  /** This peer ran a task for another and signed `receipt`. */
  executed (receipt: Receipt): void {
    const c = this.#counters
    c.executed[receipt.status] += 1
    if (receipt.fuelUsed !== null) c.fuel += receipt.fuelUsed
    // A receipt's durationMs is a whole number of ms (docs/receipt-format.md); rounded all the same, so the sum stays an integer.
    const ms = Math.max(0, Math.round(receipt.durationMs))
    c.durations.counts[durationBucket(ms)]! += 1
    c.durations.sumMs += ms
    c.earned += receipt.price.charge
  }

  /** A task this peer submitted ended: with its verified receipt, or without one (an error, or given up). */
  submitted (receipt: Receipt | undefined): void {
    const c = this.#counters
    c.submitted += 1
    if (receipt?.status !== 'ok') c.failed += 1
    if (receipt !== undefined) c.spent += receipt.price.charge
  }

  /** The counters now (a copy). */
  counters (): MeshCounters {
    return addCounters(zeroCounters(), this.#counters)
  }
}
