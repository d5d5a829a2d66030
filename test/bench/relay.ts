/**
 * npm run bench:relay — how many tabs one relay holds.
 *
 * One relay in a process of its own (relay-process.ts: production limits, the
 * per-address ones raised to the relay-wide ones since every simulated tab is
 * 127.0.0.1), and simulated tabs in this process: Node libp2p peers speaking to
 * the relay what a tab speaks to it — websockets, noise, yamux, identify, a
 * circuit relay v2 reservation, gossipsub on the presence topic — ramped in
 * steps (default 25, 50, 100, 200, 400, 560 tabs: the last past the relay's
 * 512 reservations). Per step it measures:
 * - connections the relay holds, reservations held, granted and refused;
 * - the time one presence announcement takes to reach the other tabs (50%,
 *   90%, all), and how many it reached within MARKER_TIMEOUT_MS;
 * - a presence round (P tabs announce once; every tab does every 5 s): the
 *   messages the relay took in and sent out, what share of the P·(N−1)
 *   deliveries happened within one presence interval, and the relay's CPU over
 *   it;
 * - the relay's RSS, heap and CPU.
 * Then a table and a one-line figure. Bounded in count (MAX_TABS) and time
 * (WALL_MS: a step that would start past it is skipped). Loopback only (in a
 * network namespace of its own when it can make one). Not a test: nothing is
 * asserted; it exits 1 only when the relay process fails.
 *
 * Usage: npm run bench:relay [-- --steps 25,50,100] [--relay-mesh N: the relay's gossipsub D = D_lo = D_hi = N]
 *        [--publishers N: tabs announcing in a round, default 20; with N = the tabs, `--steps 200 --publishers 200`, a round is the steady presence load]
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { parseArgs } from 'node:util'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import type { GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { createIdentity } from '../../src/crypto/identity.ts'
import { meshGossipsubInit } from '../../src/network/browser-node.ts'
import { PRESENCE_INTERVAL_MS, PRESENCE_TOPIC } from '../../src/network/presence/constants.ts'
import { encodePresence } from '../../src/network/presence/index.ts'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'
import type { RelayProcessMessage, RelaySample } from './relay-process.ts'

if (canIsolateNetwork()) {
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename, ...process.argv.slice(2)], process.cwd()))
}

const { values } = parseArgs({ options: { steps: { type: 'string', default: '25,50,100,200,400,560' }, 'relay-mesh': { type: 'string' }, publishers: { type: 'string', default: '20' } } })
/** Most simulated tabs, whatever --steps asks. */
const MAX_TABS = 1000
const STEPS = values.steps.split(',').map(Number).filter(n => Number.isInteger(n) && n > 0 && n <= MAX_TABS).sort((a, b) => a - b)
/** No step starts after this long. */
const WALL_MS = 180_000
/** Tabs opened at once. */
const BATCH = 20
/** How long the tabs of a step have to hold a reservation. */
const RESERVATION_WAIT_MS = 20_000
/** Gossipsub heartbeats for new peers' subscriptions and grafts to settle. */
const SETTLE_MS = 2500
/**
 * Tabs that announce in a presence round (--publishers, default 20). Every
 * simulated tab verifies the signature of every announcement it gets, all in
 * this one process: with all N announcing, up to N·(N−1) verifications
 * (160,000 at 400 tabs) starve this process — not the relay — and its
 * connections time out. Real tabs verify on their own machines. A fixed
 * sample keeps what is measured the relay's; `--steps 200 --publishers 200`
 * (about as far as this process keeps up on 2 cores) measures the steady load.
 */
const ROUND_PUBLISHERS = Math.min(MAX_TABS, Math.max(1, Number(values.publishers) || 20))
/** How long one announcement is followed. */
const MARKER_TIMEOUT_MS = 10_000
const MIB = 1024 * 1024
const HEADER = ['tabs', 'opened', 'conns', 'reserved', 'granted', 'refused', 'mesh', 'reach p50', 'p90', 'all', 'reached', 'round in', 'out', 'delivered', 'round CPU', 'RSS MiB', 'heap MiB', 'KiB/tab', 'relay CPU', 'open s']
const WIDTHS = HEADER.map(h => Math.max(h.length, 7))

