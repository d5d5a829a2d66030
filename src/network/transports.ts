import type { Connection } from '@libp2p/interface'
import type { Transport } from '../app/types.ts'

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
