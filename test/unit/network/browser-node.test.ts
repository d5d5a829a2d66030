/**
 * The browser node's connection gater: exactly the relays the page was given
 * (and circuits through them) are dialable on ws:// and private addresses;
 * everything else keeps the browser defaults.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { beforeAll, describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import { relayScopedGater } from '../../../src/network/browser-node.ts'

const RELAY = '/ip4/127.0.0.1/tcp/9090/ws'
const LAN_RELAY = '/ip4/192.168.1.10/tcp/9090/ws'

let relayId: string
let lanRelayId: string
let peerId: string
let gater: ReturnType<typeof relayScopedGater>

beforeAll(async () => {
  relayId = (await createIdentity(new Uint8Array(32).fill(1))).peerId.toString()
  lanRelayId = (await createIdentity(new Uint8Array(32).fill(2))).peerId.toString()
  peerId = (await createIdentity(new Uint8Array(32).fill(3))).peerId.toString()
  gater = relayScopedGater([`${RELAY}/p2p/${relayId}`, `${LAN_RELAY}/p2p/${lanRelayId}`])
})

const denies = (addr: string): boolean => gater.denyDialMultiaddr(multiaddr(addr))

describe('relayScopedGater', () => {
  it('allows the given relays, with and without their PeerId', () => {
    expect(denies(RELAY)).toBe(false)
    expect(denies(`${RELAY}/p2p/${relayId}`)).toBe(false)
    expect(denies(LAN_RELAY)).toBe(false)
    expect(denies(`${LAN_RELAY}/p2p/${lanRelayId}`)).toBe(false)
  })

  it('allows circuits through the given relays', () => {
    expect(denies(`${RELAY}/p2p/${relayId}/p2p-circuit/webrtc/p2p/${peerId}`)).toBe(false)
    expect(denies(`${RELAY}/p2p/${relayId}/p2p-circuit/p2p/${peerId}`)).toBe(false)
    expect(denies(`${LAN_RELAY}/p2p/${lanRelayId}/p2p-circuit/webrtc/p2p/${peerId}`)).toBe(false)
  })

  it('allows relays given without a PeerId', () => {
    const bare = relayScopedGater([RELAY])
    expect(bare.denyDialMultiaddr(multiaddr(RELAY))).toBe(false)
    expect(bare.denyDialMultiaddr(multiaddr(`${RELAY}/p2p/${relayId}/p2p-circuit/webrtc/p2p/${peerId}`))).toBe(false)
  })

  it('denies plain ws:// to other hosts and ports, public or not', () => {
    expect(denies('/ip4/8.8.8.8/tcp/80/ws')).toBe(true)
    expect(denies(`/ip4/8.8.8.8/tcp/80/ws/p2p/${peerId}`)).toBe(true)
    expect(denies('/ip4/127.0.0.1/tcp/9091/ws')).toBe(true)
    expect(denies('/ip4/127.0.0.1/tcp/909/ws')).toBe(true)
    expect(denies('/dns4/example.com/tcp/80/ws')).toBe(true)
  })

  it('does not extend a relay\'s allowance to other protocols on its host and port', () => {
    expect(denies('/ip4/127.0.0.1/tcp/9090/wss')).toBe(true)
    expect(denies('/ip4/127.0.0.1/tcp/9090')).toBe(true)
  })

  it('denies other private and loopback addresses', () => {
    expect(denies('/ip4/127.0.0.1/tcp/443/wss')).toBe(true)
    expect(denies('/ip4/10.0.0.1/tcp/443/wss')).toBe(true)
    expect(denies('/ip4/192.168.1.11/tcp/9090/wss')).toBe(true)
    expect(denies('/ip4/172.16.0.1/tcp/443/wss')).toBe(true)
    expect(denies('/ip6/::1/tcp/443/wss')).toBe(true)
    expect(denies(`/ip4/10.0.0.1/tcp/443/wss/p2p/${relayId}/p2p-circuit/webrtc/p2p/${peerId}`)).toBe(true)
  })

  it('allows public secure addresses', () => {
    expect(denies('/ip4/8.8.8.8/tcp/443/wss')).toBe(false)
    expect(denies(`/ip4/8.8.8.8/tcp/443/wss/p2p/${peerId}`)).toBe(false)
    expect(denies('/dns4/relay.example.com/tcp/443/wss')).toBe(false)
  })

  it('denies ws:// everywhere when no relays were given', () => {
    const none = relayScopedGater([])
    expect(none.denyDialMultiaddr(multiaddr(RELAY))).toBe(true)
    expect(none.denyDialMultiaddr(multiaddr('/ip4/8.8.8.8/tcp/443/wss'))).toBe(false)
  })
})
