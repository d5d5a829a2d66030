/**
 * The binary format of a serialised index, version 2, all integers little-endian:
 *
 *   header (48 bytes): u32 magic "ZSHN", u16 version, u8 metric (0 cosine, 1 l2),
 *     u8 0, u32 dimensions, u32 M, u32 efConstruction, u32 efSearch,
 *     f64 consolidateRatio, u32 slots, u32 deleted, i32 entry point, i32 max level
 *   per slot: u8 level, u8 deleted, u16 id length, id (UTF-8),
 *     u32 twin count, per twin: u16 id length, id (UTF-8) — ids sharing the
 *     slot's vector (twins.ts); a deleted slot has none
 *   vectors: slots × dimensions f32 (as stored: unit length for cosine)
 *   links: per slot, per layer 0..level: u32 n, n × u32 slot
 *   u32 CRC-32 (IEEE 802.3) of everything before it
 *
 * Version 1 is version 2 without the twin fields, and is still read.
 *
 * It holds the exact graph, tombstones included, so restoring does not
 * rebuild and searches after a restore match searches before it. Decoding
 * checks the checksum and every structural invariant, so corrupt input is
 * rejected with CorruptIndexError rather than surfacing later as a bad search.
 */
import { assertBytes } from '../../core/index.ts'
import {
  FORMAT_MAGIC, FORMAT_VERSION, MAX_DIMENSIONS, MAX_EF, MAX_ID_LENGTH, MAX_LEVEL, MAX_M, MIN_M
} from './constants.ts'
import { CorruptIndexError, UnsupportedIndexVersionError } from './errors.ts'
import { HnswGraph, type Metric } from './graph.ts'

const HEADER_BYTES = 48

export interface CodecOptions {
  efConstruction: number
  efSearch: number
  consolidateRatio: number
}

export interface DecodedIndex {
  graph: HnswGraph
  options: CodecOptions & { dimensions: number, metric: Metric, M: number }
}

export function encodeIndex (g: HnswGraph, options: CodecOptions): Uint8Array {
  const encoder = new TextEncoder()
  const ids = g.ids.slice(0, g.count).map((id) => encoder.encode(id))
  const twins = g.twins.slice(0, g.count).map((list) => (list ?? []).map((id) => encoder.encode(id)))
  let size = HEADER_BYTES + 4 + g.count * g.dimensions * 4
  for (let s = 0; s < g.count; s++) {
    size += 8 + ids[s]!.length
    for (const twin of twins[s]!) size += 2 + twin.length
    for (let layer = 0; layer <= g.levels[s]!; layer++) size += 4 + 4 * g.linkArray(s, layer)[g.linkOffset(s, layer)]!
  }
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, FORMAT_MAGIC, true)
  view.setUint16(4, FORMAT_VERSION, true)
  view.setUint8(6, g.metric === 'cosine' ? 0 : 1)
  view.setUint32(8, g.dimensions, true)
  view.setUint32(12, g.M, true)
  view.setUint32(16, options.efConstruction, true)
  view.setUint32(20, options.efSearch, true)
  view.setFloat64(24, options.consolidateRatio, true)
  view.setUint32(32, g.count, true)
  view.setUint32(36, g.deletedCount, true)
  view.setInt32(40, g.entryPoint, true)
  view.setInt32(44, g.maxLevel, true)
  let pos = HEADER_BYTES
  for (let s = 0; s < g.count; s++) {
    view.setUint8(pos, g.levels[s]!)
    view.setUint8(pos + 1, g.deleted[s]!)
    view.setUint16(pos + 2, ids[s]!.length, true)
    bytes.set(ids[s]!, pos + 4)
    pos += 4 + ids[s]!.length
    view.setUint32(pos, twins[s]!.length, true)
    pos += 4
    for (const twin of twins[s]!) {
      view.setUint16(pos, twin.length, true)
      bytes.set(twin, pos + 2)
      pos += 2 + twin.length
    }
  }
  const n = g.count * g.dimensions
  for (let i = 0; i < n; i++, pos += 4) view.setFloat32(pos, g.vectors[i]!, true)
  for (let s = 0; s < g.count; s++) {
    for (let layer = 0; layer <= g.levels[s]!; layer++) {
      const arr = g.linkArray(s, layer)
      const off = g.linkOffset(s, layer)
      for (let i = 0; i <= arr[off]!; i++, pos += 4) view.setUint32(pos, arr[off + i]!, true)
    }
  }
  view.setUint32(pos, crc32(bytes, 0, pos), true)
  return bytes
}

