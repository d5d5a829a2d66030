/**
 * Awarding a workflow (docs/guild.md §3): to a guild, on its signed guild bid,
 * or to separate executors, each the best per-step offer of its step's own
 * auction (economy/bids); the lower total wins among the candidates whose
 * reputation reaches a floor. And re-awarding (§4): when a member leaves
 * mid-workflow, or is blacklisted, the steps it has not finished go to the
 * best per-step offers, and it is paid nothing for them. Pure: the clock and
 * the reputation view are given, so anyone holding the same signed inputs and
 * view recomputes the same award.
 */
import { MAX_AWARD_GUILD_BIDS, MAX_AWARD_STEP_OFFERS } from './constants.ts'
import { GUILD_REFUSALS, InvalidWorkflowAwardError, NoReplacementError } from './errors.ts'
import { guildBidHash, verifyGuildBid } from './bid.ts'
import type { GuildBid } from './bid.ts'
import { guildHash } from './guild.ts'
import type { Guild } from './guild.ts'

/** A step the workflow needs filled, and the role (skill) it needs. */
export interface WorkflowStepNeed {
  step: string
  role: string
}

/** What is being awarded. */
export interface WorkflowAwardRequest {
  runId: string
  /** SHA-256 (lowercase hex) of the workflow spec as written; a guild bid must name it. */
  specHash: string
  /** The steps, distinct; the award lists them in this order. */
  steps: readonly WorkflowStepNeed[]
  /** The most the whole workflow may cost, micro-units. */
  budget: number
}

/** The outcome of a step's own auction (or an executor's card price): `bidder` will run `step` for `price`. */
export interface StepOffer {
  step: string
  /** PeerId. */
  bidder: string
  /** Micro-units: the step auction's award price (docs/bids.md §6) or the card's price. */
  price: number
  /** Expected run time, ms, ≥ 1. */
  expectedMs: number
}

/** A guild's bid, with the guild record it is made for; both are checked by the award. */
export interface GuildOffer {
  guild: Guild
  bid: GuildBid
}

/** The reputation this node holds: trust/reputation's ReputationBook is one. */
export interface ReputationView {
  /** Score in [0, 1]. */
  score: (peerId: string) => number
  isBlacklisted: (peerId: string) => boolean
}

export interface WorkflowAwardOptions {
  /** Candidates whose reputation is below this are not eligible (e.g. 0.3, the blacklist threshold). */
  reputationFloor: number
  /** The awarder's clock, Unix epoch ms: guilds must be valid now. */
  now: number
}

/** Who runs a step, for what. */
export interface StepAssignment {
  step: string
  role: string
  /** PeerId. */
  executor: string
  price: number
  /** `guild`: under the winning guild bid; `auction`: a per-step offer (at the award, or a re-award). */
  source: 'guild' | 'auction'
}

/** The guild a workflow was awarded to. */
export interface AwardedGuild {
  guildId: string
  guildHash: string
  /** guildBidHash of the winning bid. */
  bidHash: string
  lead: string
}

export interface WorkflowAward {
  runId: string
  specHash: string
  budget: number
  /** The guild that won, or null when separate executors did. */
  guild: AwardedGuild | null
  /** One per requested step, in the request's order. */
  steps: StepAssignment[]
  /** Σ steps' prices, micro-units; ≤ budget. */
  price: number
  /** A guild's own estimate; for separate executors, the sum of theirs (as if the steps ran one after another). */
  expectedMs: number
  /** Lowest reputation among the executors. */
  reputation: number
}

/** A candidate the award left out, and why. */
export interface ExcludedCandidate {
  /** A guild id, or `steps` for the per-step plan. */
  candidate: string
  reason: string
}

interface Candidate {
  award: WorkflowAward
  /** Tie-break: a per-step plan (0) before a guild (1). */
  kind: 0 | 1
  id: string
}

