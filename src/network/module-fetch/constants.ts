/** Protocol id, limits and timeouts of /zerostate/module/1.0.0. */

/** A peer fetches a module it lacks by SHA-256 from a peer that made it public (a witness from the announcer, an agent's user from its publishers): hash in, bytes out. */
export const MODULE_FETCH_PROTOCOL = '/zerostate/module/1.0.0'

/** A request is exactly one SHA-256. */
export const HASH_BYTES = 32

/** How long the asker waits to open the stream and send the hash, and the server for the hash. */
export const REQUEST_TIMEOUT_MS = 10_000

/** Time to move a module of MAX_MODULE_BYTES, generously. */
export const MODULE_TRANSFER_TIMEOUT_MS = 60_000

/** Module requests served at once over all connections. */
export const MAX_INBOUND_STREAMS = 8

/**
 * What a fetch needs of a relayed connection's data limit beyond the module
 * itself: the request, the framing, noise and yamux overhead, and whatever
 * else shares the connection meanwhile (gossip, identify).
 */
export const MODULE_FETCH_HEADROOM_BYTES = 16 * 1024
