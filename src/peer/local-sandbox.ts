/**
 * This peer's own sandbox, apart from the slots it contributes: to try a
 * module before submitting it, to measure the sandbox, to forecast a job from
 * its first slice, and to measure this peer's speed for its Agent Card. No
 * other peer is involved, so there is no receipt. The pools come from
 * `createPool`: Web Workers in a tab (src/app/local-sandbox.ts), worker
 * threads in Node (execution/node-host.node.ts).
 */
import { TASK_SEED_BYTES } from '../core/limits.ts'
import type { CardBenchmark } from '../discovery/index.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import type { ExecutionResult } from '../execution/types.ts'
import type { WorkerPool, WorkerPoolInit } from '../execution/worker-pool.ts'
import { BENCHMARK_INPUT, BENCHMARK_SAMPLE } from './constants.ts'
import type { ModuleFetch } from './context.ts'
import { prepareTask } from './task-request.ts'
import type { SubmitRequest } from './types.ts'

export interface LocalSandboxInit {
  /** How a module named by a string is fetched (see PeerContext). */
  fetchModule: ModuleFetch
  /** Makes a one-slot pool, metered or not. */
  createPool(init: Pick<WorkerPoolInit, 'slots' | 'metered'>): WorkerPool
}

/** Runs one task here: what a job's estimate needs of a local sandbox. */
export type LocalRun = (request: SubmitRequest, options: { signal?: AbortSignal }) => Promise<ExecutionResult>

export class LocalSandbox {
  /** Metered and unmetered pools, made on first use. */
  private readonly pools = new Map<boolean, WorkerPool>()
  private readonly init: LocalSandboxInit

  constructor (init: LocalSandboxInit) {
    this.init = init
  }

  /** Runs `request` here; `metered: false` skips fuel metering (the result then reports no fuel). */
  async run (request: SubmitRequest, options: { metered?: boolean, signal?: AbortSignal } = {}): Promise<ExecutionResult> {
    const { offer, module } = await prepareTask(crypto.randomUUID(), request, this.init.fetchModule, options.signal)
    const metered = options.metered ?? true
    let pool = this.pools.get(metered)
    if (pool == null) {
      pool = this.init.createPool({ slots: 1, metered })
      this.pools.set(metered, pool)
    }
    return pool.run(offer.moduleHash, module,
      { args: offer.args, env: offer.env, stdin: offer.stdin, files: offer.files, seed: offer.seed },
      { timeoutMs: offer.timeoutMs, memoryLimitBytes: offer.memoryLimitBytes, fuel: offer.fuel },
      { signal: options.signal })
  }

  /** Fuel per millisecond on the primes sample: this peer's speed as its Agent Card states it (0 when it cannot be measured). */
  async benchmark (samples: SampleTask[]): Promise<CardBenchmark> {
    const reference = samples.find(sample => sample.id === BENCHMARK_SAMPLE)
    if (reference == null) return { fuelPerMs: 0, reference: '0'.repeat(64) }
    try {
      const result = await this.run({ module: reference.url, stdin: BENCHMARK_INPUT, seed: new Uint8Array(TASK_SEED_BYTES) })
      return { fuelPerMs: Math.floor((result.fuelUsed ?? 0) / Math.max(result.durationMs, 1)), reference: reference.sha256 }
    } catch {
      // A sandbox that cannot run the reference states no speed rather than a wrong one.
      return { fuelPerMs: 0, reference: reference.sha256 }
    }
  }

  stop (): void {
    for (const pool of this.pools.values()) pool.stop()
  }
}
