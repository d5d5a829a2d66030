/**
 * The least-completion reference of the routing simulation: it goes to the
 * executor with the least expected completion (links there and back plus the
 * executor's expected sojourn), counts the tasks already on their way there,
 * follows its plan hop by hop; and the per-quarter figures of a run.
 */
import { describe, expect, it } from 'vitest'
import { leastCompletion } from '../../sim/least-completion.ts'
import { buildMesh, DEFAULT_MESH, StaticCapabilityIndex } from '../../sim/network.ts'
import type { Mesh } from '../../sim/network.ts'
import { stream } from '../../sim/rng.ts'
import { simulate } from '../../sim/simulation.ts'
import type { RunConfig } from '../../sim/simulation.ts'
import { DROP } from '../../sim/strategies.ts'
import type { World } from '../../sim/strategies.ts'

/**
 * 1 — 0 — 2 — 3, every link 10 ms; peers 1 and 3 execute class 0 in 100 ms
 * on one slot. From 0, peer 1 costs 2·10 + its sojourn, peer 3 2·20 + its sojourn.
 */
function line (): { queued: number[], alive: boolean[], world: World } {
  const mesh: Mesh = {
    size: 4,
    classes: 1,
    neighbours: [[1, 2], [0], [0, 3], [2]],
    linkMs: [[10, 10], [10], [10, 10], [10]],
    slots: [1, 1, 1, 1],
    serviceMs: [100, 100, 100, 100],
    capability: new StaticCapabilityIndex([[1, 3]]),
    capacityPerSecond: 20,
    classWeights: [1]
  }
  const queued = [0, 0, 0, 0]
  const alive = [true, true, true, true]
  const world: World = {
    mesh,
    alive,
    now: () => 0,
    random: () => 0.5,
    expectedSojournMs: (p, extra = 0) => (queued[p]! + extra) * 100 + 100
  }
  return { queued, alive, world }
}

describe('least-completion', () => {
  it('goes to the nearer executor while it is idle, to the farther one once the nearer has a queue', () => {
    const { queued, world } = line()
    const idle = leastCompletion()
    idle.start(world)
    expect(idle.decide(0, 0, [1, 2], false, true, 0)).toBe(1)

    queued[1] = 1 // 20 + 200 > 40 + 100
    const busy = leastCompletion()
    busy.start(world)
    expect(busy.decide(0, 0, [1, 2], false, true, 0)).toBe(2)
    // …and the task follows the plan: on to 3, where it runs.
    expect(busy.decide(2, 0, [3], false, false, 0)).toBe(3)
    expect(busy.decide(3, 0, [], true, false, 0)).toBe(3)
  })

  it('counts the tasks already on their way to an executor', () => {
    const { world } = line()
    const s = leastCompletion()
    s.start(world)
    expect(s.decide(0, 0, [1, 2], false, true, 0)).toBe(1)
    // Task 0 is heading to 1: a second task would wait behind it there (20 + 200), so it goes to 3 (40 + 100).
    expect(s.decide(0, 0, [1, 2], false, true, 1)).toBe(2)
    // Once task 0 has arrived (and is counted by the queue itself), 1 is free of tasks on their way.
    expect(s.decide(1, 0, [], true, false, 0)).toBe(1)
    expect(s.decide(0, 0, [1, 2], false, true, 2)).toBe(1)
  })

  it('plans again when its path breaks, and drops a task with no executor in reach', () => {
    const { alive, world } = line()
    const s = leastCompletion()
    s.start(world)
    alive[1] = false
    expect(s.decide(0, 0, [2], false, true, 0)).toBe(2)
    // 3 left while the task was on its way: 2 has no other way.
    alive[3] = false
    expect(s.decide(2, 0, [], false, false, 0)).toBe(DROP)
  })

  it('needs the world\'s view of the queues', () => {
    const { world } = line()
    const { expectedSojournMs: _, ...blind } = world
    expect(() => { leastCompletion().start(blind) }).toThrow(TypeError)
  })
})

describe('a run\'s figures by quarter', () => {
  const mesh = buildMesh({ ...DEFAULT_MESH, peers: 50 }, stream(1, 'topology'))
  const config: RunConfig = { seed: 1, load: 0.5, churn: 0, tasks: 400, hopLimit: 12, meanDowntimeMs: 5000, wallBudgetMs: 5000 }

  it('least-completion accounts for every task, reproducibly', () => {
    const a = simulate(mesh, leastCompletion(), { ...config, churn: 5 })
    const b = simulate(mesh, leastCompletion(), { ...config, churn: 5 })
    expect(a.completed + a.lost).toBe(a.arrived)
    expect(a.lost).toBe(0)
    expect(Array.from(b.times)).toEqual(Array.from(a.times))
  })

  it('averages hops and completion times over each quarter of the tasks, by arrival', () => {
    const r = simulate(mesh, leastCompletion(), config)
    expect(r.completed).toBe(config.tasks)
    expect(r.hopsByQuarter).toHaveLength(4)
    // Every task completed, so each quarter holds 100 of them and the quarters average to the whole run.
    const avg = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length
    expect(avg(r.hopsByQuarter)).toBeCloseTo(r.meanHops, 9)
    expect(avg(r.msByQuarter)).toBeCloseTo(avg(Array.from(r.times)), 6)
    // Task order, not completion order: the first quarter is the first 100 tasks to arrive.
    expect(r.msByQuarter[0]).toBeCloseTo(avg(Array.from(r.times.subarray(0, 100))), 6)
  })
})
