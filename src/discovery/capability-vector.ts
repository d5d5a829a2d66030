/**
 * The capability vector: 128 numbers computed from an Agent Card's own
 * fields, so peers can be found by k-nearest-neighbour search (cosine) over
 * what they offer. The layout and each normalisation are specified in
 * docs/agent-card.md §5; the constants below are that table.
 *
 * A receiver always recomputes the vector from the fields it verified and
 * indexes that one; the copy inside a card is only checked against it.
 *
 * @example
 * const wanted = queryVector({ tags: ['nlp'], minWorkerSlots: 2, maxPrices: { perMegaFuel: 500 } })
 * const nearest = index.search(wanted, 20).filter(hit => matchesRequirements(cards.get(hit.peerId), requirements))
 */
import { addHashedFeatures } from './feature-hashing.ts'
import type { AgentCardFields, CardPrices } from './types.ts'
import {
  CAPABILITY_VECTOR_DECIMALS, CAPABILITY_VECTOR_DIMENSIONS, MAX_CARD_MEMORY_BYTES, MAX_PRICE_MICRO_UNITS, MAX_WORKER_SLOTS
} from './constants.ts'

/** The fields the vector is computed from. */
export type CapabilityFields = Pick<AgentCardFields,
'skills' | 'warmModules' | 'workerSlots' | 'memoryLimitBytes' | 'benchmark' | 'prices' | 'availability'>

/** First dimension and length of each block (docs/agent-card.md §5). */
export const VECTOR_BLOCKS = {
  skills: { start: 0, length: 64 },
  warmModules: { start: 64, length: 16 },
  resources: { start: 80, length: 16 },
  prices: { start: 96, length: 16 },
  availability: { start: 112, length: 16 }
} as const

/**
 * Block weights: the skills block has unit length, so what a peer can do
 * dominates the cosine; warm modules, resources, prices and availability
 * refine the ranking among peers that can do it.
 */
export const VECTOR_WEIGHTS = { skills: 1, warmModules: 0.5, resources: 0.25, prices: 0.25, availability: 0.25 } as const

/** Values at which a log-scaled resource reaches 1. */
const SLOTS_SCALE = MAX_WORKER_SLOTS
const MEMORY_SCALE_MIB = MAX_CARD_MEMORY_BYTES / 2 ** 20
const FUEL_PER_MS_SCALE = 2 ** 24

/** What an absent optional availability field (charging, battery) contributes: neither good nor bad. */
const UNKNOWN = 0.5

/** Domain separation for feature hashing, so these hashes never coincide with any other use of SHA-256 in the project. */
const FEATURE_PREFIX = 'zerostate/agent-card/1/'

/** What a submitter asks for; every member is optional. */
export interface CardRequirements {
  /** Skill tags wanted (matched case-insensitively); soft: they steer the search. */
  tags?: string[]
  /** Skill ids wanted; soft, like tags. */
  skills?: string[]
  /** A module the task runs; peers that hold it warm rank higher (soft). */
  moduleHash?: string
  /** Hard: at least this many worker slots. */
  minWorkerSlots?: number
  /** Hard: accepts a memory limit of at least this many bytes. */
  minMemoryBytes?: number
  /** Hard: each price given is an upper bound, in micro-units. */
  maxPrices?: Partial<CardPrices>
  /** Hard: only peers whose tab is in the foreground. */
  requireVisible?: boolean
  /**
   * The task is latency-sensitive: unthrottled peers are pulled closer in the
   * search, and selection leaves throttled ones (`background`) out whenever
   * enough unthrottled ones are eligible (orchestration/executor-selection.ts).
   * Not a per-card filter: with only throttled peers, they still serve.
   */
  latencySensitive?: boolean
}

/** The card's capability vector as specified in docs/agent-card.md §5. Deterministic: the same fields give the same vector. */
export function capabilityVector (fields: CapabilityFields): Float32Array {
  const v = new Float64Array(CAPABILITY_VECTOR_DIMENSIONS)
  const features = new Set<string>()
  for (const skill of fields.skills) {
    features.add(`skill:${skill.id}`)
    for (const tag of skill.tags) features.add(`tag:${tag}`)
  }
  hashedBlock(v, 'skills', features)
  hashedBlock(v, 'warmModules', new Set(fields.warmModules.map(hash => `module:${hash}`)))

  const r = VECTOR_BLOCKS.resources.start
  v[r] = VECTOR_WEIGHTS.resources * logScale(fields.workerSlots, SLOTS_SCALE)
  v[r + 1] = VECTOR_WEIGHTS.resources * logScale(fields.memoryLimitBytes / 2 ** 20, MEMORY_SCALE_MIB)
  v[r + 2] = VECTOR_WEIGHTS.resources * logScale(fields.benchmark.fuelPerMs, FUEL_PER_MS_SCALE)

  priceBlock(v, fields.prices)

  const a = VECTOR_BLOCKS.availability.start
  const { visible, charging, battery } = fields.availability
  v[a] = VECTOR_WEIGHTS.availability * (visible ? 1 : 0)
  v[a + 1] = VECTOR_WEIGHTS.availability * (charging === undefined ? UNKNOWN : charging ? 1 : 0)
  v[a + 2] = VECTOR_WEIGHTS.availability * (battery ?? UNKNOWN)
  // Dims 115–116 (§5, §11): absent is 0 in both, so a card without a class keeps the vector it had before they existed.
  const availabilityClass = fields.availability.class
  if (availabilityClass !== undefined) {
    v[a + 3] = VECTOR_WEIGHTS.availability * (availabilityClass === 'background' ? -1 : 1)
    v[a + 4] = VECTOR_WEIGHTS.availability * (availabilityClass === 'installed' ? 1 : 0)
  }
  return Float32Array.from(v)
}

