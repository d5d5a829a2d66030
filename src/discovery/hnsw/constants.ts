/**
 * Defaults and limits for the HNSW index (Malkov & Yashunin, 2018,
 * "Efficient and robust approximate nearest neighbor search using
 * Hierarchical Navigable Small World graphs", IEEE TPAMI; arXiv:1603.09320).
 */

/** §4.1: M = 16 is a good default for mid-dimensional data. */
export const DEFAULT_M = 16

/** §4.1: efConstruction ≈ 100–400 gives recall close to 1 for the construction search. */
export const DEFAULT_EF_CONSTRUCTION = 200

/** The ef used by `search` when the caller gives none (raised to k when k is larger). */
export const DEFAULT_EF_SEARCH = 50

/**
 * Tombstones are merged back into the graph (see consolidate.ts) once they make
 * up this fraction of all stored slots.
 */
export const DEFAULT_CONSOLIDATE_RATIO = 0.2

/** Slots allocated up front; storage doubles when full. */
export const INITIAL_CAPACITY = 1024

/** Limits checked on the options and on deserialised input. */
export const MAX_DIMENSIONS = 4096
export const MIN_M = 2
export const MAX_M = 128
export const MAX_EF = 1 << 20
/**
 * Highest layer a node may be drawn into. With mL = 1/ln(M) (§4.1) and M ≥ 2
 * the chance of drawing a level above 30 is below 2^-30 per insert.
 */
export const MAX_LEVEL = 30
/** Longest id, in UTF-16 code units (at most 3 UTF-8 bytes each, so it fits a u16 length). */
export const MAX_ID_LENGTH = 1024

/** Serialisation: magic "ZSHN" and the format version (2 added twins; 1 is still read). */
export const FORMAT_MAGIC = 0x4e48535a
export const FORMAT_VERSION = 2
