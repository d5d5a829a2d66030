/** Forwarding as a service: this peer's hop of /zerostate/forward/1.0.0, registered while started. */
import type { ProtocolRegistrar } from '../../network/components.ts'
import { ProtocolHandler } from '../../network/protocol-handler.ts'
import { FORWARD_PROTOCOL, MAX_INBOUND_FORWARD_STREAMS } from './constants.ts'
import { createForwarder } from './forwarder.ts'
import type { ForwarderComponents, ForwarderInit } from './forwarder.ts'

export interface ForwardingServiceInit extends ForwarderInit {
  /** Forwarded tasks passing through at once. Default MAX_INBOUND_FORWARD_STREAMS. */
  maxInboundStreams?: number
}

export interface ForwardingServiceComponents extends ForwarderComponents {
  registrar: ProtocolRegistrar
}

export interface ForwardingService {
  start(): Promise<void>
  stop(): Promise<void>
}

export function forwardingService (init: ForwardingServiceInit = {}): (components: ForwardingServiceComponents) => ForwardingService {
  return components => {
    const forwarder = createForwarder(components, init)
    return new ProtocolHandler(components.registrar, FORWARD_PROTOCOL, async (stream, connection) => forwarder.handle(stream, connection), {
      maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_FORWARD_STREAMS
    })
  }
}
