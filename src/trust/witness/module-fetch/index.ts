/**
 * /zerostate/module/1.0.0: a peer asks another for a module by its SHA-256
 * and gets the bytes (or an empty frame when the other lacks it). Witnesses
 * fetch the module of a receipt they re-run from the submitter that
 * announced it. A peer serves only the modules of receipts it announced (the
 * announcement made them public); a task submitted with `witnesses: false`
 * never has its module served, nor does an executor serve what it ran.
 *
 * @example
 * ```ts
 * const server = moduleServer({ shares: hash => announced.has(hash) })({ registrar: node, store })
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
  /**
   * Whether a module may be given to whoever asks: a peer serves only the
   * modules it chose to make public (a witness's reason to ask is a receipt
   * announced with its input). Answered as "not held" otherwise. Default:
   * none is shared.
   */
  shares?(hash: string): boolean
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
  const shares = init.shares ?? (() => false)
  return ({ registrar, store }) => new ProtocolHandler(registrar, MODULE_FETCH_PROTOCOL,
    async stream => serveModule(stream, async hash => shares(hash) ? store.getModule(hash) : undefined),
    { maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_STREAMS })
}