export function decodeIndex (bytes: Uint8Array): DecodedIndex {
  assertBytes(bytes, 'bytes')
  if (bytes.length < HEADER_BYTES + 4) throw new CorruptIndexError('too short to be an index')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(0, true) !== FORMAT_MAGIC) throw new CorruptIndexError('not an HNSW index (bad magic)')
  const version = view.getUint16(4, true)
  if (version > FORMAT_VERSION) throw new UnsupportedIndexVersionError(`format version ${version}; this build reads ${FORMAT_VERSION}`)
  const end = bytes.length - 4
  if (crc32(bytes, 0, end) !== view.getUint32(end, true)) throw new CorruptIndexError('checksum mismatch')
  check(version === 1 || version === FORMAT_VERSION, `unknown format version ${version}`)

  const metricCode = view.getUint8(6)
  check(metricCode <= 1 && view.getUint8(7) === 0, 'bad metric')
  const metric: Metric = metricCode === 0 ? 'cosine' : 'l2'
  const dimensions = view.getUint32(8, true)
  const M = view.getUint32(12, true)
  const efConstruction = view.getUint32(16, true)
  const efSearch = view.getUint32(20, true)
  const consolidateRatio = view.getFloat64(24, true)
  const count = view.getUint32(32, true)
  const deletedCount = view.getUint32(36, true)
  const entryPoint = view.getInt32(40, true)
  const maxLevel = view.getInt32(44, true)
  check(dimensions >= 1 && dimensions <= MAX_DIMENSIONS, 'bad dimensions')
  check(M >= MIN_M && M <= MAX_M, 'bad M')
  check(efConstruction >= 1 && efConstruction <= MAX_EF && efSearch >= 1 && efSearch <= MAX_EF, 'bad ef')
  check(consolidateRatio > 0 && consolidateRatio <= 1, 'bad consolidateRatio')
  // Each slot takes at least 4 record bytes, its vector and one link count.
  check(count <= (end - HEADER_BYTES) / (8 + 4 * dimensions), 'slot count exceeds the data')
  check(deletedCount <= count, 'bad deleted count')
  check(count === 0 ? entryPoint === -1 && maxLevel === -1 : entryPoint >= 0 && entryPoint < count, 'bad entry point')

  const graph = new HnswGraph(dimensions, metric, M, count)
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const liveIds = new Set<string>()
  let pos = HEADER_BYTES
  let deletedSeen = 0
  for (let s = 0; s < count; s++) {
    check(pos + 4 <= end, 'truncated slot records')
    const level = view.getUint8(pos)
    const deleted = view.getUint8(pos + 1)
    const idLength = view.getUint16(pos + 2, true)
    pos += 4
    check(level <= MAX_LEVEL && level <= maxLevel && deleted <= 1 && pos + idLength <= end, 'bad slot record')
    const id = readId(bytes, pos, idLength, decoder)
    pos += idLength
    graph.addSlot(id, level)
    const ids = [id]
    if (version >= 2) {
      check(pos + 4 <= end, 'truncated twin count')
      const twinCount = view.getUint32(pos, true)
      pos += 4
      check(twinCount <= (end - pos) / 3 && (twinCount === 0 || deleted === 0), 'bad twin count')
      const twins: string[] = []
      for (let t = 0; t < twinCount; t++) {
        check(pos + 2 <= end, 'truncated twin')
        const length = view.getUint16(pos, true)
        pos += 2
        check(pos + length <= end, 'truncated twin')
        twins.push(readId(bytes, pos, length, decoder))
        pos += length
      }
      if (twins.length > 0) graph.twins[s] = twins
      ids.push(...twins)
    }
    if (deleted === 1) {
      graph.deleted[s] = 1
      deletedSeen++
    } else {
      for (const live of ids) {
        check(!liveIds.has(live), 'duplicate live id')
        liveIds.add(live)
      }
    }
  }
  check(deletedSeen === deletedCount, 'deleted count mismatch')
  const n = count * dimensions
  check(pos + n * 4 <= end, 'truncated vectors')
  for (let i = 0; i < n; i++, pos += 4) {
    const x = view.getFloat32(pos, true)
    check(Number.isFinite(x), 'non-finite vector component')
    graph.vectors[i] = x
  }
  for (let s = 0; s < count; s++) {
    for (let layer = 0; layer <= graph.levels[s]!; layer++) {
      check(pos + 4 <= end, 'truncated links')
      const m = view.getUint32(pos, true)
      pos += 4
      check(m <= graph.maxLinks(layer) && pos + 4 * m <= end, 'bad link count')
      const arr = graph.linkArray(s, layer)
      const off = graph.linkOffset(s, layer)
      arr[off] = m
      for (let i = 1; i <= m; i++, pos += 4) {
        const target = view.getUint32(pos, true)
        check(target < count && target !== s && graph.levels[target]! >= layer, 'bad link target')
        arr[off + i] = target
      }
    }
  }
  check(pos === end, 'trailing bytes')
  if (count > 0) check(graph.levels[entryPoint] === maxLevel, 'entry point is not on the top layer')
  graph.deletedCount = deletedCount
  graph.entryPoint = entryPoint
  graph.maxLevel = maxLevel
  return { graph, options: { dimensions, metric, M, efConstruction, efSearch, consolidateRatio } }
}

function readId (bytes: Uint8Array, pos: number, length: number, decoder: TextDecoder): string {
  let id: string
  try {
    id = decoder.decode(bytes.subarray(pos, pos + length))
  } catch {
    throw new CorruptIndexError('id is not valid UTF-8')
  }
  check(id.length >= 1 && id.length <= MAX_ID_LENGTH, 'bad id length')
  return id
}

function check (ok: boolean, what: string): void {
  if (!ok) throw new CorruptIndexError(what)
}

let crcTable: Uint32Array | undefined

/** CRC-32 as in IEEE 802.3 / zlib (reflected polynomial 0xEDB88320). */
export function crc32 (bytes: Uint8Array, start: number, end: number): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
