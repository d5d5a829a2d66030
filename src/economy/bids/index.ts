/**
 * Sealed, signed, time-bounded bids (docs/bids.md), pure logic: no I/O, no
 * clock (every time is passed in). A submitter signs a BidRequest and sends it
 * to a few candidate executors; each answers with a signed Bid over a direct
 * stream, so no bidder sees another's bid; after the deadline the submitter
 * awards by a rule anyone can recompute from the signed request and bids:
 * lowest price wins (then lowest expectedMs, highest reputation, smallest
 * PeerId), one bid per bidder (its first valid one), bidders below a
 * reputation floor excluded, and the winner is paid the second-lowest
 * eligible price (Vickrey 1961), never more than maxTotalPrice.
 *
 * @example
 * const request = await signBidRequest({ requestId, taskId, moduleHash, limits, maxTotalPrice, deadline: now + 2000, submitter, publicKey }, me)
 * // executor: verifyBidRequest(request, now), then
 * const bid = await signBid({ requestId, requestHash: bidRequestHash(request), bidder, price, expectedMs, at: now, publicKey }, executor)
 * // submitter, for each bid as it arrives:
 * received.push(verifyBid(JSON.parse(text), request, now))
 * // after the deadline:
 * const award = awardBids(request, received, peer => book.score(peer), { reputationFloor: 0.3 })
 */
export { BID_KIND, BID_PROTOCOL, BID_REQUEST_KIND, MAX_AWARD_BIDS, MAX_BID_BYTES, MAX_BID_REQUEST_BYTES } from './constants.ts'
export {
  BidAboveBudgetError, BidDeadlinePassedError, BidKeyMismatchError, BidRequestMismatchError, BidSignatureError,
  BidTooLargeError, InvalidAwardOptionsError, InvalidBidError, InvalidBidRequestError
} from './errors.ts'
export { bidRequestHash, parseBidRequest, signBidRequest, verifyBidRequest } from './request.ts'
export type { BidLimits, BidRequest, BidRequestFields, UnsignedBidRequest } from './request.ts'
export { parseBid, signBid, verifyBid } from './bid.ts'
export type { Bid, BidFields, UnsignedBid } from './bid.ts'
export { awardBids } from './award.ts'
export type { Award, AwardOptions } from './award.ts'
