/**
 * The characteristic function of a workflow (issue 14, docs/shapley-split.md):
 * its roles (steps) are filled by members of a coalition S where they can, and
 * by outside market substitutes at their market price (the step's auction
 * price or its executor's card) elsewhere:
 *
 *   v(S) = value − Σ_roles min(substitute price, cheapest own cost in S) + Σ_{synergies g ⊆ S} bonus_g,   v(∅) = 0
 *
 * A member's own cost is what filling the role costs it (0 when the member's
 * cost is not counted); a synergy is a bonus (or, negative, a clash) earned
 * only when a group of members is together: a member that already holds the
 * data the next step needs, two steps on one machine. Shares are then the
 * surplus over own costs, and a member is paid its share plus its own costs.
 *
 * Only members that can fill some role at or below its substitute's price are
 * players. Because v(∅) = 0, a lone player earns the whole all-market surplus,
 * so any player, even one that saves nothing, would take an equal part of it;
 * a member that cannot fill any role at the market price is a null player and
 * is left out (share 0), so padding a workflow with idle members takes
 * nothing. The members must still be the executors that actually ran steps
 * (from their receipts), not whoever asks to be listed.
 *
 * In the additive case (each member fills one role, no synergy) a member
 * filling role r is paid p_r + (value − Σ_roles p) / n: its replacement cost
 * plus an equal share of the surplus over the all-market price. Its marginal
 * contribution is p_r − c_r to any non-empty coalition and
 * value − Σ_{other roles} p − c_r to the empty one, which comes first in 1/n
 * of the orders.
 */

import { InvalidWorkflowGameError } from './errors.ts'
import { compareIds } from './players.ts'
import type { CoalitionValue } from './players.ts'
import { shapley } from './split.ts'
import type { ShapleySplit, SplitOptions } from './split.ts'

/** A contributor and the roles it can fill, each with its own cost in micro-units. */
export interface WorkflowMember {
  id: string
  /** Role → the member's own cost of filling it (a safe integer ≥ 0). Roles not listed it cannot fill. */
  costs: Readonly<Record<string, number>>
}

/**
 * A bonus (micro-units, may be negative) the workflow earns only when all of
 * `members` are in the coalition. Its members must be players (fill some role
 * at or below the market price). A member whose presence saves a step (it
 * already holds the data) is better described by a low own cost for that step.
 */
export interface WorkflowSynergy {
  members: readonly string[]
  bonus: number
}

export interface WorkflowGameInit {
  /** The workflow's roles (steps), distinct. */
  roles: readonly string[]
  members: readonly WorkflowMember[]
  /** What the workflow's output is worth: its payment, in micro-units. */
  value: number
  /** Role → the price of an outside substitute filling it, in micro-units. */
  substitutePrice: Readonly<Record<string, number>>
  synergy?: readonly WorkflowSynergy[]
}

/** A workflow as a cooperative game. */
export interface WorkflowGame {
  /** The members that can fill some role at or below its substitute's price, sorted: the game's players. */
  players: readonly string[]
  /** The other members, sorted: null players, paid nothing. */
  idle: readonly string[]
  v: CoalitionValue
  /** Width of an interval holding every marginal contribution of each member: the `range` a sampled split needs. */
  range: number
  /** Role → the member that fills it in the grand coalition (the cheapest; ties to the smaller id), or null when a substitute is cheaper. */
  assignment: ReadonlyMap<string, string | null>
  /** Member → its own costs for the roles it fills in the grand coalition. */
  ownCosts: ReadonlyMap<string, number>
}

/** A workflow's split: Shapley shares of the surplus and what each member is paid. */
export interface WorkflowSplit extends ShapleySplit {
  /** Member → share + own costs, in micro-units. They sum to value − substitutes' prices + synergies of the grand coalition. */
  payments: ReadonlyMap<string, number>
}

/**
 * Builds the workflow's game after checking its inputs; throws
 * InvalidWorkflowGameError naming the first bad field.
 */
