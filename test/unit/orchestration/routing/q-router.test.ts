/**
 * QRouter: the Boyan & Littman (1994) update rule exactly, greedy choice,
 * ε decay, stale estimates decaying to the prior, learning the faster of two
 * paths, serialisation, warm start (and unconfirmed seeds fading as the
 * router learns), and input validation.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../src/core/index.ts'
import { QRouter } from '../../../../src/orchestration/routing/index.ts'
import type { QRouterOptions } from '../../../../src/orchestration/routing/index.ts'

/** A clock the test moves by hand. */
function clock (start = 0): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => { t += ms } }
}

const greedy = (overrides: Partial<QRouterOptions> = {}): QRouter =>
  new QRouter({ random: () => 0.999, now: () => 0, explorationStart: 0, explorationFloor: 0, ...overrides })

const named = (name: string): unknown => expect.objectContaining({ name })

describe('QRouter.update', () => {
  it('applies Q ← Q + η·(observed + remaining − Q), starting from the prior', () => {
    const r = greedy({ learningRate: 0.5, prior: 1000 })
    r.update('c', 'a', 100, 200)
    expect(r.estimate('c', ['a'])).toBe(1000 + 0.5 * (300 - 1000))
    r.update('c', 'a', 40, 10)
    expect(r.estimate('c', ['a'])).toBe(650 + 0.5 * (50 - 650))
  })

  it('with η = 1 replaces Q by the target, and keeps destinations apart', () => {
    const r = greedy({ learningRate: 1 })
    r.update('c1', 'a', 7, 3)
    expect(r.estimate('c1', ['a'])).toBe(10)
    expect(r.estimate('c2', ['a'])).toBe(1000)
  })
})

describe('QRouter.choose and estimate', () => {
  it('picks the lowest Q without exploration, the first listed on a tie', () => {
    const r = greedy({ learningRate: 1 })
    r.update('c', 'a', 300, 0)
    r.update('c', 'b', 100, 0)
    r.update('c', 'd', 200, 0)
    expect(r.choose('c', ['a', 'b', 'd'])).toBe('b')
    expect(r.estimate('c', ['a', 'b', 'd'])).toBe(100)
    expect(r.estimate('c', ['a', 'd'])).toBe(200)
    expect(r.choose('c', ['x', 'y'])).toBe('x')
    expect(r.choose('c', ['y', 'x'])).toBe('y')
  })

  it('explores a non-best neighbour with probability ε, and ε decays with updates to its floor', () => {
    const draws = [0.15, 0.0] // 0.15 < ε = 0.2 at the start: explore, then pick the first non-best
    let i = 0
    const r = new QRouter({
      learningRate: 1, explorationStart: 0.2, explorationFloor: 0.01, explorationDecayUpdates: 10,
      random: () => draws[i++ % draws.length] as number, now: () => 0
    })
    r.update('c', 'b', 1, 0)
    expect(r.choose('c', ['a', 'b'])).toBe('a')
    for (let k = 0; k < 100; k++) r.update('c', 'b', 1, 0)
    // After 101 updates ε ≈ 0.01 + 0.19·e^−10.1 < 0.15: greedy.
    i = 0
    expect(r.choose('c', ['a', 'b'])).toBe('b')
    // …but never below the floor.
    const low = [0.005, 0.0]
    i = 0
    const r2 = new QRouter({ learningRate: 1, explorationDecayUpdates: 1, random: () => low[i++ % 2] as number, now: () => 0 })
    for (let k = 0; k < 1000; k++) r2.update('c', 'b', 1, 0)
    expect(r2.choose('c', ['a', 'b'])).toBe('a')
  })

  it('exploration rate measured over many draws follows the decay', () => {
    const rnd = mulberry32(7)
    const r = new QRouter({ learningRate: 1, explorationDecayUpdates: 100, random: rnd, now: () => 0 })
    r.update('c', 'b', 1, 0)
    const share = (): number => {
      let other = 0
      for (let k = 0; k < 20_000; k++) if (r.choose('c', ['a', 'b']) !== 'b') other++
      return other / 20_000
    }
    expect(share()).toBeCloseTo(0.01 + 0.19 * Math.exp(-1 / 100), 1)
    for (let k = 0; k < 1000; k++) r.update('c', 'b', 1, 0)
    expect(share()).toBeLessThan(0.02)
  })
})

