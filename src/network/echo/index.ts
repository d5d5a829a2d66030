/**
 * /zerostate/echo/1.0.0: every length-prefixed message is sent straight back
 * until the stream closes — the smallest request/response a libp2p stream can
 * carry, to measure a connection's round trip (the network view, and the
 * baseline the task round trip is compared with in `bench:roundtrip`).
 *
 * @example
 * ```ts
 * const echo = echoService()({ registrar: node })
 * await echo.start()
 * const times = await measureEcho(connection, { count: 100, payloadBytes: 64, reuseStream: false })
 * ```
 */
import type { ProtocolRegistrar } from '../components.ts'
import { ProtocolHandler } from '../protocol-handler.ts'
import { ECHO_PROTOCOL, MAX_INBOUND_ECHO_STREAMS } from './constants.ts'
import { handleEcho } from './echo.ts'

export { handleEcho, measureEcho } from './echo.ts'
export type { EchoOptions } from './echo.ts'
export * from './constants.ts'

export interface EchoServiceInit {
  /** Echo streams served at once. Default MAX_INBOUND_ECHO_STREAMS. */
  maxInboundStreams?: number
}

export interface EchoServiceComponents {
  registrar: ProtocolRegistrar
}

/** Answers echo streams while started. */
export interface EchoService {
  start(): Promise<void>
  stop(): Promise<void>
}

export function echoService (init: EchoServiceInit = {}): (components: EchoServiceComponents) => EchoService {
  return ({ registrar }) => new ProtocolHandler(registrar, ECHO_PROTOCOL, handleEcho, {
    maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_ECHO_STREAMS
  })
}