/**
 * Awards the workflow `request`; returns the award (or undefined when no
 * candidate is eligible) and the candidates left out, with why.
 *
 * 1. A guild offer is a candidate only if verifyGuildBid accepts it at
 *    options.now (a refused one is left out), its bid names this runId and
 *    specHash, it covers exactly the requested steps with their roles, and
 *    its price is within the budget.
 * 2. A guild with a blacklisted member in one of its bid's steps is left out:
 *    a blacklisted member drops out of its guilds, and a guild bid without it
 *    is no longer the bid the guild signed. Members with no step in the bid
 *    do not count.
 * 3. Guild reputation is the minimum of the scores of the members its bid
 *    gives steps to: the workflow is only as safe as its weakest executor,
 *    and separate executors are each held to the floor, so the minimum holds
 *    a guild to the same bar (an average would let a trusted member carry
 *    an untrusted one). Below the floor, left out.
 * 4. The per-step plan takes, for each step, the best offer whose bidder is
 *    not blacklisted and reaches the floor: lowest price, then expectedMs,
 *    then higher reputation, then smaller PeerId. It is a candidate when every
 *    step has one and the total is within the budget.
 * 5. The winner is the lowest total price; then the lower expectedMs; then
 *    the per-step plan before a guild (a guild must be strictly better: it
 *    adds a dependency on its members staying); then higher reputation; then
 *    the smaller guild id.
 */
