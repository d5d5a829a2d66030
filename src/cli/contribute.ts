/**
 * `zerostate contribute`: a headless executor in Node (src/app/node-peer.node.ts)
 * that joins the mesh through a relay as a tab does and offers its worker
 * threads: Agent Card, tasks, receipts, payments, witness checks. It prints
 * one line when it is online and one per task it runs (JSON Lines with
 * --json); SIGINT or SIGTERM stops it gracefully — it stops taking tasks,
 * lets the running ones finish, then leaves.
 */
import { parseArgs } from 'node:util'
import { checkCollectorUrl } from '../network/tracing/index.ts'
import { A2A_JSONRPC_BINDING, A2A_PROTOCOL_VERSION } from '../orchestration/a2a/index.ts'
import { a2aAgentCard, meshA2AAgent } from '../peer/a2a-agent.ts'
import { startA2AHttpBridge } from '../peer/a2a-http.node.ts'
import type { A2AHttpBridge } from '../peer/a2a-http.node.ts'
import type { SampleTask } from '../execution/sample-index.ts'
import { nodeModuleFetch } from '../peer/module-fetch.node.ts'
import { NodePeerMetrics } from '../peer/node-metrics.node.ts'
import { PromMetrics } from '../peer/prom-metrics.node.ts'
import { startNodePeer, DEFAULT_DRAIN_MS } from '../peer/node-peer.node.ts'
import type { NodePeer } from '../peer/node-peer.node.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../peer/store.ts'
import { checkPriceSchedule, FREE_PRICES } from '../receipts/pricing/index.ts'
import { withModuleCache } from '../storage/index.ts'
import { defaultStoreDir, openSqliteStore } from '../storage/sqlite-store.node.ts'
import { logSettings, structuredLogger } from '../server/json-logger.ts'
import type { LogSettings } from '../server/json-logger.ts'
import { processRegistry, startMetricsServer } from '../server/metrics-http.ts'
import type { MetricsServer } from '../server/metrics-http.ts'

export const CONTRIBUTE_USAGE = `  zerostate contribute [--server URL | --relay-addr MULTIADDR ...] [--slots N] [--tags a,b]
                       [--price-fuel µ] [--price-second µ] [--price-mb µ] [--witness-rate R] [--dir DIR] [--json]
                       [--a2a] [--a2a-port N [--a2a-host H]] [--guild-invites] [--guild-step-price µ]
                       [--metrics-port N [--metrics-host H]] [--share-metrics] [--otlp-url URL] [--log-format json|text]
      Contribute this machine's CPU to the mesh as a Node peer: joins through the relays the app server
      names (default http://127.0.0.1:8080, or ZEROSTATE_SERVER) or those given, runs tasks for others in
      N worker threads (default 1) and signs their receipts. Prices in micro-units per million fuel, per
      second, per MiB (default free). It re-runs a share R (0–1) of the receipts others announce, as a
      witness (default: a tab's rates). Its identity, channels, receipts and tables persist in DIR (default
      ~/.zerostate, or ZEROSTATE_HOME); a second process on the same DIR is refused. Ctrl-C stops taking
      tasks, lets the running ones finish, then leaves.
      --a2a serves an A2A 1.0 agent over /zerostate/a2a/1.0.0: each message names a skill (a sample id or
      name@range) and runs as a task on the mesh, paid by this peer; --a2a-port N also serves it to outside
      A2A clients over HTTP JSON-RPC (POST /a2a, agent card at /.well-known/agent-card.json) on H (default
      127.0.0.1; 0: any free port). See docs/a2a-binding.md.
      --guild-invites signs the guild invitations other peers send it (it then runs the steps its guilds
      are awarded, paid by the Shapley split); --guild-step-price µ is what it bids a step for a guild it
      leads (without it, it bids for none). See docs/guild.md.
      --metrics-port N serves Prometheus /metrics, /healthz and /readyz over HTTP on H (default 127.0.0.1;
      0: any free port). Logs go to stderr: JSON lines (--log-format json, the default when stderr is not a
      terminal) or text; the level from ZEROSTATE_LOG_LEVEL (debug|info|warn|error, default info). See
      docs/metrics.md.
      --share-metrics publishes this peer's figures (tasks run by status, fuel, run times, µ earned and
      spent) every 30 s, signed, for the relays' /metrics; off by default.
      --otlp-url URL exports this peer's trace spans to an OTLP/HTTP collector (e.g.
      http://127.0.0.1:4318/v1/traces); none by default. See docs/tracing.md.`

