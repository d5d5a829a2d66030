/**
 * Sealed-bid auctions for a task over /zerostate/bid/1.0.0; the signed
 * formats and the award rule are pure, in economy/bids (docs/bids.md).
 *
 * @example
 * await node.handle(BID_PROTOCOL, (stream, connection) => serveBid(stream, connection, { identity, quote }))
 * const { award } = await runAuction(await signBidRequest(fields, identity), candidates, { connectionTo, reputationOf, reputationFloor: 0.3 })
 */
export { BidDeclinedError, NoBidError, runAuction, serveBid } from './auction.ts'
export { quoteFor } from './quote.ts'
export type { AuctionInit, AuctionResult, BidderInit, Quote } from './auction.ts'
export { MAX_INBOUND_BID_STREAMS, bidService } from './service.ts'
export type { BidService, BidServiceComponents, BidServiceInit } from './service.ts'