describe('QRouter staleness', () => {
  it('keeps a fresh estimate, then decays it toward the prior with the given half-life', () => {
    const c = clock()
    const r = greedy({ learningRate: 1, prior: 1000, staleAfterMs: 30_000, decayHalfLifeMs: 60_000, now: c.now })
    r.update('c', 'a', 200, 0)
    c.advance(30_000)
    expect(r.estimate('c', ['a'])).toBe(200)
    c.advance(60_000)
    expect(r.estimate('c', ['a'])).toBeCloseTo(600, 9)
    c.advance(600_000)
    expect(r.estimate('c', ['a'])).toBeCloseTo(1000, 0)
  })

  it('relearns after a change: a stale fast path no longer hides a now-faster one', () => {
    const c = clock()
    const r = greedy({ learningRate: 1, prior: 1000, staleAfterMs: 1000, decayHalfLifeMs: 1000, now: c.now })
    r.update('c', 'a', 100, 0)
    r.update('c', 'b', 400, 0)
    expect(r.choose('c', ['a', 'b'])).toBe('a')
    c.advance(1000)
    r.update('c', 'b', 300, 0) // b keeps being measured; a went silent
    c.advance(5000)
    expect(r.choose('c', ['a', 'b'])).toBe('b')
  })

  it('updates a stale entry from its decayed value', () => {
    const c = clock()
    const r = greedy({ learningRate: 0.5, prior: 1000, staleAfterMs: 0, decayHalfLifeMs: 1000, now: c.now })
    r.update('c', 'a', 0, 0) // 1000 → 500
    c.advance(1000) // decays to 750
    r.update('c', 'a', 250, 0)
    expect(r.estimate('c', ['a'])).toBe(500)
  })
})

describe('QRouter learning', () => {
  it('learns the faster of two paths in a tiny synthetic loop', () => {
    // A source with two neighbours: via "fast" a task takes 50 ± 10 ms, via "slow" 120 ± 10 ms.
    const rnd = mulberry32(42)
    let t = 0
    const r = new QRouter({ random: rnd, now: () => t, explorationDecayUpdates: 200 })
    const counts = { fast: 0, slow: 0 }
    for (let k = 0; k < 2000; k++) {
      t += 10
      const via = r.choose('d', ['slow', 'fast']) as 'fast' | 'slow'
      if (k >= 1000) counts[via]++
      const delay = (via === 'fast' ? 50 : 120) + (rnd() - 0.5) * 20
      r.update('d', via, delay, 0)
    }
    expect(counts.fast / 1000).toBeGreaterThan(0.95)
    expect(r.estimate('d', ['slow', 'fast'])).toBeGreaterThan(35)
    expect(r.estimate('d', ['slow', 'fast'])).toBeLessThan(65)
  })
})

