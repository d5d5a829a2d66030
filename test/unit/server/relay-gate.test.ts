/**
 * The key under which the relay counts a remote address's connections and
 * reservations: an IPv4 address, or the /64 of an IPv6 one (RFC 6177).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { addressKey } from '../../../src/server/relay-gate.ts'

describe('addressKey', () => {
  it('is the IPv4 address, whatever the port', () => {
    expect(addressKey(multiaddr('/ip4/203.0.113.7/tcp/4001/ws'))).toBe('203.0.113.7')
    expect(addressKey(multiaddr('/ip4/203.0.113.7/tcp/4002/ws'))).toBe('203.0.113.7')
  })

  it('is the /64 of an IPv6 address, written out or compressed', () => {
    const key = '2001:db8:85a3:0::/64'
    expect(addressKey(multiaddr('/ip6/2001:db8:85a3:0:1:2:3:4/tcp/4001/ws'))).toBe(key)
    expect(addressKey(multiaddr('/ip6/2001:db8:85a3::99/tcp/4001/ws'))).toBe(key)
    expect(addressKey(multiaddr('/ip6/2001:0db8:85a3:0000:ffff::1/tcp/4001/ws'))).toBe(key)
    expect(addressKey(multiaddr('/ip6/2001:db8:85a4::1/tcp/4001/ws'))).not.toBe(key)
    expect(addressKey(multiaddr('/ip6/::1/tcp/4001/ws'))).toBe('0:0:0:0::/64')
  })

  it('is the IPv4 address of an IPv4-mapped IPv6 address', () => {
    expect(addressKey(multiaddr('/ip6/::ffff:203.0.113.7/tcp/4001/ws'))).toBe('203.0.113.7')
  })
})
