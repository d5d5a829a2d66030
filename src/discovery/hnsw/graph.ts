/**
 * The HNSW graph's storage: vectors in one flat Float32Array, layer-0 links in
 * one flat Int32Array, links of the upper layers per node. A node is addressed
 * by its slot (insertion order); ids live beside it. Internal to this folder.
 *
 * Link list layout: [count, n1, n2, …] with room for Mmax0 = 2·M neighbours on
 * layer 0 and Mmax = M above (§4.1 of Malkov & Yashunin, 2018).
 *
 * A node is one distinct vector: ids inserted with exactly the vector of a
 * live node share it (`ids[slot]` first, the rest in `twins[slot]`) rather
 * than each taking a node of their own. See hnsw-index.ts for why.
 */
import { l2Squared } from './distance.ts'

export type Metric = 'cosine' | 'l2'

export class HnswGraph {
  readonly dimensions: number
  readonly metric: Metric
  readonly cosine: boolean
  readonly M: number
  readonly maxM0: number
  readonly stride0: number
  readonly strideUp: number

  capacity: number
  /** Slots in use, live and deleted. */
  count = 0
  deletedCount = 0
  entryPoint = -1
  maxLevel = -1
  vectors: Float32Array
  links0: Int32Array
  upper: Array<Int32Array | null> = []
  levels: Uint8Array
  deleted: Uint8Array
  ids: string[] = []
  /** Further ids stored at the node, beyond `ids[slot]`, in insertion order; undefined when none. */
  twins: Array<string[] | undefined> = []

  constructor (dimensions: number, metric: Metric, M: number, capacity: number) {
    this.dimensions = dimensions
    this.metric = metric
    this.cosine = metric === 'cosine'
    this.M = M
    this.maxM0 = 2 * M
    this.stride0 = this.maxM0 + 1
    this.strideUp = M + 1
    this.capacity = Math.max(1, capacity)
    this.vectors = new Float32Array(this.capacity * dimensions)
    this.links0 = new Int32Array(this.capacity * this.stride0)
    this.levels = new Uint8Array(this.capacity)
    this.deleted = new Uint8Array(this.capacity)
  }

  get liveCount (): number { return this.count - this.deletedCount }

  /** Most neighbours a node may keep on layer `layer`. */
  maxLinks (layer: number): number { return layer === 0 ? this.maxM0 : this.M }

  /** Appends a slot with empty link lists on layers 0..level and returns it. */
  addSlot (id: string, level: number): number {
    if (this.count === this.capacity) this.reserve(this.capacity * 2)
    const slot = this.count++
    this.ids[slot] = id
    this.twins[slot] = undefined
    this.levels[slot] = level
    this.deleted[slot] = 0
    this.links0[slot * this.stride0] = 0
    this.upper[slot] = level > 0 ? new Int32Array(level * this.strideUp) : null
    return slot
  }

  reserve (capacity: number): void {
    if (capacity <= this.capacity) return
    const grow = <T extends Float32Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, per: number): T => {
      const next = make(capacity * per)
      next.set(old)
      return next
    }
    this.vectors = grow(this.vectors, (n) => new Float32Array(n), this.dimensions)
    this.links0 = grow(this.links0, (n) => new Int32Array(n), this.stride0)
    this.levels = grow(this.levels, (n) => new Uint8Array(n), 1)
    this.deleted = grow(this.deleted, (n) => new Uint8Array(n), 1)
    this.capacity = capacity
  }

  /** The array holding `slot`'s links on `layer`; the list starts at `linkOffset`. */
  linkArray (slot: number, layer: number): Int32Array {
    return layer === 0 ? this.links0 : this.upper[slot]!
  }

  linkOffset (slot: number, layer: number): number {
    return layer === 0 ? slot * this.stride0 : (layer - 1) * this.strideUp
  }

  /**
   * Distance from a[aOff..] to the stored vector of `slot`: 1 − cos or squared L2.
   * For unit vectors 1 − a·b = |a − b|² / 2, and the right side is what is
   * computed: 1 − a·b cancels catastrophically for near-identical vectors
   * (float32 unit vectors are unit only to ~1e-7, which swamps their true
   * distance), and the neighbour heuristic, fed that noise, cut clusters of
   * near-copies out of the graph; |a − b|² keeps their distances exact.
   */
  distanceTo (a: Float32Array, aOff: number, slot: number): number {
    const dim = this.dimensions
    const d = l2Squared(a, aOff, this.vectors, slot * dim, dim)
    return this.cosine ? 0.5 * d : d
  }

  distanceBetween (a: number, b: number): number {
    return this.distanceTo(this.vectors, a * this.dimensions, b)
  }

  /** The distance reported to callers: 1 − cos clamped to [0, 2], or Euclidean. */
  publicDistance (internal: number): number {
    return this.cosine ? Math.min(2, Math.max(0, internal)) : Math.sqrt(internal)
  }
}
