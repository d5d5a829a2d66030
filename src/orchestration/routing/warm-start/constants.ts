import { MAX_ROUTE_KEY_LENGTH } from '../constants.ts'

/** The most entries an Estimates message may carry; a sender keeps its lowest estimates. */
export const MAX_SHARED_ESTIMATES = 256

/** The longest dest accepted in an entry: the Q-table's own key limit. */
export const MAX_SHARED_DEST_LENGTH = MAX_ROUTE_KEY_LENGTH

/** Timeout of each step (open, write, read, close) when the caller gave no signal. */
export const ESTIMATE_EXCHANGE_TIMEOUT_MS = 10_000

/** The link delay (ms) added to a neighbour's estimates when no round trip could be measured. */
export const DEFAULT_LINK_DELAY_MS = 50
