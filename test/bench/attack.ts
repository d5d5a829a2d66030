/**
 * npm run bench:attack — the attacks of the README's security section, one
 * after the other, against one running mesh: a relay and the app server in
 * this process, tabs A and B in headless Chromium, B contributing 2 slots.
 *
 * Before the attacks (the baseline) and during each one, it measures:
 * - the probe: A runs samples/echo.wasm on B through window.zerostate.submit,
 *   back to back (100 ms apart) for as long as the attack lasts (at least 4 s);
 *   median and p99 of its latency, ms, and how many failed;
 * - tab A's frame intervals (requestAnimationFrame in the page): median and
 *   p99, ms;
 * - this process's peak RSS and heapUsed (relay, app server, the attackers'
 *   Node peers and Playwright's client all live here);
 * then whether the mesh still works afterwards (a probe succeeds, plus what
 * the attack was aimed at: the server answers, a newcomer gets in, …), and
 * one figure of the attack's own. Every load is bounded in count and time,
 * on 127.0.0.1 (in a loopback-only network namespace when it can make one).
 * Exits 1 only when the mesh stopped working.
 *
 * Usage: npm run bench:attack
 */
import { request } from 'node:http'
import type { Libp2p } from '@libp2p/interface'
import type { RPC } from '@libp2p/gossipsub/message'
import { createIdentity } from '../../src/crypto/identity.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import { AGENT_CARD_TOPIC } from '../../src/discovery/index.ts'
import { PRESENCE_TOPIC } from '../../src/network/presence/constants.ts'
import { encodePresence } from '../../src/network/presence/index.ts'
import type { Relay } from '../../src/server/relay.ts'
import { startHarness, waitForDirect } from '../e2e/harness.ts'
import type { Harness, Peer } from '../e2e/harness.ts'
import { signedRpcMessage, startGossipAttacker } from '../e2e/hostile-attacker.ts'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'
import { startTestNode } from '../support/libp2p-node.ts'
import { holdSilentSockets, startGossipPeer, startReservingPeer, waitFor, websocketUrl } from '../unit/server/relay-peers.ts'
import type { GossipPeer } from '../unit/server/relay-peers.ts'
import { connectWithin } from '../unit/server/relay-peers.ts'
import { agentCardBytes, sleep, startRelayGossipWriter, summarise } from './attack-peers.ts'
import type { Summary } from './attack-peers.ts'

if (canIsolateNetwork()) {
  // execArgv keeps --experimental-transform-types (protons' namespaces need it).
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename], process.cwd()))
}

/** Each phase lasts at least this long, so that it has enough probes and frames. */
const MIN_PHASE_MS = 4000
const BASELINE_MS = 6000
const PROBE_GAP_MS = 100
/**
 * Quiet time before each phase, so that one attack's tail is not measured as
 * the next one's: the silent websockets' reconnects (about 20 a second) spend
 * 127.0.0.1's 20 new connections a second, and refuse whatever connects in the
 * same second — the next phase's first peers included.
 */
const SETTLE_MS = 2000
/** A probe's task timeout; a phase's probe loop also stops this long after its attack ended. */
const PROBE_TIMEOUT_MS = 10_000
/** After an attack, how long the mesh has to run a probe again before it counts as stopped. */
const RECOVERY_MS = 30_000
const MALFORMED_PATHS = ['/%', '/%zz', '/%ff', '/%E0%A4%A', '/samples/%c0%af']
const MALFORMED_ROUNDS = 20
const SILENT_SOCKETS = 40
const SILENT_HOLD_MS = 10_000
const CHURN_IDENTITIES = 50
const CHURN_CONCURRENCY = 5
const PRESENCE_PEERS = 16
const FAKES = 8
const FAKE_ADDRS = 16
const PRESENCE_FLOOD_MS = 10_000
const CARD_IDENTITIES = 100
const CARD_ROUNDS = 20
const CARDS_PER_FRAME = 50
const BURST = 100

