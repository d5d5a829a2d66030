/**
 * A peer without a browser: the same services as a tab's (compose.ts) in
 * Node — websockets to the relays, a circuit relay v2 reservation, direct
 * WebRTC with tabs and other Node peers (@libp2p/webrtc runs on
 * node-datachannel here), the sandbox in worker threads — contributing its
 * slots: it publishes its Agent Card, runs tasks, signs receipts, is paid
 * over channels and serves as a witness. `zerostate contribute` runs one
 * (src/cli/contribute.ts).
 *
 * It learns its relays as a tab does — from the app server's /config.json —
 * or is given them, and measures its speed on the server's primes sample
 * (the reference a tab's Agent Card states its benchmark against).
 */
import type { Logger, Metrics } from '../core/index.ts'
import { loadOrCreateIdentity } from '../crypto/identity.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { CardBenchmark } from '../discovery/index.ts'
import { createNodeWorkerPool } from '../execution/node-host.node.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import type { WorkerPool } from '../execution/worker-pool.ts'
import { CONFIG_PATH, DEFAULT_MAX_PEER_CONNECTIONS } from '../network/constants.ts'
import type { ExecutedTask } from '../orchestration/task-protocol/index.ts'
import type { PriceSchedule } from '../receipts/pricing/index.ts'
import { DEFAULT_CHECK_RATES } from '../trust/witness/index.ts'
import { composePeer } from './compose.ts'
import type { ComposedPeer } from './compose.ts'
import { LocalSandbox } from './local-sandbox.ts'
import { nodeModuleFetch } from './module-fetch.node.ts'
import { preview } from './preview.ts'
import type { ZeroStateStore } from './store.ts'

/** How long stop() waits for the tasks running here to finish before it goes anyway. */
export const DEFAULT_DRAIN_MS = 30_000

export interface NodePeerInit {
  /** The relays to use; or `server`, whose /config.json names them (as it does for a tab). */
  relayAddrs?: string[]
  /** The app server (`http://127.0.0.1:8080`): its relays, and its primes sample for the speed benchmark. */
  server?: string
  store: ZeroStateStore
  /** Worker threads contributed (tasks for others and witness re-runs). */
  slots: number
  /**
   * Whether it runs tasks for others (default true). A peer that only submits
   * (the SDK's `connect({ contribute: false })`) announces no slots and
   * measures no benchmark; its pool stays idle.
   */
  contributing?: boolean
  tags?: string[]
  prices: PriceSchedule
  /** Shares of announced receipts to re-execute as a witness (default: a tab's, DEFAULT_CHECK_RATES). */
  witnessRates?: { established: number, newcomer: number }
  /**
   * Guilds (docs/guild.md): whether it signs the guild invitations it is sent
   * (default false), and the price in µ it bids a step when it leads a guild
   * (default: it bids for none).
   */
  guilds?: { acceptInvites: boolean, stepPrice?: number }
  logger: Logger
  /** Where its figures and libp2p's go (compose.ts; a PromMetrics for `--metrics-port`); default: nowhere. */
  metrics?: Metrics
  /** Whether it publishes its signed mesh figures every 30 s (`--share-metrics`, docs/metrics.md "Mesh figures"); default false. */
  shareMetrics?: boolean
  /** An OTLP/HTTP collector its trace spans are exported to (`--otlp-url`, docs/tracing.md §8); none by default. */
  otlpUrl?: string
  /** This peer ran a task for another and sent the signed result (its receipt is kept in the store). */
  onExecuted?(task: ExecutedTask): void
  /** Something its operator should know. */
  onNotice?(message: string): void
}

export interface NodePeer {
  readonly peerId: string
  /** The identity it signs with (kept in its store). */
  readonly identity: PeerIdentity
  readonly relayAddrs: string[]
  readonly peer: ComposedPeer
  readonly pool: WorkerPool
  /** Tasks running here now, and waiting for a slot. */
  load(): { running: number, queued: number }
  /**
   * Stops contributing (the Agent Card says so at once), lets the tasks
   * running here finish — at most `drainMs` — then stops every service and
   * the workers, and closes the store. Channels stay open in the store:
   * nothing is settled or lost.
   */
  stop(options?: { drainMs?: number }): Promise<void>
}

