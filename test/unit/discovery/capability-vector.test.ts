import { describe, expect, it } from 'vitest'
import {
  VECTOR_BLOCKS, VECTOR_WEIGHTS, capabilityVector, cosineSimilarity, matchesRequirements, queryVector
} from '../../../src/discovery/index.ts'
import type { AgentCardFields, AgentSkill, CardRequirements } from '../../../src/discovery/index.ts'
import { exampleFields, peer } from './fixtures.ts'

const identity = await peer()

function fieldsWith (overrides: Partial<AgentCardFields>): AgentCardFields {
  return exampleFields(identity, overrides)
}

function skill (id: string, tags: string[]): AgentSkill {
  return { id, name: id, description: '', tags }
}

function block (v: Float32Array, name: keyof typeof VECTOR_BLOCKS): Float32Array {
  const { start, length } = VECTOR_BLOCKS[name]
  return v.slice(start, start + length)
}

function norm (v: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!
  return Math.sqrt(sum)
}

describe('capabilityVector', () => {
  it('is 128 float32 numbers and deterministic', () => {
    const v = capabilityVector(fieldsWith({}))
    expect(v).toBeInstanceOf(Float32Array)
    expect(v).toHaveLength(128)
    expect(capabilityVector(structuredClone(fieldsWith({})))).toEqual(v)
  })

  it('tiles the 128 dimensions with its blocks', () => {
    let next = 0
    for (const { start, length } of Object.values(VECTOR_BLOCKS)) {
      expect(start).toBe(next)
      next += length
    }
    expect(next).toBe(128)
  })

  it('scales the skills block to length 1 and the warm-modules block to length 0.5', () => {
    const v = capabilityVector(fieldsWith({}))
    expect(norm(block(v, 'skills'))).toBeCloseTo(VECTOR_WEIGHTS.skills, 6)
    expect(norm(block(v, 'warmModules'))).toBeCloseTo(VECTOR_WEIGHTS.warmModules, 6)
    const bare = capabilityVector(fieldsWith({ skills: [], warmModules: [] }))
    expect(block(bare, 'skills').every(x => x === 0)).toBe(true)
    expect(block(bare, 'warmModules').every(x => x === 0)).toBe(true)
  })

  it('does not depend on the order of skills, tags or warm modules, nor on repeated tags', () => {
    const a = fieldsWith({ skills: [skill('a', ['x', 'y']), skill('b', ['y', 'z'])] })
    const b = fieldsWith({ skills: [skill('b', ['z', 'y']), skill('a', ['y', 'x'])], warmModules: [...a.warmModules].reverse() })
    expect(capabilityVector(b)).toEqual(capabilityVector(a))
  })

  it('log-scales resources into [0, weight], more being higher', () => {
    const r = VECTOR_BLOCKS.resources.start
    const small = capabilityVector(fieldsWith({ workerSlots: 1, memoryLimitBytes: 65536, benchmark: { fuelPerMs: 0, reference: '0'.repeat(64) } }))
    const large = capabilityVector(fieldsWith({ workerSlots: 256, memoryLimitBytes: 2 ** 32, benchmark: { fuelPerMs: 2 ** 32, reference: '0'.repeat(64) } }))
    const mid = capabilityVector(fieldsWith({}))
    for (let i = r; i < r + 3; i++) {
      expect(small[i]).toBeGreaterThanOrEqual(0)
      expect(small[i]).toBeLessThan(mid[i]!)
      expect(mid[i]).toBeLessThan(large[i]!)
      expect(large[i]).toBeCloseTo(VECTOR_WEIGHTS.resources, 6)
    }
    expect(small[r + 2]).toBe(0)
    // Reserved dimensions stay zero.
    for (let i = r + 3; i < r + 16; i++) expect(mid[i]).toBe(0)
  })

  it('inverts prices: free is the top of the scale, cheaper is higher', () => {
    const p = VECTOR_BLOCKS.prices.start
    const free = capabilityVector(fieldsWith({ prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 } }))
    const cheap = capabilityVector(fieldsWith({ prices: { perMegaFuel: 10, perSecond: 10, perMb: 10 } }))
    const dear = capabilityVector(fieldsWith({ prices: { perMegaFuel: 1e9, perSecond: 1e9, perMb: 1e9 } }))
    for (let i = p; i < p + 3; i++) {
      expect(free[i]).toBeCloseTo(VECTOR_WEIGHTS.prices, 6)
      expect(cheap[i]).toBeGreaterThan(dear[i]!)
      expect(dear[i]).toBeGreaterThan(0)
    }
  })

  it('encodes availability, with 0.5 for what is unknown', () => {
    const a = VECTOR_BLOCKS.availability.start
    const w = VECTOR_WEIGHTS.availability
    const known = capabilityVector(fieldsWith({ availability: { visible: true, charging: false, battery: 0.25 } }))
    expect([known[a], known[a + 1], known[a + 2]]).toEqual([w, 0, Math.fround(w * 0.25)])
    const unknown = capabilityVector(fieldsWith({ availability: { visible: false } }))
    expect([unknown[a], unknown[a + 1], unknown[a + 2]]).toEqual([0, w * 0.5, w * 0.5])
  })

  it('puts peers with overlapping tags closer than unrelated ones', () => {
    const nlp = capabilityVector(fieldsWith({ skills: [skill('sentiment', ['nlp', 'text', 'classification'])] }))
    const nlp2 = capabilityVector(fieldsWith({ skills: [skill('summarise', ['nlp', 'text', 'generation'])] }))
    const imaging = capabilityVector(fieldsWith({ skills: [skill('resize', ['image', 'png', 'thumbnail'])] }))
    expect(cosineSimilarity(nlp, nlp2)).toBeGreaterThan(cosineSimilarity(nlp, imaging))
    expect(cosineSimilarity(nlp2, nlp)).toBeGreaterThan(cosineSimilarity(nlp2, imaging))
  })
})

