#!/usr/bin/env -S node --experimental-transform-types --disable-warning=ExperimentalWarning
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { RUN_USAGE, runTaskCommand } from './run-task.ts'

// `run` has its own options; it is handled before the serve/relay parser, which would reject them.
if (process.argv[2] === 'run') process.exit(await runTaskCommand(process.argv.slice(3)))
// contribute runs a Node peer: libp2p and the protobuf codecs need --experimental-transform-types, as the relay does.
if (process.argv[2] === 'contribute') process.exit(await (await import('./contribute.ts')).contributeCommand(process.argv.slice(3)))
// receipt verify checks receipts and workflow records offline (and re-runs a task with --rerun).
if (process.argv[2] === 'receipt') process.exit(await (await import('./receipt.ts')).receiptCommand(process.argv.slice(3)))
// The mesh commands join the mesh as a Node peer through the SDK (connect.node.ts), each for as long as it runs.
if (['submit', 'job', 'workflow', 'peers', 'ledger'].includes(process.argv[2] ?? '')) {
  process.exit(await (await import('./mesh-commands.ts')).meshCommand(process.argv.slice(2)))
}
// verify-workflow loads the workflow spec code, which (like the relay below) needs --experimental-transform-types.
if (process.argv[2] === 'verify-workflow') process.exit(await (await import('./verify-workflow.ts')).verifyWorkflowCommand(process.argv.slice(3)))
// agent init|build|test|publish: the agent developer kit (publish joins the mesh through the SDK).
if (process.argv[2] === 'agent') process.exit(await (await import('./agent.ts')).agentCommand(process.argv.slice(3)))
if (process.argv[2] === 'split') process.exit(await (await import('./split.ts')).splitCommand(process.argv.slice(3))) // split verify: a Shapley split record, offline

// The relay and the server load only here: they decode protobuf with protons' generated code, whose
// TypeScript namespaces Node runs only with --experimental-transform-types (as the shebang and the npm
// scripts pass it), while `run` works under plain type stripping.
const { startRelay } = await import('../server/relay.ts')
const { startMesh } = await import('../server/mesh.ts')
const { processRegistry, startMetricsServer } = await import('../server/metrics-http.ts')
const { RelayMetrics } = await import('../server/relay-metrics.ts')
const { logSettings, structuredLogger } = await import('../server/json-logger.ts')
const { VERIFY_WORKFLOW_USAGE } = await import('./verify-workflow.ts')
const { CONTRIBUTE_USAGE } = await import('./contribute.ts')
const { RECEIPT_USAGE } = await import('./receipt.ts')
const { MESH_USAGE } = await import('./mesh-commands.ts')
const { AGENT_USAGE } = await import('./agent.ts')

const USAGE = `Usage:
  zerostate [serve] [--host H] [--port P] [--relay-port R] [--relays N] [--relay-addr MULTIADDR ...] [--log-format json|text]
      Run N relays (default 1) and serve the built app (dist/) with their addresses, and /metrics,
      /healthz, /readyz on the same port (docs/metrics.md). The relays peer with each other and with
      every --relay-addr, so that tabs on different relays hear each other.
  zerostate relay [--host H] [--relay-port R] [--peer-relay MULTIADDR ...] [--metrics-port N [--metrics-host H]] [--log-format json|text]
      Run one more relay; prints its multiaddr to pass to 'serve --relay-addr'. --peer-relay names a
      relay of the same mesh to peer with (repeatable; name the serve's relays, which peer back once
      given this one as --relay-addr). --metrics-port N serves its /metrics, /healthz and /readyz over
      HTTP on H (default 127.0.0.1; 0: any free port).
${CONTRIBUTE_USAGE}
${MESH_USAGE}
${AGENT_USAGE}
${RUN_USAGE}
${RECEIPT_USAGE}
${(await import('./split.ts')).SPLIT_USAGE}
${VERIFY_WORKFLOW_USAGE}

Environment: ZEROSTATE_HOST (127.0.0.1), ZEROSTATE_PORT (8080), ZEROSTATE_RELAY_PORT (9090),
ZEROSTATE_RELAYS (1). Flags win over the environment. Logs go to stderr: JSON lines (the default when
stderr is not a terminal, or --log-format json / ZEROSTATE_LOG_FORMAT=json) or text; ZEROSTATE_LOG_LEVEL
is debug, info (default), warn or error.`

