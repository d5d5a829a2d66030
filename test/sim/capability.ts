/**
 * Who can execute a task class, answered by the real discovery code: every
 * simulated peer publishes an Agent-Card-like set of fields (a skill tagged
 * `class-c` for each class c it runs, its worker slots, memory, a benchmark
 * figure from its speed, prices 0, visible), its vector is the real
 * `capabilityVector`, and all vectors live in one real `HnswIndex` (cosine,
 * seeded `mulberry32`). "Executors of class c" is an index search for
 * `queryVector({ tags: ['class-c'] })` filtered by the real
 * `matchesRequirements` and by the card stating the tag (tags are soft in
 * `matchesRequirements`, so the search alone also returns peers that lack it).
 * Peers that leave are deleted from the index and inserted again when they
 * come back. Cards are not signed: the simulation does not verify them.
 */
import { AGENT_CARD_VERSION_1, CAPABILITY_VECTOR_DIMENSIONS, capabilityVector, matchesRequirements, queryVector } from '../../src/discovery/index.ts'
import type { AgentCard, AgentCardFields, CardRequirements } from '../../src/discovery/index.ts'
import { mulberry32 } from '../../src/core/index.ts'
import { HnswIndex } from '../../src/discovery/hnsw/index.ts'
import type { CapabilityIndex } from './network.ts'

/** Benchmark figure (fuel per ms) of a peer that executes a task in 100 ms; slower peers scale down. */
const REFERENCE_FUEL_PER_MS = 1_000_000
const MEMORY_LIMIT_BYTES = 256 * 2 ** 20
const ZERO_HASH = '0'.repeat(64)

export const classTag = (c: number): string => `class-${c}`
export const peerKey = (p: number): string => `p${p}`
export const requirementsOf = (c: number): CardRequirements => ({ tags: [classTag(c)] })

/** The card peer `p` publishes: one skill per class it runs. */
export function simCard (p: number, classes: readonly number[], slots: number, serviceMs: number): AgentCard {
  const fields: AgentCardFields = {
    cardVersion: AGENT_CARD_VERSION_1,
    name: `sim peer ${p}`,
    description: '',
    version: 'sim',
    skills: classes.map((c) => ({ id: classTag(c), name: `Class ${c}`, description: '', tags: [classTag(c)] })),
    peerId: peerKey(p),
    publicKey: '',
    issuedAt: 0,
    expiresAt: Number.MAX_SAFE_INTEGER,
    sequence: 0,
    workerSlots: slots,
    memoryLimitBytes: MEMORY_LIMIT_BYTES,
    benchmark: { fuelPerMs: Math.floor(REFERENCE_FUEL_PER_MS * 100 / serviceMs), reference: ZERO_HASH },
    prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 },
    warmModules: [],
    availability: { visible: true }
  }
  return { ...fields, capabilityVector: Array.from(capabilityVector(fields)), signature: '' }
}

export interface CardIndexStats {
  /** Index searches run to answer executorsOf. */
  searches: number
  /** Over those searches: live cards stating the class (the truth) and how many of them the search found. */
  stated: number
  found: number
  /** The lowest share found by any one search (1 when none ran). */
  minRecall: number
}

/**
 * The CapabilityIndex of the simulation, over the real HNSW index. Answers are
 * cached per class and recomputed by a search after a peer that states the
 * class leaves or rejoins.
 */
export class CardCapabilityIndex implements CapabilityIndex {
  readonly cards: readonly AgentCard[]
  readonly stats: CardIndexStats = { searches: 0, stated: 0, found: 0, minRecall: 1 }
  private readonly vectors: Float32Array[]
  private readonly tags: Array<Set<string>>
  private readonly queries: Float32Array[]
  private readonly requirements: CardRequirements[]
  /** Per class, the ids of the cards that state its tag and meet its requirements (cards never change, so this is computed once). */
  private readonly qualifies: Array<Set<string>>
  private readonly snapshot: Uint8Array
  private readonly seed: number
  private readonly byKey = new Map<string, AgentCard>()
  private readonly live: boolean[]
  private readonly local = new Map<number, HnswIndex>()
  private lists: Array<number[] | undefined> = []
  private sets: Array<Set<number> | undefined> = []
  index: HnswIndex

