/**
 * Guilds (issue 14, docs/guild.md), pure logic: no I/O, no clock (every time
 * is passed in). A guild is a record of peers, the agents they run and the
 * roles they can fill, signed by every member; its lead signs guild bids for
 * whole workflows. A workflow is awarded to a guild or to separate executors
 * per step (the lower total wins, above a reputation floor; a guild is as
 * trusted as its least trusted member that runs a step, and a blacklisted one
 * in a step takes the guild out); when a member leaves mid-workflow, its
 * unfinished steps are re-awarded to per-step offers and it is not paid for
 * them. The guild's payment is then split by Shapley value (economy/shapley,
 * its signed split record).
 *
 * @example
 * const body = guildBody({ guildId, name, members, createdAt, expiresAt })
 * // each member, on its own machine:
 * const signature = await signGuildBody(body, me)
 * const guild = assembleGuild(body, signatures)   // then verifyGuild(guild, { now })
 * const bid = await signGuildBid({ guildId, guildHash: guildHash(guild), runId, specHash, lead, price, expectedMs, steps, at, publicKey }, lead)
 * const { award } = awardWorkflow({ runId, specHash, steps, budget }, [{ guild, bid }], stepOffers, book, { reputationFloor: 0.3, now })
 * // a member leaves after finishing `fetch`:
 * const { award: next, forfeited } = reawardWorkflow(award, { member, finished: ['fetch'] }, stepOffers, book, { reputationFloor: 0.3 })
 * // split what the guild is owed among its members, and pay it:
 * const record = await signSplitRecord({ runId, budget: guildPrice(next), game: guildSplitGame(next, substitutes), signer, publicKey, at }, me)
 * for (const { payee, amount } of paymentsFor(record)) …
 */
export {
  GUILD_BID_KIND, GUILD_ID, GUILD_KIND, MAX_AGENT_NAME_BYTES, MAX_AWARD_GUILD_BIDS, MAX_AWARD_STEP_OFFERS, MAX_GUILD_BID_BYTES,
  MAX_GUILD_BID_STEPS, MAX_GUILD_BYTES, MAX_GUILD_CLOCK_SKEW_MS, MAX_GUILD_ID_LENGTH, MAX_GUILD_MEMBERS, MAX_GUILD_NAME_BYTES,
  MAX_MEMBER_AGENTS, MAX_MEMBER_ROLES, MAX_RUN_ID_LENGTH, ROLE_NAME, RUN_ID
} from './constants.ts'
export {
  GUILD_REFUSALS, GuildBidKeyMismatchError, GuildBidMismatchError, GuildBidSignatureError, GuildBidTooLargeError, GuildExpiredError,
  GuildMemberError, GuildNotYetValidError, GuildSignatureError, GuildTooLargeError, InvalidGuildBidError, InvalidGuildError,
  InvalidWorkflowAwardError, NoReplacementError
} from './errors.ts'
export { assembleGuild, guildBody, guildHash, guildMember, parseGuild, signGuild, signGuildBody, verifyGuild } from './guild.ts'
export type { Guild, GuildFields, GuildMember, GuildSignature, UnsignedGuild, VerifyGuildOptions } from './guild.ts'
export { guildBidHash, parseGuildBid, signGuildBid, verifyGuildBid } from './bid.ts'
export type { GuildBid, GuildBidFields, GuildBidStep, UnsignedGuildBid } from './bid.ts'
export { awardWorkflow, guildPrice, reawardWorkflow } from './award.ts'
export type {
  AwardedGuild, Departure, ExcludedCandidate, GuildOffer, Reaward, ReputationView, StepAssignment, StepOffer, WorkflowAward,
  WorkflowAwardOptions, WorkflowAwardRequest, WorkflowStepNeed
} from './award.ts'
export { guildSplitGame } from './split-game.ts'
export type { GuildSplitGameOptions, StepSubstitute } from './split-game.ts'
