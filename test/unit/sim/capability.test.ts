/** The simulation's capability answers come from the real HNSW index over Agent Cards and match what the cards state. */
import { describe, expect, it } from 'vitest'
import { buildMesh, DEFAULT_MESH } from '../../sim/network.ts'
import { stream } from '../../sim/rng.ts'

describe('card capability index (200 peers)', () => {
  const cards = buildMesh({ ...DEFAULT_MESH, peers: 200 }, stream(3, 'topology'))
  const table = buildMesh({ ...DEFAULT_MESH, peers: 200, capability: 'static' }, stream(3, 'topology'))

  it('finds exactly the executors the cards state, as the static table does', () => {
    expect(cards.cards).toBeDefined()
    for (let c = 0; c < cards.classes; c++) {
      expect([...cards.capability.executorsOf(c)]).toEqual([...table.capability.executorsOf(c)])
    }
    expect(cards.capacityPerSecond).toBeCloseTo(table.capacityPerSecond, 9)
  })

  it('drops a peer that leaves and finds it again when it rejoins', () => {
    const index = cards.cards!
    const p = cards.capability.executorsOf(0)[0]!
    index.leave(p)
    expect(cards.capability.canExecute(p, 0)).toBe(false)
    expect(cards.capability.executorsOf(0)).not.toContain(p)
    index.join(p)
    expect(cards.capability.canExecute(p, 0)).toBe(true)
    index.reset()
    expect([...cards.capability.executorsOf(0)]).toEqual([...table.capability.executorsOf(0)])
  })
})
