import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/core/index.ts'
import { HnswIndex, type Metric, type SearchHit } from '../../../src/discovery/hnsw/index.ts'
import { clusteredVectors } from '../../support/clustered-vectors.ts'

const DIM = 128
const N = 5000
const CLUSTERS = 50
const QUERIES = 200

function clusteredData (seed: number, count: number): Float32Array[] {
  return clusteredVectors({ seed, count, dimensions: DIM, clusters: CLUSTERS, spread: 0.5 })
}

function recallAt10 (index: HnswIndex, queries: Float32Array[], ef?: number): number {
  let found = 0
  for (const q of queries) {
    const exact = new Set(index.exactSearch(q, 10).map((h) => h.id))
    found += index.search(q, 10, ef === undefined ? {} : { ef }).filter((h) => exact.has(h.id)).length
  }
  return found / (queries.length * 10)
}

function build (metric: Metric, vectors: Float32Array[], seed = 1): HnswIndex {
  const index = new HnswIndex({ dimensions: DIM, metric, random: mulberry32(seed) })
  vectors.forEach((v, i) => index.insert(`v${i}`, v))
  return index
}

const all = clusteredData(2018, N + QUERIES + 1000)
const data = all.slice(0, N)
const queries = all.slice(N, N + QUERIES)
const replacements = all.slice(N + QUERIES)

describe.each(['cosine', 'l2'] as const)('HnswIndex (%s)', (metric) => {
  let index: HnswIndex
  beforeAll(() => { index = build(metric, data) })

  it('finds ≥ 95% of the true 10 nearest neighbours on clustered data', () => {
    expect(index.size).toBe(N)
    expect(recallAt10(index, queries)).toBeGreaterThanOrEqual(0.95)
  })

  it('returns hits sorted ascending with the metric’s distance', () => {
    const hits = index.search(queries[0]!, 10)
    expect(hits).toHaveLength(10)
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.distance).toBeGreaterThanOrEqual(hits[i - 1]!.distance)
    const v = data[Number(hits[0]!.id.slice(1))]!
    const q = queries[0]!
    let dot = 0; let nq = 0; let nv = 0; let l2 = 0
    for (let i = 0; i < DIM; i++) {
      dot += q[i]! * v[i]!; nq += q[i]! ** 2; nv += v[i]! ** 2; l2 += (q[i]! - v[i]!) ** 2
    }
    const expected = metric === 'cosine' ? 1 - dot / Math.sqrt(nq * nv) : Math.sqrt(l2)
    expect(hits[0]!.distance).toBeCloseTo(expected, 4)
  })

  it('never returns deleted ids and keeps recall ≥ 0.9 after 20% churn', () => {
    const churned = build(metric, data)
    const gone = new Set<string>()
    for (let i = 0; i < N; i += 5) {
      expect(churned.delete(`v${i}`)).toBe(true)
      gone.add(`v${i}`)
    }
    expect(churned.delete('v0')).toBe(false)
    expect(churned.size).toBe(N - gone.size)
    expect(churned.has('v0')).toBe(false)
    // Querying with a deleted vector itself must not bring it back.
    for (let i = 0; i < 200; i += 5) {
      for (const hit of churned.search(data[i]!, 10)) expect(gone.has(hit.id)).toBe(false)
    }
    replacements.forEach((v, i) => churned.insert(`r${i}`, v))
    expect(churned.size).toBe(N)
    for (const q of queries) for (const hit of churned.search(q, 10)) expect(gone.has(hit.id)).toBe(false)
    expect(recallAt10(churned, queries)).toBeGreaterThanOrEqual(0.9)
  }, 20_000)
})

