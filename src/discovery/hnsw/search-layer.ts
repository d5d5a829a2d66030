/**
 * The per-layer searches of Malkov & Yashunin (2018): greedy descent on the
 * upper layers (Algorithm 2 with ef = 1), SEARCH-LAYER (Algorithm 2) and
 * SELECT-NEIGHBORS-HEURISTIC (Algorithm 4). Scratch memory (visited stamps,
 * heaps, result buffers) is owned by one `LayerSearch` and reused, so a search
 * allocates nothing per visited node. Not re-entrant; the index is synchronous.
 */
import type { HnswGraph } from './graph.ts'
import { MaxHeap, MinHeap } from './heap.ts'

/** Decides whether a slot may enter the result set W (tombstones and filtered ids may not). */
export type Accept = (slot: number) => boolean

export class LayerSearch {
  /** Results of the last `search`, ascending by distance, `resultCount` long. */
  resultSlots = new Int32Array(64)
  resultDists = new Float64Array(64)
  resultCount = 0

  /** Keeps the touch-ahead loads in `search` observable so they are not optimised away. */
  sink = 0
  private visited = new Uint32Array(1024)
  private generation = 0
  private readonly candidates = new MinHeap(256)
  private readonly results = new MaxHeap(256)

  /** Starts a new visited set: a slot is visited iff its stamp equals the generation. */
  nextGeneration (capacity: number): Uint32Array {
    if (this.visited.length < capacity) this.visited = new Uint32Array(Math.max(capacity, this.visited.length * 2))
    if (++this.generation === 0xffffffff) {
      this.visited.fill(0)
      this.generation = 1
    }
    return this.visited
  }

  get stamp (): number { return this.generation }

  /** Greedy walk on one layer towards q: the closest node reachable by always stepping closer. */
  greedy (g: HnswGraph, q: Float32Array, qOff: number, entry: number, layer: number): number {
    let current = entry
    let best = g.distanceTo(q, qOff, current)
    for (let changed = true; changed;) {
      changed = false
      const links = g.linkArray(current, layer)
      const off = g.linkOffset(current, layer)
      const n = links[off]!
      for (let i = 1; i <= n; i++) {
        const next = links[off + i]!
        const d = g.distanceTo(q, qOff, next)
        if (d < best) {
          best = d
          current = next
          changed = true
        }
      }
    }
    return current
  }

  /**
   * Algorithm 2, SEARCH-LAYER(q, ep, ef, lc). Nodes refused by `accept` are
   * still expanded (they keep the graph navigable) but never enter W; while W
   * holds fewer than ef nodes the search goes on, as hnswlib does for deletions
   * and filters. Leaves W, ascending, in resultSlots/resultDists.
   */
  search (g: HnswGraph, q: Float32Array, qOff: number, entry: number, ef: number, layer: number, accept: Accept | null): void {
    const visited = this.nextGeneration(g.capacity)
    const stamp = this.generation
    const candidates = this.candidates
    const results = this.results
    candidates.clear()
    results.clear()

    const d0 = g.distanceTo(q, qOff, entry)
    visited[entry] = stamp
    candidates.push(d0, entry)
    if (accept === null || accept(entry)) results.push(d0, entry)
    let bound = results.size > 0 ? results.topKey() : Infinity

    const links = layer === 0 ? g.links0 : null
    const stride0 = g.stride0
    while (candidates.size > 0) {
      const dc = candidates.topKey()
      if (dc > bound && results.size >= ef) break
      const c = candidates.topSlot()
      candidates.pop()
      const arr = links ?? g.upper[c]!
      const off = links !== null ? c * stride0 : (layer - 1) * g.strideUp
      const n = arr[off]!
      // Touch every cache line of the unvisited neighbours' vectors first: the loads are
      // independent, so the CPU overlaps their misses (what hnswlib does with _mm_prefetch).
      const vectors = g.vectors
      const dim = g.dimensions
      let touched = 0
      for (let i = 1; i <= n; i++) {
        const e = arr[off + i]!
        if (visited[e] === stamp) continue
        const base = e * dim
        for (let j = 0; j < dim; j += 16) touched += vectors[base + j]!
        touched += vectors[base + dim - 1]!
      }
      this.sink = touched
      for (let i = 1; i <= n; i++) {
        const e = arr[off + i]!
        if (visited[e] === stamp) continue
        visited[e] = stamp
        const de = g.distanceTo(q, qOff, e)
        if (results.size < ef || de < bound) {
          candidates.push(de, e)
          if (accept === null || accept(e)) {
            results.push(de, e)
            if (results.size > ef) results.pop()
            bound = results.topKey()
          }
        }
      }
    }
    this.drainResults()
  }

  /** Pops W into the result buffers in ascending order. */
  private drainResults (): void {
    const results = this.results
    const n = results.size
    if (this.resultSlots.length < n) {
      this.resultSlots = new Int32Array(n * 2)
      this.resultDists = new Float64Array(n * 2)
    }
    for (let i = n - 1; i >= 0; i--) {
      this.resultSlots[i] = results.topSlot()
      this.resultDists[i] = results.topKey()
      results.pop()
    }
    this.resultCount = n
  }
}

/**
 * Algorithm 4, SELECT-NEIGHBORS-HEURISTIC without extendCandidates or
 * keepPrunedConnections (the settings §4 recommends and hnswlib uses): walk
 * the candidates from nearest, keep one only if it is closer to the base than
 * to every neighbour kept so far. This keeps links to other clusters, which is
 * what holds recall up on clustered data.
 *
 * `slots`/`dists` must be sorted ascending by distance to the base; the kept
 * slots are written to `out` from index 0 and their number returned.
 */
export function selectNeighbours (
  g: HnswGraph, slots: ArrayLike<number>, dists: ArrayLike<number>, count: number, m: number, out: Int32Array
): number {
  let kept = 0
  for (let i = 0; i < count && kept < m; i++) {
    const e = slots[i]!
    const de = dists[i]!
    let good = true
    for (let j = 0; j < kept; j++) {
      if (g.distanceBetween(e, out[j]!) < de) {
        good = false
        break
      }
    }
    if (good) out[kept++] = e
  }
  return kept
}

/**
 * Sorts parallel (slot, distance) arrays of length n ascending by distance,
 * ties by slot, in place. Insertion sort: the lists sorted here are neighbour
 * lists of at most 2·M + 1 entries, except after consolidation.
 */
export function sortByDistance (slots: Int32Array, dists: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const s = slots[i]!
    const d = dists[i]!
    let j = i - 1
    while (j >= 0 && (dists[j]! > d || (dists[j] === d && slots[j]! > s))) {
      slots[j + 1] = slots[j]!
      dists[j + 1] = dists[j]!
      j--
    }
    slots[j + 1] = s
    dists[j + 1] = d
  }
}
