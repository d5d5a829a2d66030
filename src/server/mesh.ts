import { startAppServer } from './http-server.ts'
import type { AppServer } from './http-server.ts'
import { join } from 'node:path'
import type { Registry } from 'prom-client'
import type { Logger } from '../core/index.ts'
import { processRegistry } from './metrics-http.ts'
import { loadOrCreateRelayKey } from './relay-key.ts'
import { RelayMetrics } from './relay-metrics.ts'
import { startRelay } from './relay.ts'
import type { Relay } from './relay.ts'

export interface MeshInit {
  /** The built app to serve. */
  root: string
  host: string
  /** HTTP port of the app; 0 picks a free one. */
  port: number
  /** First relay's websocket port; further relays take the next ports. 0 picks free ones. */
  relayPort: number
  /** How many relays to run in this process. */
  relays: number
  /** Relays run elsewhere that pages should also use; this process's relays peer with them. */
  extraRelayAddrs: string[]
  /**
   * Whether this process's relays peer with each other and with `extraRelayAddrs`
   * (relay-peering.ts), so that tabs attached to different relays hear each
   * other; default true. Off only to show what peering changes.
   */
  relayPeering?: boolean
  /** Where relays keep their keys (one file per port); fresh keys each start when omitted. */
  keyDir?: string
  /** Where the relays report what they drop; silent when omitted. */
  logger?: Logger
  /** Where the app server's and every relay's metrics go (served at /metrics); default: a new one with the process metrics. */
  registry?: Registry
}

export interface Mesh {
  url: string
  relays: Relay[]
  relayAddrs: string[]
  app: AppServer
  /** What the app server's /metrics exposes: its HTTP requests, the process, and every relay of the mesh. */
  registry: Registry
  stop(): Promise<void>
}

/**
 * Relays plus the app server: what `npm start` runs and what the browser tests start.
 * The app server's /metrics holds the relays' metrics too (one registry), and its
 * /readyz is 200 only while every relay listens.
 */
export async function startMesh (init: MeshInit): Promise<Mesh> {
  const relays: Relay[] = []
  try {
    for (let i = 0; i < init.relays; i++) {
      const port = init.relayPort === 0 ? 0 : init.relayPort + i
      // A key is kept only for a fixed port: a relay on a random port has a new address anyway.
      const privateKey = init.keyDir == null || port === 0 ? undefined : await loadOrCreateRelayKey(join(init.keyDir, `relay-${port}.key`))
      relays.push(await startRelay({ host: init.host, port, privateKey, logger: init.logger }))
    }
    const relayAddrs = [...relays.flatMap(relay => relay.multiaddrs), ...init.extraRelayAddrs]
    if (relayAddrs.length === 0) {
      throw new Error('no relay: run at least one (--relays) or name one (--relay-addr)')
    }
    // Every relay of the mesh peers with every other (each skips itself and any relay named twice).
    if (init.relayPeering !== false) for (const relay of relays) relay.peerWith(relayAddrs)
    const registry = init.registry ?? processRegistry()
    const relayMetrics = new RelayMetrics(registry)
    for (const relay of relays) relayMetrics.track(relay)
    const app = await startAppServer({
      root: init.root,
      host: init.host,
      port: init.port,
      relayAddrs: () => relayAddrs,
      registry,
      ready: () => relayMetrics.readiness()
    })
    return {
      url: app.url,
      relays,
      relayAddrs,
      app,
      registry,
      stop: async () => {
        await app.stop()
        await Promise.all(relays.map(async relay => { await relay.stop() }))
      }
    }
  } catch (err) {
    await Promise.all(relays.map(async relay => { await relay.stop() }))
    throw err
  }
}
