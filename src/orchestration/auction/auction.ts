/**
 * Sealed bids on the wire, /zerostate/bid/1.0.0: the submitter sends its
 * signed BidRequest to each candidate over a direct stream — so no bidder sees
 * another's bid — and each answers with a signed Bid or declines. Bids are
 * collected until the request's deadline and no later; the award is the pure,
 * recomputable rule of economy/bids (docs/bids.md).
 */
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import { bytesToBase64Url, nameError } from '../../core/index.ts'
import type { PeerIdentity } from '../../crypto/index.ts'
import { BID_PROTOCOL, awardBids, signBid, verifyBid, verifyBidRequest, bidRequestHash, MAX_BID_BYTES, MAX_BID_REQUEST_BYTES } from '../../economy/bids/index.ts'
import type { Award, Bid, BidRequest } from '../../economy/bids/index.ts'
import { MAX_ERROR_MESSAGE_LENGTH } from '../../network/constants.ts'
import { requestJson, serveJson } from '../../network/json-exchange.ts'

/** An answer is a bid, or a refusal whose message is cut at MAX_ERROR_MESSAGE_LENGTH. */
const MAX_ANSWER_BYTES = MAX_BID_BYTES + MAX_ERROR_MESSAGE_LENGTH + 512

/** Thrown (and sent back) when a peer does not bid: not contributing, or the task does not fit its prices. */
export class BidDeclinedError extends Error {
  static { nameError(this, 'BidDeclinedError') }
}

/** Thrown when an auction got no eligible bid before its deadline. */
export class NoBidError extends Error {
  static { nameError(this, 'NoBidError') }
}

/** What a bidder would charge at most for the request's task, and how long it expects to take; undefined to decline. */
export type Quote = (request: BidRequest) => { price: number, expectedMs: number } | undefined

export interface BidderInit {
  identity: PeerIdentity
  quote: Quote
  now?(): number
}

/** Answers one bid request on `stream` from `connection`'s remote peer, which must be the request's submitter. */
export async function serveBid (stream: Stream, connection: Connection, init: BidderInit): Promise<void> {
  const now = init.now ?? Date.now
  await serveJson(stream, async (value) => {
    const request = verifyBidRequest(value, now())
    if (request.submitter !== connection.remotePeer.toString()) throw new BidDeclinedError('a bid request comes from its submitter')
    const quote = init.quote(request)
    if (quote === undefined || quote.price > request.maxTotalPrice) throw new BidDeclinedError(`no bid within ${request.maxTotalPrice} µ`)
    const { identity } = init
    return signBid({
      requestId: request.requestId,
      requestHash: bidRequestHash(request),
      bidder: identity.peerId.toString(),
      price: quote.price,
      expectedMs: Math.max(1, Math.round(quote.expectedMs)),
      at: now(),
      publicKey: bytesToBase64Url(identity.publicKey)
    }, identity)
  }, { maxBytes: MAX_BID_REQUEST_BYTES })
}

export interface AuctionInit {
  connectionTo(peer: string, options: AbortOptions): Promise<Connection>
  reputationOf(peer: string): number
  reputationFloor: number
  now?(): number
}

export interface AuctionResult {
  award: Award
  /** Every verified bid, in arrival order. */
  bids: Bid[]
  /** Candidates that declined, failed or answered too late, with the error name. */
  declined: Array<{ peer: string, reason: string }>
}

/**
 * Asks every candidate for a sealed bid on `request` at once, keeps the bids
 * that verify and arrive before the deadline, and awards by the documented
 * rule. Rejects with NoBidError when no eligible bid came.
 */
export async function runAuction (request: BidRequest, candidates: string[], init: AuctionInit, options: AbortOptions = {}): Promise<AuctionResult> {
  const now = init.now ?? Date.now
  const bids: Bid[] = []
  const declined: AuctionResult['declined'] = []
  const closing = AbortSignal.timeout(Math.max(0, request.deadline - now()))
  const signal = options.signal == null ? closing : AbortSignal.any([options.signal, closing])
  await Promise.all(candidates.map(async (peer) => {
    try {
      const answer = await requestJson(await init.connectionTo(peer, { signal }), BID_PROTOCOL, request, { signal, maxBytes: MAX_ANSWER_BYTES })
      const bid = verifyBid(answer, request, now())
      if (bid.bidder !== peer) throw new BidDeclinedError(`${peer} answered with ${bid.bidder}'s bid`)
      bids.push(bid)
    } catch (err) {
      const remote = (err as { remoteName?: string }).remoteName
      declined.push({ peer, reason: remote ?? (err instanceof Error ? err.name : 'Error') })
    }
  }))
  options.signal?.throwIfAborted()
  const award = awardBids(request, bids, init.reputationOf, { reputationFloor: init.reputationFloor })
  if (award === undefined) throw new NoBidError(`no eligible bid from ${candidates.length} candidates (${declined.map(d => d.reason).join(', ') || 'none answered'})`)
  return { award, bids, declined }
}