export async function startNodePeer (init: NodePeerInit): Promise<NodePeer> {
  const { store, logger } = init
  if (!Number.isInteger(init.slots) || init.slots < 1) throw new RangeError(`slots must be a whole number from 1, got ${String(init.slots)}`)
  const relayAddrs = init.relayAddrs ?? (init.server === undefined ? [] : await relaysOf(init.server))
  if (relayAddrs.length === 0) throw new RangeError('a Node peer needs a relay: give the app server (--server) or a relay multiaddr (--relay-addr)')
  const identity = await loadOrCreateIdentity(store)
  const pool = createNodeWorkerPool({ slots: init.slots })
  let contributing = init.contributing ?? true
  const noop = (): void => {}
  let peer: ComposedPeer
  try {
    peer = await composePeer({
      store,
      identity,
      relayAddrs,
      maxPeerConnections: DEFAULT_MAX_PEER_CONNECTIONS,
      pool,
      benchmark: async () => init.server === undefined || !contributing ? { fuelPerMs: 0, reference: '0'.repeat(64) } : measureBenchmark(init.server),
      settings: {
        contributing: () => contributing,
        slots: () => init.slots,
        tags: () => init.tags ?? [],
        prices: () => init.prices,
        witnessRates: () => init.witnessRates ?? DEFAULT_CHECK_RATES,
        guildInvites: () => init.guilds?.acceptInvites ?? false,
        guildStepPrice: () => init.guilds?.stepPrice
      },
      events: {
        onPeers: noop,
        onCapabilities: noop,
        onLedger: noop,
        onNotice: message => { init.onNotice?.(message) },
        onDisputed: taskId => { init.onNotice?.(`task ${taskId} was shown to have a wrong result`) },
        onExecuted: task => {
          store.addReceipt({ receipt: task.receipt, role: 'executor', label: `module ${task.offer.moduleHash.slice(0, 12)}`, stdoutPreview: preview(task.result.stdout), storedAt: Date.now() })
            .catch(err => { logger.warn('keeping a receipt', err) })
          init.onExecuted?.(task)
        }
      },
      logger,
      ...(init.metrics === undefined ? {} : { metrics: init.metrics }),
      shareMetrics: init.shareMetrics ?? false,
      ...(init.otlpUrl === undefined ? {} : { otlpUrl: init.otlpUrl })
    })
  } catch (err) {
    pool.stop()
    throw err
  }
  let stopping: Promise<void> | undefined
  return {
    peerId: identity.peerId.toString(),
    identity,
    relayAddrs,
    peer,
    pool,
    load: () => peer.executor.load,
    async stop (options = {}) {
      stopping ??= (async () => {
        contributing = false
        await peer.cards.refresh().catch(err => { logger.warn('announcing the end of contributing', err) })
        const deadline = Date.now() + (options.drainMs ?? DEFAULT_DRAIN_MS)
        while (Date.now() < deadline && (peer.executor.load.running > 0 || peer.executor.load.queued > 0)) {
          await new Promise(resolve => setTimeout(resolve, 100))
        }
        await peer.stop()
        pool.stop()
        store.close()
      })()
      await stopping
    }
  }
}

/** The relays an app server names in its /config.json, as a tab reads them. */
async function relaysOf (server: string): Promise<string[]> {
  const url = new URL(CONFIG_PATH, server)
  const response = await fetch(url, { cache: 'no-store' }).catch((err: unknown) => {
    throw new Error(`could not reach ${url.href} for its relay list: ${err instanceof Error ? err.message : String(err)}`)
  })
  if (!response.ok) throw new Error(`${url.href} answered ${response.status}`)
  const relays = ((await response.json()) as { relays?: unknown }).relays
  if (!Array.isArray(relays) || !relays.every(relay => typeof relay === 'string')) throw new Error(`${url.href} names no relay`)
  return relays as string[]
}

/** This peer's speed on the server's primes sample, measured as a tab measures it (LocalSandbox.benchmark). */
async function measureBenchmark (server: string): Promise<CardBenchmark> {
  const local = new LocalSandbox({ fetchModule: nodeModuleFetch(server), createPool: init => createNodeWorkerPool(init) })
  try {
    const samples = await (await fetch(new URL('samples/samples.json', server))).json() as SampleTask[]
    return await local.benchmark(samples)
  } catch {
    return { fuelPerMs: 0, reference: '0'.repeat(64) }
  } finally {
    local.stop()
  }
}
