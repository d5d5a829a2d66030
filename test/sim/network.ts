/**
 * The simulated mesh: a random graph of peers with link delays, executor
 * speeds, worker slots and capabilities. Who can execute a task class is
 * behind `CapabilityIndex`: by default the real HNSW index over the peers'
 * Agent Cards (capability.ts); `StaticCapabilityIndex` is the plain table.
 */
import { CardCapabilityIndex, simCard } from './capability.ts'
import { EventQueue } from './event-queue.ts'
import { intBetween } from './rng.ts'

/** Who can execute task class `cls`: the part discovery (HNSW over Agent Cards) will provide. */
export interface CapabilityIndex {
  canExecute: (peer: number, cls: number) => boolean
  executorsOf: (cls: number) => readonly number[]
  /** Back to every peer up, before a run. */
  reset?: () => void
  /** Peer left (its card is no longer discoverable) or came back. */
  leave?: (peer: number) => void
  join?: (peer: number) => void
}

export interface SpeedTier {
  /** Share of peers in this tier. */
  share: number
  /** Mean execution time of one task on one worker slot, in ms. */
  serviceMs: number
}

export interface MeshConfig {
  peers: number
  classes: number
  minDegree: number
  maxDegree: number
  minLinkMs: number
  maxLinkMs: number
  minSlots: number
  maxSlots: number
  /** Each class is executable by a share of peers drawn uniformly from [minCapableShare, maxCapableShare]. */
  minCapableShare: number
  maxCapableShare: number
  tiers: readonly SpeedTier[]
  /** Who can execute a class: the real HNSW index over Agent Cards (default) or the static table. */
  capability?: 'cards' | 'static'
}

export const DEFAULT_MESH: Omit<MeshConfig, 'peers'> = {
  classes: 8,
  minDegree: 8,
  maxDegree: 16,
  minLinkMs: 5,
  maxLinkMs: 80,
  minSlots: 1,
  maxSlots: 4,
  minCapableShare: 0.10,
  maxCapableShare: 0.20,
  tiers: [{ share: 0.2, serviceMs: 100 }, { share: 0.3, serviceMs: 250 }, { share: 0.5, serviceMs: 600 }]
}

export interface Mesh {
  readonly size: number
  readonly classes: number
  /** neighbours[p][i] is linked to p with delay linkMs[p][i] (both directions). */
  readonly neighbours: readonly number[][]
  readonly linkMs: readonly number[][]
  readonly slots: readonly number[]
  readonly serviceMs: readonly number[]
  readonly capability: CapabilityIndex
  /** The real-index CapabilityIndex, unless `capability: 'static'` was asked for. */
  readonly cards?: CardCapabilityIndex
  /** Tasks per second the whole mesh can execute, each class getting its share (classWeight). */
  readonly capacityPerSecond: number
  /** Probability that an arriving task is of class c, proportional to the capacity for c, so every class sees about the same load. */
  readonly classWeights: readonly number[]
}

/** The static capability table of the simulation. */
export class StaticCapabilityIndex implements CapabilityIndex {
  private readonly sets: Array<Set<number>>
  private readonly lists: number[][]

  constructor (lists: number[][]) {
    this.lists = lists
    this.sets = lists.map((l) => new Set(l))
  }

  canExecute (peer: number, cls: number): boolean {
    return this.sets[cls]?.has(peer) === true
  }

  executorsOf (cls: number): readonly number[] {
    return this.lists[cls] ?? []
  }
}

