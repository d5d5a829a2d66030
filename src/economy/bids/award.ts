/**
 * The award rule (docs/bids.md §6): a second-price sealed-bid reverse auction
 * (Vickrey 1961) among the bidders the submitter trusts enough, computed only
 * from the signed request and the signed bids, so anyone holding them (and the
 * same reputation view) recomputes the same award.
 */
import { MAX_AWARD_BIDS } from './constants.ts'
import { BID_REFUSALS, InvalidAwardOptionsError } from './errors.ts'
import { checkBidFor } from './bid.ts'
import type { Bid } from './bid.ts'
import { authenticBidRequest, bidRequestHash } from './request.ts'
import type { BidRequest } from './request.ts'

export interface AwardOptions {
  /** Bidders whose reputation is below this are not eligible (e.g. 0.3, the reputation book's blacklist threshold). */
  reputationFloor: number
}

/** The outcome of a request's bidding. */
export interface Award {
  requestId: string
  /** PeerId of the winning bidder. */
  winner: string
  /** What the winner is paid, in micro-units: the second-lowest eligible price, or its own when it bid alone; ≤ maxTotalPrice. */
  price: number
  /** The winning bid, as signed. */
  bid: Bid
  /** The second-ranked eligible bid, whose price sets `price`; absent when only one bidder was eligible. */
  runnerUp?: Bid
  /** How many distinct bidders were eligible. */
  eligible: number
}

interface Ranked {
  bid: Bid
  reputation: number
}

/**
 * Lower price first; then lower expectedMs (the faster of two equal offers);
 * then higher reputation; then the smaller PeerId, so that the order is total
 * and the award never depends on the order of the input.
 */
function rank (x: Ranked, y: Ranked): number {
  if (x.bid.price !== y.bid.price) return x.bid.price < y.bid.price ? -1 : 1
  if (x.bid.expectedMs !== y.bid.expectedMs) return x.bid.expectedMs < y.bid.expectedMs ? -1 : 1
  if (x.reputation !== y.reputation) return x.reputation > y.reputation ? -1 : 1
  if (x.bid.bidder === y.bid.bidder) return 0
  return x.bid.bidder < y.bid.bidder ? -1 : 1
}

/**
 * Awards `request` among `bids`, which must be in the order the submitter
 * received them; returns undefined when no bid is eligible.
 *
 * 1. Only valid bids count: every check of verifyBid except `receivedAt`
 *    (which only the submitter saw) is made again, and a bid that fails is
 *    skipped. Pass only the bids verifyBid accepted on arrival.
 * 2. One bid per bidder: its first valid one in `bids`. A bid is binding once
 *    sent. Bidding is sealed, so a second bid cannot be better informed than
 *    the first — unless bids leaked, and then it is exactly the undercut the
 *    seal is meant to prevent (a favoured bidder told the standing low bid,
 *    bidding one micro-unit under it). Arrival order rather than the bid's own
 *    `at`: `at` is the bidder's claim and could be backdated.
 * 3. A bidder whose reputationOf(bidder) is below options.reputationFloor is
 *    not eligible.
 * 4. The winner is the eligible bid that ranks first: lowest price, then lowest
 *    expectedMs, then highest reputation, then smallest PeerId.
 * 5. The winner is paid the price of the bid that ranks second (Vickrey 1961:
 *    with the second price, bidding one's true cost is a dominant strategy,
 *    so bidders need not guess each other's bids), or its own price when it
 *    is the only eligible bidder; never more than request.maxTotalPrice.
 */
export function awardBids (request: BidRequest, bids: readonly Bid[], reputationOf: (peerId: string) => number, options: AwardOptions): Award | undefined {
  const floor = options?.reputationFloor
  if (typeof floor !== 'number' || Number.isNaN(floor)) throw new InvalidAwardOptionsError(`reputationFloor must be a number, got ${String(floor)}`)
  if (!Array.isArray(bids)) throw new InvalidAwardOptionsError('bids must be an array')
  if (bids.length > MAX_AWARD_BIDS) throw new InvalidAwardOptionsError(`${bids.length} bids given, at most ${MAX_AWARD_BIDS} are considered`)
  const checkedRequest = authenticBidRequest(request)
  const requestHash = bidRequestHash(checkedRequest)

  const first = new Map<string, Bid>()
  for (const value of bids) {
    let bid: Bid
    try {
      bid = checkBidFor(value, checkedRequest, requestHash)
    } catch (err) {
      if (BID_REFUSALS.some(refusal => err instanceof refusal)) continue
      throw err
    }
    if (!first.has(bid.bidder)) first.set(bid.bidder, bid)
  }

  const ranked: Ranked[] = []
  for (const bid of first.values()) {
    const reputation = reputationOf(bid.bidder)
    if (typeof reputation !== 'number' || Number.isNaN(reputation)) {
      throw new InvalidAwardOptionsError(`reputationOf(${bid.bidder}) returned ${String(reputation)}, not a number`)
    }
    if (reputation >= floor) ranked.push({ bid, reputation })
  }
  ranked.sort(rank)
  const [winner, runnerUp] = ranked
  if (winner === undefined) return undefined
  const award: Award = {
    requestId: checkedRequest.requestId,
    winner: winner.bid.bidder,
    price: Math.min(runnerUp?.bid.price ?? winner.bid.price, checkedRequest.maxTotalPrice),
    bid: winner.bid,
    eligible: ranked.length
  }
  if (runnerUp !== undefined) award.runnerUp = runnerUp.bid
  return award
}
