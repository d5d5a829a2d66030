/**
 * Deletion by tombstone, then consolidation. `delete` only marks a slot: the
 * tombstone keeps routing searches (as hnswlib's markDelete does) but never
 * enters a result. Once tombstones pass a fraction of the slots, `consolidate`
 * repairs the graph and drops them, following FreshDiskANN's delete
 * consolidation (Singh et al., 2021, "FreshDiskANN: A Fast and Accurate
 * Graph-Based ANN Index for Streaming Similarity Search", Algorithm 4), applied
 * per HNSW layer: every live node p that links to a tombstone d gets as
 * candidates its live neighbours plus the live neighbours of d (following
 * chains of tombstones a bounded distance), and keeps those chosen by the neighbour heuristic
 * (Algorithm 4 of Malkov & Yashunin, 2018). The slots are then renumbered
 * densely, so storage does not grow under churn.
 */
import { HnswGraph } from './graph.ts'
import { type LayerSearch, selectNeighbours, sortByDistance } from './search-layer.ts'

/** Returns a new graph holding only the live nodes of `g`, with repaired links. */
export function consolidate (g: HnswGraph, scratch: LayerSearch, minCapacity: number): HnswGraph {
  let candSlots = new Int32Array(256)
  let candDists = new Float64Array(256)
  const kept = new Int32Array(g.maxM0)
  const queue: number[] = []

  for (let p = 0; p < g.count; p++) {
    if (g.deleted[p] === 1) continue
    for (let layer = 0; layer <= g.levels[p]!; layer++) {
      const arr = g.linkArray(p, layer)
      const off = g.linkOffset(p, layer)
      const n = arr[off]!
      let touched = false
      for (let i = 1; i <= n; i++) if (g.deleted[arr[off + i]!] === 1) { touched = true; break }
      if (!touched) continue

      const visited = scratch.nextGeneration(g.capacity)
      const stamp = scratch.stamp
      visited[p] = stamp
      let count = 0
      const add = (slot: number): void => {
        if (count === candSlots.length) {
          const s = new Int32Array(count * 2); s.set(candSlots); candSlots = s
          const d = new Float64Array(count * 2); d.set(candDists); candDists = d
        }
        candSlots[count] = slot
        candDists[count] = g.distanceBetween(p, slot)
        count++
      }
      queue.length = 0
      for (let i = 1; i <= n; i++) {
        const e = arr[off + i]!
        if (visited[e] === stamp) continue
        visited[e] = stamp
        if (g.deleted[e] === 1) queue.push(e)
        else add(e)
      }
      // Follow tombstones to their live neighbours (a tombstone on layer `layer` has links there).
      // Chains of tombstones are followed too, but only up to Mmax of them: at 20% deletions the
      // tombstones form one connected component, and an unbounded walk would visit all of it.
      const limit = g.maxLinks(layer)
      for (let qi = 0; qi < queue.length && qi < limit; qi++) {
        const d = queue[qi]!
        const darr = g.linkArray(d, layer)
        const doff = g.linkOffset(d, layer)
        const dn = darr[doff]!
        for (let i = 1; i <= dn; i++) {
          const e = darr[doff + i]!
          if (visited[e] === stamp) continue
          visited[e] = stamp
          if (g.deleted[e] === 1) queue.push(e)
          else add(e)
        }
      }
      sortByDistance(candSlots, candDists, count)
      const m = selectNeighbours(g, candSlots, candDists, count, g.maxLinks(layer), kept)
      arr[off] = m
      for (let i = 0; i < m; i++) arr[off + 1 + i] = kept[i]!
    }
  }
  return compact(g, minCapacity)
}

/** Copies the live nodes into a fresh graph with dense slots, dropping links to tombstones. */
function compact (g: HnswGraph, minCapacity: number): HnswGraph {
  const live = g.liveCount
  const next = new HnswGraph(g.dimensions, g.metric, g.M, Math.max(minCapacity, live))
  const remap = new Int32Array(g.count).fill(-1)
  const dim = g.dimensions
  for (let old = 0; old < g.count; old++) {
    if (g.deleted[old] === 1) continue
    const slot = next.addSlot(g.ids[old]!, g.levels[old]!)
    next.twins[slot] = g.twins[old]
    remap[old] = slot
    next.vectors.set(g.vectors.subarray(old * dim, (old + 1) * dim), slot * dim)
  }
  for (let old = 0; old < g.count; old++) {
    const slot = remap[old]!
    if (slot < 0) continue
    for (let layer = 0; layer <= g.levels[old]!; layer++) {
      const src = g.linkArray(old, layer)
      const srcOff = g.linkOffset(old, layer)
      const dst = next.linkArray(slot, layer)
      const dstOff = next.linkOffset(slot, layer)
      let m = 0
      for (let i = 1; i <= src[srcOff]!; i++) {
        const target = remap[src[srcOff + i]!]!
        if (target >= 0) dst[dstOff + 1 + m++] = target
      }
      dst[dstOff] = m
    }
  }
  if (live === 0) return next
  if (g.entryPoint >= 0 && remap[g.entryPoint]! >= 0) {
    next.entryPoint = remap[g.entryPoint]!
  } else {
    // The entry point was deleted: the first live node of the highest level takes over.
    let best = 0
    for (let s = 1; s < next.count; s++) if (next.levels[s]! > next.levels[best]!) best = s
    next.entryPoint = best
  }
  next.maxLevel = next.levels[next.entryPoint]!
  return next
}
