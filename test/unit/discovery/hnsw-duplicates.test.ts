/**
 * Copies and near-copies in the HNSW index: groups of identical vectors larger
 * than the link budget used to fall out of the reachable graph (87 % of the
 * stated executors found among 10,000 simulated Agent Cards); see
 * src/discovery/hnsw/twins.ts and HnswGraph.distanceTo.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/core/index.ts'
import { HnswIndex, type Metric } from '../../../src/discovery/hnsw/index.ts'
import { crc32 } from '../../../src/discovery/hnsw/codec.ts'

const DIM = 32

function randomVector (random: () => number): Float32Array {
  return Float32Array.from({ length: DIM }, () => random() - 0.5)
}

/** `groups` base vectors with `copies` ids each (plus `noise` per component), then `singles` random vectors. */
function duplicated (metric: Metric, groups: number, copies: number, singles: number, noise = 0): { index: HnswIndex, bases: Float32Array[] } {
  const random = mulberry32(7)
  const index = new HnswIndex({ dimensions: DIM, metric, random: mulberry32(1) })
  const bases = Array.from({ length: groups }, () => randomVector(random))
  for (let c = 0; c < copies; c++) {
    for (const [g, base] of bases.entries()) index.insert(`g${g}-${c}`, Float32Array.from(base, (x) => x + noise * (random() - 0.5)))
  }
  for (let s = 0; s < singles; s++) index.insert(`s${s}`, randomVector(random))
  return { index, bases }
}

const everything = (index: HnswIndex): string[] => index.search(new Float32Array(DIM).fill(1), index.size, { ef: index.size }).map((h) => h.id)

describe.each(['cosine', 'l2'] as const)('HnswIndex with copies (%s)', (metric) => {
  it('keeps every copy reachable: an exhaustive search finds all ids, and k = copies finds a group', () => {
    const { index, bases } = duplicated(metric, 20, 60, 500)
    expect(index.size).toBe(20 * 60 + 500)
    expect(index.nodeCount).toBe(20 + 500)
    expect(new Set(everything(index)).size).toBe(index.size)
    const hits = index.search(bases[3]!, 60)
    expect(hits.map((h) => h.id).sort()).toEqual(Array.from({ length: 60 }, (_, c) => `g3-${c}`).sort())
    for (const hit of hits) expect(hit.distance).toBeCloseTo(0, 6)
    // Twins come out in insertion order.
    expect(hits.slice(0, 3).map((h) => h.id)).toEqual(['g3-0', 'g3-1', 'g3-2'])
    expect(index.exactSearch(bases[3]!, 60).map((h) => h.id)).toEqual(hits.map((h) => h.id))
  })

  it('keeps near-copies reachable (groups of 250 differing by 1e-5 per component)', () => {
    const { index } = duplicated(metric, 12, 250, 1000, 1e-5)
    expect(index.nodeCount).toBe(index.size)
    expect(new Set(everything(index)).size).toBe(index.size)
  })

  it('filters each id of a node on its own', () => {
    const { index, bases } = duplicated(metric, 5, 40, 200)
    const wanted = (id: string): boolean => id.startsWith('g2-') && Number(id.slice(3)) % 4 === 0
    const hits = index.search(bases[0]!, 1000, { ef: 1000, filter: wanted })
    expect(hits.map((h) => h.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `g2-${4 * i}`).sort())
    expect(index.exactSearch(bases[0]!, 1000, { filter: wanted })).toHaveLength(10)
  })
})

