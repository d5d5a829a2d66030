/**
 * HnswIndex: insert, update, delete and k-NN search over a Hierarchical
 * Navigable Small World graph (Malkov & Yashunin, 2018). Pure: no I/O, no
 * clock, and level draws come from the `random` the caller passes in, so the
 * same seed and the same operations give the same graph and the same results.
 *
 * Ids with exactly the same vector share one node (twins.ts): the neighbour
 * heuristic cannot tell copies apart, and without this a group of more than
 * ~2·M copies drops out of the reachable graph.
 */
import {
  DEFAULT_CONSOLIDATE_RATIO, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, DEFAULT_M, INITIAL_CAPACITY,
  MAX_DIMENSIONS, MAX_EF, MAX_ID_LENGTH, MAX_LEVEL, MAX_M, MIN_M
} from './constants.ts'
import { consolidate } from './consolidate.ts'
import { decodeIndex, encodeIndex } from './codec.ts'
import { InvalidVectorError } from './errors.ts'
import { HnswGraph, type Metric } from './graph.ts'
import { MaxHeap } from './heap.ts'
import { type Accept, LayerSearch, selectNeighbours, sortByDistance } from './search-layer.ts'
import { anyIdAccepted, idsAt, VectorTwins } from './twins.ts'

export type { Metric }

export interface HnswIndexInit {
  /** Length of every vector, 1..4096. */
  dimensions: number
  /** 'cosine': distance 1 − cos(a, b), vectors normalised on insert. 'l2': Euclidean distance. */
  metric: Metric
  /** Source of uniform floats in [0, 1) for level draws, e.g. `mulberry32(seed)`. */
  random: () => number
  /** Links per node on the upper layers; 2·M on layer 0 (§4.1). Default 16. */
  M?: number
  /** Size of the candidate list while inserting (§4.1). Default 200. */
  efConstruction?: number
  /** Size of the candidate list for `search` when the call gives none. Default 50. */
  efSearch?: number
  /** Consolidate deletions once tombstones reach this fraction of slots, in (0, 1]. Default 0.2. */
  consolidateRatio?: number
  /** Slots to allocate up front. Default 1024; storage doubles when full. */
  initialCapacity?: number
}

export interface SearchOptions {
  /** Candidate list size; raised to k when smaller. Default: the index's efSearch. */
  ef?: number
  /** Only ids for which this returns true are returned. Rejected nodes still route the search. */
  filter?: (id: string) => boolean
}

export interface SearchHit {
  id: string
  /** 1 − cos for 'cosine', Euclidean distance for 'l2'. */
  distance: number
}

export class HnswIndex {
  readonly dimensions: number
  readonly metric: Metric
  readonly M: number
  readonly efConstruction: number
  readonly efSearch: number
  readonly consolidateRatio: number
  private readonly random: () => number
  /** mL = 1/ln(M), the level normalisation of §4.1. */
  private readonly levelMult: number
  private readonly minCapacity: number
  private graph: HnswGraph
  /** Every live id → its node's slot (ids with one vector share a slot). */
  private readonly slotOf = new Map<string, number>()
  private readonly twins = new VectorTwins()
  private readonly scratch = new LayerSearch()
  private readonly query: Float32Array
  private readonly selected: Int32Array
  private readonly pruned: Int32Array
  private linkSlots: Int32Array
  private linkDists: Float64Array
  private readonly acceptLive: Accept

