/**
 * Fixed values of the payment channel format. The `kind` strings are inside
 * every signed object, so a channel-state signature can never be replayed as
 * a settlement signature, a receipt, or an Agent Card (domain separation).
 */

/** Tag inside the signed bytes of every channel state. */
export const CHANNEL_STATE_KIND = 'zerostate/channel-state/1'

/** Tag inside the signed bytes of every settlement record. */
export const SETTLEMENT_KIND = 'zerostate/channel-settlement/1'

/** Channel ids and receipt task ids: 1–64 characters of [A-Za-z0-9_-] (as receipt taskIds, docs/receipt-format.md). */
export const MAX_CHANNEL_ID_LENGTH = 64

/** Longest run id a share payment names: a workflow run id's limit (orchestration/workflow/run-record MAX_RUN_ID_LENGTH). */
export const MAX_SHARE_RUN_ID_LENGTH = 128

/**
 * Most receipts one state may pay for (`paysForBatch`). Bounded so that a
 * batch state, with both signatures, still fits a closing notice on the
 * settlements topic (economy/payments MAX_CHANNEL_NOTICE_BYTES) and a batch
 * request the payment protocol's frame.
 */
export const MAX_RECEIPTS_PER_STATE = 16

/** Longest challenge period accepted: 30 days. A longer one would lock deposits for no gain. */
export const MAX_CHALLENGE_PERIOD_MS = 30 * 24 * 60 * 60 * 1000
