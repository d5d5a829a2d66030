/**
 * Presence announcements: what one peer encodes another decodes, and decoding
 * trusts only gossipsub's signed `from` — unsigned, oversized, malformed or
 * over-long announcements are dropped, and addresses that lead anywhere but to
 * the sender are filtered out.
 */
import type { Message } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_TOPIC, PRESENCE_TTL_MS } from '../../../src/network/presence/constants.ts'
import { decodePresence, encodePresence, isFresh } from '../../../src/network/presence/index.ts'
import type { PresenceRecord } from '../../../src/network/presence/index.ts'
import { PresenceAnnouncement } from '../../../src/network/presence/pb/presence.ts'

const NOW = 1_700_000_000_000
const RELAY_ADDR = '/ip4/127.0.0.1/tcp/9090/ws'

let sender: PeerIdentity
let relay: PeerIdentity
let stranger: PeerIdentity

beforeAll(async () => {
  sender = await createIdentity(new Uint8Array(32).fill(1))
  relay = await createIdentity(new Uint8Array(32).fill(2))
  stranger = await createIdentity(new Uint8Array(32).fill(3))
})

/** A message as gossipsub hands it to a subscriber after verifying it. */
async function signedMessage (from: PeerIdentity, data: Uint8Array): Promise<Message> {
  return {
    type: 'signed',
    from: from.peerId,
    topic: PRESENCE_TOPIC,
    data,
    sequenceNumber: 1n,
    signature: await from.sign(data),
    key: from.privateKey.publicKey
  }
}

const circuitTo = (peer: PeerIdentity): string =>
  `${RELAY_ADDR}/p2p/${relay.peerId.toString()}/p2p-circuit/webrtc/p2p/${peer.peerId.toString()}`

