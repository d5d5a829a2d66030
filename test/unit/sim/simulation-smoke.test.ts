/** A 50-peer smoke run of the routing simulation: every strategy runs, is reproducible, and accounts for every task. */
import { describe, expect, it } from 'vitest'
import { buildMesh, DEFAULT_MESH, nearestSource } from '../../sim/network.ts'
import { stream } from '../../sim/rng.ts'
import { simulate } from '../../sim/simulation.ts'
import type { RunConfig } from '../../sim/simulation.ts'
import { qRouting, randomWalk, shortestPath } from '../../sim/strategies.ts'

const mesh = buildMesh({ ...DEFAULT_MESH, peers: 50 }, stream(1, 'topology'))
const config: RunConfig = { seed: 1, load: 0.5, churn: 5, tasks: 500, hopLimit: 12, meanDowntimeMs: 5000, wallBudgetMs: 5000 }
const strategies = {
  'q-routing': () => qRouting({ warmStart: true }),
  'q-routing-cold': () => qRouting({ warmStart: false }),
  random: randomWalk,
  'shortest-path': () => shortestPath('shortest-path'),
  'static-fastest': () => shortestPath('static-fastest')
}

describe('simulation (50 peers)', () => {
  it('builds a connected mesh with bounded degree and executors for every class', () => {
    const alive = new Array<boolean>(mesh.size).fill(true)
    const { dist } = nearestSource(mesh, alive, [0], () => 0)
    expect([...dist].every(Number.isFinite)).toBe(true)
    for (const ns of mesh.neighbours) expect(ns.length).toBeLessThanOrEqual(DEFAULT_MESH.maxDegree + 1)
    for (let c = 0; c < mesh.classes; c++) expect(mesh.capability.executorsOf(c).length).toBeGreaterThan(0)
    expect(mesh.classWeights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
  })

  for (const [name, make] of Object.entries(strategies)) {
    it(`${name}: accounts for every task and is reproducible`, () => {
      const a = simulate(mesh, make(), config)
      const b = simulate(mesh, make(), config)
      expect(a.strategy).toBe(name)
      expect(a.arrived).toBe(config.tasks)
      // Every failed route (hop limit, dead end, churn) was dispatched again by its origin: each is one re-dispatch.
      expect(a.droppedHopLimit + a.droppedDeadEnd + a.lostToChurn).toBe(a.redispatches)
      expect(a.redispatchedTasks).toBeLessThanOrEqual(a.redispatches)
      expect(a.completed + a.lost).toBe(a.arrived)
      expect(a.lost).toBe(0)
      expect(a.stoppedEarly).toBe(false)
      expect(Array.from(b.times)).toEqual(Array.from(a.times))
    })
  }
})
