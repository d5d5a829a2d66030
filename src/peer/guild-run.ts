/**
 * A workflow run awarded before it starts, and paid by Shapley value when a
 * guild won it (docs/guild.md §6):
 *
 * 1. **Award.** Every step needs a role — its `agent` ref or its `module` as
 *    the spec writes it. The guilds this peer knows whose members list every
 *    role are asked for a bid (orchestration/guilds); each step also gets the
 *    per-step offers of the executors' Agent Cards (what each would charge at
 *    its asking prices for the step's limits, capped by the task budget); the
 *    award rule (economy/guild) picks the lower total above the reputation
 *    floor — read, as executor ranking and auctions read it, from this peer's
 *    standing of each member (trust/verification standing.ts: checked work,
 *    failures against it, none once caught). Every step is then pinned to
 *    the executor the award names.
 * 2. **Run.** A guild's steps are not paid task by task: the guild is paid
 *    for the whole run. Their receipts still verify, and witnesses may still
 *    check them; each receipt's charge is what the step cost its member.
 * 3. **Split.** When the run completes, the game (value: the guild's price;
 *    roles: its steps, each with the best per-step offer as the outside
 *    substitute; members: who ran them, at their receipts' charges) is split
 *    by Shapley value into a signed record, published for any peer to
 *    recompute, and each member is paid its payment over a payment channel
 *    (`payShare`), which it co-signs only when the record recomputes.
 *
 * A member no longer connected when its step is due has left: its unfinished
 * steps are re-awarded to per-step offers (awardedExecutor). Per-step offers
 * come from cards, not from a per-step sealed auction yet. The award, its
 * re-awards and the guild steps' costs are checkpointed with the run's record
 * (awardCheckpoint / restoreAward), so a resumed run keeps its award.
 */
import { bytesToBase64Url } from '../core/encoding.ts'
import { nameError } from '../core/errors.ts'
import type { BidRequest } from '../economy/bids/index.ts'
import { awardWorkflow, guildPrice, guildSplitGame, reawardWorkflow } from '../economy/guild/index.ts'
import type { ExcludedCandidate, StepAssignment, StepOffer, StepSubstitute, WorkflowAward, WorkflowStepNeed } from '../economy/guild/index.ts'
import { signSplitRecord } from '../economy/shapley/index.ts'
import type { SplitRecord } from '../economy/shapley/index.ts'
import { quoteFor } from '../orchestration/auction/index.ts'
import type { WorkflowTaskDefaults } from '../orchestration/workflow/runner/index.ts'
import type { WorkflowSpec } from '../orchestration/workflow/spec/index.ts'
import type { PeerContext } from './context.ts'

/** What a guild-awarded run asks for. */
export interface GuildRunOptions {
  /** The most the whole run may cost, micro-units: the award's budget, and the split's. */
  budget: number
  /** Executors and guilds below this reputation are not eligible (default 0). */
  reputationFloor?: number
  /** How long guilds have to bid, ms (default DEFAULT_BID_WINDOW_MS). */
  bidWindowMs?: number
}

export const DEFAULT_BID_WINDOW_MS = 3000

/** No guild and no set of executors could be awarded the run; `excluded` says why each candidate was left out. */
export class NoWorkflowAwardError extends Error {
  static { nameError(this, 'NoWorkflowAwardError') }
  readonly excluded: ExcludedCandidate[]

  constructor (message: string, excluded: ExcludedCandidate[]) {
    super(message)
    this.excluded = excluded
  }
}

/** A run's award, and what its split needs once the run completes. */
export interface AwardedRun {
  /** The award as it stands: a departed member's unfinished steps re-awarded (see executorFor). */
  award: WorkflowAward
  substitutes: StepSubstitute[]
  excluded: ExcludedCandidate[]
  /** The per-step offers the award weighed: what a departed member's steps are re-awarded to. */
  stepOffers: StepOffer[]
  /** The guild's steps as their receipts come back: who ran each, and its receipt's charge (the member's cost of the step). */
  costs: Map<string, StepCost>
  /** Steps of members that left before finishing them, now run (and paid task by task) by another executor. */
  forfeited: StepAssignment[]
  reputationFloor: number
}