  constructor (init: HnswIndexInit) {
    this.dimensions = checkInt('dimensions', init.dimensions, 1, MAX_DIMENSIONS)
    if (init.metric !== 'cosine' && init.metric !== 'l2') throw new TypeError("metric must be 'cosine' or 'l2'")
    this.metric = init.metric
    if (typeof init.random !== 'function') throw new TypeError('random must be a function returning floats in [0, 1)')
    this.random = init.random
    this.M = checkInt('M', init.M ?? DEFAULT_M, MIN_M, MAX_M)
    this.efConstruction = checkInt('efConstruction', init.efConstruction ?? DEFAULT_EF_CONSTRUCTION, 1, MAX_EF)
    this.efSearch = checkInt('efSearch', init.efSearch ?? DEFAULT_EF_SEARCH, 1, MAX_EF)
    const ratio = init.consolidateRatio ?? DEFAULT_CONSOLIDATE_RATIO
    if (!(ratio > 0 && ratio <= 1)) throw new RangeError('consolidateRatio must be in (0, 1]')
    this.consolidateRatio = ratio
    this.minCapacity = checkInt('initialCapacity', init.initialCapacity ?? INITIAL_CAPACITY, 1, 1 << 26)
    this.levelMult = 1 / Math.log(this.M)
    this.graph = new HnswGraph(this.dimensions, this.metric, this.M, this.minCapacity)
    this.query = new Float32Array(this.dimensions)
    this.selected = new Int32Array(2 * this.M)
    this.pruned = new Int32Array(2 * this.M)
    this.linkSlots = new Int32Array(2 * this.M + 1)
    this.linkDists = new Float64Array(2 * this.M + 1)
    this.acceptLive = (slot) => this.graph.deleted[slot] === 0
  }

  /** Live (not deleted) ids. */
  get size (): number { return this.slotOf.size }

  /** Nodes in the graph: live distinct vectors (ids with the same vector share one). */
  get nodeCount (): number { return this.graph.liveCount }

  has (id: string): boolean { return this.slotOf.has(id) }

  /**
   * Adds `id`. An id already present is updated by deleting it and inserting
   * the new vector as a fresh node, so its links are chosen for where it now is.
   */
  insert (id: string, vector: Float32Array | ArrayLike<number>): void {
    checkId(id)
    this.loadQuery(vector)
    const level = this.drawLevel()
    const old = this.slotOf.get(id)
    if (old !== undefined) this.removeId(id, old)
    // Nothing live to link to: start a fresh graph rather than hang the node off tombstones.
    if (this.graph.count > 0 && this.graph.liveCount === 0) {
      this.graph = new HnswGraph(this.dimensions, this.metric, this.M, this.minCapacity)
      this.twins.rebuild(this.graph)
    }
    const g = this.graph
    const twin = this.twins.find(g, this.query)
    if (twin >= 0) {
      // The same vector as a live node: the id joins it (twins.ts).
      const list = g.twins[twin]
      if (list === undefined) g.twins[twin] = [id]
      else list.push(id)
      this.slotOf.set(id, twin)
      this.maybeConsolidate()
      return
    }
    const slot = g.addSlot(id, level)
    g.vectors.set(this.query, slot * this.dimensions)
    this.slotOf.set(id, slot)
    this.twins.add(g, slot)
    this.connect(slot)
    this.maybeConsolidate()
  }

  /** Removes `id`; returns whether it was present. See consolidate.ts for how the graph is repaired. */
  delete (id: string): boolean {
    const slot = this.slotOf.get(id)
    if (slot === undefined) return false
    this.removeId(id, slot)
    this.maybeConsolidate()
    return true
  }

  /** Repairs the links around every tombstone and drops them now, whatever their number. */
  consolidate (): void {
    if (this.graph.deletedCount === 0) return
    this.graph = consolidate(this.graph, this.scratch, this.minCapacity)
    this.reindex()
  }

  /** K-NN-SEARCH (Algorithm 5): the k nearest live ids, ascending by distance. */
  search (query: Float32Array | ArrayLike<number>, k: number, options: SearchOptions = {}): SearchHit[] {
    checkInt('k', k, 1, MAX_EF)
    const ef = Math.max(k, checkInt('ef', options.ef ?? this.efSearch, 1, MAX_EF))
    const filter = options.filter
    if (filter !== undefined && typeof filter !== 'function') throw new TypeError('filter must be a function')
    this.loadQuery(query)
    const g = this.graph
    if (g.liveCount === 0) return []
    const q = this.query
    let ep = g.entryPoint
    for (let layer = g.maxLevel; layer > 0; layer--) ep = this.scratch.greedy(g, q, 0, ep, layer)
    let accept: Accept | null = g.deletedCount > 0 ? this.acceptLive : null
    if (filter !== undefined) {
      const deleted = g.deleted
      accept = (slot) => deleted[slot] === 0 && anyIdAccepted(g, slot, filter)
    }
    // ef counts nodes; each node in W holds at least one accepted id, so W holds at least min(k, all) ids.
    this.scratch.search(g, q, 0, ep, ef, 0, accept)
    return this.hits(this.scratch.resultSlots, this.scratch.resultDists, this.scratch.resultCount, k, filter)
  }

