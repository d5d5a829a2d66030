/**
 * The relay under silent sockets: websockets that open and never start the
 * noise handshake used to take all ten of libp2p's pending-upgrade slots for
 * 10 s each and lock every newcomer out. A newcomer must now get in at once,
 * even from the attacker's own address (here every peer is 127.0.0.1), and one
 * address may hold only its share of connections.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS } from '../../../src/server/constants.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { startTestNode } from '../../support/libp2p-node.ts'
import { connectWithin, holdSilentSockets, waitFor, websocketUrl } from './relay-peers.ts'
import type { SilentSockets } from './relay-peers.ts'

/** How long a newcomer may take to connect and open a stream, retrying as a tab does. */
const NEWCOMER_DEADLINE_MS = 3000

describe('relay connections', () => {
  let relay: Relay | undefined
  let attack: SilentSockets | undefined
  const nodes: Libp2p[] = []

  afterEach(async () => {
    attack?.stop()
    await Promise.all(nodes.splice(0).map(async node => { await node.stop() }))
    await relay?.stop()
    relay = undefined
  })

  it('admits a newcomer within 3 s while an attacker of its own address keeps 40 silent websockets going', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    const addr = relay.multiaddrs[0] as string
    // 40 sockets, one every 150 ms, each reopened 1 s after the relay closes it: at most 200 in at most 20 s.
    attack = holdSilentSockets(websocketUrl(addr), { count: 40, spacingMs: 150, reopenDelayMs: 1000, maxOpens: 200, maxMs: 20_000 })
    await waitFor(() => (attack as SilentSockets).opened >= 40, 10_000, '40 silent websockets')

    const newcomer = await startTestNode({ listen: false })
    nodes.push(newcomer)
    const elapsed = await connectWithin(newcomer, addr, NEWCOMER_DEADLINE_MS)
    const { pendingConnections, evictedPending } = relay.stats()
    console.info(`newcomer connected in ${elapsed.toFixed(0)} ms; attacker: ${attack.opened} opened, ${attack.open} open; ` +
      `relay: ${pendingConnections} pending, ${evictedPending} evicted`)

    expect(elapsed).toBeLessThan(NEWCOMER_DEADLINE_MS)
    const stats = relay.stats()
    expect(stats.pendingConnections).toBeLessThanOrEqual(DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS)
    expect(stats.evictedPending).toBeGreaterThan(0)
  }, 30_000)

  it('keeps pending connections within maxPendingConnections by closing the oldest of the busiest address', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, maxPendingConnections: 4 })
    const addr = relay.multiaddrs[0] as string
    attack = holdSilentSockets(websocketUrl(addr), { count: 6, spacingMs: 100, reopenDelayMs: 60_000, maxOpens: 6, maxMs: 10_000 })
    await waitFor(() => relay?.stats().evictedPending === 2, 3000, 'the relay to close the 2 oldest silent websockets')
    expect(relay.stats().pendingConnections).toBe(4)
    await waitFor(() => (attack as SilentSockets).open === 4, 3000, 'the attacker to see 2 of its websockets closed')

    const newcomer = await startTestNode({ listen: false })
    nodes.push(newcomer)
    expect(await connectWithin(newcomer, addr, NEWCOMER_DEADLINE_MS)).toBeLessThan(NEWCOMER_DEADLINE_MS)
  }, 15_000)

  it('closes a silent connection after the upgrade timeout, and counts it out', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, inboundUpgradeTimeoutMs: 1000 })
    const addr = relay.multiaddrs[0] as string
    attack = holdSilentSockets(websocketUrl(addr), { count: 3, spacingMs: 50, reopenDelayMs: 60_000, maxOpens: 3, maxMs: 10_000 })
    await waitFor(() => (attack as SilentSockets).opened === 3, 3000, '3 silent websockets')
    await waitFor(() => relay?.stats().pendingConnections === 3, 2000, 'the relay to count 3 pending connections')
    await waitFor(() => (attack as SilentSockets).open === 0, 4000, 'the relay to close the silent websockets')
    expect(relay.stats().pendingConnections).toBe(0)
  }, 15_000)

  it('refuses connections past maxConnectionsPerAddress, and counts closed ones out', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, maxConnectionsPerAddress: 3 })
    const addr = relay.multiaddrs[0] as string
    for (let i = 0; i < 3; i++) {
      const node = await startTestNode({ listen: false })
      nodes.push(node)
      await connectWithin(node, addr, NEWCOMER_DEADLINE_MS)
    }
    expect(relay.stats().connections).toBe(3)

    const fourth = await startTestNode({ listen: false })
    nodes.push(fourth)
    await expect(fourth.dial(multiaddr(addr))).rejects.toThrow()
    expect(relay.stats().refusedConnections).toBe(1)

    // One leaves: its place is free again.
    await (nodes.shift() as Libp2p).stop()
    await waitFor(() => relay?.stats().connections === 2, 3000, 'the relay to count the closed connection out')
    await connectWithin(fourth, addr, NEWCOMER_DEADLINE_MS)
    expect(relay.stats().connections).toBe(3)
  }, 20_000)

  it('closes the socket of a connection it aborts, so none is left open unseen', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    const client = await startTestNode({ listen: false })
    nodes.push(client)
    await connectWithin(client, relay.multiaddrs[0] as string, NEWCOMER_DEADLINE_MS)
    await waitFor(() => relay?.node.getConnections().length === 1, 2000, 'the relay to hold the connection')
    relay.node.getConnections()[0]?.abort(new Error('aborted by the test'))
    await waitFor(() => client.getConnections().length === 0, 3000, 'the client to see its connection end')
    expect(relay.stats().connections).toBe(0)
  }, 15_000)
})
