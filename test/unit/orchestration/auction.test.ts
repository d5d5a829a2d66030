/**
 * Sealed bids between real libp2p nodes: each candidate answers privately,
 * the award is second-price among eligible bidders, and late, declined or
 * forged answers do not count.
 */
import type { Libp2p, Stream, Connection } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, sha256Hex } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { signBidRequest } from '../../../src/economy/bids/index.ts'
import type { BidRequest } from '../../../src/economy/bids/index.ts'
import { BID_PROTOCOL } from '../../../src/economy/bids/index.ts'
import { quoteFor, runAuction, serveBid } from '../../../src/orchestration/auction/index.ts'
import type { Quote } from '../../../src/orchestration/auction/index.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { rejection } from '../../support/rejection.ts'

interface Bidder { identity: PeerIdentity, node: Libp2p }

describe('sealed-bid auctions between libp2p nodes', () => {
  let submitter: Bidder
  const bidders: Bidder[] = []
  const quotes = new Map<string, Quote>()
  const delays = new Map<string, number>()
  const id = (b: Bidder): string => b.identity.peerId.toString()

  beforeAll(async () => {
    const identity = await createIdentity()
    submitter = { identity, node: await startTestNode({ identity, listen: false }) }
    for (let i = 0; i < 4; i++) {
      const bidderIdentity = await createIdentity()
      const node = await startTestNode({ identity: bidderIdentity, listen: true })
      const peer = bidderIdentity.peerId.toString()
      await node.handle(BID_PROTOCOL, async (stream: Stream, connection: Connection) => {
        await new Promise(resolve => setTimeout(resolve, delays.get(peer) ?? 0))
        await serveBid(stream, connection, { identity: bidderIdentity, quote: request => quotes.get(peer)?.(request) })
      }, { runOnLimitedConnection: true })
      bidders.push({ identity: bidderIdentity, node })
    }
  })

  afterAll(async () => {
    await Promise.all([submitter, ...bidders].map(async b => { await b.node.stop() }))
  })

  const connectionTo = async (peer: string): Promise<Connection> => {
    const bidder = bidders.find(b => id(b) === peer)!
    return submitter.node.dial(bidder.node.getMultiaddrs()[0]!)
  }

  const request = async (deadlineInMs: number, maxTotalPrice = 10_000): Promise<BidRequest> => signBidRequest({
    requestId: `req_${Math.random().toString(36).slice(2)}`,
    taskId: 'task_1',
    moduleHash: sha256Hex(new Uint8Array([1])),
    limits: { timeoutMs: 10_000, memoryBytes: 64 * 1024 * 1024, fuel: 1_000_000_000 },
    maxTotalPrice,
    deadline: Date.now() + deadlineInMs,
    submitter: id(submitter),
    publicKey: bytesToBase64Url(submitter.identity.publicKey)
  }, submitter.identity)

  it('awards the lowest bid at the second-lowest price; a decline and a bid above budget do not count', async () => {
    const [a, b, c, d] = bidders as [Bidder, Bidder, Bidder, Bidder]
    quotes.set(id(a), () => ({ price: 300, expectedMs: 50 }))
    quotes.set(id(b), () => ({ price: 200, expectedMs: 80 }))
    quotes.set(id(c), () => undefined)
    quotes.set(id(d), () => ({ price: 20_000, expectedMs: 10 }))
    const result = await runAuction(await request(3000), bidders.map(id), { connectionTo, reputationOf: () => 0.5, reputationFloor: 0.3 })
    expect(result.award.winner).toBe(id(b))
    expect(result.award.price).toBe(300)
    expect(result.bids.map(bid => bid.bidder).sort()).toEqual([id(a), id(b)].sort())
    expect(result.declined.map(x => x.reason).sort()).toEqual(['BidDeclinedError', 'BidDeclinedError'])
  })

  it('ignores bids that arrive after the deadline, and bidders below the reputation floor', async () => {
    const [a, b, c, d] = bidders as [Bidder, Bidder, Bidder, Bidder]
    for (const bidder of bidders) quotes.set(id(bidder), () => ({ price: 100, expectedMs: 10 }))
    quotes.set(id(a), () => ({ price: 50, expectedMs: 10 }))
    delays.set(id(a), 1500)
    const result = await runAuction(await request(700), bidders.map(id), {
      connectionTo, reputationOf: peer => peer === id(c) ? 0.1 : 0.6, reputationFloor: 0.3
    })
    delays.clear()
    expect([id(b), id(d)]).toContain(result.award.winner)
    expect(result.award.price).toBe(100)
    expect(result.declined.find(x => x.peer === id(a))).toBeDefined()
  })

  it('rejects with NoBidError when nobody bids, and bidders refuse an expired request', async () => {
    for (const bidder of bidders) quotes.set(id(bidder), () => undefined)
    expect((await rejection(runAuction(await request(2000), bidders.map(id), { connectionTo, reputationOf: () => 0.5, reputationFloor: 0 }))).name).toBe('NoBidError')
    for (const bidder of bidders) quotes.set(id(bidder), () => ({ price: 1, expectedMs: 1 }))
    const expired = await request(-1)
    const result = await rejection(runAuction(expired, bidders.map(id), { connectionTo, reputationOf: () => 0.5, reputationFloor: 0 }))
    expect(result.name).toBe('NoBidError')
  })
})

describe('what an executor bids', () => {
  const prices = { perMegaFuel: 100, perSecond: 10, perMb: 5 }
  const request = { limits: { timeoutMs: 10_000, memoryBytes: 64 * 2 ** 20, fuel: 10 ** 9 }, maxTotalPrice: 1000 } as unknown as BidRequest

  it('quotes the last run of the module when it has one, and does not bid when that is over budget', () => {
    expect(quoteFor(prices, { fuel: 2_000_000, durationMs: 1500, memoryBytes: 2 ** 20 }, request)).toEqual({ price: 200 + 15 + 5, expectedMs: 1500 })
    expect(quoteFor(prices, { fuel: 10 ** 9, durationMs: 1500, memoryBytes: 2 ** 20 }, request)).toBeUndefined()
  })

  it('without a record, covers every limit, capped by the budget', () => {
    expect(quoteFor(prices, undefined, request)).toEqual({ price: 1000, expectedMs: 10_000 })
    expect(quoteFor({ perMegaFuel: 0, perSecond: 0, perMb: 0 }, undefined, request)).toEqual({ price: 0, expectedMs: 10_000 })
  })
})