describe('QRouter serialisation and warm start', () => {
  it('round-trips through toJSON / JSON / fromJSON', () => {
    const c = clock(5)
    const r = greedy({ now: c.now })
    r.update('c1', 'a', 10, 20)
    r.update('c2', 'b', 5, 5)
    r.seed('c1', 'z', 77)
    const json = JSON.parse(JSON.stringify(r)) as unknown
    const back = QRouter.fromJSON(json, { random: () => 0.999, now: c.now, explorationStart: 0, explorationFloor: 0 })
    expect(back.toJSON()).toEqual(r.toJSON())
    expect(back.estimate('c1', ['a', 'z'])).toBe(r.estimate('c1', ['a', 'z']))
    expect(back.toJSON().version).toBe(1)
    expect(back.toJSON().updates).toBe(2)
  })

  it('rejects a table of another version or with bad fields', () => {
    const opts = { random: () => 0, now: () => 0 }
    const good = greedy().toJSON()
    expect(() => QRouter.fromJSON({ ...good, version: 2 }, opts)).toThrow(named('InvalidQTableError'))
    expect(() => QRouter.fromJSON(null, opts)).toThrow(named('InvalidQTableError'))
    expect(() => QRouter.fromJSON({ ...good, updates: -1 }, opts)).toThrow(named('InvalidQTableError'))
    const entry = { dest: 'c', via: 'a', q: 1, at: 0, learnt: true }
    expect(QRouter.fromJSON({ ...good, entries: [entry] }, opts).toJSON().entries).toEqual([entry])
    for (const bad of [{ ...entry, q: -1 }, { ...entry, q: NaN }, { ...entry, dest: '' }, { ...entry, learnt: 1 }, 'x']) {
      expect(() => QRouter.fromJSON({ ...good, entries: [bad] }, opts)).toThrow(named('InvalidQTableError'))
    }
    expect(() => QRouter.fromJSON({ ...good, entries: [entry, entry] }, opts)).toThrow(named('InvalidQTableError'))
  })

  it('seeds unknown entries without clobbering learnt ones', () => {
    const r = greedy({ learningRate: 1 })
    r.update('c', 'a', 300, 0)
    expect(r.seed('c', 'a', 5)).toBe(false)
    expect(r.seed('c', 'b', 120)).toBe(true)
    expect(r.estimate('c', ['a'])).toBe(300)
    expect(r.estimate('c', ['b'])).toBe(120)
    expect(r.choose('c', ['a', 'b'])).toBe('b')
    expect(r.seed('c', 'b', 90)).toBe(true) // a newer announcement replaces an older seed
    r.update('c', 'b', 50, 0)
    expect(r.seed('c', 'b', 1)).toBe(false)
    expect(r.estimate('c', ['b'])).toBe(50)
  })
})

