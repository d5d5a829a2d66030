/**
 * Which transport carries a connection, and which of several connections to
 * a peer is the best one, from fake connections carrying only the fields read.
 */
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { bestConnection, transportOf } from '../../../src/network/transports.ts'

const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const RELAY = '12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5'

interface FakeInit {
  addr: string
  multiplexer?: string
  limits?: Connection['limits']
  status?: Connection['status']
  id?: string
}

function fake ({ addr, multiplexer, limits, status = 'open', id = addr }: FakeInit): Connection {
  return { id, remoteAddr: multiaddr(addr), multiplexer, limits, status } as unknown as Connection
}

const webrtcViaRelay = (id = 'webrtc'): Connection => fake({
  id,
  addr: `/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`,
  multiplexer: '/webrtc'
})
const websocket = (id = 'ws'): Connection => fake({ id, addr: `/ip4/127.0.0.1/tcp/9090/ws/p2p/${PEER}`, multiplexer: '/yamux/1.0.0' })
const relayed = (id = 'relayed'): Connection => fake({
  id,
  addr: `/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`,
  multiplexer: '/yamux/1.0.0',
  limits: { bytes: 131072n, seconds: 120 }
})

describe('transportOf', () => {
  it('calls a WebRTC connection signalled through a relay webrtc, not relayed', () => {
    expect(transportOf(webrtcViaRelay())).toBe('webrtc')
  })

  it('calls a direct WebRTC connection webrtc', () => {
    expect(transportOf(fake({ addr: `/ip4/192.168.1.5/udp/4001/webrtc/p2p/${PEER}`, multiplexer: '/webrtc' }))).toBe('webrtc')
  })

  it('calls a limited connection relayed', () => {
    expect(transportOf(relayed())).toBe('relayed')
  })

  it('calls a limited connection relayed whatever its multiplexer', () => {
    expect(transportOf(fake({ addr: `/ip4/1.2.3.4/tcp/1/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`, multiplexer: '/webrtc', limits: { seconds: 60 } }))).toBe('relayed')
  })

  it('calls a ws or wss connection websocket', () => {
    expect(transportOf(websocket())).toBe('websocket')
    expect(transportOf(fake({ addr: '/dns4/relay.example.com/tcp/443/wss', multiplexer: '/yamux/1.0.0' }))).toBe('websocket')
  })

  it('calls anything else other', () => {
    expect(transportOf(fake({ addr: '/ip4/127.0.0.1/tcp/4001', multiplexer: '/yamux/1.0.0' }))).toBe('other')
    expect(transportOf(fake({ addr: '/ip4/127.0.0.1/tcp/4001' }))).toBe('other')
  })
})

describe('bestConnection', () => {
  it('is undefined for no connections', () => {
    expect(bestConnection([])).toBeUndefined()
  })

  it('prefers webrtc over websocket over relayed, in any order', () => {
    const all = [relayed(), websocket(), webrtcViaRelay()]
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
    for (const order of orders) {
      expect(bestConnection(order.map(i => all[i]!))?.id).toBe('webrtc')
    }
    expect(bestConnection([relayed(), websocket()])?.id).toBe('ws')
    expect(bestConnection([websocket(), relayed()])?.id).toBe('ws')
    expect(bestConnection([relayed()])?.id).toBe('relayed')
  })

  it('ignores connections that are not open', () => {
    const closing = fake({ id: 'closing', addr: `/ip4/1.2.3.4/udp/1/webrtc/p2p/${PEER}`, multiplexer: '/webrtc', status: 'closing' })
    const closed = fake({ id: 'closed', addr: `/ip4/1.2.3.4/tcp/1/ws/p2p/${PEER}`, multiplexer: '/yamux/1.0.0', status: 'closed' })
    expect(bestConnection([closing, closed, relayed()])?.id).toBe('relayed')
    expect(bestConnection([closing, closed])).toBeUndefined()
  })

  it('does not reorder the array it was given', () => {
    const given = [relayed(), websocket(), webrtcViaRelay()]
    const ids = given.map(c => c.id)
    bestConnection(given)
    expect(given.map(c => c.id)).toEqual(ids)
  })
})
