/**
 * Node peers for the relay tests, all on 127.0.0.1: gossip peers, reserving
 * peers, and an attacker holding silent websockets. Every load is bounded in
 * count and time.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../../src/crypto/identity.ts'

export type GossipPeer = Libp2p<{ pubsub: GossipSub }> & { identity: PeerIdentity, received: Message[] }

export const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Resolves once `predicate` holds (checked every 50 ms); rejects after `timeoutMs` naming `what`. */
export async function waitFor (predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  for (const end = Date.now() + timeoutMs; !predicate();) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/** A Node gossipsub peer connected to the relay only, subscribed to `topics`, keeping every message it receives. */
export async function startGossipPeer (relayAddr: string, topics: string[]): Promise<GossipPeer> {
  const identity = await createIdentity()
  const node = await createLibp2p({
    privateKey: identity.privateKey,
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true })
    }
  })
  const received: Message[] = []
  node.services.pubsub.addEventListener('message', event => { received.push(event.detail) })
  for (const topic of topics) node.services.pubsub.subscribe(topic)
  await node.dial(multiaddr(relayAddr))
  return Object.assign(node, { identity, received })
}

/** A peer that reserves a slot on the relay, as a tab does; resolves once it holds a circuit address (or rejects after `timeoutMs`). */
export async function startReservingPeer (relayAddr: string, timeoutMs: number): Promise<Libp2p> {
  const identity = await createIdentity()
  const node = await createLibp2p({
    privateKey: identity.privateKey,
    addresses: { listen: [`${relayAddr}/p2p-circuit`] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  try {
    await waitFor(() => node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit')), timeoutMs, 'a relay reservation')
    return node
  } catch (err) {
    await node.stop()
    throw err
  }
}

export interface SilentSockets {
  /** Sockets that reached the open state so far. */
  readonly opened: number
  /** Sockets open now. */
  readonly open: number
  stop(): void
}

/**
 * An attacker that keeps `count` websockets open to `url` without ever
 * sending a byte (no noise handshake), opening one every `spacingMs` and
 * reopening a closed one after `reopenDelayMs`; it stops after `maxOpens`
 * attempts or `maxMs`, whichever comes first.
 */
export function holdSilentSockets (url: string, options: { count: number, spacingMs: number, reopenDelayMs: number, maxOpens: number, maxMs: number }): SilentSockets {
  const sockets = new Set<WebSocket>()
  let attempts = 0
  let opened = 0
  let active = true
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (fn: () => void, ms: number): void => {
    const timer = setTimeout(() => { timers.delete(timer); fn() }, ms)
    timers.add(timer)
  }
  const openOne = (): void => {
    if (!active || attempts >= options.maxOpens) return
    attempts++
    const socket = new WebSocket(url)
    sockets.add(socket)
    socket.addEventListener('open', () => { opened++ })
    socket.addEventListener('error', () => {})
    socket.addEventListener('close', () => {
      sockets.delete(socket)
      later(openOne, options.reopenDelayMs)
    })
  }
  for (let i = 0; i < options.count; i++) later(openOne, i * options.spacingMs)
  const stop = (): void => {
    active = false
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
    for (const socket of sockets) socket.close()
  }
  later(stop, options.maxMs)
  return {
    get opened () { return opened },
    get open () { return [...sockets].filter(s => s.readyState === WebSocket.OPEN).length },
    stop
  }
}

/** ws://host:port of a /ip4/…/tcp/…/ws/p2p/… multiaddr. */
export function websocketUrl (relayAddr: string): string {
  const [, , host, , port] = relayAddr.split('/')
  return `ws://${host}:${port}`
}

/** A protocol every relay serves (identify): opening a stream on it proves the connection is usable. */
const IDENTIFY_PROTOCOL = '/ipfs/id/1.0.0'

/** Dials `addr` and opens a stream, retrying every 200 ms until `deadlineMs`; resolves with the time taken, ms. */
export async function connectWithin (node: Libp2p, addr: string, deadlineMs: number): Promise<number> {
  const started = performance.now()
  let lastError: unknown
  while (performance.now() - started < deadlineMs) {
    try {
      const stream = await node.dialProtocol(multiaddr(addr), IDENTIFY_PROTOCOL, { signal: AbortSignal.timeout(deadlineMs) })
      const elapsed = performance.now() - started
      stream.abort(new Error('done'))
      return elapsed
    } catch (err) {
      lastError = err
      await sleep(200)
    }
  }
  throw new Error(`no stream to the relay within ${deadlineMs} ms: ${String(lastError)}`)
}
