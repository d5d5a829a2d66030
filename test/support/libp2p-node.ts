import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'

/** A real libp2p node in Node: websockets on loopback (when listening), noise, yamux. */
export async function startTestNode (options: { listen: boolean, identity?: PeerIdentity }): Promise<Libp2p> {
  const identity = options.identity ?? await createIdentity()
  return createLibp2p({
    privateKey: identity.privateKey,
    addresses: { listen: options.listen ? ['/ip4/127.0.0.1/tcp/0/ws'] : [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()]
  })
}
