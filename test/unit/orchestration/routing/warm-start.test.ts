/**
 * /zerostate/q-estimates/1.0.0 between real libp2p nodes in Node (websockets
 * on loopback, noise, yamux): the Q-routing warm start from neighbours'
 * estimates exchanged when a connection opens (Boyan & Littman 1994).
 */
import { lpStream } from '@libp2p/utils'
import type { Connection, Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_Q_ESTIMATES_BYTES, Q_ESTIMATES_PROTOCOL } from '../../../../src/orchestration/routing/warm-start/index.ts'
import { QRouter } from '../../../../src/orchestration/routing/index.ts'
import {
  checkEstimates, createEstimateExchange, decodeEstimates, Estimates, MAX_SHARED_DEST_LENGTH, MAX_SHARED_ESTIMATES
} from '../../../../src/orchestration/routing/warm-start/index.ts'
import type { EstimateExchange, EstimatesSeededEvent } from '../../../../src/orchestration/routing/warm-start/index.ts'
import { startTestNode } from '../../../support/libp2p-node.ts'

interface Peer {
  node: Libp2p
  id: string
  router: QRouter
  exchange: EstimateExchange
  /** Every inbound handle() promise, in order. */
  handled: Array<Promise<number>>
  /** Every onSeeded event, in order. */
  seeded: EstimatesSeededEvent[]
}

/** Every peer routes through a local pseudo-neighbour, so its own estimates do not depend on its connections. */
const LOCAL = 'local'

async function startPeer (options: { now?: () => number } = {}): Promise<Peer> {
  const node = await startTestNode({ listen: true })
  const router = new QRouter({ random: () => 0.999, now: Date.now })
  const seeded: EstimatesSeededEvent[] = []
  const handled: Array<Promise<number>> = []
  const exchange = createEstimateExchange({
    router,
    neighbours: () => [LOCAL, ...new Set(node.getConnections().map((c) => c.remotePeer.toString()))],
    now: options.now,
    onSeeded: (event) => { seeded.push(event) }
  })
  await node.handle(Q_ESTIMATES_PROTOCOL, async (stream, connection) => {
    const done = exchange.handle(stream, connection)
    handled.push(done)
    await done
  })
  return { node, id: node.peerId.toString(), router, exchange, handled, seeded }
}

async function connect (from: Peer, to: { node: Libp2p }): Promise<Connection> {
  return from.node.dial(to.node.getMultiaddrs()[0]!)
}

/** Length-prefixes `payload` as the protocol frames it (unsigned varint). */
function frame (payload: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = payload.byteLength
  while (n >= 0x80) { prefix.push((n & 0x7f) | 0x80); n >>>= 7 }
  prefix.push(n)
  return new Uint8Array([...prefix, ...payload])
}

/** Hand-built protobuf: Estimates with one Entry { dest, ms } (field 1 length-delimited, field 2 fixed64). */
function rawEntry (dest: string, ms: number): Uint8Array {
  const destBytes = new TextEncoder().encode(dest)
  const msBytes = new Uint8Array(8)
  new DataView(msBytes.buffer).setFloat64(0, ms, true)
  const entry = [0x0a, destBytes.byteLength, ...destBytes, 0x11, ...msBytes]
  return new Uint8Array([0x0a, entry.length, ...entry])
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]))

const MALFORMED: Array<[string, Uint8Array]> = [
  ['negative ms', rawEntry('class:x', -1)],
  ['NaN ms', rawEntry('class:x', Number.NaN)],
  ['infinite ms', rawEntry('class:x', Number.POSITIVE_INFINITY)],
  ['an empty dest', rawEntry('', 5)],
  ['a dest listed twice', concat(rawEntry('class:x', 1), rawEntry('class:x', 2))],
  ['undecodable bytes', new Uint8Array([0x0a, 0x7f, 0x01])],
  ['a dest too long', Estimates.encode({ entries: [{ dest: 'd'.repeat(MAX_SHARED_DEST_LENGTH + 1), ms: 1 }] })],
  ['too many entries', Estimates.encode({ entries: Array.from({ length: MAX_SHARED_ESTIMATES + 1 }, (_, i) => ({ dest: `d${i}`, ms: i })) })]
]

describe('checkEstimates / decodeEstimates', () => {
  it('accepts a message at its limits', () => {
    const entries = Array.from({ length: MAX_SHARED_ESTIMATES }, (_, i) => ({ dest: `${i}`.padEnd(MAX_SHARED_DEST_LENGTH, 'é'), ms: i }))
    const bytes = Estimates.encode({ entries })
    expect(bytes.byteLength + 3).toBeLessThanOrEqual(MAX_Q_ESTIMATES_BYTES)
    expect(decodeEstimates(bytes).entries).toHaveLength(MAX_SHARED_ESTIMATES)
  })

  it.each(MALFORMED)('rejects %s with InvalidEstimatesError', (_, bytes) => {
    expect(() => decodeEstimates(bytes)).toThrow(expect.objectContaining({ name: 'InvalidEstimatesError' }))
  })

  it('checks a decoded message too', () => {
    expect(() => checkEstimates({ entries: [{ dest: 'x', ms: -0.5 }] })).toThrow(expect.objectContaining({ name: 'InvalidEstimatesError' }))
  })
})

