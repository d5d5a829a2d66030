/**
 * Guilds, awards and splits as the page draws them (docs/guild.md): the
 * guilds this tab knows, the split records it verified, and a workflow run's
 * award with the split that paid its guild. Pure mapping: no I/O.
 */
import type { Guild, WorkflowAward } from '../economy/guild/index.ts'
import type { SplitRecord } from '../economy/shapley/index.ts'
import type { GuildView, RunAwardView, SplitView } from './types.ts'

/** The guilds known to this tab, its own first, then by name; `now` marks the expired. */
export function guildViews (known: readonly Guild[], self: string, now: number): GuildView[] {
  return known.map(guild => ({
    guildId: guild.guildId,
    name: guild.name,
    members: guild.members.map(member => ({ peerId: member.peerId, roles: [...member.roles], agents: [...member.agents] })),
    expiresAt: guild.expiresAt,
    expired: guild.expiresAt <= now,
    own: guild.members.some(member => member.peerId === self)
  })).sort((a, b) => Number(b.own) - Number(a.own) || a.name.localeCompare(b.name) || a.guildId.localeCompare(b.guildId))
}

/** A verified split record, its shares in the record's order. */
export function splitView (record: SplitRecord): SplitView {
  return {
    runId: record.runId,
    budget: record.budget,
    total: record.total,
    method: record.method,
    signer: record.signer,
    at: record.at,
    shares: record.shares.map(share => ({ member: share.member, share: share.share, payment: share.payment }))
  }
}

/** Newest first. */
export function splitViews (records: readonly SplitRecord[]): SplitView[] {
  return records.map(splitView).sort((a, b) => b.at - a.at || a.runId.localeCompare(b.runId))
}

/** Who a run was awarded to: a guild (by name when this tab knows it) or executors per step, each step's executor and price. */
export function runAwardView (award: WorkflowAward, known: readonly Guild[], forfeited: number): RunAwardView {
  const guild = award.guild === null ? null : { guildId: award.guild.guildId, name: known.find(g => g.guildId === award.guild!.guildId)?.name ?? award.guild.guildId, lead: award.guild.lead }
  return {
    guild,
    budget: award.budget,
    price: award.price,
    steps: award.steps.map(step => ({ step: step.step, executor: step.executor, price: step.price, source: step.source })),
    reawarded: forfeited
  }
}