interface Tab {
  node: Libp2p<{ pubsub: GossipSub }>
  /** Presence messages received (all through the relay: it is the tab's only connection). */
  received: number
  /** When it heard the followed announcement (performance.now()). */
  heardAt?: number
}

interface Row {
  tabs: number
  connections: number
  reserved: number
  granted: number
  refused: number
  marker: { p50?: number, p90?: number, all?: number, reached: number }
  /** Connections the relay held once the step's tabs were open (before any gossip). */
  connectionsOpened: number
  /** `cpuMicros`: the relay's CPU time over the round (validation, forwarding, heartbeats). */
  round: { publishers: number, in: number, out: number, deliveredShare: number, cpuMicros: number }
  meshPeers: number
  rssMiB: number
  heapMiB: number
  cpuShare: number
  openMs: number
}

const started = performance.now()
const relayProcess = fork(new URL('./relay-process.ts', import.meta.url), values['relay-mesh'] === undefined ? [] : [values['relay-mesh']], {
  execArgv: ['--experimental-transform-types', '--disable-warning=ExperimentalWarning'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc']
})
const ready = await nextMessage(relayProcess, 'ready', 30_000) as Extract<RelayProcessMessage, { type: 'ready' }>
const relayAddr = ready.addr
console.log(`relay ${relayAddr}\nrelay limits: ${JSON.stringify(ready.limits)} (per-address limits raised to these: every tab here is 127.0.0.1)\nrelay gossip mesh: ${ready.meshDegree}`)

const tabs: Tab[] = []
const rows: Row[] = []
/** The PeerId whose next announcement is being followed. */
let following: string | undefined
let exitCode = 0
/** The relay before any tab. */
let baseline: RelaySample | undefined

try {
  let previous = await sample()
  baseline = previous
  let previousAt = performance.now()
  for (const target of STEPS) {
    if (performance.now() - started > WALL_MS) {
      console.log(`(stopping before ${target} tabs: past ${WALL_MS / 1000} s)`)
      break
    }
    const openStarted = performance.now()
    while (tabs.length < target) {
      const batch = Math.min(BATCH, target - tabs.length)
      tabs.push(...await Promise.all(Array.from({ length: batch }, async () => openTab())))
    }
    const reservedBy = performance.now() + RESERVATION_WAIT_MS
    while (tabs.filter(reserved).length < tabs.length && performance.now() < reservedBy) await sleep(250)
    const openMs = performance.now() - openStarted
    await sleep(SETTLE_MS)
    const opened = await sample()

    const marker = await followOne()
    const round = await presenceRound()
    const now = await sample()
    const at = performance.now()
    const row: Row = {
      tabs: tabs.length,
      connections: now.stats.connections,
      reserved: now.stats.reservations,
      granted: now.stats.grantedReservations,
      refused: now.stats.refusedReservations + now.stats.refusedReservationsFull,
      marker,
      round,
      meshPeers: now.meshPeers[PRESENCE_TOPIC] ?? -1,
      rssMiB: now.rssBytes / MIB,
      heapMiB: now.heapUsedBytes / MIB,
      cpuShare: (now.cpuMicros - previous.cpuMicros) / 1000 / (at - previousAt),
      openMs,
      connectionsOpened: opened.stats.connections
    }
    rows.push(row)
    printRow(row, rows.length === 1)
    previous = now
    previousAt = at
  }
  printFigure(rows)
} catch (err) {
  console.error(err)
  exitCode = 1
} finally {
  for (let i = 0; i < tabs.length; i += BATCH) await Promise.all(tabs.slice(i, i + BATCH).map(async tab => { await Promise.resolve(tab.node.stop()).catch(() => {}) }))
  relayProcess.send({ type: 'stop' })
  await new Promise(resolve => { relayProcess.once('exit', resolve); setTimeout(resolve, 5000) })
  relayProcess.kill()
}
process.exit(exitCode)

/** A simulated tab: what a tab's libp2p node speaks to its relay (browser-node.ts, its gossipsub options too, without WebRTC, which only tabs speak to each other). */
async function openTab (): Promise<Tab> {
  const identity = await createIdentity()
  const node = await createLibp2p({
    privateKey: identity.privateKey,
    addresses: { listen: [`${relayAddr}/p2p-circuit`] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub(meshGossipsubInit())
    }
  }).catch(async () => {
    // A refused reservation fails the listen: the tab stays, connected and unreserved, as a real one would (until it redials).
    const fallback = await createLibp2p({
      privateKey: identity.privateKey,
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub(meshGossipsubInit()) }
    })
    await fallback.dial(multiaddr(relayAddr)).catch(() => {})
    return fallback
  })
  const tab: Tab = { node, received: 0 }
  node.services.pubsub.addEventListener('message', event => {
    if (event.detail.topic !== PRESENCE_TOPIC) return
    tab.received++
    if (following !== undefined && event.detail.type === 'signed' && event.detail.from.toString() === following) tab.heardAt ??= performance.now()
  })
  node.services.pubsub.subscribe(PRESENCE_TOPIC)
  return tab
}