describe('QRouter unconfirmed seeds fade as the router learns', () => {
  // x reaches an executor of class c through e (learnt, 400 ms). When x's links
  // to y1…y3 opened, each announced 150 ms (measured at zero load: the fast
  // executor they all lead to is now saturated). Q-routing corrects only the
  // entry it tries, so each such seed would lure a task; in a mesh, at every
  // hop (the warm-start wandering of the simulation).
  const seededHub = (): QRouter => {
    const r = greedy({ learningRate: 1, prior: 1000, seedHalfLifeUpdates: 32 })
    r.update('c', 'e', 400, 0)
    for (const y of ['y1', 'y2', 'y3']) r.seed('c', y, 150)
    return r
  }

  it('a fresh seed counts in full, and time alone does not fade it (a quiet tab keeps its warm start)', () => {
    const c = clock()
    const r = greedy({ learningRate: 1, prior: 1000, now: c.now })
    r.update('c', 'e', 400, 0)
    r.seed('c', 'y1', 150)
    c.advance(20_000)
    expect(r.estimate('c', ['y1'])).toBe(150)
    expect(r.choose('c', ['e', 'y1'])).toBe('y1')
  })

  it('halves a seed\'s distance from the prior every seedHalfLifeUpdates updates', () => {
    const r = seededHub()
    for (let k = 0; k < 32; k++) r.update('c', 'e', 400, 0)
    expect(r.estimate('c', ['y1'])).toBeCloseTo(1000 - 850 / 2, 9)
    for (let k = 0; k < 32; k++) r.update('other', 'e', 400, 0)
    expect(r.estimate('c', ['y1'])).toBeCloseTo(1000 - 850 / 4, 9)
  })

  it('after the router has learnt, untried seeds no longer draw tasks away from a measured route', () => {
    const r = seededHub()
    expect(r.choose('c', ['e', 'y1', 'y2', 'y3'])).toBe('y1')
    for (let k = 0; k < 64; k++) r.update('c', 'e', 400, 0)
    expect(r.choose('c', ['e', 'y1', 'y2', 'y3'])).toBe('e')
    expect(r.estimate('c', ['y1', 'y2', 'y3'])).toBeGreaterThan(400)
  })

  it('a seed an update confirms is learnt and no longer fades; a newer announcement is fresh again', () => {
    const r = seededHub()
    r.update('c', 'y1', 120, 0)
    for (let k = 0; k < 200; k++) r.update('c', 'e', 400, 0)
    expect(r.estimate('c', ['y1'])).toBe(120)
    expect(r.seed('c', 'y2', 150)).toBe(true)
    expect(r.estimate('c', ['y2'])).toBe(150)
  })

  it('keeps a seed\'s age through toJSON / fromJSON, and rejects a bad one', () => {
    const r = seededHub()
    for (let k = 0; k < 10; k++) r.update('c', 'e', 400, 0)
    const opts = { random: () => 0.999, now: () => 0, explorationStart: 0, explorationFloor: 0, learningRate: 1, seedHalfLifeUpdates: 32 }
    const back = QRouter.fromJSON(JSON.parse(JSON.stringify(r)) as unknown, opts)
    expect(back.estimate('c', ['y1'])).toBe(r.estimate('c', ['y1']))
    expect(back.toJSON()).toEqual(r.toJSON())
    const good = r.toJSON()
    const seed = good.entries.find((e) => e.via === 'y1')!
    for (const seededAtUpdate of [-1, 1.5, good.updates + 1, '3']) {
      expect(() => QRouter.fromJSON({ ...good, entries: [{ ...seed, seededAtUpdate }] }, opts)).toThrow(named('InvalidQTableError'))
    }
    expect(() => QRouter.fromJSON({ ...good, entries: [{ ...seed, learnt: true }] }, opts)).toThrow(named('InvalidQTableError'))
    // A table saved before seeds faded has no seededAtUpdate: its seeds count as seeded at update 0.
    const { seededAtUpdate: _omitted, ...old } = seed
    const fromOld = QRouter.fromJSON({ ...good, entries: [old] }, opts)
    expect(fromOld.estimate('c', ['y1'])).toBeCloseTo(1000 - 850 * 2 ** (-good.updates / 32), 9)
  })
})

describe('QRouter input validation', () => {
  it('rejects bad delays, empty neighbour lists, bad keys and bad options', () => {
    const r = greedy()
    for (const d of [-1, NaN, Infinity]) {
      expect(() => r.update('c', 'a', d, 0)).toThrow(named('InvalidDelayError'))
      expect(() => r.update('c', 'a', 0, d)).toThrow(named('InvalidDelayError'))
      expect(() => r.seed('c', 'a', d)).toThrow(named('InvalidDelayError'))
    }
    expect(() => r.choose('c', [])).toThrow(named('NoNeighboursError'))
    expect(() => r.estimate('c', [])).toThrow(named('NoNeighboursError'))
    expect(() => r.choose('', ['a'])).toThrow(named('InvalidRouteKeyError'))
    expect(() => r.update('c', 'x'.repeat(257), 1, 1)).toThrow(named('InvalidRouteKeyError'))
    const base = { random: () => 0, now: () => 0 }
    for (const bad of [{ learningRate: 0 }, { learningRate: 1.5 }, { prior: -1 }, { explorationFloor: 0.5 }, { decayHalfLifeMs: 0 }, { seedHalfLifeUpdates: 0 }]) {
      expect(() => new QRouter({ ...base, ...bad })).toThrow(named('InvalidRouterOptionsError'))
    }
    expect(r.toJSON().entries).toEqual([])
  })
})
