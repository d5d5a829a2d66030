/** A lead's default bidding policy (the peer's settings give its price). Pure. */
import type { Guild, GuildBidStep } from '../../economy/guild/index.ts'
import type { GuildBidRequest } from './bid-request.ts'
import type { GuildQuote } from './service.ts'

/** What a lead expects a step to take, for its bid's expectedMs. */
const EXPECTED_MS_PER_STEP = 5000

/**
 * What this peer bids as a guild's lead: each step to the first member
 * listing its role (this peer first), at `stepPrice` µ a step; no bid
 * without a price or when a role is missing.
 */
export function leadQuote (request: GuildBidRequest, guild: Guild, self: string, stepPrice: number | undefined): GuildQuote | undefined {
  if (stepPrice === undefined) return undefined
  const members = [...guild.members].sort((a, b) => Number(b.peerId === self) - Number(a.peerId === self))
  const steps: GuildBidStep[] = []
  for (const need of request.steps) {
    const member = members.find(candidate => candidate.roles.includes(need.role))
    if (member === undefined) return undefined
    steps.push({ step: need.step, role: need.role, member: member.peerId, price: stepPrice })
  }
  return { steps, expectedMs: EXPECTED_MS_PER_STEP * steps.length }
}