export function workflowGame (init: WorkflowGameInit): WorkflowGame {
  const { roles, members, value, substitutePrice } = init
  const synergy = init.synergy ?? []
  if (!Array.isArray(roles) || roles.length === 0) throw new InvalidWorkflowGameError('roles', 'must be a non-empty array')
  if (new Set(roles).size !== roles.length || roles.some(role => typeof role !== 'string' || role.length === 0)) {
    throw new InvalidWorkflowGameError('roles', 'must be distinct non-empty strings')
  }
  amount('value', value)
  const prices = roles.map(role => amount(`substitutePrice.${role}`, substitutePrice?.[role]))
  if (!Array.isArray(members) || members.length === 0) throw new InvalidWorkflowGameError('members', 'must be a non-empty array')
  const everyone = canonicalMembers(members)
  const byId = new Map(members.map(member => [member.id, member]))
  // costOf[m][r]: member everyone[m]'s own cost for roles[r], or Infinity if it cannot fill it.
  const costOf = everyone.map(id => {
    const costs = byId.get(id)?.costs
    if (typeof costs !== 'object' || costs === null) throw new InvalidWorkflowGameError(`members.${id}.costs`, 'must be an object of role → cost')
    for (const role of Object.keys(costs)) {
      if (!roles.includes(role)) throw new InvalidWorkflowGameError(`members.${id}.costs.${role}`, 'is not a role of the workflow')
    }
    return roles.map(role => Object.hasOwn(costs, role) ? amount(`members.${id}.costs.${role}`, costs[role]) : Infinity)
  })
  const groups = synergy.map((entry, k) => {
    if (!Array.isArray(entry?.members) || entry.members.length === 0 || entry.members.some(id => !byId.has(id))) {
      throw new InvalidWorkflowGameError(`synergy.${k}.members`, 'must be a non-empty list of member ids')
    }
    if (!Number.isSafeInteger(entry.bonus)) throw new InvalidWorkflowGameError(`synergy.${k}.bonus`, 'must be a safe integer of micro-units')
    return { members: [...new Set(entry.members)], bonus: entry.bonus }
  })
  const productive = everyone.map((_, m) => costOf[m]!.some((c, r) => c <= prices[r]!))
  const players = everyone.filter((_, m) => productive[m])
  const idle = everyone.filter((_, m) => !productive[m])
  const cost = costOf.filter((_, m) => productive[m])
  groups.forEach((group, k) => {
    const stray = group.members.find(id => idle.includes(id))
    if (stray !== undefined) throw new InvalidWorkflowGameError(`synergy.${k}.members`, `${stray} fills no role at or below the market price, so is not a player`)
  })

  const index = new Map(players.map((id, m) => [id, m]))
  // fillers[r]: the players that fill role r below its market price, cheapest first. v needs only the
  // first of them in S, so an evaluation costs the players' roles, not players × roles: the sampled
  // split of a large game evaluates v m·n times.
  const fillers = roles.map((_, r) => players
    .map((id, m) => ({ id, cost: cost[m]![r]! }))
    .filter(filler => filler.cost < prices[r]!)
    .sort((a, b) => a.cost - b.cost))
  const v: CoalitionValue = coalition => {
    let present = false
    for (const id of coalition) if (index.has(id)) { present = true; break }
    if (!present) return 0
    let total = value
    for (let r = 0; r < roles.length; r++) {
      let best = prices[r]!
      for (const filler of fillers[r]!) if (coalition.has(filler.id)) { best = filler.cost; break }
      total -= best
    }
    for (const group of groups) if (group.members.every(id => coalition.has(id))) total += group.bonus
    return total
  }

  const assignment = new Map<string, string | null>()
  const ownCosts = new Map(everyone.map(id => [id, 0]))
  roles.forEach((role, r) => {
    let filler: string | null = null
    let fillerCost = prices[r]!
    for (const [m, id] of players.entries()) {
      const c = cost[m]![r]!
      // The cheapest member at or below the market price; on a tie the first, which has the smaller id.
      if (filler === null ? c <= fillerCost : c < fillerCost) { filler = id; fillerCost = c }
    }
    assignment.set(role, filler)
    if (filler !== null) ownCosts.set(filler, (ownCosts.get(filler) ?? 0) + fillerCost)
  })

  // Every marginal contribution of m lies in [lo, hi]: to ∅ it is v({m}); to
  // any other coalition of players (every player fills a role, so the formula
  // applies), the roles' savings (0 to Σ max(0, p − c)) plus the
  // synergies m completes (Σ of its negative to Σ of its positive bonuses).
  let range = 1
  players.forEach((id, m) => {
    const alone = v(new Set([id]))
    const saving = roles.reduce((sum, _, r) => sum + Math.max(0, prices[r]! - cost[m]![r]!), 0)
    const mine = groups.filter(group => group.members.includes(id))
    const gain = mine.reduce((sum, group) => sum + Math.max(0, group.bonus), 0)
    const loss = mine.reduce((sum, group) => sum + Math.min(0, group.bonus), 0)
    range = Math.max(range, Math.max(alone, saving + gain) - Math.min(alone, loss))
  })

  return { players, idle, v, range, assignment, ownCosts }
}

/**
 * Splits the workflow's surplus by Shapley value ({@link shapley}, sampled
 * with the game's own `range` unless the options give one) and adds each
 * member's own costs to its share to give its payment. Idle members get a
 * share and payment of 0 (all of them, when no member fills any role).
 */
export function splitWorkflow (game: WorkflowGame, options: SplitOptions = {}): WorkflowSplit {
  if (game.players.length === 0) {
    // Every role goes to the market: nothing to split.
    const zero = new Map(game.idle.map(id => [id, 0]))
    return { shares: zero, payments: zero, total: 0, method: 'exact' }
  }
  const split = shapley(game.players, game.v, { range: game.range, ...options })
  const shares = new Map([...split.shares, ...game.idle.map(id => [id, 0] as const)])
  const payments = new Map([...shares].map(([id, share]) => [id, share + (game.ownCosts.get(id) ?? 0)]))
  return { ...split, shares, payments }
}

function amount (field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidWorkflowGameError(field, `must be a safe integer of micro-units, at least 0, got ${String(value)}`)
  }
  return value
}

function canonicalMembers (members: readonly WorkflowMember[]): string[] {
  for (const [k, member] of members.entries()) {
    if (typeof member?.id !== 'string' || member.id.length === 0) throw new InvalidWorkflowGameError(`members.${k}.id`, 'must be a non-empty string')
  }
  const ids = members.map(member => member.id).sort(compareIds)
  for (let k = 1; k < ids.length; k++) {
    if (ids[k] === ids[k - 1]) throw new InvalidWorkflowGameError(`members.${ids[k]}`, 'is listed twice')
  }
  return ids
}
