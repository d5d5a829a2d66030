/**
 * Fixed values of the guild formats (docs/guild.md). The `kind` strings are
 * inside the signed bytes, so a member's signature over a guild can never be
 * replayed as a bid, a receipt or a channel state (domain separation).
 */

/** Tag of every guild record (signed by every member). */
export const GUILD_KIND = 'zerostate/guild/1'

/** Tag of every guild bid (signed by the guild's lead member). */
export const GUILD_BID_KIND = 'zerostate/guild-bid/1'

/** Most members one guild lists; each adds a key and a signature to check. */
export const MAX_GUILD_MEMBERS = 32

/** Most agents a member lists, and most roles (skills) it can fill. */
export const MAX_MEMBER_AGENTS = 16
export const MAX_MEMBER_ROLES = 32

/** Longest guild name, agent name, in bytes of UTF-8. */
export const MAX_GUILD_NAME_BYTES = 128
export const MAX_AGENT_NAME_BYTES = 128

/** Guild ids and step ids: the characters of a task id, at most this long (a spec's step names fit). */
export const MAX_GUILD_ID_LENGTH = 64
export const GUILD_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_GUILD_ID_LENGTH}}$`)

/** Run ids, as a workflow run record spells them (orchestration/workflow/run-record: MAX_RUN_ID_LENGTH). */
export const MAX_RUN_ID_LENGTH = 128
export const RUN_ID = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_RUN_ID_LENGTH}}$`)

/** A role is the skill a step needs, as a spec writes it (`lang-detect`, `lang-detect@^1`): 1 to 128 characters, no white space. */
export const ROLE_NAME = /^\S{1,128}$/u

/**
 * Upper bound on the UTF-8 length of a guild record's canonical form,
 * signatures included. A member with the most and longest agents and roles is
 * about 7 KiB, a typical one about 300 bytes: the limit, not MAX_GUILD_MEMBERS,
 * bounds a guild of long lists.
 */
export const MAX_GUILD_BYTES = 64 * 1024

/** Most steps one guild bid covers. */
export const MAX_GUILD_BID_STEPS = 64

/** Upper bound on the UTF-8 length of a guild bid's canonical form; 64 steps of the longest ids and roles (about 330 bytes each) fit. */
export const MAX_GUILD_BID_BYTES = 32 * 1024

/** How far ahead of the verifier's clock a guild's createdAt may be. */
export const MAX_GUILD_CLOCK_SKEW_MS = 5 * 60 * 1000

/** Most guild bids and per-step offers one workflow award considers; a longer list is refused whole. */
export const MAX_AWARD_GUILD_BIDS = 256
export const MAX_AWARD_STEP_OFFERS = 4096