function reserved (tab: Tab): boolean {
  return tab.node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))
}

async function announce (tab: Tab): Promise<void> {
  const addrs = tab.node.getMultiaddrs().map(ma => ma.toString()).filter(addr => addr.includes('/p2p-circuit'))
  await tab.node.services.pubsub.publish(PRESENCE_TOPIC, encodePresence(addrs, true, 1, Date.now())).catch(() => {})
}

/** One announcement of the first tab: how long until 50%, 90% and all of the others heard it. */
async function followOne (): Promise<Row['marker']> {
  const [first] = tabs
  if (first === undefined) return { reached: 0 }
  for (const tab of tabs) tab.heardAt = undefined
  following = first.node.peerId.toString()
  const others = tabs.length - 1
  const at = performance.now()
  await announce(first)
  const heard = (): number[] => tabs.flatMap(tab => tab.heardAt === undefined ? [] : [tab.heardAt - at])
  while (heard().length < others && performance.now() - at < MARKER_TIMEOUT_MS) await sleep(50)
  const delays = heard().sort((x, y) => x - y)
  following = undefined
  const quantile = (q: number): number | undefined => delays.length >= Math.ceil(q * others) && others > 0 ? delays[Math.ceil(q * others) - 1] : undefined
  return { p50: quantile(0.5), p90: quantile(0.9), all: delays.length === others ? delays.at(-1) : undefined, reached: delays.length }
}

/** ROUND_PUBLISHERS tabs (spread over the step's tabs) announce once; what the relay took in and passed on within one presence interval. */
async function presenceRound (): Promise<Row['round']> {
  const before = await sample()
  const receivedBefore = tabs.reduce((sum, tab) => sum + tab.received, 0)
  const stride = Math.max(1, Math.floor(tabs.length / ROUND_PUBLISHERS))
  const publishers = tabs.filter((_, i) => i % stride === 0).slice(0, ROUND_PUBLISHERS)
  for (let i = 0; i < publishers.length; i += BATCH) await Promise.all(publishers.slice(i, i + BATCH).map(announce))
  await sleep(PRESENCE_INTERVAL_MS)
  const after = await sample()
  const taken = (after.stats.gossip.accepted[PRESENCE_TOPIC] ?? 0) - (before.stats.gossip.accepted[PRESENCE_TOPIC] ?? 0)
  const out = tabs.reduce((sum, tab) => sum + tab.received, 0) - receivedBefore
  const possible = publishers.length * (tabs.length - 1)
  return { publishers: publishers.length, in: taken, out, deliveredShare: possible === 0 ? 1 : out / possible, cpuMicros: after.cpuMicros - before.cpuMicros }
}

async function sample (): Promise<RelaySample> {
  relayProcess.send({ type: 'sample' })
  const message = await nextMessage(relayProcess, 'sample', 10_000) as Extract<RelayProcessMessage, { type: 'sample' }>
  return message.sample
}

