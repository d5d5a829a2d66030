/**
 * Approximate nearest-neighbour search over capability vectors: a
 * Hierarchical Navigable Small World index (Malkov & Yashunin, 2018,
 * "Efficient and robust approximate nearest neighbor search using
 * Hierarchical Navigable Small World graphs", arXiv:1603.09320), written for
 * ZeroState in plain TypeScript, isomorphic, with no dependencies.
 *
 * Pure: no I/O, no clock, and its only randomness (level draws) comes from
 * the `random` the caller passes, so a fixed seed gives a reproducible graph.
 *
 * @example
 * ```ts
 * import { mulberry32 } from './core/index.ts'
 * import { HnswIndex } from './discovery/hnsw/index.ts'
 *
 * const index = new HnswIndex({ dimensions: 128, metric: 'cosine', random: mulberry32(42) })
 * index.insert('peer-a', capabilityVectorA)
 * index.insert('peer-b', capabilityVectorB)
 * const hits = index.search(wanted, 10, { filter: (id) => online.has(id) })
 * const bytes = index.serialize()            // e.g. into IndexedDB
 * const again = HnswIndex.deserialize(bytes, { random: mulberry32(43) })
 * ```
 *
 * Updates: inserting an id that is present deletes it and inserts the new
 * vector as a fresh node. Deletes: tombstones that still route searches but
 * never appear in results, consolidated (links repaired, slots compacted) once
 * they reach `consolidateRatio` of the slots; see consolidate.ts.
 */
export { HnswIndex } from './hnsw-index.ts'
export type { HnswIndexInit, Metric, SearchHit, SearchOptions } from './hnsw-index.ts'
export { CorruptIndexError, InvalidVectorError, UnsupportedIndexVersionError } from './errors.ts'
export {
  DEFAULT_CONSOLIDATE_RATIO, DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, DEFAULT_M, FORMAT_VERSION
} from './constants.ts'
