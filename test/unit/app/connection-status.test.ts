/**
 * The status line of a started tab, from its connectivity: online only
 * while it holds a connection to a relay or a peer; otherwise connecting,
 * saying why and when it tries again; and it says when no relay gave it a
 * slot (nobody can reach it).
 */
import { describe, expect, it } from 'vitest'
import { connectionStatus } from '../../../src/app/session.ts'
import type { Connectivity, RelayLinkView } from '../../../src/app/types.ts'

const NOW = 1_700_000_000_000

const relay = (patch: Partial<RelayLinkView> = {}): RelayLinkView =>
  ({ addr: '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRelay', peerId: '12D3KooWRelay', connected: false, reserved: false, failures: 0, reservationFailures: 0, ...patch })

const connectivity = (patch: Partial<Connectivity>): Connectivity =>
  ({ online: false, reserved: false, relays: [relay()], peers: 0, ...patch })

describe('connectionStatus', () => {
  it('is connecting, not online, while the first dial to the relay is under way', () => {
    expect(connectionStatus(connectivity({}), NOW)).toEqual({ status: 'connecting', statusDetail: 'connecting to the relay…', noRelaySlot: false })
  })

  it('says the relay is unreachable, why, and when it is tried again', () => {
    const status = connectionStatus(connectivity({ relays: [relay({ failures: 3, lastError: 'connection refused', retryAt: NOW + 4200 })] }), NOW)
    expect(status).toEqual({ status: 'connecting', statusDetail: 'no relay reachable, retrying in 5 s (connection refused)', noRelaySlot: false })
    expect(connectionStatus(connectivity({ relays: [relay({ failures: 1 })] }), NOW).statusDetail).toBe('no relay reachable, retrying now')
  })

  it('is online with a relay connection and a reservation, and says nothing more', () => {
    const status = connectionStatus(connectivity({ online: true, reserved: true, relays: [relay({ connected: true, reserved: true })] }), NOW)
    expect(status).toEqual({ status: 'online', statusDetail: undefined, noRelaySlot: false })
  })

  it('is online but says so when no relay gave it a slot', () => {
    const status = connectionStatus(connectivity({ online: true, relays: [relay({ connected: true, reservationFailures: 1 })] }), NOW)
    expect(status.status).toBe('online')
    expect(status.noRelaySlot).toBe(true)
    expect(status.statusDetail).toMatch(/no relay slot/)
  })

  it('is still online through its peers when every relay is gone, and says the relay is being retried', () => {
    const status = connectionStatus(connectivity({ online: true, peers: 2, relays: [relay({ failures: 2 })] }), NOW)
    expect(status).toEqual({ status: 'online', statusDetail: 'no relay reachable, retrying; still connected to 2 peers', noRelaySlot: false })
  })
})