/**
 * A submitter's requirements as a point in the same space, for cosine k-NN
 * search. Dimensions for requirements not given are 0, so they do not pull
 * the ranking either way.
 */
export function queryVector (requirements: CardRequirements): Float32Array {
  const v = new Float64Array(CAPABILITY_VECTOR_DIMENSIONS)
  const features = new Set<string>()
  for (const tag of requirements.tags ?? []) features.add(`tag:${String(tag).toLowerCase()}`)
  for (const id of requirements.skills ?? []) features.add(`skill:${String(id).toLowerCase()}`)
  hashedBlock(v, 'skills', features)
  if (requirements.moduleHash !== undefined) hashedBlock(v, 'warmModules', new Set([`module:${requirements.moduleHash}`]))

  const r = VECTOR_BLOCKS.resources.start
  const { minWorkerSlots, minMemoryBytes, maxPrices, requireVisible } = requirements
  if (minWorkerSlots !== undefined) v[r] = VECTOR_WEIGHTS.resources * logScale(bound(minWorkerSlots, 'minWorkerSlots'), SLOTS_SCALE)
  if (minMemoryBytes !== undefined) {
    v[r + 1] = VECTOR_WEIGHTS.resources * logScale(bound(minMemoryBytes, 'minMemoryBytes') / 2 ** 20, MEMORY_SCALE_MIB)
  }
  if (maxPrices !== undefined) priceBlock(v, maxPrices)
  if (requireVisible === true) v[VECTOR_BLOCKS.availability.start] = VECTOR_WEIGHTS.availability
  if (requirements.latencySensitive === true) v[VECTOR_BLOCKS.availability.start + 3] = VECTOR_WEIGHTS.availability
  return Float32Array.from(v)
}

/** The hard filter applied to search results: slots, memory, every price bound given, and visibility. */
export function matchesRequirements (card: Pick<AgentCardFields, 'workerSlots' | 'memoryLimitBytes' | 'prices' | 'availability'>, requirements: CardRequirements): boolean {
  const { minWorkerSlots, minMemoryBytes, maxPrices = {}, requireVisible } = requirements
  if (minWorkerSlots !== undefined && card.workerSlots < minWorkerSlots) return false
  if (minMemoryBytes !== undefined && card.memoryLimitBytes < minMemoryBytes) return false
  for (const field of ['perMegaFuel', 'perSecond', 'perMb'] as const) {
    const max = maxPrices[field]
    if (max !== undefined && card.prices[field] > max) return false
  }
  if (requireVisible === true && !card.availability.visible) return false
  return true
}

/** Cosine similarity of two vectors of equal length; 0 when either is all zeros. */
export function cosineSimilarity (a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`)
  let dot = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    aa += a[i]! * a[i]!
    bb += b[i]! * b[i]!
  }
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb)
}

const WIRE_SCALE = 10 ** CAPABILITY_VECTOR_DECIMALS

/** The vector as a card carries it: each component rounded to six decimals, which keeps a card's JSON small. */
export function wireVector (vector: Float32Array): number[] {
  return Array.from(vector, x => {
    const rounded = Math.round(x * WIRE_SCALE) / WIRE_SCALE
    return rounded === 0 ? 0 : rounded // no -0: it would canonicalize as 0 but fail Object.is
  })
}

/** True if every component of `sent` is within `tolerance` of `computed`. */
export function vectorsMatch (sent: ArrayLike<number>, computed: ArrayLike<number>, tolerance: number): boolean {
  if (sent.length !== computed.length) return false
  for (let i = 0; i < sent.length; i++) {
    if (!(Math.abs(sent[i]! - computed[i]!) <= tolerance)) return false
  }
  return true
}

/** Feature hashing (feature-hashing.ts) into one of the card's hashed blocks, scaled to the block's weight. */
function hashedBlock (v: Float64Array, block: 'skills' | 'warmModules', features: ReadonlySet<string>): void {
  const { start, length } = VECTOR_BLOCKS[block]
  addHashedFeatures(v, { start, size: length, length: VECTOR_WEIGHTS[block], prefix: FEATURE_PREFIX }, features)
}

/** Prices, inverted so that cheaper is higher: 1 at a price of 0, 0 at MAX_PRICE_MICRO_UNITS. Absent prices stay 0. */
function priceBlock (v: Float64Array, prices: Partial<CardPrices>): void {
  const p = VECTOR_BLOCKS.prices.start
  const fields = ['perMegaFuel', 'perSecond', 'perMb'] as const
  for (const [i, field] of fields.entries()) {
    const price = prices[field]
    if (price !== undefined) v[p + i] = VECTOR_WEIGHTS.prices * (1 - logScale(bound(price, `maxPrices.${field}`), MAX_PRICE_MICRO_UNITS))
  }
}

/** log2(1 + x) / log2(1 + max), capped at 1: in [0, 1], and each doubling of x adds about the same amount. */
function logScale (x: number, max: number): number {
  return Math.min(1, Math.log2(1 + x) / Math.log2(1 + max))
}

function bound (value: number, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number`)
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${what} must be a finite number ≥ 0`)
  return value
}
