/**
 * The executor's queue of accepted tasks, fair between submitters: a bounded
 * queue per submitter, served round-robin — Nagle's round robin between
 * sources (RFC 970), with a task as the unit. The next free worker slot goes
 * to the submitter with the fewest tasks running; among those, to one not
 * served yet (in the order they came, as FQ-CoDel serves new flows before old
 * ones, RFC 8290 §4.1), then to the one served least recently. One peer's
 * backlog therefore delays another's task by at most the tasks already
 * running, not by the backlog.
 *
 * Bounded twice. In all, at most `maxQueued` tasks wait beyond the free
 * slots. Each submitter may hold at most its allowance in flight (running or
 * waiting): its share of the slots, ⌈slots / contenders⌉, plus its share of
 * the queue, ⌊maxQueued / contenders⌋ (at least 1, at most
 * `maxQueuedPerSubmitter`) — where a contender is a submitter with tasks here
 * or one refused within the last `contenderMs`. Alone, a submitter may so hold
 * every slot and `maxQueuedPerSubmitter` more; a submitter refused because
 * the queue was full finds room when it comes back, because the others'
 * allowances shrink and they cannot refill the queue ahead of it.
 *
 * Pure: no I/O and no clock of its own (`now` is injected, used only to
 * remember refusals). Items count as waiting from `push` on, but are handed
 * out only once marked ready (an executor admits a task before its module
 * arrives, and runs it only after).
 */

export interface FairQueueInit {
  /** Tasks waiting beyond the free slots, all submitters together. */
  maxQueued: number
  /** Tasks one submitter may have waiting beyond its share of the slots. */
  maxQueuedPerSubmitter: number
  /** The worker slots, asked at each push (they may change). */
  slots(): number
  /** How long a refused submitter still counts as a contender for the shares. */
  contenderMs: number
  now(): number
}

/** Why `push` refused: the whole queue is full, or this submitter holds its allowance. */
export type Refusal = 'queue-full' | 'share-full'

interface Entry<T> {
  item: T
  ready: boolean
}

interface Submitter<T> {
  waiting: Array<Entry<T>>
  running: number
  /** The tick at which it came (while never served) … */
  joinedAt: number
  /** … and at which it was last served. */
  servedAt?: number
}

export class FairQueue<T> {
  private readonly init: FairQueueInit
  private readonly submitters = new Map<string, Submitter<T>>()
  /** Refused submitters by when they were last refused, oldest first; at most maxQueued of them. */
  private readonly refused = new Map<string, number>()
  private waitingCount = 0
  private runningCount = 0
  private tick = 0