describe('queryVector and matchesRequirements', () => {
  const nlpCard = fieldsWith({ skills: [skill('sentiment', ['nlp', 'text'])], workerSlots: 4 })
  const imageCard = fieldsWith({ skills: [skill('resize', ['image', 'png'])], workerSlots: 4 })

  it('ranks the card with the wanted tags first', () => {
    const q = queryVector({ tags: ['NLP'], minWorkerSlots: 2 })
    expect(cosineSimilarity(q, capabilityVector(nlpCard))).toBeGreaterThan(cosineSimilarity(q, capabilityVector(imageCard)))
  })

  it('prefers a peer holding the module warm', () => {
    const moduleHash = nlpCard.warmModules[0]!
    const q = queryVector({ tags: ['nlp'], moduleHash })
    const cold = { ...nlpCard, warmModules: [] }
    expect(cosineSimilarity(q, capabilityVector(nlpCard))).toBeGreaterThan(cosineSimilarity(q, capabilityVector(cold)))
  })

  it('leaves unrequested dimensions at zero and is normalised like a card', () => {
    const q = queryVector({ tags: ['nlp'] })
    expect(norm(block(q, 'skills'))).toBeCloseTo(1, 6)
    expect(norm(q.slice(64))).toBe(0)
    expect(queryVector({})).toEqual(new Float32Array(128))
  })

  it('refuses bounds that are not finite non-negative numbers', () => {
    expect(() => queryVector({ minWorkerSlots: -1 })).toThrow(RangeError)
    expect(() => queryVector({ maxPrices: { perSecond: Number.NaN } })).toThrow(RangeError)
  })

  it('filters on slots, memory, each price bound and visibility', () => {
    const card = fieldsWith({})
    const cases: Array<[CardRequirements, boolean]> = [
      [{}, true],
      [{ minWorkerSlots: 4 }, true],
      [{ minWorkerSlots: 5 }, false],
      [{ minMemoryBytes: card.memoryLimitBytes }, true],
      [{ minMemoryBytes: card.memoryLimitBytes + 1 }, false],
      [{ maxPrices: { perMegaFuel: 250 } }, true],
      [{ maxPrices: { perMegaFuel: 249 } }, false],
      [{ maxPrices: { perSecond: 999 } }, false],
      [{ maxPrices: { perMb: 9 } }, false],
      [{ requireVisible: true }, true],
      [{ tags: ['unrelated'] }, true] // tags are soft: they rank, they do not filter
    ]
    for (const [requirements, expected] of cases) expect(matchesRequirements(card, requirements), JSON.stringify(requirements)).toBe(expected)
    expect(matchesRequirements({ ...card, availability: { visible: false } }, { requireVisible: true })).toBe(false)
  })
})