describe('warm start over /zerostate/q-estimates/1.0.0', () => {
  let a: Peer, b: Peer, c: Peer, d: Peer
  /** A node whose listener answers with `reply` (raw bytes, framed as given). */
  let liar: { node: Libp2p, reply: Uint8Array }

  beforeAll(async () => {
    ;[a, b, c, d] = await Promise.all([startPeer(), startPeer(), startPeer({ now: () => 0 }), startPeer()])
    liar = { node: await startTestNode({ listen: true }), reply: new Uint8Array() }
    await liar.node.handle(Q_ESTIMATES_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      await lp.read()
      lp.unwrap().send(liar.reply)
      await stream.close()
    })
  })

  afterAll(async () => {
    await Promise.all([a, b, c, d, liar].map(async (peer) => peer?.node.stop()))
  })

  it('exchanges empty tables', async () => {
    const connection = await connect(b, c)
    await expect(b.exchange.exchange(connection)).resolves.toBe(0)
    await expect(c.handled.at(-1)).resolves.toBe(0)
    expect(b.router.toJSON().entries).toEqual([])
    expect(c.router.toJSON().entries).toEqual([])
  })

  it('seeds Q(d, sender) = sender\'s estimate + the measured link delay, both ways', async () => {
    a.router.update('class:x', LOCAL, 100, 0) // 1000 + 0.5·(100 − 1000) = 550
    a.router.update('class:y', LOCAL, 20, 0) // 510
    b.router.update('class:z', LOCAL, 200, 0) // 600
    const connection = await connect(b, a)
    await expect(b.exchange.exchange(connection)).resolves.toBe(2)
    const atB = b.seeded.at(-1)!
    expect(atB).toMatchObject({ peer: a.id, measured: true, received: 2, seeded: 2 })
    expect(atB.linkDelayMs).toBeGreaterThanOrEqual(0)
    for (const dest of ['class:x', 'class:y']) {
      expect(b.router.estimate(dest, [a.id])).toBe(a.router.estimate(dest, [LOCAL]) + atB.linkDelayMs)
    }
    // The listener seeds once the dialler has closed.
    await expect(a.handled.at(-1)).resolves.toBe(1)
    const atA = a.seeded.at(-1)!
    expect(atA).toMatchObject({ peer: b.id, measured: true, received: 1, seeded: 1 })
    expect(a.router.estimate('class:z', [b.id])).toBe(600 + atA.linkDelayMs)
    // Seeded, not learnt.
    expect(b.router.toJSON().entries.find((e) => e.dest === 'class:x' && e.via === a.id)?.learnt).toBe(false)
  })

  it('adds exactly the round trip the clock measured (a constant clock: 0 ms)', async () => {
    const connection = await connect(c, a)
    await c.exchange.exchange(connection)
    expect(c.seeded.at(-1)).toMatchObject({ linkDelayMs: 0, measured: true })
    expect(c.router.estimate('class:x', [a.id])).toBe(550)
    expect(c.router.estimate('class:y', [a.id])).toBe(510)
  })

  it('never overwrites a learnt entry', async () => {
    const connection = c.node.getConnections(a.node.peerId)[0]!
    c.router.update('class:x', a.id, 10, 0) // from the seeded 550: 550 + 0.5·(10 − 550) = 280
    c.router.seed('class:y', a.id, 999)
    // A now shares class:x, class:y and class:z (seeded from B): all but the learnt class:x are written.
    await expect(c.exchange.exchange(connection)).resolves.toBe(2)
    expect(c.router.toJSON().entries.find((e) => e.dest === 'class:x' && e.via === a.id)?.learnt).toBe(true)
    expect(c.router.estimate('class:x', [a.id])).toBe(280)
    expect(c.router.estimate('class:y', [a.id])).toBe(510)
  })

  it('shares only its MAX_SHARED_ESTIMATES lowest estimates', async () => {
    const total = MAX_SHARED_ESTIMATES + 44
    for (let i = 0; i < total; i++) d.router.seed(`dest-${i}`, LOCAL, total - i)
    const connection = await connect(b, d)
    await expect(b.exchange.exchange(connection)).resolves.toBe(MAX_SHARED_ESTIMATES)
    const got = new Set(b.router.toJSON().entries.filter((e) => e.via === d.id).map((e) => e.dest))
    expect(got.size).toBe(MAX_SHARED_ESTIMATES)
    expect(got.has(`dest-${total - 1}`)).toBe(true) // estimate 1
    expect(got.has('dest-0')).toBe(false) // estimate `total`, the highest
  })

  describe('the listener rejects malformed estimates', () => {
    it.each(MALFORMED)('%s', async (_, bytes) => {
      const before = a.handled.length
      const stream = await b.node.getConnections(a.node.peerId)[0]!.newStream(Q_ESTIMATES_PROTOCOL)
      stream.send(frame(bytes))
      await expect.poll(() => a.handled.length).toBe(before + 1)
      await expect(a.handled[before]).rejects.toMatchObject({ name: 'InvalidEstimatesError' })
    })

    it('a frame longer than MAX_Q_ESTIMATES_BYTES', async () => {
      const before = a.handled.length
      const stream = await b.node.getConnections(a.node.peerId)[0]!.newStream(Q_ESTIMATES_PROTOCOL)
      // Only the length prefix: it alone is over the limit.
      stream.send(frame(new Uint8Array(MAX_Q_ESTIMATES_BYTES + 1)).subarray(0, 3))
      await expect.poll(() => a.handled.length).toBe(before + 1)
      await expect(a.handled[before]).rejects.toMatchObject({ name: 'InvalidEstimatesError' })
    })
  })

  describe('the dialler rejects malformed answers', () => {
    it.each(MALFORMED)('%s', async (_, bytes) => {
      liar.reply = frame(bytes)
      const connection = b.node.getConnections(liar.node.peerId)[0] ?? await connect(b, liar)
      const before = b.router.toJSON().entries.length
      await expect(b.exchange.exchange(connection)).rejects.toMatchObject({ name: 'InvalidEstimatesError' })
      expect(b.router.toJSON().entries).toHaveLength(before)
    })
  })
})
