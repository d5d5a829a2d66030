/**
 * Limits and timeouts of the network layer itself: presence, the peer mesh's
 * connection budget and dialling, request/answer exchanges. Each protocol of
 * a higher layer keeps its own id, limits and timeouts in its own
 * constants.ts; limits that the sandbox and receipts share live in
 * core/limits.ts.
 */

/** Page → the server it was loaded from: where the relays are. */
export const CONFIG_PATH = '/config.json'

export const KIB = 1024
export const MIB = 1024 * KIB

/** Error messages sent to a peer are cut at this many characters. */
export const MAX_ERROR_MESSAGE_LENGTH = 2048

/** How long a request/answer exchange (json-exchange.ts) waits for each side. */
export const REQUEST_TIMEOUT_MS = 10_000

/**
 * Direct peer connections a tab keeps (relays not counted); further peers are
 * reached by forwarding through neighbours. Configurable 1–64.
 */
export const DEFAULT_MAX_PEER_CONNECTIONS = 12
export const MAX_PEER_CONNECTIONS_LIMIT = 64

/**
 * Chromium allows about 500 RTCPeerConnections over a tab's life; a tab stops
 * opening new WebRTC connections well before that and relies on the relayed
 * path and on forwarding instead.
 */
export const WEBRTC_DIALS_PER_TAB_LIFE = 400

/** Dial retries: first delay, cap, and how many tries before waiting for the next announcement. */
export const DIAL_BACKOFF_INITIAL_MS = 500
export const DIAL_BACKOFF_MAX_MS = 30_000
export const DIAL_TIMEOUT_MS = 15_000
