import { describe, expect, it } from 'vitest'
import { shapleyExact, splitWorkflow, workflowGame } from '../../../../src/economy/shapley/index.ts'
import type { WorkflowGameInit, WorkflowMember } from '../../../../src/economy/shapley/index.ts'
import { thrown } from '../../../support/rejection.ts'

const sum = (values: ReadonlyMap<string, number>): number => [...values.values()].reduce((a, b) => a + b, 0)

// The worked example of docs/shapley-split.md: a 10 000 000 µ workflow of three steps.
const example: WorkflowGameInit = {
  roles: ['fetch', 'train', 'eval'],
  members: [
    { id: 'alice', costs: { fetch: 0 } },
    { id: 'bob', costs: { train: 0 } },
    { id: 'carol', costs: { eval: 0 } }
  ],
  value: 10_000_000,
  substitutePrice: { fetch: 2_000_000, train: 3_000_000, eval: 1_000_000 }
}

describe('workflowGame', () => {
  it('is the issue\'s characteristic function: value minus the substitutes S needs, v(∅) = 0', () => {
    const { v } = workflowGame(example)
    expect(v(new Set())).toBe(0)
    expect(v(new Set(['alice']))).toBe(10_000_000 - 3_000_000 - 1_000_000)
    expect(v(new Set(['alice', 'carol']))).toBe(7_000_000)
    expect(v(new Set(['alice', 'bob', 'carol']))).toBe(10_000_000)
  })

  it('pays each member its replacement cost plus an equal share of the surplus in the additive case', () => {
    // Surplus over the all-market price: 10 000 000 − 6 000 000 = 4 000 000, a third each (1 333 333⅓).
    const split = splitWorkflow(workflowGame(example))
    expect(Object.fromEntries(split.payments)).toEqual({ alice: 3_333_334, bob: 4_333_333, carol: 2_333_333 })
    expect(sum(split.payments)).toBe(10_000_000)
  })

  it('pays the same with own costs: the share is the surplus over them, the payment adds them back', () => {
    const members: WorkflowMember[] = [
      { id: 'alice', costs: { fetch: 500_000 } }, { id: 'bob', costs: { train: 2_000_000 } }, { id: 'carol', costs: { eval: 900_000 } }
    ]
    const withCosts = { ...example, members }
    const game = workflowGame(withCosts)
    const split = splitWorkflow(game)
    expect(Object.fromEntries(game.ownCosts)).toEqual({ alice: 500_000, bob: 2_000_000, carol: 900_000 })
    expect(Object.fromEntries(split.shares)).toEqual({ alice: 2_833_334, bob: 2_333_333, carol: 1_433_333 })
    expect(Object.fromEntries(split.payments)).toEqual({ alice: 3_333_334, bob: 4_333_333, carol: 2_333_333 })
  })

  it('shows a synergy as a non-additive term, split between the members who make it', () => {
    // bob and carol on one machine save a 600 000 µ transfer: 300 000 more each, alice unchanged.
    const game = workflowGame({ ...example, synergy: [{ members: ['bob', 'carol'], bonus: 600_000 }] })
    const phi = shapleyExact(game.players, game.v)
    expect(phi.get('alice')).toBeCloseTo(3_333_333 + 1 / 3, 6)
    expect(phi.get('bob')).toBeCloseTo(4_633_333 + 1 / 3, 6)
    expect(phi.get('carol')).toBeCloseTo(2_633_333 + 1 / 3, 6)
    expect(sum(splitWorkflow(game).payments)).toBe(10_600_000)
  })

  it('gives nothing to a member who cannot fill a role at the market price, and picks the cheapest filler', () => {
    const game = workflowGame({ ...example, members: [...example.members, { id: 'dave', costs: { train: 3_500_000 } }, { id: 'erin', costs: { eval: 0 } }] })
    const split = splitWorkflow(game)
    expect(game.idle).toEqual(['dave'])
    expect(game.v(new Set(['dave']))).toBe(0)
    expect(split.shares.get('dave')).toBe(0)
    expect(split.payments.get('dave')).toBe(0)
    expect(game.assignment.get('eval')).toBe('carol')
    expect(game.assignment.get('train')).toBe('bob')
    expect(split.shares.get('carol')).toBe(split.shares.get('erin'))
    expect(sum(split.payments)).toBe(10_000_000)
  })

  it('leaves to the market a role no member fills cheaper, and pays members the rest', () => {
    const game = workflowGame({ ...example, members: example.members.slice(0, 2) })
    expect(game.assignment.get('eval')).toBe(null)
    // v(N) = 9 000 000; alice: 2 000 000 + (9 000 000 − 5 000 000) / 2.
    expect(Object.fromEntries(splitWorkflow(game).payments)).toEqual({ alice: 4_000_000, bob: 5_000_000 })
  })

  it('pays nobody when every role is cheaper at the market', () => {
    const split = splitWorkflow(workflowGame({ ...example, members: [{ id: 'dave', costs: { train: 3_500_000 } }] }))
    expect(Object.fromEntries(split.payments)).toEqual({ dave: 0 })
    expect(split.total).toBe(0)
  })

  it('states a range every marginal contribution fits in, checked against every coalition of a small game', () => {
    const game = workflowGame({
      ...example,
      members: [...example.members, { id: 'erin', costs: { eval: 200_000, fetch: 1_500_000 } }],
      synergy: [{ members: ['bob', 'carol'], bonus: 600_000 }, { members: ['alice', 'erin'], bonus: -300_000 }]
    })
    const n = game.players.length
    for (const [i, player] of game.players.entries()) {
      const marginals: number[] = []
      for (let mask = 0; mask < 1 << n; mask++) {
        if ((mask & (1 << i)) !== 0) continue
        const S = new Set(game.players.filter((_, k) => (mask & (1 << k)) !== 0))
        marginals.push(game.v(new Set([...S, player])) - game.v(S))
      }
      expect(Math.max(...marginals) - Math.min(...marginals)).toBeLessThanOrEqual(game.range)
    }
  })

  it('states a range every marginal contribution fits in, and samples above 12 members with it', () => {
    const roles = Array.from({ length: 14 }, (_, r) => `step${r}`)
    const members = roles.map((role, r) => ({ id: `m${String(r).padStart(2, '0')}`, costs: { [role]: 10_000 * r } }))
    const substitutePrice = Object.fromEntries(roles.map((role, r) => [role, 100_000 + 10_000 * r]))
    const game = workflowGame({ roles, members, value: 5_000_000, substitutePrice, synergy: [{ members: ['m00', 'm01'], bonus: 50_000 }] })
    const split = splitWorkflow(game, { seed: 'run-14', epsilon: game.range / 20 })
    expect(split.method).toBe('sampled')
    expect(sum(split.shares)).toBe(game.v(new Set(game.players)))
    // Additive apart from the synergy: m_r is paid 100 000 + 10 000 r + (5 000 000 − Σ p) / 14 (+ 25 000 for m00, m01).
    const surplusShare = (5_000_000 - Object.values(substitutePrice).reduce((a, b) => a + b, 0)) / 14
    members.forEach(({ id }, r) => {
      const expected = 100_000 + 10_000 * r + surplusShare + (r < 2 ? 25_000 : 0)
      expect(Math.abs((split.payments.get(id) ?? NaN) - expected)).toBeLessThanOrEqual(game.range / 20 + 1)
    })
  })

  it('refuses malformed input, naming the field', () => {
    const field = (patch: Partial<WorkflowGameInit>): string | undefined => {
      const err = thrown(() => workflowGame({ ...example, ...patch }))
      expect(err.name).toBe('InvalidWorkflowGameError')
      return err.field
    }
    expect(field({ roles: [] })).toBe('roles')
    expect(field({ roles: ['fetch', 'fetch'] })).toBe('roles')
    expect(field({ value: -1 })).toBe('value')
    expect(field({ value: 1.5 })).toBe('value')
    expect(field({ substitutePrice: { fetch: 1, train: 1 } })).toBe('substitutePrice.eval')
    expect(field({ members: [] })).toBe('members')
    expect(field({ members: [{ id: 'a', costs: {} }, { id: 'a', costs: {} }] })).toBe('members.a')
    expect(field({ members: [{ id: 'a', costs: { deploy: 1 } }] })).toBe('members.a.costs.deploy')
    expect(field({ members: [{ id: 'a', costs: { fetch: -5 } }] })).toBe('members.a.costs.fetch')
    expect(field({ synergy: [{ members: ['zed'], bonus: 1 }] })).toBe('synergy.0.members')
    expect(field({ members: [...example.members, { id: 'dave', costs: {} }], synergy: [{ members: ['alice', 'dave'], bonus: 1 }] })).toBe('synergy.0.members')
    expect(field({ synergy: [{ members: ['alice'], bonus: 0.5 }] })).toBe('synergy.0.bonus')
  })
})