/** A guild step done: who ran it and what its receipt charged, µ. */
export interface StepCost {
  executor: string
  charge: number
}

/** What a run's record keeps of its award (JSON: no Map), so that a resumed run keeps it. */
export interface AwardCheckpoint {
  award: WorkflowAward
  substitutes: StepSubstitute[]
  excluded: ExcludedCandidate[]
  stepOffers: StepOffer[]
  costs: Array<[step: string, cost: StepCost]>
  forfeited: StepAssignment[]
  reputationFloor: number
}

/** Thrown when a run's stored award is not one this code wrote: the run cannot be resumed as awarded. */
export class AwardCheckpointError extends Error {
  static { nameError(this, 'AwardCheckpointError') }
}

export function awardCheckpoint (awarded: AwardedRun): AwardCheckpoint {
  return structuredClone({ ...awarded, costs: [...awarded.costs] })
}

/**
 * The award a run's record kept. The record is this peer's own (its store),
 * so the check is of shape, not of signatures: the guild and its bid were
 * verified when the award was made.
 */
export function restoreAward (value: unknown, runId: string): AwardedRun {
  const fail = (why: string): never => { throw new AwardCheckpointError(`the stored award of run ${runId} ${why}`) }
  if (typeof value !== 'object' || value === null) return fail('is not an object')
  const checkpoint = value as Partial<AwardCheckpoint>
  const { award } = checkpoint
  if (typeof award !== 'object' || award === null || award.runId !== runId || !Array.isArray(award.steps)) return fail('names another run or no steps')
  for (const field of ['substitutes', 'excluded', 'stepOffers', 'costs', 'forfeited'] as const) {
    if (!Array.isArray(checkpoint[field])) fail(`has no ${field} list`)
  }
  if (typeof checkpoint.reputationFloor !== 'number') fail('has no reputation floor')
  const restored = structuredClone(checkpoint as AwardCheckpoint)
  return { ...restored, costs: new Map(restored.costs) }
}

/** Each step's role: its agent ref, or its module as written. */
export function stepNeeds (spec: WorkflowSpec): WorkflowStepNeed[] {
  return spec.dag.tasks.map(step => ({ step: step.name, role: step.agent ?? step.module ?? step.name }))
}

/** Asks the guilds for bids and the cards for per-step offers, and awards the run (see the module comment). */
export async function awardRun (ctx: PeerContext, spec: WorkflowSpec, specHash: string, runId: string, defaults: WorkflowTaskDefaults, options: GuildRunOptions): Promise<AwardedRun> {
  const { peer } = ctx
  const self = ctx.identity.peerId.toString()
  const steps = stepNeeds(spec)
  const now = Date.now()
  const { offers } = await peer.guilds.requestBids({ runId, specHash, steps, budget: options.budget, deadline: now + (options.bidWindowMs ?? DEFAULT_BID_WINDOW_MS) })
  const request = { limits: { timeoutMs: defaults.timeoutMs, memoryBytes: defaults.memoryLimitBytes, fuel: defaults.fuel }, maxTotalPrice: defaults.maxTotalPrice } as BidRequest
  const stepOffers: StepOffer[] = []
  for (const card of peer.cards.cards.cards()) {
    if (card.peerId === self) continue
    const quote = quoteFor(card.prices, undefined, request)
    if (quote === undefined) continue
    for (const { step } of steps) stepOffers.push({ step, bidder: card.peerId, price: quote.price, expectedMs: Math.max(1, quote.expectedMs) })
  }
  const { award, excluded } = awardWorkflow({ runId, specHash, steps, budget: options.budget }, offers, stepOffers,
    standingView(peer), { reputationFloor: options.reputationFloor ?? 0, now: Date.now() })
  if (award === undefined) {
    throw new NoWorkflowAwardError(`no guild or set of executors could be awarded run ${runId}: ${excluded.map(e => `${e.candidate} (${e.reason})`).join('; ') || 'no offers'}`, excluded)
  }
  // The outside market's price of each step: its best per-step offer (the guild's own step price when there is none).
  const substitutes: StepSubstitute[] = award.steps.map(assigned => {
    const prices = stepOffers.filter(offer => offer.step === assigned.step).map(offer => offer.price)
    return { step: assigned.step, price: prices.length === 0 ? assigned.price : Math.min(...prices), source: 'card', evidence: null }
  })
  return { award, substitutes, excluded, stepOffers, costs: new Map(), forfeited: [], reputationFloor: options.reputationFloor ?? 0 }
}

