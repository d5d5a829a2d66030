/**
 * What each module used the last time this executor ran it: the estimate the
 * executor quotes against a task's budget (receipts/pricing quoteFits) before
 * it accepts the task. A run is deterministic in its module, input and seed,
 * but the input differs from task to task, so the last run of the same module
 * is an estimate, not a promise; the receipt's charge is still capped by the
 * budget. Pure and bounded: past `capacity` modules, the least recently used
 * one is forgotten.
 */
import type { ResourceUse } from '../../receipts/pricing/index.ts'

export class UsageMemory {
  private readonly capacity: number
  // A Map iterates in insertion order; re-inserting on every use keeps the least recently used first.
  private readonly entries = new Map<string, Readonly<ResourceUse>>()

  constructor (capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    }
    this.capacity = capacity
  }

  /** The resources of the last run of `moduleHash`, or undefined when none is remembered. */
  recall (moduleHash: string): Readonly<ResourceUse> | undefined {
    const use = this.entries.get(moduleHash)
    if (use === undefined) return undefined
    this.entries.delete(moduleHash)
    this.entries.set(moduleHash, use)
    return use
  }

  /** Remembers `use` as the last run of `moduleHash`, forgetting the least recently used module when full. */
  remember (moduleHash: string, use: ResourceUse): void {
    this.entries.delete(moduleHash)
    this.entries.set(moduleHash, Object.freeze({ fuel: use.fuel, durationMs: use.durationMs, memoryBytes: use.memoryBytes }))
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
  }

  get size (): number {
    return this.entries.size
  }
}
