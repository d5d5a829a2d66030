/**
 * Fixed values of the sealed-bid format (docs/bids.md). The `kind` strings are
 * inside the signed bytes, so a bid signature can never be replayed as a bid
 * request, a channel state, a receipt or an Agent Card (domain separation).
 */

/** Tag of every bid request (signed by the submitter). */
export const BID_REQUEST_KIND = 'zerostate/bid-request/1'

/** Tag of every bid (signed by a bidder). */
export const BID_KIND = 'zerostate/bid/1'

/**
 * Upper bound on the UTF-8 length of a bid request's canonical form, signature
 * included. The largest well-formed request is about 640 bytes (two 64-character
 * ids, three 16-digit integers in `limits`, a PeerId, a key and a signature).
 */
export const MAX_BID_REQUEST_BYTES = 1024

/** Upper bound on the UTF-8 length of a bid's canonical form, signature included; the largest well-formed bid is about 500 bytes. */
export const MAX_BID_BYTES = 1024

/**
 * Most bids one award considers. A submitter asks a few candidates; a list
 * longer than this is a caller's mistake or a flood, and is refused whole
 * rather than cut, so that the award never depends on where it was cut.
 */
export const MAX_AWARD_BIDS = 1024

/** Sealed bids: a signed request in, a signed bid (or a refusal) out. See economy/bids. */
export const BID_PROTOCOL = '/zerostate/bid/1.0.0'
