/**
 * A hostile Node peer for the hostile-* tests. It joins the relay like a tab
 * (websockets to the relay, a circuit through it to the target tab) but runs
 * no gossipsub of its own: it opens a gossipsub stream to one tab and writes
 * raw RPC frames, so it can sign messages with as many identities as it
 * likes, send them to that tab only (never to the relay or a third party),
 * and send what an honest router never would. Every flood it makes is
 * bounded by the caller, on loopback.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import { lpStream } from '@libp2p/utils'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Connection, Libp2p } from '@libp2p/interface'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'

/** The gossipsub protocol the tabs speak (what @libp2p/gossipsub 17 negotiates first among v1.1 peers). */
const GOSSIPSUB_PROTOCOL = '/meshsub/1.1.0'
const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')

let seqno = BigInt(Date.now()) * 1_000_000n

/** A gossipsub message signed by `author`, exactly as an honest publisher signs one (StrictSign). */
export async function signedRpcMessage (author: PeerIdentity, topic: string, data: Uint8Array): Promise<RPC.Message> {
  const seq = new Uint8Array(8)
  new DataView(seq.buffer).setBigUint64(0, ++seqno, false)
  const unsigned: RPC.Message = { from: author.peerId.toMultihash().bytes, data, seqno: seq, topic }
  const encoded = RPC.Message.encode(unsigned)
  const toSign = new Uint8Array(SIGN_PREFIX.byteLength + encoded.byteLength)
  toSign.set(SIGN_PREFIX)
  toSign.set(encoded, SIGN_PREFIX.byteLength)
  return { ...unsigned, signature: await author.privateKey.sign(toSign) }
}

export interface GossipAttacker {
  node: Libp2p
  /** Sends `messages` to the target tab only; redials when the relay ended the limited circuit. Resolves once written. */
  send(messages: RPC.Message[]): Promise<void>
  /**
   * Closes the circuit and opens a new one: a relayed connection carries
   * 128 KiB each way (the relay's default limit), and what is written past
   * that is lost, so a long flood starts each batch on a fresh circuit.
   */
  fresh(): Promise<void>
  stop(): Promise<void>
}

/**
 * Connects to `relayAddr`, then through it to `target` (a PeerId), and keeps a
 * gossipsub stream open to that tab alone.
 */
export async function startGossipAttacker (relayAddr: string, target: string, identity?: PeerIdentity): Promise<GossipAttacker> {
  const self = identity ?? await createIdentity()
  const node = await createLibp2p({
    privateKey: self.privateKey,
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  await node.dial(multiaddr(relayAddr))
  const circuit = multiaddr(`${relayAddr}/p2p-circuit/p2p/${target}`)
  let connection: Connection | undefined
  let writer: ReturnType<typeof lpStream> | undefined

  const open = async (): Promise<ReturnType<typeof lpStream>> => {
    if (writer !== undefined && connection?.status === 'open') return writer
    connection = await node.dial(circuit)
    const stream = await connection.newStream(GOSSIPSUB_PROTOCOL, { runOnLimitedConnection: true })
    writer = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 })
    return writer
  }

  return {
    node,
    async send (messages) {
      const frame = RPC.encode({ subscriptions: [], messages })
      for (let attempt = 0; ; attempt++) {
        try {
          await (await open()).write(frame)
          return
        } catch (err) {
          // A relayed connection carries 128 KiB each way by default: a long flood needs a fresh circuit.
          writer = undefined
          await connection?.close().catch(() => {})
          connection = undefined
          if (attempt >= 3) throw err
        }
      }
    },
    async fresh () {
      writer = undefined
      await connection?.close().catch(() => {})
      connection = undefined
      await open()
    },
    async stop () {
      await node.stop()
    }
  }
}
