/**
 * One protocol's stream handler, registered while started: the start/stop
 * half that every protocol service of this project shares (js-libp2p's
 * protocol packages register their handler in `start()` the same way).
 */
import type { StreamHandler } from '@libp2p/interface'
import type { ProtocolRegistrar } from './components.ts'

export interface ProtocolHandlerOptions {
  /** Streams of this protocol open at once over all connections. */
  maxInboundStreams: number
  /** Whether relayed (limited) connections may carry it. Default true: tabs first meet over the relay. */
  runOnLimitedConnection?: boolean
}

export class ProtocolHandler {
  private readonly registrar: ProtocolRegistrar
  private readonly protocol: string
  private readonly handler: StreamHandler
  private readonly options: ProtocolHandlerOptions
  private running = false

  constructor (registrar: ProtocolRegistrar, protocol: string, handler: StreamHandler, options: ProtocolHandlerOptions) {
    this.registrar = registrar
    this.protocol = protocol
    this.handler = handler
    this.options = options
  }

  /** Registers the handler. Safe to call twice. */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    await this.registrar.handle(this.protocol, this.handler, {
      runOnLimitedConnection: this.options.runOnLimitedConnection ?? true,
      maxInboundStreams: this.options.maxInboundStreams
    })
  }

  /** Removes the handler. Safe to call twice. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    await this.registrar.unhandle(this.protocol)
  }
}
