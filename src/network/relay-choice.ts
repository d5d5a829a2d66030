/**
 * Which of the relays a server lists a tab attaches to: `count` of them,
 * chosen by rendezvous hashing (highest random weight; Thaler & Ravishankar,
 * "Using Name-Based Mappings to Increase Hit Rates", IEEE/ACM ToN 6(1), 1998):
 * each relay is scored by SHA-256(tab's PeerId, relay's PeerId) and the
 * highest `count` win. The choice is stable across reloads (same PeerId, same
 * relays), spreads tabs evenly over the relays, and when a relay is added or
 * removed only the tabs that had (or now have) it among their winners move.
 *
 * Pure: no clock, no randomness, no I/O. Tabs on different relays still meet:
 * the relays peer with each other (src/server/relay-peering.ts), and a tab
 * dials another through the relay that tab announced.
 *
 * @example
 * const held = chooseRelays(relayAddrs, node.peerId.toString(), DEFAULT_RELAY_LINKS)
 */
import { sha256Hex, utf8ToBytes } from '../core/index.ts'

/** The PeerId a relay multiaddr ends in (/p2p/<id>), or the whole address when it names none. */
export function relayIdOf (addr: string): string {
  const at = addr.lastIndexOf('/p2p/')
  return at === -1 ? addr : addr.slice(at + '/p2p/'.length)
}

/**
 * `count` of `relayAddrs` for the tab `peerId`, in the order of `relayAddrs`;
 * all of them when there are no more than `count`. Addresses of one relay
 * (same PeerId) count once: the first is kept.
 */
export function chooseRelays (relayAddrs: string[], peerId: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a tab attaches to at least one relay, asked for ${count}`)
  const byRelay = new Map<string, string>()
  for (const addr of relayAddrs) if (!byRelay.has(relayIdOf(addr))) byRelay.set(relayIdOf(addr), addr)
  if (byRelay.size <= count) return [...byRelay.values()]
  // A separator no PeerId contains keeps (a, bc) and (ab, c) apart.
  const weight = (relayId: string): string => sha256Hex(utf8ToBytes(`${peerId}\n${relayId}`))
  const winners = new Set([...byRelay.keys()]
    .map(relayId => ({ relayId, w: weight(relayId) }))
    .sort((a, b) => a.w < b.w ? 1 : a.w > b.w ? -1 : 0)
    .slice(0, count)
    .map(({ relayId }) => relayId))
  return [...byRelay].filter(([relayId]) => winners.has(relayId)).map(([, addr]) => addr)
}