async function nextMessage (child: ChildProcess, type: RelayProcessMessage['type'], timeoutMs: number): Promise<RelayProcessMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: RelayProcessMessage): void => {
      if (message.type !== type) return
      done()
      resolve(message)
    }
    const onExit = (code: number | null): void => { done(); reject(new Error(`the relay process exited (${code})`)) }
    const timer = setTimeout(() => { done(); reject(new Error(`no ${type} from the relay process within ${timeoutMs} ms`)) }, timeoutMs)
    const done = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

function printRow (row: Row, header: boolean): void {
  const ms = (v: number | undefined): string => v === undefined ? '—' : `${v.toFixed(0)} ms`
  const perTab = perTabKiB(row)
  const cells = [
    String(row.tabs), String(row.connectionsOpened), String(row.connections), String(row.reserved), String(row.granted), String(row.refused), String(row.meshPeers),
    ms(row.marker.p50), ms(row.marker.p90), ms(row.marker.all), `${row.marker.reached}/${row.tabs - 1}`,
    String(row.round.in), String(row.round.out), `${(row.round.deliveredShare * 100).toFixed(0)}%`, `${(row.round.cpuMicros / 1000).toFixed(0)} ms`,
    row.rssMiB.toFixed(0), row.heapMiB.toFixed(0), perTab.toFixed(0), `${(row.cpuShare * 100).toFixed(0)}%`, (row.openMs / 1000).toFixed(1)
  ]
  if (header) {
    console.log('\nmesh = the relay\'s gossipsub mesh peers on the presence topic; reach = one announcement to the other tabs;')
    console.log(`opened = connections the relay held once the tabs were open, conns = at the step's end; round = ${ROUND_PUBLISHERS} tabs announce once: messages the relay took in,`)
    console.log(`presence messages the tabs got, share of the ${ROUND_PUBLISHERS}·(N−1) possible within ${PRESENCE_INTERVAL_MS / 1000} s, the relay's CPU time over those ${PRESENCE_INTERVAL_MS / 1000} s,`)
    console.log(`with --publishers equal to the tabs, a round is the steady presence load (every tab every ${PRESENCE_INTERVAL_MS / 1000} s);`)
    console.log(`KiB/tab = relay RSS added per tab since it held none (${((baseline?.rssBytes ?? 0) / MIB).toFixed(0)} MiB); relay CPU = its CPU time over the step's wall time\n`)
    console.log(HEADER.map((h, i) => h.padStart(WIDTHS[i] as number)).join(' '))
  }
  console.log(cells.map((c, i) => c.padStart(WIDTHS[i] as number)).join(' '))
}

/** Relay RSS added per tab since it held none, KiB. */
function perTabKiB (row: Row): number {
  return (row.rssMiB - (baseline?.rssBytes ?? 0) / MIB) * 1024 / row.tabs
}

function printFigure (done: Row[]): void {
  const held = done.filter(row => row.connections >= row.tabs && row.reserved >= row.tabs)
  const best = held.at(-1)
  const { maxReservations = 0, maxConnections = 0 } = ready.limits
  const capBinding = maxReservations < maxConnections
    ? `the reservation cap (${maxReservations}) binds before the connection cap (${maxConnections})`
    : `the connection cap (${maxConnections}) binds before the reservation cap (${maxReservations})`
  const refusedAt = done.find(row => row.refused > 0)
  const measured = refusedAt === undefined
    ? ''
    : ` (measured: with ${refusedAt.tabs} tabs it held ${refusedAt.connections} connections and ${refusedAt.reserved} reservations, refused ${refusedAt.refused})`
  console.log(`\n${capBinding}${measured}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`)
  if (best === undefined) {
    console.log('no step held all its tabs')
    return
  }
  const perTab = perTabKiB(best)
  console.log(`\none relay holds ${best.tabs} tabs (every one connected and reserved) in ${best.rssMiB.toFixed(0)} MiB RSS (about ${perTab.toFixed(0)} KiB a tab), ` +
    `${(best.cpuShare * 100).toFixed(0)}% of a core; its gossip mesh keeps ${best.meshPeers} of them, and one presence announcement reached ` +
    `${best.marker.reached}/${best.tabs - 1} of the others within ${MARKER_TIMEOUT_MS / 1000} s through the relay alone.`)
}