describe('HnswIndex behaviour', () => {
  const small = data.slice(0, 1000)
  const smallIndex = (seed = 3): HnswIndex => build('l2', small, seed)

  it('update moves a vector', () => {
    const index = smallIndex()
    const target = queries[1]!
    expect(index.search(target, 1)[0]!.id).not.toBe('v7')
    index.insert('v7', target)
    expect(index.size).toBe(1000)
    const [top] = index.search(target, 1)
    expect(top!.id).toBe('v7')
    expect(top!.distance).toBeCloseTo(0, 6)
    expect(index.search(small[7]!, 10).some((h) => h.id === 'v7')).toBe(false)
  })

  it('filter restricts results and keeps recall against filtered brute force', () => {
    const index = smallIndex()
    const filter = (id: string): boolean => Number(id.slice(1)) % 3 === 0
    let found = 0
    for (const q of queries.slice(0, 50)) {
      const hits = index.search(q, 10, { filter })
      expect(hits).toHaveLength(10)
      for (const hit of hits) expect(filter(hit.id)).toBe(true)
      const exact = new Set(index.exactSearch(q, 10, { filter }).map((h) => h.id))
      found += hits.filter((h) => exact.has(h.id)).length
    }
    expect(found / 500).toBeGreaterThanOrEqual(0.95)
    expect(index.search(queries[0]!, 5, { filter: () => false })).toEqual([])
  })

  it('serialize → deserialize restores the exact graph, tombstones included', () => {
    const index = smallIndex()
    for (let i = 0; i < 100; i += 2) index.delete(`v${i}`) // 5%: stays as tombstones
    const bytes = index.serialize()
    const restored = HnswIndex.deserialize(bytes, { random: mulberry32(9) })
    expect(restored.size).toBe(index.size)
    expect(restored.has('v0')).toBe(false)
    expect(restored.has('v1')).toBe(true)
    expect(restored.metric).toBe('l2')
    for (const q of queries.slice(0, 50)) {
      for (const ef of [10, 50]) expect(restored.search(q, 10, { ef })).toEqual(index.search(q, 10, { ef }))
    }
    expect(restored.serialize()).toEqual(bytes)
    restored.insert('new', queries[2]!)
    expect(restored.search(queries[2]!, 1)[0]!.id).toBe('new')
  })

  it('rejects corrupt or foreign bytes with typed errors', () => {
    const bytes = smallIndex().serialize()
    const flipped = bytes.slice()
    flipped[bytes.length >> 1]! ^= 0x10
    const cases: Uint8Array[] = [flipped, bytes.slice(0, bytes.length - 1), bytes.slice(0, 10), new Uint8Array(0)]
    const badMagic = bytes.slice()
    badMagic[0] = 0
    cases.push(badMagic)
    for (const c of cases) {
      expect(() => HnswIndex.deserialize(c, { random: mulberry32(1) })).toThrow(expect.objectContaining({ name: 'CorruptIndexError' }))
    }
    const future = bytes.slice()
    future[4] = 99
    expect(() => HnswIndex.deserialize(future, { random: mulberry32(1) })).toThrow(expect.objectContaining({ name: 'UnsupportedIndexVersionError' }))
  })

  it('is deterministic: same seed and inserts give the same graph and results', () => {
    const a = smallIndex(11)
    const b = smallIndex(11)
    expect(a.serialize()).toEqual(b.serialize())
    for (const q of queries.slice(0, 20)) expect(a.search(q, 10)).toEqual(b.search(q, 10))
    expect(smallIndex(12).serialize()).not.toEqual(a.serialize())
  })

  it('consolidation repairs the graph and compacts storage', () => {
    const index = new HnswIndex({ dimensions: DIM, metric: 'cosine', random: mulberry32(5), consolidateRatio: 1 })
    small.forEach((v, i) => index.insert(`v${i}`, v))
    const before = index.serialize().length
    for (let i = 0; i < 1000; i += 2) index.delete(`v${i}`)
    expect(index.serialize().length).toBe(before) // tombstones are kept until consolidated
    index.consolidate()
    expect(index.serialize().length).toBeLessThan(before * 0.6)
    expect(index.size).toBe(500)
    expect(recallAt10(index, queries.slice(0, 50))).toBeGreaterThanOrEqual(0.95)
    for (let i = 1; i < 1000; i += 2) index.delete(`v${i}`)
    expect(index.size).toBe(0)
    expect(index.search(queries[0]!, 3)).toEqual([])
    index.insert('again', small[0]!)
    expect(index.search(small[0]!, 3).map((h) => h.id)).toEqual(['again'])
  })

  it('validates inputs at the boundary', () => {
    const index = new HnswIndex({ dimensions: 4, metric: 'cosine', random: mulberry32(1) })
    const named = (name: string): unknown => expect.objectContaining({ name })
    expect(() => index.insert('a', [1, 2, 3])).toThrow(named('InvalidVectorError'))
    expect(() => index.insert('a', [1, 2, Number.NaN, 4])).toThrow(named('InvalidVectorError'))
    expect(() => index.insert('a', [0, 0, 0, 0])).toThrow(named('InvalidVectorError'))
    expect(() => index.insert('', [1, 2, 3, 4])).toThrow(RangeError)
    expect(() => index.insert(5 as unknown as string, [1, 2, 3, 4])).toThrow(TypeError)
    index.insert('a', [1, 2, 3, 4])
    expect(() => index.search([1, 2, 3, 4], 0)).toThrow(RangeError)
    expect(() => index.search([1, 2, 3, 4], 1.5)).toThrow(TypeError)
    expect(() => index.search([1, 2, 3], 1)).toThrow(named('InvalidVectorError'))
    expect(() => index.search([1, 2, 3, 4], 1, { ef: 0 })).toThrow(RangeError)
    expect(() => new HnswIndex({ dimensions: 0, metric: 'l2', random: mulberry32(1) })).toThrow(RangeError)
    expect(() => new HnswIndex({ dimensions: 4, metric: 'dot' as Metric, random: mulberry32(1) })).toThrow(TypeError)
    expect(() => new HnswIndex({ dimensions: 4, metric: 'l2', random: mulberry32(1), M: 1 })).toThrow(RangeError)
    const bad = new HnswIndex({ dimensions: 4, metric: 'l2', random: () => 1 })
    expect(() => bad.insert('x', [1, 2, 3, 4])).toThrow(RangeError)
    expect(bad.size).toBe(0)
    const hits: SearchHit[] = index.search([2, 4, 6, 8], 5)
    expect(hits).toEqual([{ id: 'a', distance: expect.closeTo(0, 6) }])
  })
})
