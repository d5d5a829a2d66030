import { multiaddr } from '@multiformats/multiaddr'
import type { Message } from '@libp2p/gossipsub'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_TTL_MS } from './constants.ts'
import { PresenceAnnouncement } from './pb/presence.ts'

const MAX_ANNOUNCED_ADDRS = 16

/** What the mesh knows of a peer from its latest announcement. */
export interface PresenceRecord {
  peerId: string
  multiaddrs: string[]
  contributing: boolean
  slots: number
  /** Local clock, ms: when the announcement arrived. */
  receivedAt: number
  /** Sender's clock, ms: orders announcements from one peer. */
  sentAt: number
}

export function encodePresence (multiaddrs: string[], contributing: boolean, slots: number, now: number): Uint8Array {
  return PresenceAnnouncement.encode({
    multiaddrs: multiaddrs.slice(0, MAX_ANNOUNCED_ADDRS).map(addr => multiaddr(addr).bytes),
    contributing,
    slots,
    sentAt: BigInt(Math.round(now))
  })
}

/**
 * Decodes an announcement, trusting only what gossipsub authenticated: the
 * sender is the message's signed `from`, never a field of the body. Returns
 * undefined for anything unsigned, oversized or malformed.
 */
export function decodePresence (message: Message, now: number): PresenceRecord | undefined {
  if (message.type !== 'signed' || message.data.byteLength > MAX_PRESENCE_MESSAGE_BYTES) {
    return undefined
  }
  try {
    const body = PresenceAnnouncement.decode(message.data, { limits: { multiaddrs: MAX_ANNOUNCED_ADDRS } })
    const peerId = message.from.toString()
    const multiaddrs = body.multiaddrs
      .map(bytes => multiaddr(bytes).toString())
      // An address must lead to the announcing peer, not to someone it wants us to flood.
      .filter(addr => addr.endsWith(`/p2p/${peerId}`))
    return {
      peerId,
      multiaddrs,
      contributing: body.contributing,
      slots: Math.min(body.slots, 256),
      receivedAt: now,
      sentAt: Number(body.sentAt)
    }
  } catch {
    return undefined
  }
}

/** Announcements from peers that went quiet are forgotten after PRESENCE_TTL_MS. */
export function isFresh (record: PresenceRecord, now: number): boolean {
  return now - record.receivedAt <= PRESENCE_TTL_MS
}
