/**
 * /zerostate/module/1.0.0: a peer asks another for a module by its SHA-256
 * and gets the bytes (or an empty frame when the other lacks it). A peer
 * serves only the modules it made public: a submitter those of receipts it
 * announced to witnesses (trust/witness), a registry those its held agent
 * manifests name (discovery/agent-registry). A task submitted with
 * `witnesses: false` never has its module served, nor does an executor serve
 * what it ran, unless a published agent names it.
 *
 * Several services share one libp2p handler: a registrar takes one handler
 * per protocol, so each `moduleServer` adds its `shares` to the handler of
 * its registrar while started, and a request is answered when any of them
 * shares the hash.
 *
 * @example
 * ```ts
 * const server = moduleServer({ shares: hash => announced.has(hash) })({ registrar: node, store })
 * await server.start()
 * const bytes = await fetchModule(connection, hash)
 * ```
 */
import type { ModuleStore } from '../../storage/index.ts'
import type { ProtocolRegistrar } from '../components.ts'
import { ProtocolHandler } from '../protocol-handler.ts'
import { MAX_INBOUND_STREAMS, MODULE_FETCH_PROTOCOL } from './constants.ts'
import { serveModule } from './module-fetch.ts'

export { fetchModule, serveModule } from './module-fetch.ts'
export { ModuleNotFoundError } from './errors.ts'
export * from './constants.ts'

export interface ModuleServerInit {
  /** Module requests served at once (by the registrar's one handler: the first server started sets it). Default MAX_INBOUND_STREAMS. */
  maxInboundStreams?: number
  /**
   * Whether a module may be given to whoever asks: a peer serves only the
   * modules it chose to make public. Answered as "not held" otherwise.
   * Default: none is shared.
   */
  shares?(hash: string): boolean
}

export interface ModuleServerComponents {
  registrar: ProtocolRegistrar
  store: Pick<ModuleStore, 'getModule'>
}

/** Serves this peer's public modules by hash while started. */
export interface ModuleServer {
  start(): Promise<void>
  stop(): Promise<void>
}

export function moduleServer (init: ModuleServerInit = {}): (components: ModuleServerComponents) => ModuleServer {
  return components => new SharingModuleServer(init, components)
}

interface Sharer {
  shares(hash: string): boolean
  store: Pick<ModuleStore, 'getModule'>
}

/** The one handler of a registrar, and the servers answering through it. */
interface SharedHandler {
  handler: ProtocolHandler
  sharers: Set<Sharer>
}

const handlers = new WeakMap<ProtocolRegistrar, SharedHandler>()

class SharingModuleServer implements ModuleServer {
  private readonly sharer: Sharer
  private readonly registrar: ProtocolRegistrar
  private readonly maxInboundStreams: number
  private running = false

  constructor (init: ModuleServerInit, { registrar, store }: ModuleServerComponents) {
    this.sharer = { shares: init.shares ?? (() => false), store }
    this.registrar = registrar
    this.maxInboundStreams = init.maxInboundStreams ?? MAX_INBOUND_STREAMS
  }

  /** Safe to call twice. */
  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    let shared = handlers.get(this.registrar)
    if (shared === undefined) {
      const sharers = new Set<Sharer>()
      shared = {
        sharers,
        handler: new ProtocolHandler(this.registrar, MODULE_FETCH_PROTOCOL,
          async stream => serveModule(stream, async hash => publicModule(sharers, hash)),
          { maxInboundStreams: this.maxInboundStreams })
      }
      handlers.set(this.registrar, shared)
    }
    shared.sharers.add(this.sharer)
    await shared.handler.start()
  }

  /** Safe to call twice; the handler goes when the last server of its registrar stops. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    const shared = handlers.get(this.registrar)
    if (shared === undefined) return
    shared.sharers.delete(this.sharer)
    if (shared.sharers.size > 0) return
    handlers.delete(this.registrar)
    await shared.handler.stop()
  }
}

/** The module from the first server that shares it and holds it. */
async function publicModule (sharers: ReadonlySet<Sharer>, hash: string): Promise<Uint8Array | undefined> {
  for (const sharer of sharers) {
    if (!sharer.shares(hash)) continue
    const bytes = await sharer.store.getModule(hash)
    if (bytes !== undefined) return bytes
  }
  return undefined
}
