/**
 * The game a guild's payment is split by (docs/shapley-split.md, "Guilds";
 * docs/guild.md §4): its value is what the guild is owed for the steps it
 * still runs under its bid, its roles are those steps, each priced at the
 * outside substitute that would otherwise run it, and its members are the
 * members that run them. A member that left mid-workflow is in the game only
 * for the steps it finished, so it is paid for no other.
 */
import type { SplitGame } from '../shapley/index.ts'
import { InvalidWorkflowAwardError } from './errors.ts'
import { guildPrice } from './award.ts'
import type { WorkflowAward } from './award.ts'

/** The outside market's price for a step: its own auction's award price, or an executor's card price. */
export interface StepSubstitute {
  step: string
  /** Micro-units. */
  price: number
  source: 'auction' | 'card'
  /** SHA-256 (lowercase hex) of the signed bid or card that sets the price, or null. */
  evidence: string | null
}

export interface GuildSplitGameOptions {
  /** Member → step → its own cost of the step, micro-units; 0 where not given (the issue's form: only substitutes' prices count). */
  costs?: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Bonuses (or clashes) among the members; none unless given. */
  synergies?: SplitGame['synergies']
}

/**
 * The split game of the guild that won `award` (after any re-award):
 * value = guildPrice(award), one role per step the guild still runs, priced
 * by `substitutes`; members sorted by PeerId (UTF-16 code units, as a split
 * record requires), each with its own steps. Throws
 * InvalidWorkflowAwardError when the award went to no guild, or a step has no
 * substitute price.
 */
export function guildSplitGame (award: WorkflowAward, substitutes: readonly StepSubstitute[], options: GuildSplitGameOptions = {}): SplitGame {
  if (award?.guild === null || award?.guild === undefined) throw new InvalidWorkflowAwardError('award.guild', 'the workflow was not awarded to a guild')
  const steps = award.steps.filter(step => step.source === 'guild')
  if (steps.length === 0) throw new InvalidWorkflowAwardError('award.steps', 'the guild runs no step any more: there is nothing to split')
  const bySubstitute = new Map(substitutes.map(substitute => [substitute.step, substitute]))
  const roles = steps.map(({ step }) => {
    const substitute = bySubstitute.get(step)
    if (substitute === undefined) throw new InvalidWorkflowAwardError(`substitutes.${step}`, `no substitute price for step ${step}`)
    return { role: step, substitutePrice: substitute.price, source: substitute.source, evidence: substitute.evidence }
  })
  const members = [...new Set(steps.map(step => step.executor))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(member => ({
    member,
    costs: steps.filter(step => step.executor === member).map(({ step }) => ({ role: step, cost: options.costs?.[member]?.[step] ?? 0 }))
  }))
  return { value: guildPrice(award), roles, members, synergies: options.synergies ?? [] }
}
