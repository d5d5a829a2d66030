/**
 * What the mesh has seen of a module's runs — the record the marketplace shows
 * beside each agent (an agent's runs are its entry module's runs: a receipt
 * names the module by hash, and so does the manifest). Pure: receipts and
 * attestations are given to it already verified, with the time they were seen.
 *
 * - Counted once per receipt (by receipt hash): a receipt gossiped twice, or
 *   seen both in this peer's history and on the receipts topic, is one run.
 * - `succeeded` is status `ok`; everything else a receipt can say (non-zero
 *   exit, trap, out of fuel, timeout, memory limit, invalid module) is a
 *   failed run: the user asked for an answer and got none.
 * - Medians are over the newest `window` runs, so a module that got faster
 *   shows it, and memory per module stays bounded.
 * - A dispute is a witness's `disagree` on one of the module's receipts,
 *   counted once per receipt whatever the number of witnesses.
 * - At most `maxModules` modules are followed; the one seen longest ago goes first.
 */
import type { Receipt } from '../../receipts/types.ts'

export const DEFAULT_STATS_WINDOW = 256
export const DEFAULT_MAX_STATS_MODULES = 4096

export interface AgentRunStats {
  moduleHash: string
  runs: number
  succeeded: number
  failed: number
  /** succeeded / runs. */
  successRate: number
  /** Of the newest `window` runs; null before any. */
  medianDurationMs: number | null
  /** Of the newest `window` runs that report fuel (a timeout does not); null when none. */
  medianFuel: number | null
  /** Receipts of this module a witness disagreed with. */
  disputes: number
  /** Distinct executors among the newest `window` runs. */
  executors: number
  lastSeenAt: number
}

export interface AgentStatsBookInit {
  window?: number
  maxModules?: number
}

interface RecentRun { receiptHash: string, durationMs: number, fuel: number | null, executor: string }

interface ModuleRuns {
  runs: number
  succeeded: number
  disputes: number
  lastSeenAt: number
  /** Oldest first, at most `window`. */
  recent: RecentRun[]
  /** Hashes of the receipts in `recent`: a receipt seen again while in the window is not counted twice (see `forget`). */
  counted: Set<string>
  /** Hashes of the receipts in `recent` a witness disagreed with. */
  disputed: Set<string>
}

export class AgentStatsBook {
  private readonly window: number
  private readonly maxModules: number
  /** Map order is recency of the last receipt seen: the first entry is the one to forget. */
  private readonly modules = new Map<string, ModuleRuns>()
  /** receipt hash → module hash, for attestations (which name the receipt, not the module). */
  private readonly moduleOfReceipt = new Map<string, string>()

  constructor (init: AgentStatsBookInit = {}) {
    this.window = positive(init.window ?? DEFAULT_STATS_WINDOW, 'window')
    this.maxModules = positive(init.maxModules ?? DEFAULT_MAX_STATS_MODULES, 'maxModules')
  }

  /** Counts a verified receipt (hash `receiptHash`) seen at `at`; false when it was counted before. */
  observeReceipt (receipt: Receipt, receiptHash: string, at: number): boolean {
    let runs = this.modules.get(receipt.moduleHash)
    if (runs?.counted.has(receiptHash) === true) return false
    if (runs === undefined) {
      runs = { runs: 0, succeeded: 0, disputes: 0, lastSeenAt: at, recent: [], counted: new Set(), disputed: new Set() }
      if (this.modules.size >= this.maxModules) this.forgetOldest()
    }
    this.modules.delete(receipt.moduleHash)
    this.modules.set(receipt.moduleHash, runs)
    runs.runs++
    if (receipt.status === 'ok') runs.succeeded++
    runs.lastSeenAt = Math.max(runs.lastSeenAt, at)
    runs.counted.add(receiptHash)
    this.moduleOfReceipt.set(receiptHash, receipt.moduleHash)
    runs.recent.push({ receiptHash, durationMs: receipt.durationMs, fuel: receipt.fuelUsed, executor: receipt.executor })
    if (runs.recent.length > this.window) this.forget(runs, runs.recent.shift()!)
    return true
  }

  /** Counts a witness's disagreement with receipt `receiptHash`, when that receipt was counted; false otherwise or when already counted. */
  observeDisagreement (receiptHash: string): boolean {
    const moduleHash = this.moduleOfReceipt.get(receiptHash)
    const runs = moduleHash === undefined ? undefined : this.modules.get(moduleHash)
    if (runs === undefined || runs.disputed.has(receiptHash)) return false
    runs.disputed.add(receiptHash)
    runs.disputes++
    return true
  }

  statsOf (moduleHash: string): AgentRunStats | undefined {
    const runs = this.modules.get(moduleHash)
    if (runs === undefined) return undefined
    const fuel = runs.recent.flatMap(run => run.fuel === null ? [] : [run.fuel])
    return {
      moduleHash,
      runs: runs.runs,
      succeeded: runs.succeeded,
      failed: runs.runs - runs.succeeded,
      successRate: runs.succeeded / runs.runs,
      medianDurationMs: median(runs.recent.map(run => run.durationMs)),
      medianFuel: median(fuel),
      disputes: runs.disputes,
      executors: new Set(runs.recent.map(run => run.executor)).size,
      lastSeenAt: runs.lastSeenAt
    }
  }

  /** Modules followed. */
  get size (): number {
    return this.modules.size
  }

  /**
   * A run that leaves the window stops being remembered by hash: a receipt
   * that old seen again is counted again. That bounds memory per module; the
   * price is a rare double count of a very old receipt re-gossiped.
   */
  private forget (runs: ModuleRuns, run: RecentRun): void {
    runs.counted.delete(run.receiptHash)
    runs.disputed.delete(run.receiptHash)
    this.moduleOfReceipt.delete(run.receiptHash)
  }

  private forgetOldest (): void {
    const [moduleHash, runs] = this.modules.entries().next().value!
    for (const run of runs.recent) this.moduleOfReceipt.delete(run.receiptHash)
    this.modules.delete(moduleHash)
  }
}

/** The middle value, or the mean of the two middle values; null for none. */
export function median (values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function positive (value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${field} must be a positive safe integer`)
  return value
}
