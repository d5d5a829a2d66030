/** Topic, limits and timing of presence announcements (pb/presence.proto). */
import type { RateLimit } from '../rate-limit.ts'

/** Gossipsub topic on which peers announce themselves and their capacity. */
export const PRESENCE_TOPIC = '/zerostate/presence/1.0.0'

/** Presence announcements: how often, and when a silent peer is forgotten. */
export const PRESENCE_INTERVAL_MS = 5000
export const PRESENCE_TTL_MS = 20_000

/**
 * A tab's own announcement older than this means its interval timer is not
 * firing — Chromium wakes the timers of a page hidden for five minutes once a
 * minute (intensive wake-up throttling), which would let its presence expire
 * at every other peer for 40 s of each minute. Then the next announcement
 * heard from another peer (a network event, not a timer) makes it announce.
 * Twice the interval: a visible or merely 1 Hz-throttled tab never gets here.
 */
export const PRESENCE_OVERDUE_MS = 2 * PRESENCE_INTERVAL_MS
export const MAX_PRESENCE_MESSAGE_BYTES = 4 * 1024

/**
 * Announcements a tab takes (and forwards) from one identity: it announces
 * every PRESENCE_INTERVAL_MS, and again when its addresses change or a peer
 * subscribes (coalesced, PRESENCE_COALESCE_MS), so a burst of 8 and one a
 * second leaves room for a busy moment and none for a flood.
 */
export const PRESENCE_RATE: RateLimit = { burst: 8, perSecond: 1 }

/** Announcements asked for within this long are sent as one. */
export const PRESENCE_COALESCE_MS = 250

/**
 * The presence directory's bounds (directory.ts). An announcement is only a
 * claim, so peers never shown real (no connection authenticated to them yet)
 * may hold at most half of it; 512 peers of at most 16 addresses are a few
 * hundred KiB at most.
 */
export const MAX_DIRECTORY_ENTRIES = 512
export const MAX_UNPROVEN_ENTRIES = 256