/**
 * The executor `step` runs on, asked before each of its attempts. A guild
 * member that is no longer connected when its step is due has left: its
 * unfinished steps are re-awarded to the best per-step offers
 * (`reawardWorkflow`), it is paid for none of them, and the split leaves it
 * out of them. NoReplacementError when no offer can take a step: the step
 * stays with the member, and fails if it is really gone.
 */
export function awardedExecutor (ctx: PeerContext, awarded: AwardedRun, step: string, present: (peerId: string) => boolean): string | undefined {
  const assigned = awarded.award.steps.find(candidate => candidate.step === step)
  if (assigned === undefined || assigned.source !== 'guild' || present(assigned.executor)) return assigned?.executor
  const member = assigned.executor
  const finished = [...awarded.costs].filter(([, cost]) => cost.executor === member).map(([done]) => done)
  try {
    const reaward = reawardWorkflow(awarded.award, { member, finished }, awarded.stepOffers, standingView(ctx.peer), { reputationFloor: awarded.reputationFloor })
    awarded.award = reaward.award
    awarded.forfeited.push(...reaward.forfeited)
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'NoReplacementError') throw err
  }
  return awarded.award.steps.find(candidate => candidate.step === step)?.executor
}

/**
 * What an award reads of a peer: this peer's standing of it, as executor
 * ranking and an auction's floor read it (TaskDispatch#standing) — trust from
 * checked work only, lowered by failures, none once a check caught it — not
 * the reputation book's score, which an unchecked success raises (issue 16).
 */
function standingView (peer: Pick<PeerContext['peer'], 'dispatch'>): { score(peerId: string): number, isBlacklisted(peerId: string): boolean } {
  return {
    score: peerId => peer.dispatch.standing(peerId).score,
    isBlacklisted: peerId => peer.dispatch.standing(peerId).blacklisted
  }
}

/** Whether the step is the guild's (not paid task by task: the split pays it). */
export function isGuildStep (awarded: AwardedRun | undefined, step: string): boolean {
  if (awarded === undefined || awarded.award.guild === null) return false
  return awarded.award.steps.some(assigned => assigned.step === step && assigned.source === 'guild')
}

/**
 * Once a guild's run completed: the split signed, published and paid, member
 * by member (a payment that fails is reported to `onNotice` and the others go
 * on). Undefined when no guild won the run.
 */
export async function splitGuildRun (ctx: PeerContext, awarded: AwardedRun, onNotice: (message: string) => void = () => {}): Promise<SplitRecord | undefined> {
  const { award } = awarded
  // No guild, or none of its steps left with it (all re-awarded): nothing to split.
  if (award.guild === null || guildPrice(award) === 0) return undefined
  const costs: Record<string, Record<string, number>> = {}
  for (const [step, cost] of awarded.costs) (costs[cost.executor] ??= {})[step] = cost.charge
  const record = await signSplitRecord({
    runId: award.runId,
    budget: guildPrice(award),
    game: guildSplitGame(award, awarded.substitutes, { costs }),
    signer: ctx.identity.peerId.toString(),
    publicKey: bytesToBase64Url(ctx.identity.publicKey),
    at: Date.now()
  }, ctx.identity)
  await ctx.peer.guilds.publishSplit(record)
  const self = ctx.identity.peerId.toString()
  for (const share of record.shares) {
    if (share.payment <= 0 || share.member === self) continue
    await ctx.peer.payments.channels.payShare(record, share.member).catch((err: unknown) => {
      onNotice(`the split share of ${share.member} for run ${award.runId} was not paid: ${err instanceof Error ? err.message : String(err)}`)
    })
  }
  return record
}
