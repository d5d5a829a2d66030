/**
 * The results the worker pool makes itself rather than receives from a
 * worker: what a task killed at its time limit reports, and which results
 * call for the exact-fuel replay (worker-pool.ts).
 */
import { NO_EXIT_CODE } from './constants.ts'
import { TaskTrapError } from './errors.ts'
import type { ExecutionResult } from './types.ts'

/**
 * What a task killed at its time limit reports: nothing it wrote survives its
 * worker, and its fuel counter dies with it; its memory is the size the worker
 * last reported. That is exact for a metered module (a report follows every
 * `memory.grow`) — through shared memory always, through messages unless the
 * last one was still on its way when the timer fired — and a lower bound for
 * an unmetered one, whose `memory.grow` reports nothing:
 * it reports at instantiation and at each WASI call. Like the timeout itself,
 * it depends on the machine; runs that end by themselves report the final
 * size the runner reads, as before.
 */
export function timedOut (startedAt: number, durationMs: number, memoryPeakBytes: number, error: Error): ExecutionResult {
  return {
    status: 'timeout',
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
    exitCode: NO_EXIT_CODE,
    startedAt,
    durationMs,
    fuelUsed: null,
    memoryPeakBytes,
    files: [],
    error: { name: error.name, message: error.message }
  }
}

/**
 * Whether a run ended in a trap raised inside the module (not by the meter,
 * not by a WASI call): the runner reports those as `TaskTrapError`, or as
 * `memory-limit` when memory was near its cap. Only then can the fast
 * meter's fuel global lag behind (see `WorkerPool.replay`).
 */
export function trappedInWasm (result: ExecutionResult): boolean {
  return (result.status === 'trap' && result.error?.name === TaskTrapError.name) || result.status === 'memory-limit'
}
