/**
 * This tab's own queue of tasks per executor: at most `limit(executor)` of its
 * tasks are in flight to one executor at once (a stream each), and the rest
 * wait here, in submit order, until one of those ends. So a burst of submits
 * never opens more task streams than libp2p lets a connection carry, nor
 * offers an executor more than it accepts from one submitter; the tasks that
 * wait show as `queued` on their cards. No I/O and no clock.
 *
 * @example
 * ```ts
 * const queue = new ExecutorQueue({ limit: () => 6 })
 * const release = await queue.acquire(executor, { signal, onWait: () => { show('queued') } })
 * try { await submitTask(…) } finally { release() }
 * ```
 */

export interface ExecutorQueueInit {
  /** How many tasks may be in flight to `executor` at once; asked whenever a turn could be given (at least 1 is used). */
  limit(executor: string): number
}

export interface AcquireOptions {
  /** Gives up waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal
  /** Called when the task has to wait, with how many of this tab's tasks wait ahead of it. */
  onWait?(ahead: number): void
}

interface Lane {
  inFlight: number
  waiting: Array<() => void>
}

export class ExecutorQueue {
  private readonly init: ExecutorQueueInit
  private readonly lanes = new Map<string, Lane>()

  constructor (init: ExecutorQueueInit) {
    this.init = init
  }

  /** Tasks of this tab in flight to `executor`. */
  inFlight (executor: string): number {
    return this.lanes.get(executor)?.inFlight ?? 0
  }

  /** Tasks of this tab waiting for a turn at `executor`. */
  waiting (executor: string): number {
    return this.lanes.get(executor)?.waiting.length ?? 0
  }

  /**
   * Resolves once this tab may send one more task to `executor` — at once when
   * it is under its limit and nothing waits before it, else in submit order —
   * with the function that gives the turn back (safe to call twice).
   */
  async acquire (executor: string, options: AcquireOptions = {}): Promise<() => void> {
    const { signal } = options
    signal?.throwIfAborted()
    const lane = this.laneOf(executor)
    if (lane.waiting.length === 0 && lane.inFlight < this.limitOf(executor)) {
      lane.inFlight++
      return this.releaser(executor, lane)
    }
    options.onWait?.(lane.waiting.length)
    return new Promise((resolve, reject) => {
      const granted = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve(this.releaser(executor, lane))
      }
      const onAbort = (): void => {
        const index = lane.waiting.indexOf(granted)
        if (index !== -1) lane.waiting.splice(index, 1)
        this.forgetIfIdle(executor, lane)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      lane.waiting.push(granted)
    })
  }

  private releaser (executor: string, lane: Lane): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      lane.inFlight--
      this.pump(executor, lane)
    }
  }

  /** Gives turns to waiting tasks while the executor is under its limit. */
  private pump (executor: string, lane: Lane): void {
    const limit = this.limitOf(executor)
    while (lane.waiting.length > 0 && lane.inFlight < limit) {
      lane.inFlight++
      ;(lane.waiting.shift() as () => void)()
    }
    this.forgetIfIdle(executor, lane)
  }

  private limitOf (executor: string): number {
    const limit = this.init.limit(executor)
    return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1
  }

  private laneOf (executor: string): Lane {
    let lane = this.lanes.get(executor)
    if (lane === undefined) {
      lane = { inFlight: 0, waiting: [] }
      this.lanes.set(executor, lane)
    }
    return lane
  }

  private forgetIfIdle (executor: string, lane: Lane): void {
    if (lane.inFlight === 0 && lane.waiting.length === 0 && this.lanes.get(executor) === lane) this.lanes.delete(executor)
  }
}
