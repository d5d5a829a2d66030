/**
 * /zerostate/module/1.0.0: a peer asks another for a module by its SHA-256
 * and gets the bytes (or an empty frame when the other lacks it). Witnesses
 * fetch the module of a receipt they re-run from the submitter that
 * announced it; every peer that announces serves its modules.
 *
 * @example
 * ```ts
 * const server = moduleServer()({ registrar: node, store })
 * await server.start()
 * const bytes = await fetchModule(connection, hash)
 * ```
 */
import type { ProtocolRegistrar } from '../../../network/components.ts'
import { ProtocolHandler } from '../../../network/protocol-handler.ts'
import type { ModuleStore } from '../../../storage/index.ts'
import { MAX_INBOUND_STREAMS, MODULE_FETCH_PROTOCOL } from './constants.ts'
import { serveModule } from './module-fetch.ts'

export { fetchModule, serveModule } from './module-fetch.ts'
export { ModuleNotFoundError } from './errors.ts'
export * from './constants.ts'

export interface ModuleServerInit {
  /** Module requests served at once. Default MAX_INBOUND_STREAMS. */
  maxInboundStreams?: number
}

export interface ModuleServerComponents {
  registrar: ProtocolRegistrar
  store: Pick<ModuleStore, 'getModule'>
}

/** Serves this peer's modules by hash while started. */
export interface ModuleServer {
  start(): Promise<void>
  stop(): Promise<void>
}

export function moduleServer (init: ModuleServerInit = {}): (components: ModuleServerComponents) => ModuleServer {
  return ({ registrar, store }) => new ProtocolHandler(registrar, MODULE_FETCH_PROTOCOL,
    async stream => serveModule(stream, async hash => store.getModule(hash)),
    { maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_STREAMS })
}