const env = process.env
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: env.ZEROSTATE_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: env.ZEROSTATE_PORT ?? '8080' },
    'relay-port': { type: 'string', default: env.ZEROSTATE_RELAY_PORT ?? '9090' },
    relays: { type: 'string', default: env.ZEROSTATE_RELAYS ?? '1' },
    'relay-addr': { type: 'string', multiple: true, default: [] },
    'peer-relay': { type: 'string', multiple: true, default: [] },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string', default: '127.0.0.1' },
    'log-format': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

function port (name: string, value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new RangeError(`--${name} must be a port number (0–65535), got "${value}"`)
  }
  return n
}

async function main (): Promise<void> {
  const command = positionals[0] ?? 'serve'
  if (values.help) {
    console.log(USAGE)
    return
  }
  const logging = logSettings({ env, format: values['log-format'], tty: process.stderr.isTTY })
  if (command === 'relay') {
    const metricsPort = values['metrics-port'] === undefined ? undefined : port('metrics-port', values['metrics-port'])
    const log = structuredLogger('relay', logging)
    const relay = await startRelay({ host: values.host, port: port('relay-port', values['relay-port']), logger: log, peerRelays: values['peer-relay'] })
    console.log(`relay listening on\n  ${relay.multiaddrs.join('\n  ')}`)
    log.info('relay listening', { peerId: relay.node.peerId.toString(), multiaddrs: relay.multiaddrs, peerRelays: values['peer-relay'] })
    if (metricsPort === undefined) {
      onExit(relay.stop)
      return
    }
    const registry = processRegistry()
    const metrics = new RelayMetrics(registry)
    metrics.track(relay)
    const server = await startMetricsServer({ host: values['metrics-host'], port: metricsPort, registry, ready: () => metrics.readiness() })
      .catch(async (err: unknown) => { await relay.stop(); throw err })
    console.log(`metrics at ${server.url}/metrics`)
    log.info('metrics served', { url: `${server.url}/metrics` })
    onExit(async () => { await server.stop(); await relay.stop() })
    return
  }
  if (command !== 'serve') {
    throw new TypeError(`unknown command "${command}"\n\n${USAGE}`)
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist')
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`no built app at ${root}: run "npm run build" first (npm start does both)`)
  }
  const relays = Number(values.relays)
  if (!Number.isInteger(relays) || relays < 0 || relays > 16) {
    throw new RangeError(`--relays must be 0–16, got "${values.relays}"`)
  }
  const log = structuredLogger('serve', logging)
  const mesh = await startMesh({
    root,
    host: values.host,
    port: port('port', values.port),
    relayPort: port('relay-port', values['relay-port']),
    relays,
    extraRelayAddrs: values['relay-addr'],
    keyDir: join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.zerostate'),
    logger: log.child('relay')
  })
  console.log(`relays:\n  ${mesh.relayAddrs.join('\n  ')}`)
  console.log(`\nZeroState is running. Open ${mesh.url} in two tabs (or two browsers).`)
  console.log(`Metrics: ${mesh.url}metrics (health: ${mesh.url}healthz, readiness: ${mesh.url}readyz)`)
  log.info('serving the app', { url: mesh.url, relays: mesh.relayAddrs, metrics: `${mesh.url}metrics` })
  onExit(mesh.stop)
}

function onExit (stop: () => Promise<void>): void {
  const shutdown = (): void => {
    stop().then(() => process.exit(0), () => process.exit(1))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