export function buildMesh (config: MeshConfig, random: () => number): Mesh {
  const n = config.peers
  const neighbours: number[][] = Array.from({ length: n }, () => [])
  const linkMs: number[][] = Array.from({ length: n }, () => [])
  const adjacent = Array.from({ length: n }, () => new Set<number>())
  const link = (a: number, b: number): void => {
    const d = config.minLinkMs + random() * (config.maxLinkMs - config.minLinkMs)
    neighbours[a]!.push(b); linkMs[a]!.push(d); adjacent[a]!.add(b)
    neighbours[b]!.push(a); linkMs[b]!.push(d); adjacent[b]!.add(a)
  }
  const target = Array.from({ length: n }, () => intBetween(random, config.minDegree, config.maxDegree))
  for (let a = 0; a < n; a++) {
    for (let tries = 0; neighbours[a]!.length < target[a]! && tries < 50 * config.maxDegree; tries++) {
      const b = Math.floor(random() * n)
      if (b === a || adjacent[a]!.has(b) || neighbours[b]!.length >= config.maxDegree) continue
      link(a, b)
    }
  }
  connectComponents(n, neighbours, adjacent, link, random)

  const slots = Array.from({ length: n }, () => intBetween(random, config.minSlots, config.maxSlots))
  const serviceMs = Array.from({ length: n }, () => {
    let u = random()
    for (const tier of config.tiers) {
      if (u < tier.share) return tier.serviceMs
      u -= tier.share
    }
    return config.tiers[config.tiers.length - 1]!.serviceMs
  })
  const lists: number[][] = []
  for (let c = 0; c < config.classes; c++) {
    const share = config.minCapableShare + random() * (config.maxCapableShare - config.minCapableShare)
    const list: number[] = []
    for (let p = 0; p < n; p++) if (random() < share) list.push(p)
    if (list.length === 0) list.push(Math.floor(random() * n))
    lists.push(list)
  }
  const indexSeed = Math.floor(random() * 2 ** 32)
  let cards: CardCapabilityIndex | undefined
  if (config.capability !== 'static') {
    const classesOf: number[][] = Array.from({ length: n }, () => [])
    for (const [c, list] of lists.entries()) for (const p of list) classesOf[p]!.push(c)
    cards = new CardCapabilityIndex(classesOf.map((cs, p) => simCard(p, cs, slots[p]!, serviceMs[p]!)), config.classes, indexSeed)
    // From here on, who executes what is what the index finds.
    for (let c = 0; c < config.classes; c++) lists[c] = [...cards.executorsOf(c)]
  }
  // A peer capable of k classes splits its rate between them.
  const kinds = new Array<number>(n).fill(0)
  for (const list of lists) for (const p of list) kinds[p]!++
  const perClass = lists.map((list) => list.reduce((sum, p) => sum + slots[p]! * 1000 / serviceMs[p]! / kinds[p]!, 0))
  const capacityPerSecond = perClass.reduce((a, b) => a + b, 0)
  return {
    size: n,
    classes: config.classes,
    neighbours,
    linkMs,
    slots,
    serviceMs,
    capability: cards ?? new StaticCapabilityIndex(lists),
    cards,
    capacityPerSecond,
    classWeights: perClass.map((c) => c / capacityPerSecond)
  }
}

function connectComponents (
  n: number, neighbours: number[][], adjacent: Array<Set<number>>, link: (a: number, b: number) => void, random: () => number
): void {
  const component = new Int32Array(n).fill(-1)
  const roots: number[] = []
  for (let s = 0; s < n; s++) {
    if (component[s] !== -1) continue
    roots.push(s)
    const stack = [s]
    component[s] = s
    while (stack.length > 0) {
      const p = stack.pop()!
      for (const q of neighbours[p]!) if (component[q] === -1) { component[q] = s; stack.push(q) }
    }
  }
  for (let i = 1; i < roots.length; i++) {
    let b = Math.floor(random() * n)
    while (component[b] === roots[i] || adjacent[roots[i]!]!.has(b)) b = Math.floor(random() * n)
    link(roots[i]!, b)
  }
}

export interface Distances {
  /** dist[p]: the least source cost plus link delays from p to a source (Infinity when unreachable). */
  dist: Float64Array
  /** next[p]: the neighbour p forwards to on that path; -1 at a source or when unreachable. */
  next: Int32Array
}

/**
 * Multi-source Dijkstra over live peers: every source s starts at cost
 * `start(s)` and each link costs `linkFactor` times its delay. With start 0 it
 * is the nearest source by link delay; with the source's execution time and
 * linkFactor 2 (there and back) it is the zero-load completion estimate.
 */
export function nearestSource (
  mesh: Mesh, alive: readonly boolean[], sources: readonly number[], start: (s: number) => number, linkFactor = 1
): Distances {
  const dist = new Float64Array(mesh.size).fill(Infinity)
  const next = new Int32Array(mesh.size).fill(-1)
  const heap = new EventQueue<number>()
  for (const s of sources) {
    if (!alive[s]) continue
    dist[s] = start(s)
  }
  const done = new Uint8Array(mesh.size)
  for (const s of sources) if (alive[s]) heap.schedule(dist[s]!, s)
  for (let e = heap.next(); e !== undefined; e = heap.next()) {
    const p = e.item
    if (done[p] === 1) continue
    done[p] = 1
    const ns = mesh.neighbours[p]!
    const ls = mesh.linkMs[p]!
    for (let i = 0; i < ns.length; i++) {
      const q = ns[i]!
      if (!alive[q] || done[q] === 1) continue
      const d = e.time + linkFactor * ls[i]!
      if (d < dist[q]!) {
        dist[q] = d
        next[q] = p
        heap.schedule(d, q)
      }
    }
  }
  return { dist, next }
}
