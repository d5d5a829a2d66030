/**
 * The warm start as a service: answers /zerostate/q-estimates/1.0.0 while
 * started, and starts an exchange on every new outbound connection to a
 * neighbour (the dialling side starts it, once per connection; relays have
 * no Q-table and are not neighbours).
 */
import type { Connection, TypedEventTarget } from '@libp2p/interface'
import { noopLogger, warnOn } from '../../../core/index.ts'
import type { Logger } from '../../../core/index.ts'
import type { ProtocolRegistrar } from '../../../network/components.ts'
import { ProtocolHandler } from '../../../network/protocol-handler.ts'
import { MAX_INBOUND_ESTIMATE_STREAMS, Q_ESTIMATES_PROTOCOL } from './constants.ts'
import { createEstimateExchange } from './estimate-exchange.ts'
import type { EstimateExchange, EstimateExchangeInit } from './estimate-exchange.ts'

export interface EstimateExchangeServiceInit extends Omit<EstimateExchangeInit, 'router' | 'neighbours'> {
  /** Exchanges served at once. Default MAX_INBOUND_ESTIMATE_STREAMS. */
  maxInboundStreams?: number
}

export interface EstimateExchangeServiceComponents extends Pick<EstimateExchangeInit, 'router' | 'neighbours'> {
  registrar: ProtocolRegistrar
  /** Where new connections are announced (a libp2p node). */
  events: TypedEventTarget<{ 'connection:open': CustomEvent<Connection> }>
  logger?: Logger
}

export interface EstimateExchangeService {
  start(): Promise<void>
  stop(): Promise<void>
}

class DefaultEstimateExchangeService implements EstimateExchangeService {
  private readonly components: EstimateExchangeServiceComponents
  private readonly exchange: EstimateExchange
  private readonly handler: ProtocolHandler
  private readonly logger: Logger

  constructor (components: EstimateExchangeServiceComponents, init: EstimateExchangeServiceInit) {
    this.components = components
    this.logger = components.logger ?? noopLogger
    this.exchange = createEstimateExchange({ ...init, router: components.router, neighbours: components.neighbours })
    this.handler = new ProtocolHandler(components.registrar, Q_ESTIMATES_PROTOCOL, async (stream, connection) => {
      await this.exchange.handle(stream, connection).catch(warnOn(this.logger, `estimates from ${connection.remotePeer.toString()} were refused`))
    }, { maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_ESTIMATE_STREAMS })
  }

  async start (): Promise<void> {
    await this.handler.start()
    this.components.events.addEventListener('connection:open', this.onConnection)
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('connection:open', this.onConnection)
    await this.handler.stop()
  }

  private readonly onConnection = ({ detail: connection }: CustomEvent<Connection>): void => {
    if (connection.direction !== 'outbound' || !this.components.neighbours().includes(connection.remotePeer.toString())) return
    this.exchange.exchange(connection).catch(warnOn(this.logger, `exchanging estimates with ${connection.remotePeer.toString()}`))
  }
}

export function estimateExchangeService (init: EstimateExchangeServiceInit = {}): (components: EstimateExchangeServiceComponents) => EstimateExchangeService {
  return components => new DefaultEstimateExchangeService(components, init)
}
