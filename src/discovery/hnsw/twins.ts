/**
 * Exact duplicates ("twins"): ids whose stored vector is bit-for-bit the
 * vector of a live node share that node instead of taking one each.
 *
 * Why: the neighbour heuristic (Algorithm 4 of Malkov & Yashunin, 2018)
 * keeps a candidate e unless some kept neighbour is strictly closer to e than
 * the base is, and between copies of one vector every distance is 0. So a
 * node with more than Mmax copies fills its links with copies, drops its links
 * out, and a copy inserted after the first ~2·M is linked to by nobody (each
 * list keeps the copies found first): whole groups of copies become
 * unreachable and no ef finds them. Capability vectors are full of copies —
 * every tab with the same skills, slots and speed tier states the same vector
 * — and at 10,000 simulated Agent Cards (1,148 distinct vectors, groups of up
 * to 317) an exhaustive search reached 8,511 nodes and found 87 % of the
 * stated executors. Other HNSW implementations collapse the same way on
 * duplicated data (nmslib/hnswlib#263, qdrant/qdrant#1788, the Faiss FAQ
 * "searching duplicate vectors is slow"); deduplicating is the remedy the
 * paper's author advises (nmslib/hnswlib#341), and it also shrinks the graph
 * every search walks.
 *
 * Found by a hash of the vector's bits (±0 hashed alike) and confirmed by
 * comparing every component, so a hash collision never merges two vectors.
 */
import type { HnswGraph } from './graph.ts'

export class VectorTwins {
  /** Hash of a live node's vector → the live slots with that hash (almost always one). */
  private readonly bySignature = new Map<number, number[]>()

  /** The live slot whose vector equals `q` exactly, or -1. */
  find (g: HnswGraph, q: Float32Array): number {
    const slots = this.bySignature.get(signature(q, 0, q.length))
    if (slots === undefined) return -1
    const dim = g.dimensions
    for (const slot of slots) {
      const base = slot * dim
      let same = true
      for (let i = 0; i < dim; i++) {
        if (g.vectors[base + i] !== q[i]) { same = false; break }
      }
      if (same) return slot
    }
    return -1
  }

  /** Registers the live node at `slot` (its vector already stored). */
  add (g: HnswGraph, slot: number): void {
    const key = signature(g.vectors, slot * g.dimensions, g.dimensions)
    const slots = this.bySignature.get(key)
    if (slots === undefined) this.bySignature.set(key, [slot])
    else slots.push(slot)
  }

  /** Forgets the node at `slot` (it became a tombstone). */
  remove (g: HnswGraph, slot: number): void {
    const key = signature(g.vectors, slot * g.dimensions, g.dimensions)
    const slots = this.bySignature.get(key)
    if (slots === undefined) return
    const i = slots.indexOf(slot)
    if (i >= 0) slots.splice(i, 1)
    if (slots.length === 0) this.bySignature.delete(key)
  }

  /** Registers every live node of `g` afresh (after consolidation or a restore). */
  rebuild (g: HnswGraph): void {
    this.bySignature.clear()
    for (let s = 0; s < g.count; s++) if (g.deleted[s] === 0) this.add(g, s)
  }
}

/** Every id stored at `slot`: its first id, then its twins. */
export function idsAt (g: HnswGraph, slot: number): readonly string[] {
  const twins = g.twins[slot]
  return twins === undefined ? [g.ids[slot]!] : [g.ids[slot]!, ...twins]
}

/** Whether `filter` accepts any id stored at `slot`. */
export function anyIdAccepted (g: HnswGraph, slot: number, filter: (id: string) => boolean): boolean {
  if (filter(g.ids[slot]!)) return true
  const twins = g.twins[slot]
  if (twins !== undefined) for (const id of twins) if (filter(id)) return true
  return false
}

const bits = new Int32Array(1)
const floats = new Float32Array(bits.buffer)

/** FNV-1a over the float bits of v[off..off+dim), with −0 read as +0. */
function signature (v: Float32Array, off: number, dim: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < dim; i++) {
    const x = v[off + i]!
    floats[0] = x === 0 ? 0 : x
    h = Math.imul(h ^ bits[0]!, 0x01000193)
  }
  return h >>> 0
}