  /** Brute force over every live vector: the ground truth for tests and benchmarks. */
  exactSearch (query: Float32Array | ArrayLike<number>, k: number, options: Pick<SearchOptions, 'filter'> = {}): SearchHit[] {
    checkInt('k', k, 1, MAX_EF)
    this.loadQuery(query)
    const g = this.graph
    const heap = new MaxHeap(k + 1)
    for (let s = 0; s < g.count; s++) {
      if (g.deleted[s] === 1 || (options.filter !== undefined && !anyIdAccepted(g, s, options.filter))) continue
      const d = g.distanceTo(this.query, 0, s)
      if (heap.size < k || d < heap.topKey()) {
        heap.push(d, s)
        if (heap.size > k) heap.pop()
      }
    }
    const n = heap.size
    const slots = new Int32Array(n)
    const dists = new Float64Array(n)
    for (let i = n - 1; i >= 0; i--) {
      slots[i] = heap.topSlot()
      dists[i] = heap.topKey()
      heap.pop()
    }
    sortByDistance(slots, dists, n)
    return this.hits(slots, dists, n, k, options.filter)
  }

  /** The exact graph, vectors and options in a versioned binary format (see codec.ts). */
  serialize (): Uint8Array {
    return encodeIndex(this.graph, this)
  }

  /**
   * Restores an index written by `serialize` without rebuilding it. `random`
   * drives level draws for later inserts. Throws CorruptIndexError or
   * UnsupportedIndexVersionError.
   */
  static deserialize (bytes: Uint8Array, init: { random: () => number, initialCapacity?: number }): HnswIndex {
    const decoded = decodeIndex(bytes)
    const index = new HnswIndex({ ...decoded.options, ...init })
    index.graph = decoded.graph
    index.reindex()
    return index
  }

  /** INSERT (Algorithm 1) for a node already stored at `slot`. */
  private connect (slot: number): void {
    const g = this.graph
    const level = g.levels[slot]!
    if (g.entryPoint < 0) {
      g.entryPoint = slot
      g.maxLevel = level
      return
    }
    const q = g.vectors
    const qOff = slot * this.dimensions
    let ep = g.entryPoint
    for (let layer = g.maxLevel; layer > level; layer--) ep = this.scratch.greedy(g, q, qOff, ep, layer)
    const accept = g.deletedCount > 0 ? this.acceptLive : null
    for (let layer = Math.min(level, g.maxLevel); layer >= 0; layer--) {
      const s = this.scratch
      s.search(g, q, qOff, ep, this.efConstruction, layer, accept)
      if (s.resultCount === 0) continue
      // The new node takes M links on every layer; neighbours may hold up to Mmax (§4.1).
      const m = selectNeighbours(g, s.resultSlots, s.resultDists, s.resultCount, this.M, this.selected)
      const own = g.linkArray(slot, layer)
      const ownOff = g.linkOffset(slot, layer)
      own[ownOff] = m
      for (let i = 0; i < m; i++) own[ownOff + 1 + i] = this.selected[i]!
      for (let i = 0; i < m; i++) this.addLink(this.selected[i]!, slot, layer)
      ep = s.resultSlots[0]!
    }
    if (level > g.maxLevel) {
      g.entryPoint = slot
      g.maxLevel = level
    }
  }

  /** Adds a link from → to on `layer`, shrinking from's list with the heuristic when full. */
  private addLink (from: number, to: number, layer: number): void {
    const g = this.graph
    const arr = g.linkArray(from, layer)
    const off = g.linkOffset(from, layer)
    const n = arr[off]!
    const max = g.maxLinks(layer)
    if (n < max) {
      arr[off + 1 + n] = to
      arr[off] = n + 1
      return
    }
    const slots = this.linkSlots
    const dists = this.linkDists
    for (let i = 0; i < n; i++) {
      slots[i] = arr[off + 1 + i]!
      dists[i] = g.distanceBetween(from, slots[i]!)
    }
    slots[n] = to
    dists[n] = g.distanceBetween(from, to)
    sortByDistance(slots, dists, n + 1)
    const kept = selectNeighbours(g, slots, dists, n + 1, max, this.pruned)
    arr[off] = kept
    for (let i = 0; i < kept; i++) arr[off + 1 + i] = this.pruned[i]!
  }

