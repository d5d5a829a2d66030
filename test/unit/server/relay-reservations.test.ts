/**
 * Relay reservations end with their peer's connection: identities that
 * reserve and leave used to hold their slot for the 2 h TTL, so a few hundred
 * of them filled the relay for everyone. And one address holds only its share.
 */
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { sleep, startReservingPeer, waitFor } from './relay-peers.ts'

/** How long a peer may take to hold a reservation on a relay with room. */
const RESERVE_WITHIN_MS = 5000

describe('relay reservations', () => {
  let relay: Relay | undefined
  const peers: Libp2p[] = []

  afterEach(async () => {
    await Promise.all(peers.splice(0).map(async peer => { await peer.stop() }))
    await relay?.stop()
    relay = undefined
  })

  it('releases the reservations of 8 identities that reserved and left, so a new identity can reserve', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, maxReservations: 8 })
    const addr = relay.multiaddrs[0] as string
    const reservations = (relay as Relay).node.services.relay.reservations
    for (let i = 0; i < 8; i++) {
      const peer = await startReservingPeer(addr, RESERVE_WITHIN_MS)
      await peer.stop()
      // Under libp2p's default of 5 new connections a second from one address, so the old relay's limit is not what is tested.
      await sleep(250)
    }
    await waitFor(() => reservations.size === 0, 3000, 'the relay to release the reservations of peers that left')

    const newcomer = await startReservingPeer(addr, RESERVE_WITHIN_MS)
    peers.push(newcomer)
    expect(relay.stats()).toMatchObject({ reservations: 1, releasedReservations: 8 })
  }, 60_000)

  it('refuses a reservation past maxReservationsPerAddress, and frees the place when a holder leaves', async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, maxReservationsPerAddress: 2 })
    const addr = relay.multiaddrs[0] as string
    for (let i = 0; i < 2; i++) peers.push(await startReservingPeer(addr, RESERVE_WITHIN_MS))
    await expect(startReservingPeer(addr, 2000)).rejects.toThrow(/PERMISSION_DENIED/)
    expect(relay.stats().reservations).toBe(2)
    expect(relay.stats().refusedReservations).toBeGreaterThan(0)

    await (peers.shift() as Libp2p).stop()
    await waitFor(() => relay?.stats().reservations === 1, 3000, 'the relay to release the reservation of the peer that left')
    peers.push(await startReservingPeer(addr, RESERVE_WITHIN_MS))
    expect(relay.stats().reservations).toBe(2)
  }, 30_000)
})
