/**
 * Guilds between peers (docs/guild.md, "On the wire"): forming a guild by
 * invitation (every member signs), the guild records on gossipsub, and guild
 * bids asked of a guild's members for a workflow run. The records, bids and
 * award rules are economy/guild's; this is how they travel.
 */
export {
  BID_REQUEST_TIMEOUT_MS, GUILD_ANNOUNCE_RATE, GUILD_PROTOCOL, GUILD_TOPIC, INVITE_TIMEOUT_MS, MAX_GUILD_ANSWER_BYTES, MAX_GUILD_MESSAGE_BYTES,
  MAX_GUILD_REQUEST_BYTES, MAX_INBOUND_GUILD_STREAMS, MAX_KEPT_SPLITS, MAX_KNOWN_GUILDS, MAX_SPLIT_MESSAGE_BYTES, SPLIT_TOPIC
} from './constants.ts'
export { GuildBidDeclinedError, GuildInviteDeclinedError, InvalidGuildBidRequestError, UnknownGuildRequestError } from './errors.ts'
export { parseGuildBidRequest } from './bid-request.ts'
export type { GuildBidRequest } from './bid-request.ts'
export { GuildDirectory } from './directory.ts'
export type { GuildOfferOutcome } from './directory.ts'
export { GuildService, guildService } from './service.ts'
export { leadQuote } from './lead-quote.ts'
export type {
  FormGuildRequest, GuildBidsResult, GuildMemberSpec, GuildQuote, GuildServiceComponents, GuildServiceInit, WorkflowBidCall
} from './service.ts'