  /**
   * Takes `id` off the node at `slot`: a twin leaves the node's list, the
   * node's first id hands its place to the next twin, and a node left with
   * no id becomes a tombstone.
   */
  private removeId (id: string, slot: number): void {
    const g = this.graph
    const twins = g.twins[slot]
    this.slotOf.delete(id)
    if (g.ids[slot] !== id) {
      const i = twins!.indexOf(id)
      twins!.splice(i, 1)
      if (twins!.length === 0) g.twins[slot] = undefined
      return
    }
    if (twins !== undefined) {
      g.ids[slot] = twins.shift()!
      if (twins.length === 0) g.twins[slot] = undefined
      return
    }
    this.twins.remove(g, slot)
    g.deleted[slot] = 1
    g.deletedCount++
  }

  /** Rebuilds the id → slot map and the twin lookup from the graph (after consolidation or a restore). */
  private reindex (): void {
    const g = this.graph
    this.slotOf.clear()
    for (let s = 0; s < g.count; s++) {
      if (g.deleted[s] === 1) continue
      for (const id of idsAt(g, s)) this.slotOf.set(id, s)
    }
    this.twins.rebuild(g)
  }

  private maybeConsolidate (): void {
    const g = this.graph
    if (g.deletedCount > 0 && g.deletedCount >= this.consolidateRatio * g.count) this.consolidate()
  }

  /** §4.1: l = ⌊−ln(unif(0..1)) · mL⌋, capped. */
  private drawLevel (): number {
    const u = this.random()
    if (!(u >= 0 && u < 1)) throw new RangeError('random() must return a float in [0, 1)')
    return Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - u) * this.levelMult))
  }

  /** Validates a vector and copies it into the query buffer, normalised for cosine. */
  private loadQuery (vector: Float32Array | ArrayLike<number>): void {
    if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
      throw new TypeError('vector must be a Float32Array or an array of numbers')
    }
    if (vector.length !== this.dimensions) {
      throw new InvalidVectorError(`vector has ${vector.length} dimensions, the index ${this.dimensions}`)
    }
    const q = this.query
    let norm = 0
    for (let i = 0; i < q.length; i++) {
      const x = vector[i]
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidVectorError(`component ${i} is not a finite number`)
      q[i] = x
      norm += q[i]! * q[i]!
    }
    if (this.metric === 'cosine') {
      if (!(norm > 0) || !Number.isFinite(norm)) throw new InvalidVectorError('a zero vector has no cosine distance')
      const inv = 1 / Math.sqrt(norm)
      for (let i = 0; i < q.length; i++) q[i] = q[i]! * inv
    }
  }

  /** The first k ids (accepted by `filter`, if any) of the nodes slots[0..n), nearest first; twins in insertion order. */
  private hits (slots: Int32Array, dists: Float64Array, n: number, k: number, filter?: (id: string) => boolean): SearchHit[] {
    const g = this.graph
    const out: SearchHit[] = []
    for (let i = 0; i < n && out.length < k; i++) {
      const distance = g.publicDistance(dists[i]!)
      const slot = slots[i]!
      const twins = g.twins[slot]
      if (twins === undefined) {
        if (filter === undefined || filter(g.ids[slot]!)) out.push({ id: g.ids[slot]!, distance })
        continue
      }
      for (const id of idsAt(g, slot)) {
        if (out.length === k) break
        if (filter === undefined || filter(id)) out.push({ id, distance })
      }
    }
    return out
  }
}

function checkInt (name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${name} must be an integer`)
  if (value < min || value > max) throw new RangeError(`${name} must be in [${min}, ${max}]`)
  return value
}

function checkId (id: string): void {
  if (typeof id !== 'string') throw new TypeError('id must be a string')
  if (id.length === 0 || id.length > MAX_ID_LENGTH) throw new RangeError(`id must be 1..${MAX_ID_LENGTH} characters`)
}
