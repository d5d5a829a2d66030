import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, sha256Hex, utf8ToBytes } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import {
  MAX_AWARD_BIDS, awardBids, bidRequestHash, parseBid, parseBidRequest, signBid, signBidRequest, verifyBid, verifyBidRequest
} from '../../../src/economy/bids/index.ts'
import type { Bid, BidRequest, BidRequestFields } from '../../../src/economy/bids/index.ts'
import { rejection, thrown } from '../../support/rejection.ts'

const T0 = 1_767_225_600_000
const DEADLINE = T0 + 2_000
const BUDGET = 1_000_000

async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n * 13 + 1) & 0xff))
}

const id = (p: PeerIdentity): string => p.peerId.toString()
const key = (p: PeerIdentity): string => bytesToBase64Url(p.publicKey)

let submitter: PeerIdentity
let bidders: PeerIdentity[]
let mallory: PeerIdentity
let request: BidRequest

function requestFields (overrides: Partial<BidRequestFields> = {}): BidRequestFields {
  return {
    requestId: 'req_01',
    taskId: 'task_01J9Z3K6QX',
    moduleHash: sha256Hex(utf8ToBytes('(module)')),
    limits: { timeoutMs: 30_000, memoryBytes: 64 * 1024 * 1024, fuel: 50_000_000_000 },
    maxTotalPrice: BUDGET,
    deadline: DEADLINE,
    submitter: id(submitter),
    publicKey: key(submitter),
    ...overrides
  }
}

async function bid (by: PeerIdentity, price: number, options: { expectedMs?: number, at?: number, for?: BidRequest } = {}): Promise<Bid> {
  const target = options.for ?? request
  return signBid({
    requestId: target.requestId,
    requestHash: bidRequestHash(target),
    bidder: id(by),
    price,
    expectedMs: options.expectedMs ?? 1_000,
    at: options.at ?? T0 + 100,
    publicKey: key(by)
  }, by)
}

const neutral = (): number => 0.5
const FLOOR = { reputationFloor: 0.3 }

beforeAll(async () => {
  submitter = await identity(0)
  bidders = [await identity(1), await identity(2), await identity(3), await identity(4)]
  mallory = await identity(9)
  request = await signBidRequest(requestFields(), submitter)
})