/** Exit code for arguments the command cannot use. */
const EXIT_USAGE = 2

function count (name: string, value: string, min: number, max: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`)
  return n
}

/** Runs the command for `argv` (the words after "contribute") until it is stopped; resolves with the exit code. */
export async function contributeCommand (argv: string[], signals: NodeJS.EventEmitter = process): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        'relay-addr': { type: 'string', multiple: true, default: [] },
        slots: { type: 'string', default: '1' },
        tags: { type: 'string', default: '' },
        'price-fuel': { type: 'string', default: '0' },
        'price-second': { type: 'string', default: '0' },
        'price-mb': { type: 'string', default: '0' },
        'witness-rate': { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'boolean', default: false },
        a2a: { type: 'boolean', default: false },
        'a2a-port': { type: 'string' },
        'a2a-host': { type: 'string', default: '127.0.0.1' },
        'guild-invites': { type: 'boolean', default: false },
        'guild-step-price': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string', default: '127.0.0.1' },
        'share-metrics': { type: 'boolean', default: false },
        'otlp-url': { type: 'string' },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }))
  } catch (err) {
    console.error(`zerostate contribute: ${(err as Error).message}\n\nUsage:\n${CONTRIBUTE_USAGE}`)
    return EXIT_USAGE
  }
  if (values.help) {
    console.log(`Usage:\n${CONTRIBUTE_USAGE}`)
    return 0
  }
  let slots: number
  let a2aPort: number | undefined
  let prices = FREE_PRICES
  let witnessRates: { established: number, newcomer: number } | undefined
  let guildStepPrice: number | undefined
  let metricsPort: number | undefined
  let otlpUrl: string | undefined
  let logging: LogSettings
  try {
    slots = count('slots', values.slots, 1, 64)
    if (values['metrics-port'] !== undefined) metricsPort = count('metrics-port', values['metrics-port'], 0, 65_535)
    logging = logSettings({ env: process.env, format: values['log-format'], tty: process.stderr.isTTY })
    if (values['a2a-port'] !== undefined) a2aPort = count('a2a-port', values['a2a-port'], 0, 65_535)
    if (values['otlp-url'] !== undefined) otlpUrl = checkCollectorUrl(values['otlp-url'])
    if (values['guild-step-price'] !== undefined) guildStepPrice = count('guild-step-price', values['guild-step-price'], 0, Number.MAX_SAFE_INTEGER)
    if (values['witness-rate'] !== undefined) {
      const rate = Number(values['witness-rate'])
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`--witness-rate must be a share from 0 to 1, got "${values['witness-rate']}"`)
      witnessRates = { established: rate, newcomer: rate }
    }
    prices = checkPriceSchedule({
      perMegaFuel: count('price-fuel', values['price-fuel'], 0, Number.MAX_SAFE_INTEGER),
      perSecond: count('price-second', values['price-second'], 0, Number.MAX_SAFE_INTEGER),
      perMb: count('price-mb', values['price-mb'], 0, Number.MAX_SAFE_INTEGER)
    })
  } catch (err) {
    console.error(`zerostate contribute: ${(err as Error).message}`)
    return EXIT_USAGE
  }
  const json = values.json
  const say = (event: Record<string, unknown>, text: string): void => { console.log(json ? JSON.stringify(event) : text) }
  const relayAddrs = values['relay-addr']
  const server = relayAddrs.length > 0 ? undefined : values.server ?? process.env.ZEROSTATE_SERVER ?? 'http://127.0.0.1:8080'
  const logger = structuredLogger('contribute', logging)
  const dir = values.dir ?? defaultStoreDir()
  // Identity, channels, receipts, Q-table and reputation live here across restarts; a second process on it is refused.
  const store = await openSqliteStore<ZeroStateRecords>(dir).catch((err: unknown) => {
    console.error(`zerostate contribute: ${err instanceof Error ? err.message : String(err)}`)
    return undefined
  })
  if (store === undefined) return 1
  // Served from before the peer joins, so that /healthz answers while it does and /readyz says it is joining.
  let metricsServer: MetricsServer | undefined
  let metrics: NodePeerMetrics | undefined
  // The peer's own figures and libp2p's, through the core Metrics port (the names a tab's Metrics view charts).
  let portMetrics: PromMetrics | undefined
  const readiness: { state: 'joining' | 'online' | 'stopping' } = { state: 'joining' }
  if (metricsPort !== undefined) {
    const registry = processRegistry()
    metrics = new NodePeerMetrics(registry)
    portMetrics = new PromMetrics(registry)
    try {
      metricsServer = await startMetricsServer({
        host: values['metrics-host'],
        port: metricsPort,
        registry,
        ready: () => readiness.state === 'online' ? { ready: true } : { ready: false, reason: readiness.state === 'joining' ? 'joining the mesh' : 'stopping' }
      })
    } catch (err) {
      console.error(`zerostate contribute: serving metrics: ${err instanceof Error ? err.message : String(err)}`)
      store.close()
      return 1
    }
  }
  const peerStore = withModuleCache(store)
  const peer = await startNodePeer({
    ...(server === undefined ? { relayAddrs } : { server }),
    store: peerStore,
    slots,
    tags: values.tags.split(',').map(tag => tag.trim()).filter(tag => tag !== ''),
    prices,
    ...(witnessRates === undefined ? {} : { witnessRates }),
    guilds: { acceptInvites: values['guild-invites'], ...(guildStepPrice === undefined ? {} : { stepPrice: guildStepPrice }) },
    logger,
    ...(portMetrics === undefined ? {} : { metrics: portMetrics }),
    shareMetrics: values['share-metrics'],
    ...(otlpUrl === undefined ? {} : { otlpUrl }),
    onNotice: message => { say({ event: 'notice', message }, `notice: ${message}`) },
    onExecuted: task => {
      const { receipt } = task
      metrics?.observeReceipt(receipt)
      say({ event: 'executed', taskId: receipt.taskId, submitter: receipt.submitter, status: receipt.status, fuel: receipt.fuelUsed, charge: receipt.price.charge },
        `ran ${receipt.taskId} for …${receipt.submitter.slice(-8)}: ${receipt.status}, ${receipt.fuelUsed} fuel, ${receipt.price.charge} µ`)
    }
  }).catch((err: unknown) => {
    console.error(`zerostate contribute: ${err instanceof Error ? err.message : String(err)}`)
    store.close()
    return undefined
  })
  if (peer === undefined) {
    await metricsServer?.stop()
    return 1
  }
  metrics?.watch(peer)
  portMetrics?.beforeScrape(() => { peer.peer.metrics.collect() })
  let bridge: A2AHttpBridge | undefined
  if (values.a2a || a2aPort !== undefined) {
    try {
      bridge = await serveA2A(peer, { server, store: peerStore, ...(a2aPort === undefined ? {} : { port: a2aPort, host: values['a2a-host'] }) })
    } catch (err) {
      console.error(`zerostate contribute: serving A2A: ${err instanceof Error ? err.message : String(err)}`)
      await peer.stop({ drainMs: 0 })
      await metricsServer?.stop()
      return 1
    }
  }
  readiness.state = 'online'
  logger.info('contributing', { peerId: peer.peerId, relays: peer.relayAddrs, slots, ...(metricsServer === undefined ? {} : { metrics: `${metricsServer.url}/metrics` }) })
  const metricsUrl = metricsServer === undefined ? undefined : `${metricsServer.url}/metrics`
  say({
    event: 'online',
    peerId: peer.peerId,
    relays: peer.relayAddrs,
    slots,
    dir,
    ...(bridge === undefined ? {} : { a2a: bridge.endpoint }),
    ...(metricsUrl === undefined ? {} : { metrics: metricsUrl })
  },
  `contributing ${slots} slot${slots === 1 ? '' : 's'} as ${peer.peerId} (state in ${dir})\nvia ${peer.relayAddrs.join(', ')}\n` +
    (bridge === undefined ? '' : `A2A: ${bridge.endpoint} (agent card at ${bridge.url}/.well-known/agent-card.json)\n`) +
    (metricsUrl === undefined ? '' : `metrics: ${metricsUrl}\n`) + 'Ctrl-C to stop')
  await new Promise<void>(resolve => {
    const stop = (signal: string): void => {
      readiness.state = 'stopping'
      const { running, queued } = peer.load()
      say({ event: 'stopping', signal, running, queued }, `stopping (${signal}): no new tasks; waiting for ${running} running and ${queued} queued (at most ${DEFAULT_DRAIN_MS / 1000} s)`)
      ;(bridge?.close() ?? Promise.resolve()).then(async () => { await peer.stop() }).then(resolve, err => {
        console.error(`zerostate contribute: stopping: ${err instanceof Error ? err.message : String(err)}`)
        resolve()
      })
    }
    signals.once('SIGINT', () => { stop('SIGINT') })
    signals.once('SIGTERM', () => { stop('SIGTERM') })
  })
  await metricsServer?.stop()
  logger.info('stopped')
  say({ event: 'stopped' }, 'stopped')
  return 0
}

/**
 * Serves this peer's A2A agent (docs/a2a-binding.md): over /zerostate/a2a/1.0.0,
 * and over HTTP JSON-RPC when a port is given. Its skills are the app server's samples.
 */
async function serveA2A (peer: NodePeer, options: { server: string | undefined, store: ZeroStateStore, port?: number, host?: string }): Promise<A2AHttpBridge | undefined> {
  const samples = options.server === undefined
    ? []
    : await fetch(new URL('samples/samples.json', options.server)).then(async response => response.ok ? await response.json() as SampleTask[] : [])
  const { store } = options
  await peer.peer.serveA2A(meshA2AAgent({
    peer: peer.peer,
    store,
    identity: peer.identity,
    fetchModule: nodeModuleFetch(options.server),
    remember: async record => { await store.addReceipt(record) },
    agents: peer.peer.agents
  }, { samples }))
  if (options.port === undefined) return undefined
  const bridge = await startA2AHttpBridge({
    server: peer.peer.a2a.server,
    host: options.host ?? '127.0.0.1',
    port: options.port,
    card: jsonRpcUrl => a2aAgentCard({
      name: `ZeroState peer …${peer.peerId.slice(-8)}`,
      description: 'Runs sandboxed WebAssembly (WASI) workloads on the ZeroState compute mesh; every result comes with an Ed25519-signed receipt.',
      version: '0.1.0',
      jsonRpcUrl,
      peerId: peer.peerId,
      samples
    })
  })
  // A loopback or wildcard address is of no use to another machine: the signed card declares only one others can reach.
  if (reachableFromElsewhere(options.host ?? '127.0.0.1')) {
    await peer.peer.declareA2AInterfaces([{ url: bridge.endpoint, protocolBinding: A2A_JSONRPC_BINDING, protocolVersion: A2A_PROTOCOL_VERSION }])
  }
  return bridge
}

function reachableFromElsewhere (host: string): boolean {
  return !(host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '0.0.0.0' || host === '::')
}