export function awardWorkflow (
  request: WorkflowAwardRequest, guildOffers: readonly GuildOffer[], offers: readonly StepOffer[], reputation: ReputationView, options: WorkflowAwardOptions
): { award: WorkflowAward | undefined, excluded: ExcludedCandidate[] } {
  const checked = checkRequest(request)
  const { reputationFloor: floor, now } = checkOptions(options)
  if (!Array.isArray(guildOffers) || guildOffers.length > MAX_AWARD_GUILD_BIDS) {
    throw new InvalidWorkflowAwardError('guildOffers', `must be an array of at most ${MAX_AWARD_GUILD_BIDS} offers`)
  }
  const stepOffers = checkOffers(offers, checked)
  const scoreOf = scorer(reputation)
  const excluded: ExcludedCandidate[] = []
  const candidates: Candidate[] = []

  for (const offer of guildOffers) {
    const guildId = typeof offer?.bid?.guildId === 'string' ? offer.bid.guildId : '(unnamed)'
    const leave = (reason: string): void => { excluded.push({ candidate: guildId, reason }) }
    let bid: GuildBid
    try {
      bid = verifyGuildBid(offer?.bid, offer?.guild, { now })
    } catch (err) {
      if (GUILD_REFUSALS.some(refusal => err instanceof refusal)) { leave(`${(err as Error).name}: ${(err as Error).message}`); continue }
      throw err
    }
    if (bid.runId !== checked.runId || bid.specHash !== checked.specHash) { leave(`bid is for run ${bid.runId} of spec ${bid.specHash}`); continue }
    const mismatch = stepsMismatch(bid, checked)
    if (mismatch !== undefined) { leave(mismatch); continue }
    if (bid.price > checked.budget) { leave(`price ${bid.price} is above the budget ${checked.budget}`); continue }
    const blacklisted = bid.steps.find(step => reputation.isBlacklisted(step.member))
    if (blacklisted !== undefined) { leave(`member ${blacklisted.member} (step ${blacklisted.step}) is blacklisted`); continue }
    const score = Math.min(...bid.steps.map(step => scoreOf(step.member)))
    if (score < floor) { leave(`reputation ${score} (its least trusted member) is below the floor ${floor}`); continue }
    const byStep = new Map(bid.steps.map(step => [step.step, step]))
    candidates.push({
      kind: 1,
      id: bid.guildId,
      award: {
        runId: checked.runId,
        specHash: checked.specHash,
        budget: checked.budget,
        guild: { guildId: bid.guildId, guildHash: guildHash(offer.guild), bidHash: guildBidHash(bid), lead: bid.lead },
        steps: checked.steps.map(need => {
          const step = byStep.get(need.step)!
          return { step: need.step, role: need.role, executor: step.member, price: step.price, source: 'guild' }
        }),
        price: bid.price,
        expectedMs: bid.expectedMs,
        reputation: score
      }
    })
  }

  const plan = perStepPlan(checked, stepOffers, reputation, scoreOf, floor)
  if (typeof plan === 'string') excluded.push({ candidate: 'steps', reason: plan })
  else candidates.push({ kind: 0, id: '', award: plan })

  candidates.sort((x, y) =>
    x.award.price - y.award.price ||
    x.award.expectedMs - y.award.expectedMs ||
    x.kind - y.kind ||
    y.award.reputation - x.award.reputation ||
    (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  return { award: candidates[0]?.award, excluded }
}

/** A member leaving mid-workflow (or blacklisted, which drops it out): the steps of the award it has finished. */
export interface Departure {
  /** PeerId of the executor that left. */
  member: string
  /** Its steps that finished (receipts in hand): those it is paid for. */
  finished: readonly string[]
}

/** A re-award: the award with the departed member's unfinished steps given to per-step offers. */
export interface Reaward {
  award: WorkflowAward
  /** The new assignments, in step order. */
  reawarded: StepAssignment[]
  /** The departed member's assignments it will not be paid for. */
  forfeited: StepAssignment[]
}

/**
 * Re-awards the steps `departure.member` has not finished: each goes to the
 * best per-step offer for it (as in awardWorkflow rule 4) whose bidder is not
 * the departed member, is not blacklisted, reaches the floor, and keeps the
 * workflow's total within its budget; the departed member keeps (is paid for)
 * only its finished steps. Throws NoReplacementError naming the first step no
 * offer can take (nothing is re-awarded then), InvalidWorkflowAwardError when
 * the member runs no step of the award or a finished step is not its own.
 */
export function reawardWorkflow (
  award: WorkflowAward, departure: Departure, offers: readonly StepOffer[], reputation: ReputationView, options: Pick<WorkflowAwardOptions, 'reputationFloor'>
): Reaward {
  const { reputationFloor: floor } = checkOptions({ ...options, now: 0 })
  const request = checkRequest({ runId: award?.runId, specHash: award?.specHash, steps: award?.steps ?? [], budget: award?.budget })
  const member = departure?.member
  const own = award.steps.filter(step => step.executor === member)
  if (own.length === 0) throw new InvalidWorkflowAwardError('departure.member', `${String(member)} runs no step of run ${award.runId}`)
  if (!Array.isArray(departure.finished)) throw new InvalidWorkflowAwardError('departure.finished', 'must be an array of step ids')
  for (const step of departure.finished) {
    if (!own.some(assignment => assignment.step === step)) throw new InvalidWorkflowAwardError('departure.finished', `${String(step)} is not a step of ${member}`)
  }
  const stepOffers = checkOffers(offers, request)
  const scoreOf = scorer(reputation)
  const steps = [...award.steps]
  const reawarded: StepAssignment[] = []
  const forfeited: StepAssignment[] = []
  let price = award.price
  steps.forEach((assignment, i) => {
    if (assignment.executor !== member || departure.finished.includes(assignment.step)) return
    const room = award.budget - (price - assignment.price)
    const best = bestOffer(stepOffers.get(assignment.step) ?? [], reputation, scoreOf, floor, offer => offer.bidder !== member && offer.price <= room)
    if (best === undefined) throw new NoReplacementError(assignment.step, `no eligible offer (not ${member}, reputation ≥ ${floor}, price ≤ ${room}) for step ${assignment.step}`)
    const replacement: StepAssignment = { step: assignment.step, role: assignment.role, executor: best.bidder, price: best.price, source: 'auction' }
    price += best.price - assignment.price
    forfeited.push(assignment)
    reawarded.push(replacement)
    steps[i] = replacement
  })
  return {
    award: { ...award, steps, price, reputation: Math.min(...steps.map(step => scoreOf(step.executor))) },
    reawarded,
    forfeited
  }
}

/** What the awarded guild is owed: Σ prices of the steps it still runs under its bid (its members' finished steps included). */
export function guildPrice (award: WorkflowAward): number {
  return award.steps.reduce((sum, step) => sum + (step.source === 'guild' ? step.price : 0), 0)
}

function perStepPlan (
  request: WorkflowAwardRequest, offers: ReadonlyMap<string, StepOffer[]>, reputation: ReputationView, scoreOf: (peerId: string) => number, floor: number
): WorkflowAward | string {
  const steps: StepAssignment[] = []
  let expectedMs = 0
  for (const need of request.steps) {
    const best = bestOffer(offers.get(need.step) ?? [], reputation, scoreOf, floor, () => true)
    if (best === undefined) return `no eligible offer for step ${need.step}`
    steps.push({ step: need.step, role: need.role, executor: best.bidder, price: best.price, source: 'auction' })
    expectedMs += best.expectedMs
  }
  const price = steps.reduce((sum, step) => sum + step.price, 0)
  if (price > request.budget) return `the best offers total ${price}, above the budget ${request.budget}`
  return {
    runId: request.runId,
    specHash: request.specHash,
    budget: request.budget,
    guild: null,
    steps,
    price,
    expectedMs,
    reputation: Math.min(...steps.map(step => scoreOf(step.executor)))
  }
}

function bestOffer (
  offers: readonly StepOffer[], reputation: ReputationView, scoreOf: (peerId: string) => number, floor: number, allowed: (offer: StepOffer) => boolean
): StepOffer | undefined {
  const eligible = offers
    .filter(offer => allowed(offer) && !reputation.isBlacklisted(offer.bidder) && scoreOf(offer.bidder) >= floor)
    .map(offer => ({ offer, score: scoreOf(offer.bidder) }))
  eligible.sort((x, y) =>
    x.offer.price - y.offer.price ||
    x.offer.expectedMs - y.offer.expectedMs ||
    y.score - x.score ||
    (x.offer.bidder < y.offer.bidder ? -1 : x.offer.bidder > y.offer.bidder ? 1 : 0))
  return eligible[0]?.offer
}

function stepsMismatch (bid: GuildBid, request: WorkflowAwardRequest): string | undefined {
  if (bid.steps.length !== request.steps.length) return `bid covers ${bid.steps.length} steps, the workflow has ${request.steps.length}`
  const byStep = new Map(bid.steps.map(step => [step.step, step]))
  for (const need of request.steps) {
    const step = byStep.get(need.step)
    if (step === undefined) return `bid does not cover step ${need.step}`
    if (step.role !== need.role) return `bid gives step ${need.step} role ${step.role}, the workflow needs ${need.role}`
  }
  return undefined
}

function scorer (reputation: ReputationView): (peerId: string) => number {
  if (typeof reputation?.score !== 'function' || typeof reputation.isBlacklisted !== 'function') {
    throw new InvalidWorkflowAwardError('reputation', 'must have score(peerId) and isBlacklisted(peerId)')
  }
  return peerId => {
    const score = reputation.score(peerId)
    if (typeof score !== 'number' || Number.isNaN(score)) throw new InvalidWorkflowAwardError('reputation', `score(${peerId}) returned ${String(score)}, not a number`)
    return score
  }
}

function checkOptions (options: WorkflowAwardOptions): WorkflowAwardOptions {
  const floor = options?.reputationFloor
  if (typeof floor !== 'number' || Number.isNaN(floor)) throw new InvalidWorkflowAwardError('reputationFloor', `must be a number, got ${String(floor)}`)
  if (typeof options.now !== 'number' || !Number.isFinite(options.now)) throw new InvalidWorkflowAwardError('now', 'must be a finite number of milliseconds')
  return options
}

function checkRequest (request: WorkflowAwardRequest): WorkflowAwardRequest {
  if (typeof request?.runId !== 'string' || request.runId === '') throw new InvalidWorkflowAwardError('runId', 'must be a non-empty string')
  if (typeof request.specHash !== 'string') throw new InvalidWorkflowAwardError('specHash', 'must be a string')
  if (!Number.isSafeInteger(request.budget) || request.budget < 0) throw new InvalidWorkflowAwardError('budget', 'must be a safe integer of micro-units, at least 0')
  const { steps } = request
  if (!Array.isArray(steps) || steps.length === 0) throw new InvalidWorkflowAwardError('steps', 'must be a non-empty array')
  const seen = new Set<string>()
  for (const [i, need] of steps.entries()) {
    if (typeof need?.step !== 'string' || need.step === '' || typeof need.role !== 'string' || need.role === '') {
      throw new InvalidWorkflowAwardError(`steps.${i}`, 'must name a step and its role')
    }
    if (seen.has(need.step)) throw new InvalidWorkflowAwardError(`steps.${i}`, `step ${need.step} is listed twice`)
    seen.add(need.step)
  }
  return request
}

/** The offers by step, after checking each; offers for steps not requested are ignored. */
function checkOffers (offers: readonly StepOffer[], request: WorkflowAwardRequest): Map<string, StepOffer[]> {
  if (!Array.isArray(offers) || offers.length > MAX_AWARD_STEP_OFFERS) {
    throw new InvalidWorkflowAwardError('offers', `must be an array of at most ${MAX_AWARD_STEP_OFFERS} offers`)
  }
  const byStep = new Map<string, StepOffer[]>(request.steps.map(need => [need.step, []]))
  for (const [i, offer] of offers.entries()) {
    if (typeof offer?.bidder !== 'string' || offer.bidder === '') throw new InvalidWorkflowAwardError(`offers.${i}.bidder`, 'must be a PeerId')
    if (!Number.isSafeInteger(offer.price) || offer.price < 0) throw new InvalidWorkflowAwardError(`offers.${i}.price`, 'must be a safe integer of micro-units, at least 0')
    if (!Number.isSafeInteger(offer.expectedMs) || offer.expectedMs < 1) throw new InvalidWorkflowAwardError(`offers.${i}.expectedMs`, 'must be a safe integer, at least 1')
    byStep.get(offer.step)?.push(offer)
  }
  return byStep
}