interface Outcome {
  /** The attack's own figure, for the table. */
  figure: string
  /** False when what the attack was aimed at stopped working (the server, newcomers, gossip, the burst). */
  ok: boolean
  /** More detail, printed under the table. */
  detail?: string
}

interface Row {
  name: string
  probe: Summary
  probeFailures: number
  frames: Summary
  rssMiB: number
  heapMiB: number
  /** A probe ran after the attack, and the attack's own check passed. */
  meshOk: boolean
  outcome: Outcome
}

const mib = (bytes: number): number => bytes / 2 ** 20

const harness: Harness = await startHarness()
let exitCode = 0
try {
  const relay: Relay = harness.mesh.relays[0]!
  const relayAddr = harness.mesh.relayAddrs[0]!
  const b = await harness.openPeer()
  const a = await harness.openPeer()
  await b.page.evaluate(async () => { await window.zerostate.contribute(true, 2) })
  await waitForDirect(a.page, b.peerId)
  await a.page.waitForFunction((id) => window.zerostate.peers().some(p => p.peerId === id && p.contributing), b.peerId, { timeout: 30_000, polling: 200 })
  console.log(`A ${a.peerId.slice(-6)} → B ${b.peerId.slice(-6)}: ${(await transportsTo(a, b.peerId)).join(', ')}; B contributes 2 slots`)

  // Tab A keeps the echo module, and records every frame interval until it is read.
  await a.page.evaluate(async () => {
    const w = window as unknown as { echoModule: Uint8Array, frameIntervals: number[] }
    w.echoModule = new Uint8Array(await (await fetch('samples/echo.wasm')).arrayBuffer())
    w.frameIntervals = []
    let last: number | undefined
    const tick = (t: number): void => {
      if (last !== undefined) w.frameIntervals.push(t - last)
      last = t
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })

  /** One probe: A runs echo.wasm on B; its latency in ms, or the error. */
  const probe = async (): Promise<{ ms: number } | { error: string }> => a.page.evaluate(async ({ executor, timeoutMs }) => {
    const w = window as unknown as { echoModule: Uint8Array }
    const started = performance.now()
    try {
      const r = await window.zerostate.submit({ module: w.echoModule, stdin: 'probe', executor, timeoutMs, witnesses: false })
      const out = new TextDecoder().decode(r.stdout)
      return out === 'probe' ? { ms: performance.now() - started } : { error: `wrong output ${JSON.stringify(out)}` }
    } catch (err) {
      return { error: `${(err as Error).name}: ${(err as Error).message}` }
    }
  }, { executor: b.peerId, timeoutMs: PROBE_TIMEOUT_MS })

  const takeFrames = async (): Promise<number[]> => a.page.evaluate(() => {
    const w = window as unknown as { frameIntervals: number[] }
    return w.frameIntervals.splice(0)
  })

  /** Whether a probe succeeds within RECOVERY_MS. */
  const meshWorks = async (): Promise<boolean> => {
    for (const end = Date.now() + RECOVERY_MS; Date.now() < end;) {
      if ('ms' in await probe()) return true
      await sleep(1000)
    }
    return false
  }

  /** Runs `attack` while probing, sampling A's frames and this process's memory. */
  const phase = async (name: string, attack: () => Promise<Outcome>, minMs = MIN_PHASE_MS): Promise<Row> => {
    await sleep(SETTLE_MS)
    await takeFrames()
    let rss = process.memoryUsage().rss
    let heap = process.memoryUsage().heapUsed
    const memory = setInterval(() => {
      const m = process.memoryUsage()
      rss = Math.max(rss, m.rss)
      heap = Math.max(heap, m.heapUsed)
    }, 200)
    const started = Date.now()
    const state = { done: false }
    // Never rejects: an attack that throws is reported, not fatal.
    const attacked = attack().catch((err: unknown): Outcome => ({ figure: `attack failed: ${String(err)}`, ok: false })).finally(() => { state.done = true })
    const latencies: number[] = []
    const errors: string[] = []
    while (!state.done || Date.now() - started < minMs) {
      const r = await probe()
      if ('ms' in r) latencies.push(r.ms)
      else errors.push(r.error)
      await sleep(PROBE_GAP_MS)
    }
    const outcome = await attacked
    clearInterval(memory)
    const frames = summarise(await takeFrames())
    const meshOk = await meshWorks() && outcome.ok
    if (errors.length > 0) outcome.detail = `${outcome.detail ?? ''}${outcome.detail == null ? '' : '; '}failed probes: ${[...new Set(errors)].slice(0, 3).join(' | ')}`
    const row: Row = { name, probe: summarise(latencies), probeFailures: errors.length, frames, rssMiB: mib(rss), heapMiB: mib(heap), meshOk, outcome }
    console.log(`${name}: probe median ${row.probe.median.toFixed(1)} ms (${row.probe.n} ok, ${errors.length} failed), A frame p99 ${frames.p99.toFixed(1)} ms, ` +
      `RSS ${row.rssMiB.toFixed(0)} MiB; ${outcome.figure}; mesh ${meshOk ? 'works' : 'STOPPED'}${outcome.detail == null ? '' : `\n    ${outcome.detail}`}`)
    return row
  }

  // Warm up: JIT, B's module cache, the first streams.
  for (let i = 0; i < 20; i++) await probe()
  await takeFrames()

  const rows: Row[] = []
  rows.push(await phase('baseline (no attack)', async () => {
    await sleep(BASELINE_MS)
    return { figure: '—', ok: true }
  }))

  rows.push(await phase('1 malformed URLs', async () => {
    const [host, port] = new URL(harness.mesh.url).host.split(':') as [string, string]
    const statuses = new Map<string, number>()
    for (let i = 0; i < MALFORMED_ROUNDS; i++) {
      for (const path of MALFORMED_PATHS) {
        const status = await httpStatus(host, Number(port), path)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
    }
    const home = await httpStatus(host, Number(port), '/')
    const counts = [...statuses].map(([s, n]) => `${s}×${n}`).join(' ')
    return { figure: `${MALFORMED_PATHS.length * MALFORMED_ROUNDS} bad paths: ${counts}; then GET / ${home}`, ok: home === '200' }
  }))

  rows.push(await phase(`2 ${SILENT_SOCKETS} silent websockets`, async () => {
    const started = Date.now()
    // One every 100 ms, each reopened 1 s after the relay closes it: at most 200 sockets in at most 12 s.
    const attack = holdSilentSockets(websocketUrl(relayAddr), { count: SILENT_SOCKETS, spacingMs: 100, reopenDelayMs: 1000, maxOpens: 200, maxMs: SILENT_HOLD_MS + 2000 })
    let newcomer: Libp2p | undefined
    try {
      await waitFor(() => attack.opened >= SILENT_SOCKETS, 8000, `${SILENT_SOCKETS} silent websockets`)
      newcomer = await startTestNode({ listen: false })
      // undefined: it never got in within the deadline.
      const elapsed = await connectWithin(newcomer, relayAddr, 5000).catch(() => undefined)
      const { pendingConnections, evictedPending } = relay.stats()
      await sleep(Math.max(0, SILENT_HOLD_MS - (Date.now() - started)))
      return {
        figure: elapsed === undefined ? 'new Node peer NOT connected within 5 s' : `new Node peer connected in ${elapsed.toFixed(0)} ms`,
        ok: elapsed !== undefined,
        detail: `attacker opened ${attack.opened} sockets; relay: ${pendingConnections} pending, ${evictedPending} evicted so far`
      }
    } finally {
      attack.stop()
      await newcomer?.stop()
    }
  }))

  rows.push(await phase(`3 reservation churn (${CHURN_IDENTITIES} ids)`, async () => {
    const before = relay.stats()
    let reserved = 0
    const failures: string[] = []
    const churnStarted = performance.now()
    for (let i = 0; i < CHURN_IDENTITIES; i += CHURN_CONCURRENCY) {
      await Promise.all(Array.from({ length: Math.min(CHURN_CONCURRENCY, CHURN_IDENTITIES - i) }, async () => {
        try {
          const peer = await startReservingPeer(relayAddr, 5000)
          reserved++
          await peer.stop()
        } catch (err) {
          const { pendingConnections, evictedPending, refusedConnections } = relay.stats()
          failures.push(`at ${((performance.now() - churnStarted) / 1000).toFixed(1)} s: ${firstLine(err)} (relay: ${pendingConnections} pending, ` +
            `${evictedPending} evicted, ${refusedConnections} refused)`)
        }
      }))
      // Within the relay's 20 new connections a second per address, which is not what is measured here.
      await sleep(300)
    }
    await waitFor(() => relay.stats().reservations <= before.reservations, 5000, 'the churned reservations to be released').catch(() => {})
    const after = relay.stats()
    // A newcomer tab: does it get a slot?
    const started = performance.now()
    const c = await harness.openPeer()
    let slotMs: number | undefined
    try {
      await c.page.waitForFunction(() => window.zerostate.stats().connectivity.reserved, undefined, { timeout: 20_000, polling: 100 })
      slotMs = performance.now() - started
    } catch {}
    await c.context.close()
    return {
      figure: `reservations ${before.reservations} → ${after.reservations}; new tab ${slotMs === undefined ? 'got NO slot in 20 s' : `had a slot in ${(slotMs / 1000).toFixed(1)} s`}`,
      ok: slotMs !== undefined,
      detail: `${reserved}/${CHURN_IDENTITIES} reserved and left; relay released ${after.releasedReservations - before.releasedReservations}, refused ${after.refusedReservations - before.refusedReservations}` +
        (failures.length > 0 ? `; failures: ${failures.join('; ')}` : '')
    }
  }))

  rows.push(await phase(`4 ${PRESENCE_PEERS} ids of 127.0.0.1 on presence`, async () => {
    const peers: GossipPeer[] = []
    try {
      for (let i = 0; i < PRESENCE_PEERS; i++) {
        peers.push(await startGossipPeer(relayAddr, [PRESENCE_TOPIC]))
        await sleep(100)
      }
      const relayId = relay.node.peerId
      await waitFor(() => peers.every(p => p.services.pubsub.getSubscribers(PRESENCE_TOPIC).some(id => id.equals(relayId))), 10_000,
        'every peer to see the relay subscribed')
      const [sender, ...others] = peers as [GossipPeer, ...GossipPeer[]]
      const heard = (peer: GossipPeer): boolean => peer.received.some(m => m.type === 'signed' && m.from.equals(sender.peerId))
      const started = performance.now()
      await sender.services.pubsub.publish(PRESENCE_TOPIC, encodePresence([], false, 0, Date.now()))
      await waitFor(() => others.every(heard), 10_000, 'all others to hear the announcement').catch(() => {})
      const elapsed = performance.now() - started
      const count = others.filter(heard).length
      return { figure: `${count}/${others.length} heard one announcement${count === others.length ? ` in ${elapsed.toFixed(0)} ms` : ' (10 s)'}`, ok: count === others.length }
    } finally {
      await Promise.all(peers.map(async p => { await p.stop() }))
    }
  }))

  rows.push(await phase(`5 fake presence flood (${FAKES}×${FAKE_ADDRS}/s)`, async () => {
    const before = (await a.page.evaluate(() => window.zerostate.stats())).mesh
    const attacker = await startGossipAttacker(relayAddr, a.peerId)
    let sent = 0
    try {
      const fakes = await Promise.all(Array.from({ length: FAKES }, async () => createIdentity()))
      const announcement = async (fake: PeerIdentity): Promise<RPC.Message> => {
        const addr = `${relayAddr}/p2p-circuit/webrtc/p2p/${fake.peerId.toString()}`
        return signedRpcMessage(fake, PRESENCE_TOPIC, encodePresence(Array.from({ length: FAKE_ADDRS }, () => addr), true, 4, Date.now()))
      }
      for (const end = Date.now() + PRESENCE_FLOOD_MS; Date.now() < end;) {
        // 8 announcements of 16 addresses are ~20 KiB: a fresh circuit every 5 s stays within the relay's 128 KiB.
        if (sent % (FAKES * 5) === 0) await attacker.fresh()
        await attacker.send(await Promise.all(fakes.map(announcement)))
        sent += fakes.length
        await sleep(1000)
      }
    } finally {
      await attacker.stop()
    }
    await sleep(1000)
    const after = (await a.page.evaluate(() => window.zerostate.stats())).mesh
    return {
      figure: `${sent} fake announcements; A's WebRTC dials +${after.webrtcDials - before.webrtcDials} (spent ${after.spent}/${after.budget})`,
      ok: true,
      detail: `A: probes failed +${after.probes.failed - before.probes.failed}, directory ${after.directory.size} (${after.directory.unproven} unproven)`
    }
  }))

  // Signed before the phase, so that signing does not weigh on what is measured.
  const cardIds = await Promise.all(Array.from({ length: CARD_IDENTITIES }, async () => createIdentity()))
  const signStarted = performance.now()
  const cardRounds: RPC.Message[][] = []
  for (let round = 0; round < CARD_ROUNDS; round++) {
    cardRounds.push(await Promise.all(cardIds.map(async id => signedRpcMessage(id, AGENT_CARD_TOPIC, await agentCardBytes(id, round + 1)))))
  }
  const signMs = performance.now() - signStarted
  const cardTotal = CARD_IDENTITIES * CARD_ROUNDS
  console.log(`signed ${cardTotal} Agent Cards of ${CARD_IDENTITIES} identities in ${(signMs / 1000).toFixed(1)} s`)

  rows.push(await phase(`6 Agent Card flood (${cardTotal} cards)`, async () => {
    const topicCounts = (): { accepted: number, dropped: Record<string, number> } => {
      const g = relay.stats().gossip
      return { accepted: g.accepted[AGENT_CARD_TOPIC] ?? 0, dropped: { ...g.dropped[AGENT_CARD_TOPIC] } }
    }
    const cardsOnA = async (): Promise<{ known: number, accepted: number, dropped: number }> => a.page.evaluate((topic) => {
      const t = window.zerostate.stats().gossip[topic]
      const sum = (c: Record<string, number> | undefined): number => Object.values(c ?? {}).reduce((x, y) => x + y, 0)
      return { known: window.zerostate.cards().length, accepted: t?.accepted ?? 0, dropped: sum(t?.rejected) + sum(t?.ignored) }
    }, AGENT_CARD_TOPIC)
    const before = topicCounts()
    const aBefore = await cardsOnA()
    const writer = await startRelayGossipWriter(relayAddr)
    const started = performance.now()
    let sent = 0
    try {
      for (const round of cardRounds) {
        const roundStarted = performance.now()
        for (let i = 0; i < round.length; i += CARDS_PER_FRAME) {
          await writer.send(round.slice(i, i + CARDS_PER_FRAME))
          sent += Math.min(CARDS_PER_FRAME, round.length - i)
        }
        await sleep(Math.max(0, 1000 - (performance.now() - roundStarted)))
      }
    } finally {
      await writer.stop()
    }
    const elapsed = performance.now() - started
    await sleep(1500)
    const after = topicCounts()
    const aAfter = await cardsOnA()
    const drops = Object.entries(after.dropped).map(([reason, n]) => [reason, n - (before.dropped[reason] ?? 0)] as const).filter(([, n]) => n > 0)
    return {
      figure: `${sent} cards in ${(elapsed / 1000).toFixed(1)} s; relay forwarded ${after.accepted - before.accepted}, dropped ${drops.map(([r, n]) => `${n} ${r}`).join(', ') || 'none'}`,
      ok: true,
      detail: `tab A: ${aAfter.accepted - aBefore.accepted} cards accepted, ${aAfter.dropped - aBefore.dropped} dropped, ${aAfter.known} cards known`
    }
  }))

  rows.push(await phase(`7 ${BURST} submits at once A → B`, async () => {
    const started = performance.now()
    const results = await a.page.evaluate(async ({ count, executor }) => {
      const w = window as unknown as { echoModule: Uint8Array }
      return Promise.all(Array.from({ length: count }, async (_, i) => {
        try {
          const r = await window.zerostate.submit({ module: w.echoModule, stdin: String(i), executor, witnesses: false })
          return new TextDecoder().decode(r.stdout) === String(i) ? 'ok' : 'wrong output'
        } catch (err) {
          return (err as Error).name
        }
      }))
    }, { count: BURST, executor: b.peerId })
    const elapsed = performance.now() - started
    const completed = results.filter(r => r === 'ok').length
    const failures = [...new Set(results.filter(r => r !== 'ok'))]
    return {
      figure: `${completed}/${BURST} completed in ${(elapsed / 1000).toFixed(1)} s`,
      ok: true,
      detail: failures.length > 0 ? `failed: ${failures.join(', ')}` : undefined
    }
  }))

  console.log(`\nA → B at the end: ${(await transportsTo(a, b.peerId)).join(', ')}`)
  printTable(rows)
  const baseline = rows[0]!
  console.log(`\nratios to the baseline (probe median, A frame p99): ${rows.slice(1).map(r =>
    `${r.name.split(' ')[0]}: ${(r.probe.median / baseline.probe.median).toFixed(2)}×, ${(r.frames.p99 / baseline.frames.p99).toFixed(2)}×`).join('; ')}`)
  const stopped = rows.filter(r => !r.meshOk)
  if (stopped.length > 0) {
    console.log(`\nthe mesh stopped working after: ${stopped.map(r => r.name).join(', ')}`)
    exitCode = 1
  } else {
    console.log('\nthe mesh worked after every attack')
  }
} finally {
  await harness.close()
}
process.exit(exitCode)

/** The first line of an error's text, what a table note has room for. */
function firstLine (err: unknown): string {
  return String(err).split('\n').find(line => line.trim() !== '' && !line.includes('Some configured addresses'))?.trim() ?? String(err)
}

async function transportsTo (from: Peer, peerId: string): Promise<string[]> {
  return from.page.evaluate((id) => window.zerostate.peers().find(p => p.peerId === id)?.transports ?? ['none'], peerId)
}

/** The status code of GET `path` sent as is (no normalisation), or the error's code. */
async function httpStatus (host: string, port: number, path: string): Promise<string> {
  return new Promise(resolve => {
    const req = request({ host, port, path, method: 'GET', timeout: 5000 }, res => {
      res.resume()
      resolve(String(res.statusCode))
    })
    req.on('timeout', () => { req.destroy(new Error('timeout')) })
    req.on('error', err => { resolve((err as NodeJS.ErrnoException).code ?? err.message) })
    req.end()
  })
}

function printTable (rows: Row[]): void {
  const header = ['attack', 'probe med', 'probe p99', 'failed', 'A frame med', 'A frame p99', 'RSS MiB', 'heap MiB', 'mesh after', 'figure']
  const cells = rows.map(r => [
    r.name, r.probe.median.toFixed(1), r.probe.p99.toFixed(1), String(r.probeFailures), r.frames.median.toFixed(1), r.frames.p99.toFixed(1),
    r.rssMiB.toFixed(0), r.heapMiB.toFixed(0), r.meshOk ? 'ok' : 'STOPPED', r.outcome.figure
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map(c => c[i]!.length)))
  const line = (c: string[]): string => c.map((x, i) => i === 0 || i === c.length - 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!)).join('  ').trimEnd()
  console.log('\nprobe = echo.wasm A → B, ms; A frame = requestAnimationFrame interval on tab A, ms; RSS/heap = peak of this process\n')
  console.log(line(header))
  for (const c of cells) console.log(line(c))
}