describe('encodePresence / decodePresence', () => {
  it('round-trips an announcement, taking the sender from the signed message', async () => {
    const addrs = [circuitTo(sender), `${RELAY_ADDR}/p2p/${relay.peerId.toString()}/p2p-circuit/p2p/${sender.peerId.toString()}`]
    const data = encodePresence(addrs, true, 4, NOW)
    const record = decodePresence(await signedMessage(sender, data), NOW + 7)
    expect(record).toEqual({
      peerId: sender.peerId.toString(),
      multiaddrs: addrs,
      contributing: true,
      slots: 4,
      receivedAt: NOW + 7,
      sentAt: NOW
    })
  })

  it('round-trips a peer that is not contributing and has no addresses', async () => {
    const record = decodePresence(await signedMessage(sender, encodePresence([], false, 0, NOW + 0.4)), NOW)
    expect(record).toMatchObject({ peerId: sender.peerId.toString(), multiaddrs: [], contributing: false, slots: 0, sentAt: NOW })
  })

  it('caps the slots a peer claims at 256', async () => {
    const record = decodePresence(await signedMessage(sender, encodePresence([], true, 1_000_000, NOW)), NOW)
    expect(record?.slots).toBe(256)
  })

  it('encodes at most 16 addresses', async () => {
    const addrs = Array.from({ length: 20 }, (_, i) => `/ip4/8.8.8.${i}/tcp/443/wss/p2p/${sender.peerId.toString()}`)
    const record = decodePresence(await signedMessage(sender, encodePresence(addrs, true, 1, NOW)), NOW)
    expect(record?.multiaddrs).toEqual(addrs.slice(0, 16))
  })

  it('drops an unsigned message', () => {
    const data = encodePresence([circuitTo(sender)], true, 1, NOW)
    expect(decodePresence({ type: 'unsigned', topic: PRESENCE_TOPIC, data }, NOW)).toBeUndefined()
  })

  it('drops data over MAX_PRESENCE_MESSAGE_BYTES, and keeps data at the limit', async () => {
    // Pad with an unknown field (field 15, length-delimited), which protobuf decoders skip.
    const pad = (total: number): Uint8Array => {
      const body = encodePresence([circuitTo(sender)], true, 1, NOW)
      const header = [0x7a, 0, 0] // tag 15/LEN, then a two-byte varint length
      const padLength = total - body.byteLength - header.length
      const out = new Uint8Array(total)
      out.set(body)
      out.set([0x7a, (padLength & 0x7f) | 0x80, padLength >> 7], body.byteLength)
      return out
    }
    const atLimit = pad(MAX_PRESENCE_MESSAGE_BYTES)
    expect(atLimit.byteLength).toBe(MAX_PRESENCE_MESSAGE_BYTES)
    expect(decodePresence(await signedMessage(sender, atLimit), NOW)?.multiaddrs).toEqual([circuitTo(sender)])
    expect(decodePresence(await signedMessage(sender, pad(MAX_PRESENCE_MESSAGE_BYTES + 1)), NOW)).toBeUndefined()
  })

  it('drops garbage bytes', async () => {
    for (const garbage of [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([0x0a, 0x05, 1, 2]), // a length past the end
      new Uint8Array([0x0a, 0x03, 0xff, 0xff, 0xff]), // an address that is not a multiaddr
      new TextEncoder().encode('hello, world')
    ]) {
      expect(decodePresence(await signedMessage(sender, garbage), NOW)).toBeUndefined()
    }
  })

  it('drops addresses that do not lead to the sender', async () => {
    const own = circuitTo(sender)
    const data = encodePresence([
      own,
      RELAY_ADDR, // no peer at all
      `${RELAY_ADDR}/p2p/${relay.peerId.toString()}`, // the relay itself
      circuitTo(stranger), // someone else behind the relay
      `/ip4/8.8.8.8/tcp/443/wss/p2p/${stranger.peerId.toString()}`,
      `/ip4/8.8.8.8/tcp/443/wss/p2p/${sender.peerId.toString()}/p2p-circuit/p2p/${stranger.peerId.toString()}`
    ], true, 1, NOW)
    const record = decodePresence(await signedMessage(sender, data), NOW)
    expect(record?.multiaddrs).toEqual([own])
  })

  it('credits the signed sender, not whoever the addresses name', async () => {
    // The stranger relays the sender's announcement as its own: the addresses lead to the sender, not to the stranger.
    const data = encodePresence([circuitTo(sender)], true, 1, NOW)
    const record = decodePresence(await signedMessage(stranger, data), NOW)
    expect(record?.peerId).toBe(stranger.peerId.toString())
    expect(record?.multiaddrs).toEqual([])
  })

  it('drops an announcement with more than 16 addresses', async () => {
    const addrs = (n: number): Array<Uint8Array<ArrayBuffer>> =>
      Array.from({ length: n }, (_, i) => multiaddr(`/ip4/8.8.4.${i}/tcp/443/wss/p2p/${sender.peerId.toString()}`).bytes)
    const encode = (n: number): Uint8Array =>
      PresenceAnnouncement.encode({ multiaddrs: addrs(n), contributing: true, slots: 1, sentAt: BigInt(NOW) })
    expect(decodePresence(await signedMessage(sender, encode(16)), NOW)?.multiaddrs).toHaveLength(16)
    expect(decodePresence(await signedMessage(sender, encode(17)), NOW)).toBeUndefined()
  })
})

describe('isFresh', () => {
  const record = (receivedAt: number): PresenceRecord =>
    ({ peerId: 'p', multiaddrs: [], contributing: true, slots: 1, receivedAt, sentAt: receivedAt })

  it('keeps a record up to PRESENCE_TTL_MS after it arrived and forgets it after', () => {
    expect(isFresh(record(NOW), NOW)).toBe(true)
    expect(isFresh(record(NOW), NOW + PRESENCE_TTL_MS - 1)).toBe(true)
    expect(isFresh(record(NOW), NOW + PRESENCE_TTL_MS)).toBe(true)
    expect(isFresh(record(NOW), NOW + PRESENCE_TTL_MS + 1)).toBe(false)
    expect(isFresh(record(NOW), NOW + 10 * PRESENCE_TTL_MS)).toBe(false)
  })

  it('judges by the local arrival time, not the sender\'s clock', () => {
    const skewed: PresenceRecord = { ...record(NOW), sentAt: NOW - 10 * PRESENCE_TTL_MS }
    expect(isFresh(skewed, NOW + 1)).toBe(true)
  })
})
