#!/usr/bin/env -S node --experimental-transform-types --disable-warning=ExperimentalWarning
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { consoleLogger } from '../core/index.ts'
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
const { VERIFY_WORKFLOW_USAGE } = await import('./verify-workflow.ts')
const { CONTRIBUTE_USAGE } = await import('./contribute.ts')
const { RECEIPT_USAGE } = await import('./receipt.ts')
const { MESH_USAGE } = await import('./mesh-commands.ts')
const { AGENT_USAGE } = await import('./agent.ts')

const USAGE = `Usage:
  zerostate [serve] [--host H] [--port P] [--relay-port R] [--relays N] [--relay-addr MULTIADDR ...]
      Run N relays (default 1) and serve the built app (dist/) with their addresses.
  zerostate relay [--host H] [--relay-port R]
      Run one more relay; prints its multiaddr to pass to 'serve --relay-addr'.
${CONTRIBUTE_USAGE}
${MESH_USAGE}
${AGENT_USAGE}
${RUN_USAGE}
${RECEIPT_USAGE}
${(await import('./split.ts')).SPLIT_USAGE}
${VERIFY_WORKFLOW_USAGE}

Environment: ZEROSTATE_HOST (127.0.0.1), ZEROSTATE_PORT (8080), ZEROSTATE_RELAY_PORT (9090),
ZEROSTATE_RELAYS (1). Flags win over the environment.`

const env = process.env
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: env.ZEROSTATE_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: env.ZEROSTATE_PORT ?? '8080' },
    'relay-port': { type: 'string', default: env.ZEROSTATE_RELAY_PORT ?? '9090' },
    relays: { type: 'string', default: env.ZEROSTATE_RELAYS ?? '1' },
    'relay-addr': { type: 'string', multiple: true, default: [] },
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
  if (command === 'relay') {
    const relay = await startRelay({ host: values.host, port: port('relay-port', values['relay-port']), logger: consoleLogger('relay') })
    console.log(`relay listening on\n  ${relay.multiaddrs.join('\n  ')}`)
    onExit(relay.stop)
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
  const mesh = await startMesh({
    root,
    host: values.host,
    port: port('port', values.port),
    relayPort: port('relay-port', values['relay-port']),
    relays,
    extraRelayAddrs: values['relay-addr'],
    keyDir: join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.zerostate'),
    logger: consoleLogger('relay')
  })
  console.log(`relays:\n  ${mesh.relayAddrs.join('\n  ')}`)
  console.log(`\nZeroState is running. Open ${mesh.url} in two tabs (or two browsers).`)
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
