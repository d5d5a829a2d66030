/**
 * Guilds on the wire (docs/guild.md, "On the wire"): /zerostate/guild/1.0.0
 * carries an invitation to sign a guild, and a request for a guild bid, each
 * one JSON request and one JSON answer; gossipsub topic
 * /zerostate/guilds/1.0.0 carries signed guild records.
 */
import { MAX_GUILD_BID_BYTES, MAX_GUILD_BYTES } from '../../economy/guild/index.ts'
import { MAX_SPLIT_RECORD_BYTES } from '../../economy/shapley/index.ts'
import type { RateLimit } from '../../network/rate-limit.ts'

export const GUILD_PROTOCOL = '/zerostate/guild/1.0.0'
export const GUILD_TOPIC = '/zerostate/guilds/1.0.0'
/** Signed Shapley split records of guild runs, for anyone to recompute (docs/shapley-split.md). */
export const SPLIT_TOPIC = '/zerostate/splits/1.0.0'
/** Largest split message: one signed record. */
export const MAX_SPLIT_MESSAGE_BYTES = MAX_SPLIT_RECORD_BYTES
/** Split records kept to show, newest first. */
export const MAX_KEPT_SPLITS = 100

/** Largest request: an invitation carries an unsigned guild (below MAX_GUILD_BYTES); a bid request is far smaller. */
export const MAX_GUILD_REQUEST_BYTES = MAX_GUILD_BYTES + 1024
/** Largest answer: a guild bid, or a member's signature, or an error. */
export const MAX_GUILD_ANSWER_BYTES = MAX_GUILD_BID_BYTES + 1024
/** Largest gossiped message: one signed guild. */
export const MAX_GUILD_MESSAGE_BYTES = MAX_GUILD_BYTES

/** Guild requests served at once over all connections. */
export const MAX_INBOUND_GUILD_STREAMS = 8
/** Guilds a peer keeps from the topic; past it the one that expires soonest goes. */
export const MAX_KNOWN_GUILDS = 256
/** Guild records taken from one announcer. */
export const GUILD_ANNOUNCE_RATE: RateLimit = { burst: 8, perSecond: 1 }
/** Split records taken from one signer: each is recomputed, which may take a second for a large sampled split. */
export const SPLIT_ANNOUNCE_RATE: RateLimit = { burst: 4, perSecond: 0.2 }
/** How long an invited member may take to answer (a person may be asked). */
export const INVITE_TIMEOUT_MS = 60_000
/** How long a bid request may wait for a lead's answer, at most: the request's own deadline is usually sooner. */
export const BID_REQUEST_TIMEOUT_MS = 15_000
/** Most steps a bid request names (MAX_GUILD_BID_STEPS: a bid covers them all). */
export { MAX_GUILD_BID_STEPS as MAX_BID_REQUEST_STEPS } from '../../economy/guild/index.ts'
