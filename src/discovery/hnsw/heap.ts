/**
 * Binary heaps of (distance, slot) pairs on growable typed arrays, so a search
 * allocates nothing per visited node. `MinHeap` is the candidate set C and
 * `MaxHeap` the result set W of Algorithm 2 (Malkov & Yashunin, 2018).
 */
export class MinHeap {
  size = 0
  private keys: Float64Array
  private slots: Int32Array

  constructor (capacity = 64) {
    this.keys = new Float64Array(capacity)
    this.slots = new Int32Array(capacity)
  }

  clear (): void { this.size = 0 }
  topKey (): number { return this.keys[0]! }
  topSlot (): number { return this.slots[0]! }

  push (key: number, slot: number): void {
    if (this.size === this.keys.length) this.grow()
    const keys = this.keys
    const slots = this.slots
    let i = this.size++
    while (i > 0) {
      const parent = (i - 1) >> 1
      const pk = keys[parent]!
      if (pk <= key) break
      keys[i] = pk
      slots[i] = slots[parent]!
      i = parent
    }
    keys[i] = key
    slots[i] = slot
  }

  /** Removes the top pair; read it with topKey/topSlot first. */
  pop (): void {
    const n = --this.size
    if (n <= 0) return
    const keys = this.keys
    const slots = this.slots
    const key = keys[n]!
    const slot = slots[n]!
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      const right = child + 1
      if (right < n && keys[right]! < keys[child]!) child = right
      if (keys[child]! >= key) break
      keys[i] = keys[child]!
      slots[i] = slots[child]!
      i = child
    }
    keys[i] = key
    slots[i] = slot
  }

  private grow (): void {
    const keys = new Float64Array(this.keys.length * 2)
    keys.set(this.keys)
    this.keys = keys
    const slots = new Int32Array(this.slots.length * 2)
    slots.set(this.slots)
    this.slots = slots
  }
}

/** A max-heap: a MinHeap over negated keys. */
export class MaxHeap {
  private readonly heap: MinHeap

  constructor (capacity = 64) { this.heap = new MinHeap(capacity) }

  get size (): number { return this.heap.size }
  clear (): void { this.heap.clear() }
  topKey (): number { return -this.heap.topKey() }
  topSlot (): number { return this.heap.topSlot() }
  push (key: number, slot: number): void { this.heap.push(-key, slot) }
  pop (): void { this.heap.pop() }
}
