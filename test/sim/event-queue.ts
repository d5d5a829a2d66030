/**
 * The discrete-event engine's queue: a binary min-heap on (time, insertion
 * order), so events at the same time come out in the order they were
 * scheduled (FIFO ties make a run reproducible from its seed).
 */

interface Slot<T> {
  time: number
  seq: number
  item: T
}

/** Thrown when an event is scheduled at a NaN/infinite time or before the last event taken out. */
export class InvalidEventTimeError extends RangeError {
  override readonly name = 'InvalidEventTimeError'
}

export class EventQueue<T> {
  private readonly heap: Array<Slot<T>> = []
  private seq = 0
  private clock = 0

  /** Time of the last event taken out (0 before any). */
  get now (): number {
    return this.clock
  }

  get size (): number {
    return this.heap.length
  }

  /** Schedules `item` at absolute time `time` (not earlier than `now`). */
  schedule (time: number, item: T): void {
    if (!Number.isFinite(time) || time < this.clock) throw new InvalidEventTimeError(`cannot schedule at ${time} (now ${this.clock})`)
    const heap = this.heap
    const slot = { time, seq: this.seq++, item }
    let i = heap.push(slot) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as Slot<T>
      if (!before(slot, p)) break
      heap[i] = p
      i = parent
    }
    heap[i] = slot
  }

  /** Takes out the earliest event and advances `now` to its time; undefined when empty. */
  next (): { time: number, item: T } | undefined {
    const heap = this.heap
    const top = heap[0]
    if (top === undefined) return undefined
    const last = heap.pop() as Slot<T>
    if (heap.length > 0) {
      let i = 0
      const n = heap.length
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && before(heap[r] as Slot<T>, heap[l] as Slot<T>) ? r : l
        if (!before(heap[c] as Slot<T>, last)) break
        heap[i] = heap[c] as Slot<T>
        i = c
      }
      heap[i] = last
    }
    this.clock = top.time
    return { time: top.time, item: top.item }
  }
}

function before<T> (a: Slot<T>, b: Slot<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}
