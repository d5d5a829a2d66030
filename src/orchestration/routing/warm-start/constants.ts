/** Protocol id and limits of /zerostate/q-estimates/1.0.0 (pb/estimates.proto). */
import { MAX_ROUTE_KEY_LENGTH } from '../constants.ts'

/** Q-routing warm start: on connection, each side sends its own best estimates per destination. */
export const Q_ESTIMATES_PROTOCOL = '/zerostate/q-estimates/1.0.0'

/**
 * One Estimates message at its limits: 256 entries, each a dest of 256 UTF-16
 * code units (≤ 3 UTF-8 bytes each) and a double, plus tags and length varints.
 */
export const MAX_Q_ESTIMATES_BYTES = 256 * (3 * 256 + 16)

/** Estimate exchanges served at once over all connections. */
export const MAX_INBOUND_ESTIMATE_STREAMS = 16

/** The most entries an Estimates message may carry; a sender keeps its lowest estimates. */
export const MAX_SHARED_ESTIMATES = 256

/** The longest dest accepted in an entry: the Q-table's own key limit. */
export const MAX_SHARED_DEST_LENGTH = MAX_ROUTE_KEY_LENGTH

/** Timeout of each step (open, write, read, close) when the caller gave no signal. */
export const ESTIMATE_EXCHANGE_TIMEOUT_MS = 10_000

/** The link delay (ms) added to a neighbour's estimates when no round trip could be measured. */
export const DEFAULT_LINK_DELAY_MS = 50