  constructor (cards: readonly AgentCard[], classes: number, seed: number) {
    this.cards = cards
    this.seed = seed
    this.vectors = cards.map((card) => Float32Array.from(card.capabilityVector))
    this.tags = cards.map((card) => new Set(card.skills.flatMap((s) => s.tags)))
    this.requirements = Array.from({ length: classes }, (_, c) => requirementsOf(c))
    this.queries = this.requirements.map((r) => queryVector(r))
    this.qualifies = this.requirements.map((requirements) => new Set(cards
      .filter((card, p) => matchesRequirements(card, requirements) && this.tags[p]!.has(requirements.tags![0]!))
      .map((card) => card.peerId)))
    for (const card of cards) this.byKey.set(card.peerId, card)
    this.live = cards.map(() => true)
    const index = new HnswIndex({ dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32(seed) })
    for (const [p, card] of cards.entries()) index.insert(card.peerId, this.vectors[p]!)
    // Every run starts from this same graph (and the same level draws), so results do not depend on earlier runs.
    this.snapshot = index.serialize()
    this.index = index
    this.reset()
  }

  /** All peers up, the index as built. */
  reset (): void {
    this.index = HnswIndex.deserialize(this.snapshot, { random: mulberry32(this.seed + 1) })
    this.live.fill(true)
    this.lists = []
    this.sets = []
  }

  /**
   * A small real HnswIndex of the cards of `p` and its neighbours: what the
   * origin ranks executors over. (rankExecutors over the mesh-wide index with
   * a reachable set of a dozen peers walks the whole graph on every call,
   * ~1.7 ms at 1,000 cards, because the filtered results never fill ef.)
   */
  neighbourhoodIndex (p: number, neighbours: readonly number[]): HnswIndex {
    let index = this.local.get(p)
    if (index === undefined) {
      index = new HnswIndex({
        dimensions: CAPABILITY_VECTOR_DIMENSIONS, metric: 'cosine', random: mulberry32((this.seed + 7919 * (p + 1)) >>> 0), initialCapacity: neighbours.length + 1
      })
      index.insert(peerKey(p), this.vectors[p]!)
      for (const q of neighbours) index.insert(peerKey(q), this.vectors[q]!)
      this.local.set(p, index)
    }
    return index
  }

  card (key: string): AgentCard | undefined {
    return this.byKey.get(key)
  }

  /** Peer `p` left: its card is dropped from the index. */
  leave (p: number): void {
    if (!this.live[p]) return
    this.live[p] = false
    this.index.delete(peerKey(p))
    this.invalidate(p)
  }

  /** Peer `p` came back and announced its card again. */
  join (p: number): void {
    if (this.live[p]) return
    this.live[p] = true
    this.index.insert(peerKey(p), this.vectors[p]!)
    this.invalidate(p)
  }

  canExecute (peer: number, cls: number): boolean {
    return this.setOf(cls).has(peer)
  }

  executorsOf (cls: number): readonly number[] {
    this.setOf(cls)
    return this.lists[cls]!
  }

  private invalidate (p: number): void {
    for (const [c, requirements] of this.requirements.entries()) {
      if (this.tags[p]!.has(requirements.tags![0]!)) { this.lists[c] = undefined; this.sets[c] = undefined }
    }
  }

  private setOf (cls: number): Set<number> {
    let set = this.sets[cls]
    if (set !== undefined) return set
    const requirements = this.requirements[cls]
    if (requirements === undefined) return new Set()
    const qualifies = this.qualifies[cls]!
    const size = this.index.size
    this.stats.searches++
    // k = ef = everything live: an exhaustive walk of the graph, so no executor is missed.
    const hits = size === 0
      ? []
      : this.index.search(this.queries[cls]!, size, {
        ef: size,
        filter: (id) => qualifies.has(id)
      })
    const list = hits.map((h) => Number(h.id.slice(1))).sort((a, b) => a - b)
    let stated = 0
    for (const id of qualifies) if (this.live[Number(id.slice(1))]) stated++
    this.stats.stated += stated
    this.stats.found += list.length
    if (stated > 0) this.stats.minRecall = Math.min(this.stats.minRecall, list.length / stated)
    set = new Set(list)
    this.lists[cls] = list
    this.sets[cls] = set
    return set
  }
}