describe('HnswIndex twins under deletion, consolidation and restore', () => {
  it('a node outlives its first id and goes when its last id goes', () => {
    const { index, bases } = duplicated('cosine', 3, 5, 100)
    expect(index.delete('g1-0')).toBe(true)
    expect(index.has('g1-0')).toBe(false)
    expect(index.search(bases[1]!, 5).map((h) => h.id)).toEqual(['g1-1', 'g1-2', 'g1-3', 'g1-4', expect.stringMatching(/^[gs]/)])
    for (const c of [2, 4, 1]) index.delete(`g1-${c}`)
    expect(index.nodeCount).toBe(103)
    index.delete('g1-3')
    expect(index.nodeCount).toBe(102)
    expect(index.size).toBe(110)
    expect(everything(index).filter((id) => id.startsWith('g1-'))).toEqual([])
    index.insert('back', bases[1]!)
    expect(index.search(bases[1]!, 1)[0]!.id).toBe('back')
    // Updating an id to another vector takes it out of its group.
    index.insert('g0-2', bases[2]!)
    expect(index.search(bases[0]!, 4).map((h) => h.id)).toEqual(['g0-0', 'g0-1', 'g0-3', 'g0-4'])
    expect(index.search(bases[2]!, 6).map((h) => h.id)).toEqual(['g2-0', 'g2-1', 'g2-2', 'g2-3', 'g2-4', 'g0-2'])
  })

  it('consolidation and serialize → deserialize keep every twin', () => {
    const { index, bases } = duplicated('l2', 10, 30, 300)
    for (let s = 0; s < 300; s += 3) index.delete(`s${s}`)
    for (let c = 0; c < 30; c += 2) index.delete(`g4-${c}`)
    const bytes = index.serialize()
    const restored = HnswIndex.deserialize(bytes, { random: mulberry32(2) })
    expect(restored.serialize()).toEqual(bytes)
    expect(restored.size).toBe(index.size)
    for (const base of bases) expect(restored.search(base, 40)).toEqual(index.search(base, 40))
    index.consolidate()
    expect(index.nodeCount).toBe(10 + 200)
    expect(new Set(everything(index)).size).toBe(index.size)
    expect(index.search(bases[4]!, 15).map((h) => h.id).sort()).toEqual(Array.from({ length: 15 }, (_, i) => `g4-${2 * i + 1}`).sort())
  })

  it('reads version 1 bytes (no twin fields)', () => {
    const { index, bases } = duplicated('cosine', 0, 0, 200)
    const v2 = index.serialize()
    const restored = HnswIndex.deserialize(toVersion1(v2), { random: mulberry32(3) })
    expect(restored.serialize()).toEqual(v2)
    expect(bases).toEqual([])
  })

  it('rejects a deleted slot that claims twins', () => {
    const index = new HnswIndex({ dimensions: 2, metric: 'l2', random: mulberry32(1) })
    index.insert('a', [1, 0])
    index.insert('b', [0, 1])
    index.delete('b')
    const bytes = index.serialize()
    // Slot 1's record starts after the header (48) and slot 0's record (4 + 1 + 4); its twin count after its id.
    const view = new DataView(bytes.buffer)
    const countAt = 48 + 9 + 5
    expect(view.getUint32(countAt, true)).toBe(0)
    const forged = new Uint8Array(bytes.length + 3)
    forged.set(bytes.subarray(0, countAt))
    new DataView(forged.buffer).setUint32(countAt, 1, true)
    forged.set([1, 0, 0x78], countAt + 4) // one twin, id "x"
    forged.set(bytes.subarray(countAt + 4, bytes.length - 4), countAt + 7)
    new DataView(forged.buffer).setUint32(forged.length - 4, crc32(forged, 0, forged.length - 4), true)
    expect(() => HnswIndex.deserialize(forged, { random: mulberry32(1) })).toThrow(expect.objectContaining({ name: 'CorruptIndexError' }))
  })
})

/** Rewrites version 2 bytes with no twins as version 1: drop each slot's twin count, set the version, re-checksum. */
function toVersion1 (v2: Uint8Array): Uint8Array {
  const view = new DataView(v2.buffer, v2.byteOffset, v2.byteLength)
  const count = view.getUint32(32, true)
  const parts: Uint8Array[] = [v2.slice(0, 48)]
  let pos = 48
  for (let s = 0; s < count; s++) {
    const length = 4 + view.getUint16(pos + 2, true)
    parts.push(v2.subarray(pos, pos + length))
    expect(view.getUint32(pos + length, true)).toBe(0)
    pos += length + 4
  }
  parts.push(v2.subarray(pos, v2.length - 4))
  const size = parts.reduce((n, p) => n + p.length, 0)
  const out = new Uint8Array(size + 4)
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  const outView = new DataView(out.buffer)
  outView.setUint16(4, 1, true)
  outView.setUint32(size, crc32(out, 0, size), true)
  return out
}
