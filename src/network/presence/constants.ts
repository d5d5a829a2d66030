/** Topic, limits and timing of presence announcements (pb/presence.proto). */

/** Gossipsub topic on which peers announce themselves and their capacity. */
export const PRESENCE_TOPIC = '/zerostate/presence/1.0.0'

/** Presence announcements: how often, and when a silent peer is forgotten. */
export const PRESENCE_INTERVAL_MS = 5000
export const PRESENCE_TTL_MS = 20_000
export const MAX_PRESENCE_MESSAGE_BYTES = 4 * 1024