  constructor (init: FairQueueInit) {
    for (const [name, value] of [['maxQueued', init.maxQueued], ['maxQueuedPerSubmitter', init.maxQueuedPerSubmitter]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`)
    }
    if (!(init.contenderMs >= 0)) throw new RangeError(`contenderMs must be non-negative, got ${init.contenderMs}`)
    this.init = init
  }

  /** Tasks waiting, all submitters together. */
  get queued (): number {
    return this.waitingCount
  }

  /** Tasks handed out and not finished yet. */
  get running (): number {
    return this.runningCount
  }

  /** Tasks of `submitter` waiting. */
  queuedBy (submitter: string): number {
    return this.submitters.get(submitter)?.waiting.length ?? 0
  }

  /** Tasks of `submitter` handed out and not finished yet. */
  runningBy (submitter: string): number {
    return this.submitters.get(submitter)?.running ?? 0
  }

  /** How many tasks `submitter` may have here now, running or waiting. */
  allowanceOf (submitter: string): number {
    this.forgetRefusals()
    const contenders = new Set(this.refused.keys())
    for (const id of this.submitters.keys()) contenders.add(id)
    contenders.add(submitter)
    const n = contenders.size
    const slots = Math.max(1, this.init.slots())
    return Math.ceil(slots / n) + Math.min(this.init.maxQueuedPerSubmitter, Math.max(1, Math.floor(this.init.maxQueued / n)))
  }

  /**
   * Queues `item` for `submitter` (handed out once ready), or refuses it —
   * the queue is full, or the submitter holds its allowance — and remembers
   * the refusal, so that the others' allowances leave room for it a while.
   */
  push (submitter: string, item: T, options: { ready?: boolean } = {}): Refusal | undefined {
    const freeSlots = Math.max(0, this.init.slots() - this.runningCount)
    const refusal = this.waitingCount - freeSlots >= this.init.maxQueued
      ? 'queue-full'
      : this.queuedBy(submitter) + this.runningBy(submitter) >= this.allowanceOf(submitter) ? 'share-full' : undefined
    if (refusal !== undefined) {
      this.refused.delete(submitter)
      this.refused.set(submitter, this.init.now())
      while (this.refused.size > this.init.maxQueued) this.refused.delete(this.refused.keys().next().value as string)
      return refusal
    }
    let s = this.submitters.get(submitter)
    if (s === undefined) {
      s = { waiting: [], running: 0, joinedAt: this.tick++ }
      this.submitters.set(submitter, s)
    }
    s.waiting.push({ item, ready: options.ready ?? true })
    this.waitingCount++
    return undefined
  }

  /** Marks a waiting item ready to be handed out. False when it is not waiting (removed, or already handed out). */
  markReady (submitter: string, item: T): boolean {
    const entry = this.submitters.get(submitter)?.waiting.find(e => e.item === item)
    if (entry === undefined) return false
    entry.ready = true
    return true
  }

  /**
   * Hands out the next ready item, counting it as running for its submitter:
   * from the submitter with the fewest tasks running, then one never served
   * (the earliest come), then the one served least recently; within a
   * submitter, in the order they were pushed.
   */
  shift (): { submitter: string, item: T } | undefined {
    let best: [string, Submitter<T>, number] | undefined
    for (const [id, s] of this.submitters) {
      const index = s.waiting.findIndex(e => e.ready)
      if (index === -1) continue
      if (best === undefined || servesBefore(s, best[1])) best = [id, s, index]
    }
    if (best === undefined) return undefined
    const [id, s, index] = best
    const [entry] = s.waiting.splice(index, 1)
    this.waitingCount--
    s.running++
    this.runningCount++
    s.servedAt = this.tick++
    return { submitter: id, item: (entry as Entry<T>).item }
  }

  /** A handed-out item of `submitter` has finished. */
  finish (submitter: string): void {
    const s = this.submitters.get(submitter)
    if (s === undefined || s.running === 0) throw new RangeError(`submitter ${submitter} has nothing running`)
    s.running--
    this.runningCount--
    this.forgetIfIdle(submitter, s)
  }

  /** Takes a waiting item out (its task was abandoned). False when it is not waiting. */
  remove (submitter: string, item: T): boolean {
    const s = this.submitters.get(submitter)
    const index = s?.waiting.findIndex(e => e.item === item) ?? -1
    if (s === undefined || index === -1) return false
    s.waiting.splice(index, 1)
    this.waitingCount--
    this.forgetIfIdle(submitter, s)
    return true
  }

  /** Every waiting item, oldest submitter first (to fail them all at shutdown). */
  drain (): T[] {
    const items = [...this.submitters.values()].flatMap(s => s.waiting.splice(0).map(e => e.item))
    this.waitingCount = 0
    for (const [id, s] of this.submitters) this.forgetIfIdle(id, s)
    return items
  }

  /** A submitter with nothing waiting or running is forgotten: when it comes back it is served as a new one. */
  private forgetIfIdle (id: string, s: Submitter<T>): void {
    if (s.waiting.length === 0 && s.running === 0) this.submitters.delete(id)
  }

  private forgetRefusals (): void {
    const horizon = this.init.now() - this.init.contenderMs
    for (const [id, at] of this.refused) {
      if (at > horizon) break // oldest first: the rest are newer
      this.refused.delete(id)
    }
  }
}

function servesBefore<T> (a: Submitter<T>, b: Submitter<T>): boolean {
  if (a.running !== b.running) return a.running < b.running
  if ((a.servedAt === undefined) !== (b.servedAt === undefined)) return a.servedAt === undefined
  return a.servedAt === undefined ? a.joinedAt < b.joinedAt : a.servedAt < (b.servedAt as number)
}
