import type { Connection } from '@libp2p/interface'

/** How bytes reach a peer over one connection. */
export type Transport = 'webrtc' | 'relayed' | 'websocket' | 'other'

/** A peer as this tab sees it: how it is connected and what it announced. */
export interface PeerInfo {
  peerId: string
  /** One entry per open connection to that peer. */
  transports: Transport[]
  /** True for the bootstrap relay(s) the page was given. */
  isRelay: boolean
  /** From the peer's last presence announcement. */
  contributing: boolean
  slots: number
}

/**
 * What carries a connection. A direct WebRTC connection has no `limits`, and
 * its multiplexer is the data-channel muxer; its `remoteAddr` may still contain
 * `p2p-circuit` on the dialling side (it was signalled through the relay), so
 * the address string does not tell direct from relayed.
 */
export function transportOf (connection: Connection): Transport {
  if (connection.limits != null) return 'relayed'
  if (connection.multiplexer?.includes('webrtc') === true) return 'webrtc'
  const addr = connection.remoteAddr.toString()
  if (addr.includes('/ws') || addr.includes('/wss')) return 'websocket'
  return 'other'
}

/** Prefer a direct WebRTC connection, then any unlimited one, then a relayed one. */
export function bestConnection (connections: Connection[]): Connection | undefined {
  const open = connections.filter(c => c.status === 'open')
  const rank = (c: Connection): number => {
    const transport = transportOf(c)
    return transport === 'webrtc' ? 0 : transport === 'relayed' ? 2 : 1
  }
  return open.sort((a, b) => rank(a) - rank(b))[0]
}