describe('bid requests', () => {
  it('sign, survive JSON, verify before the deadline', () => {
    const received = JSON.parse(JSON.stringify(request)) as unknown
    expect(verifyBidRequest(received, T0)).toEqual(request)
    expect(request.kind).toBe('zerostate/bid-request/1')
    expect(bidRequestHash(request)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a request whose deadline has passed', () => {
    expect(verifyBidRequest(request, DEADLINE - 1).deadline).toBe(DEADLINE)
    expect(thrown(() => verifyBidRequest(request, DEADLINE)).name).toBe('BidDeadlinePassedError')
    expect(thrown(() => verifyBidRequest(request, DEADLINE + 60_000)).name).toBe('BidDeadlinePassedError')
  })

  it('catches tampering and a key that is not the submitter\'s', async () => {
    expect(thrown(() => verifyBidRequest({ ...request, maxTotalPrice: BUDGET * 2 }, T0)).name).toBe('BidSignatureError')
    expect(thrown(() => verifyBidRequest({ ...request, deadline: DEADLINE + 1 }, T0)).name).toBe('BidSignatureError')
    expect(thrown(() => verifyBidRequest({ ...request, submitter: id(mallory) }, T0)).name).toBe('BidKeyMismatchError')
    expect((await rejection(signBidRequest(requestFields(), mallory))).name).toBe('BidKeyMismatchError')
  })

  it('parses strictly, naming the field, size first', () => {
    const field = (value: unknown): string => {
      const { name, field } = thrown(() => parseBidRequest(value))
      return field ?? name
    }
    expect(field({ ...request, kind: 'zerostate/bid/1' })).toBe('kind')
    expect(field({ ...request, requestId: 'no spaces' })).toBe('requestId')
    expect(field({ ...request, requestId: '' })).toBe('requestId')
    expect(field({ ...request, taskId: 'x'.repeat(65) })).toBe('taskId')
    expect(field({ ...request, moduleHash: request.moduleHash.toUpperCase() })).toBe('moduleHash')
    expect(field({ ...request, limits: { ...request.limits, gpu: 1 } })).toBe('limits.gpu')
    expect(field({ ...request, limits: { ...request.limits, timeoutMs: 0 } })).toBe('limits.timeoutMs')
    expect(field({ ...request, maxTotalPrice: -1 })).toBe('maxTotalPrice')
    expect(field({ ...request, deadline: 1.5 })).toBe('deadline')
    expect(field({ ...request, extra: true })).toBe('extra')
    expect(field({ ...request, taskId: 'x'.repeat(2_000) })).toBe('BidTooLargeError')
  })
})

describe('verifyBid', () => {
  it('accepts a bid signed and received before the deadline, as a copy', async () => {
    const signed = await bid(bidders[0]!, 400)
    const received = JSON.parse(JSON.stringify(signed)) as unknown
    expect(verifyBid(received, request, DEADLINE - 1)).toEqual(signed)
    expect(verifyBid(received, request, DEADLINE - 1)).not.toBe(received)
    expect(verifyBid(await bid(bidders[0]!, BUDGET), request, T0).price).toBe(BUDGET)
  })

  it('refuses a bid signed at or after the deadline, and one received at or after it', async () => {
    const late = await bid(bidders[0]!, 400, { at: DEADLINE })
    expect(thrown(() => verifyBid(late, request, DEADLINE - 1)).name).toBe('BidDeadlinePassedError')
    const onTime = await bid(bidders[0]!, 400, { at: DEADLINE - 1 })
    expect(verifyBid(onTime, request, DEADLINE - 1).at).toBe(DEADLINE - 1)
    expect(thrown(() => verifyBid(onTime, request, DEADLINE)).name).toBe('BidDeadlinePassedError')
    expect(thrown(() => verifyBid(onTime, request, Number.NaN)).name).toBe('RangeError')
  })

  it('refuses a bid for another request', async () => {
    // Same requestId, other terms: only requestHash tells them apart.
    const other = await signBidRequest(requestFields({ maxTotalPrice: BUDGET * 10 }), submitter)
    expect(other.requestId).toBe(request.requestId)
    const forOther = await bid(bidders[0]!, 400, { for: other })
    expect(thrown(() => verifyBid(forOther, request, T0)).name).toBe('BidRequestMismatchError')
    const renamed = await signBidRequest(requestFields({ requestId: 'req_02' }), submitter)
    const forRenamed = await bid(bidders[0]!, 400, { for: renamed })
    expect(thrown(() => verifyBid(forRenamed, request, T0)).name).toBe('BidRequestMismatchError')
  })

  it('refuses a bid above the budget', async () => {
    const tooDear = await bid(bidders[0]!, BUDGET + 1)
    expect(thrown(() => verifyBid(tooDear, request, T0)).name).toBe('BidAboveBudgetError')
  })

  it('refuses a forged signature', async () => {
    const signed = await bid(bidders[0]!, 400)
    expect(thrown(() => verifyBid({ ...signed, price: 1 }, request, T0)).name).toBe('BidSignatureError')
    expect(thrown(() => verifyBid({ ...signed, expectedMs: 1 }, request, T0)).name).toBe('BidSignatureError')
    const another = await bid(bidders[0]!, 500)
    expect(thrown(() => verifyBid({ ...signed, signature: another.signature }, request, T0)).name).toBe('BidSignatureError')
  })

  it('refuses a bid whose key is not the bidder\'s PeerId, and will not sign one', async () => {
    const byMallory = await bid(mallory, 400)
    expect(thrown(() => verifyBid({ ...byMallory, bidder: id(bidders[0]!) }, request, T0)).name).toBe('BidKeyMismatchError')
    const fields = { requestId: request.requestId, requestHash: bidRequestHash(request), bidder: id(bidders[0]!), price: 400, expectedMs: 1, at: T0, publicKey: key(bidders[0]!) }
    expect((await rejection(signBid(fields, mallory))).name).toBe('BidKeyMismatchError')
    expect((await rejection(signBid({ ...fields, publicKey: key(mallory) }, mallory))).name).toBe('BidKeyMismatchError')
  })

  it('refuses an oversized bid before reading its schema', async () => {
    const signed = await bid(bidders[0]!, 400)
    expect(thrown(() => verifyBid({ ...signed, padding: 'x'.repeat(1_000) }, request, T0)).name).toBe('BidTooLargeError')
    expect(thrown(() => parseBid({ ...signed, requestId: 'x'.repeat(2_000) })).name).toBe('BidTooLargeError')
  })

  it('refuses a bid with extra or missing members, or a bad field, naming it', async () => {
    const signed = await bid(bidders[0]!, 400)
    const field = (value: unknown): unknown => thrown(() => verifyBid(value, request, T0))
    expect(field({ ...signed, note: 'hi' })).toEqual({ name: 'InvalidBidError', field: 'note' })
    const { expectedMs: _, ...missing } = signed
    expect(field(missing)).toEqual({ name: 'InvalidBidError', field: 'expectedMs' })
    expect(field({ ...signed, kind: 'zerostate/bid-request/1' })).toEqual({ name: 'InvalidBidError', field: 'kind' })
    expect(field({ ...signed, price: -1 })).toEqual({ name: 'InvalidBidError', field: 'price' })
    expect(field({ ...signed, price: '400' })).toEqual({ name: 'InvalidBidError', field: 'price' })
    expect(field({ ...signed, expectedMs: 0 })).toEqual({ name: 'InvalidBidError', field: 'expectedMs' })
    expect(field({ ...signed, at: 1.5 })).toEqual({ name: 'InvalidBidError', field: 'at' })
    expect(field({ ...signed, requestHash: signed.requestHash.toUpperCase() })).toEqual({ name: 'InvalidBidError', field: 'requestHash' })
    expect(field({ ...signed, bidder: 'QmNotEd25519' })).toEqual({ name: 'InvalidBidError', field: 'bidder' })
    expect(field({ ...signed, signature: 'AAAA' })).toEqual({ name: 'InvalidBidError', field: 'signature' })
    expect(field(null)).toEqual({ name: 'InvalidBidError', field: 'bid' })
  })

  it('refuses a bid from the submitter itself', async () => {
    const own = await bid(submitter, 1)
    expect(thrown(() => verifyBid(own, request, T0))).toEqual({ name: 'InvalidBidError', field: 'bidder' })
  })

  it('refuses to check bids against a forged request', async () => {
    const signed = await bid(bidders[0]!, 400)
    expect(thrown(() => verifyBid(signed, { ...request, maxTotalPrice: 1 }, T0)).name).toBe('BidSignatureError')
  })
})

describe('awardBids', () => {
  it('awards the lowest of three bids at the second-lowest price', async () => {
    const [a, b, c] = bidders as [PeerIdentity, PeerIdentity, PeerIdentity]
    const bids = [await bid(a, 500), await bid(b, 300), await bid(c, 400)]
    const award = awardBids(request, bids, neutral, FLOOR)
    expect(award).toEqual({ requestId: 'req_01', winner: id(b), price: 400, bid: bids[1], runnerUp: bids[2], eligible: 3 })
    // The order of distinct bidders' bids does not matter.
    expect(awardBids(request, [bids[2]!, bids[1]!, bids[0]!], neutral, FLOOR)).toEqual(award)
  })

  it('pays a single bidder its own price', async () => {
    const only = await bid(bidders[0]!, 700)
    expect(awardBids(request, [only], neutral, FLOOR)).toEqual({ requestId: 'req_01', winner: id(bidders[0]!), price: 700, bid: only, eligible: 1 })
  })

  it('returns undefined when no bid is eligible', async () => {
    expect(awardBids(request, [], neutral, FLOOR)).toBeUndefined()
    expect(awardBids(request, [await bid(bidders[0]!, 1)], () => 0, FLOOR)).toBeUndefined()
  })

  it('excludes bidders below the reputation floor, also from setting the price', async () => {
    const [a, b, c] = bidders as [PeerIdentity, PeerIdentity, PeerIdentity]
    const bids = [await bid(a, 100), await bid(b, 300), await bid(c, 400)]
    const reputation = new Map([[id(a), 0.29], [id(b), 0.3], [id(c), 0.9]])
    const award = awardBids(request, bids, peer => reputation.get(peer) ?? 0, FLOOR)
    expect(award?.winner).toBe(id(b)) // exactly at the floor is eligible
    expect(award?.price).toBe(400)
    expect(award?.eligible).toBe(2)
    const lowFirst = awardBids(request, [bids[1]!, bids[0]!], peer => reputation.get(peer) ?? 0, FLOOR)
    expect(lowFirst).toEqual({ requestId: 'req_01', winner: id(b), price: 300, bid: bids[1], eligible: 1 })
  })

  it('breaks ties by expectedMs, then reputation, then PeerId, and pays the tied price', async () => {
    const [a, b, c] = bidders as [PeerIdentity, PeerIdentity, PeerIdentity]
    const slow = await bid(a, 300, { expectedMs: 2_000 })
    const fast = await bid(b, 300, { expectedMs: 1_000 })
    expect(awardBids(request, [slow, fast], neutral, FLOOR)).toMatchObject({ winner: id(b), price: 300, runnerUp: slow })

    const equal = [await bid(a, 300), await bid(b, 300), await bid(c, 300)]
    const reputation = new Map([[id(a), 0.6], [id(b), 0.9], [id(c), 0.9]])
    const byReputation = awardBids(request, equal, peer => reputation.get(peer) ?? 0, FLOOR)
    const [smaller, larger] = [id(b), id(c)].sort()
    expect(byReputation?.winner).toBe(smaller)
    expect(byReputation?.runnerUp?.bidder).toBe(larger)
    expect(byReputation?.price).toBe(300)
    const favourA = new Map([[id(a), 1], [id(b), 0.9], [id(c), 0.9]])
    expect(awardBids(request, equal, peer => favourA.get(peer) ?? 0, FLOOR)?.winner).toBe(id(a))

    const byPeerId = awardBids(request, equal, neutral, FLOOR)
    expect(byPeerId?.winner).toBe([id(a), id(b), id(c)].sort()[0])
    expect(awardBids(request, [...equal].reverse(), neutral, FLOOR)).toEqual(byPeerId)
  })

  it('counts each bidder\'s first valid bid only', async () => {
    const [a, b] = bidders as [PeerIdentity, PeerIdentity]
    const aFirst = await bid(a, 500)
    const aUndercut = await bid(a, 100, { at: T0 + 50 })
    const bOnly = await bid(b, 400)
    const award = awardBids(request, [aFirst, bOnly, aUndercut], neutral, FLOOR)
    expect(award).toEqual({ requestId: 'req_01', winner: id(b), price: 500, bid: bOnly, runnerUp: aFirst, eligible: 2 })
    // A first bid that does not count (above the budget) does not shadow a later valid one.
    const aTooDear = await bid(a, BUDGET + 1)
    expect(awardBids(request, [aTooDear, bOnly, aUndercut], neutral, FLOOR)).toMatchObject({ winner: id(a), price: 400, eligible: 2 })
  })

  it('skips bids that do not count', async () => {
    const [a, b, c, d] = bidders as [PeerIdentity, PeerIdentity, PeerIdentity, PeerIdentity]
    const good = await bid(a, 600)
    const other = await signBidRequest(requestFields({ maxTotalPrice: 5 }), submitter)
    const forged = { ...(await bid(b, 500)), price: 1 }
    const late = await bid(c, 1, { at: DEADLINE })
    const foreign = await bid(d, 2, { for: other })
    const own = await bid(submitter, 3)
    const award = awardBids(request, [forged, late, foreign, own, { junk: true } as unknown as Bid, good], neutral, FLOOR)
    expect(award).toEqual({ requestId: 'req_01', winner: id(a), price: 600, bid: good, eligible: 1 })
  })

  it('refuses bad options, a non-number reputation, too many bids and a forged request', async () => {
    const one = [await bid(bidders[0]!, 1)]
    expect(thrown(() => awardBids(request, one, neutral, { reputationFloor: Number.NaN })).name).toBe('InvalidAwardOptionsError')
    expect(thrown(() => awardBids(request, one, () => Number.NaN, FLOOR)).name).toBe('InvalidAwardOptionsError')
    expect(thrown(() => awardBids(request, new Array<Bid>(MAX_AWARD_BIDS + 1).fill(one[0]!), neutral, FLOOR)).name).toBe('InvalidAwardOptionsError')
    expect(thrown(() => awardBids({ ...request, deadline: DEADLINE + 1 }, one, neutral, FLOOR)).name).toBe('BidSignatureError')
    // No floor at all.
    expect(awardBids(request, one, () => 0, { reputationFloor: Number.NEGATIVE_INFINITY })?.eligible).toBe(1)
  })
})
