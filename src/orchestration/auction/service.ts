/** The bidder's side of /zerostate/bid/1.0.0 as a service, registered while started. */
import type { PeerIdentity } from '../../crypto/index.ts'
import { BID_PROTOCOL } from '../../economy/bids/index.ts'
import type { ProtocolRegistrar } from '../../network/components.ts'
import { ProtocolHandler } from '../../network/protocol-handler.ts'
import { serveBid } from './auction.ts'
import type { BidderInit } from './auction.ts'

/** Bid requests answered at once over all connections. */
export const MAX_INBOUND_BID_STREAMS = 16

export interface BidServiceInit extends Omit<BidderInit, 'identity'> {
  /** Bid requests answered at once. Default MAX_INBOUND_BID_STREAMS. */
  maxInboundStreams?: number
}

export interface BidServiceComponents {
  identity: PeerIdentity
  registrar: ProtocolRegistrar
}

export interface BidService {
  start(): Promise<void>
  stop(): Promise<void>
}

export function bidService (init: BidServiceInit): (components: BidServiceComponents) => BidService {
  return ({ identity, registrar }) => new ProtocolHandler(registrar, BID_PROTOCOL,
    async (stream, connection) => serveBid(stream, connection, { ...init, identity }),
    { maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_BID_STREAMS })
}
