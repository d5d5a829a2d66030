/**
 * Mesh figures through a real relay on 127.0.0.1: real libp2p peers publish
 * signed figures (through the peer layer's publisher), the relay checks them
 * before forwarding — signature and sender, sequence, rate — and its
 * /metrics (RelayMetrics) exposes their sums, parsed as Prometheus does. Then
 * the Node peer's Metrics port on prom-client: a real scrape holds the peer's
 * zerostate_* figures and libp2p's libp2p_* ones.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from '@libp2p/interface'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToBase64Url, utf8ToBytes } from '../../../src/core/index.ts'
import { libp2pMetrics } from '../../../src/network/libp2p-metrics.ts'
import { meshFiguresPublisher } from '../../../src/peer/mesh-figures.ts'
import { PeerMetrics } from '../../../src/peer/peer-metrics.ts'
import { PromMetrics } from '../../../src/peer/prom-metrics.node.ts'
import { MESH_FIGURES_PER_WINDOW, MESH_FIGURES_TOPIC, MeshFiguresTally, signMeshFigures } from '../../../src/receipts/mesh-figures/index.ts'
import { RECEIPT_STATUSES } from '../../../src/receipts/index.ts'
import { processRegistry } from '../../../src/server/metrics-http.ts'
import { RelayMetrics } from '../../../src/server/relay-metrics.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { signedExample, signedWith } from '../receipts/fixtures.ts'
import { histogramCount, scrapeRegistry, valueOf } from './metrics-exposition.ts'
import { startGossipPeer, waitFor } from './relay-peers.ts'
import type { GossipPeer } from './relay-peers.ts'

describe('mesh figures through a real relay', () => {
  let relay: Relay
  let registry: Registry
  const peers: GossipPeer[] = []
  const accepted = (): number => relay.stats().gossip.accepted[MESH_FIGURES_TOPIC] ?? 0
  const dropped = (reason: string): number => (relay.stats().gossip.dropped[MESH_FIGURES_TOPIC] as Record<string, number> | undefined)?.[reason] ?? 0

  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    registry = processRegistry()
    new RelayMetrics(registry).track(relay)
    for (let i = 0; i < 3; i++) {
      const peer = await startGossipPeer(relay.multiaddrs[0] as string, [])
      peers.push(peer)
      await waitFor(() => peer.services.pubsub.getSubscribers(MESH_FIGURES_TOPIC).some(id => id.equals(relay.node.peerId)), 5000,
        'the peer to see the relay subscribed to the mesh figures')
    }
  }, 30_000)

  afterAll(async () => {
    await Promise.all(peers.map(async peer => { await peer.stop() }))
    await relay?.stop()
  })

  it('exposes zeros before any peer reports', async () => {
    const s = await scrapeRegistry(registry)
    for (const status of RECEIPT_STATUSES) expect(valueOf(s, 'zerostate_mesh_tasks_executed_total', { status })).toBe(0)
    expect(valueOf(s, 'zerostate_mesh_reporting_peers')).toBe(0)
    expect(valueOf(s, 'zerostate_mesh_fuel_total')).toBe(0)
    expect(s.families.get('zerostate_mesh_task_duration_seconds')?.type).toBe('HISTOGRAM')
    expect(s.families.get('zerostate_mesh_earned_micro_total')?.type).toBe('COUNTER')
  })

  it('sums what peers publish, refuses forged figures and replays, and holds a peer to its rate', async () => {
    const [a, b, mallory] = peers as [GossipPeer, GossipPeer, GossipPeer]
    const ok = await signedExample()
    const exit = await signedWith({ status: 'exit', exitCode: 3, durationMs: 1500, fuelUsed: 2_000_000 })
    const tallyA = new MeshFiguresTally()
    tallyA.executed(ok)
    tallyA.executed(exit)
    tallyA.submitted(undefined)
    const tallyB = new MeshFiguresTally()
    tallyB.executed(ok)
    const publisherA = meshFiguresPublisher({})({ identity: a.identity, pubsub: a.services.pubsub, tally: tallyA })
    const publisherB = meshFiguresPublisher({})({ identity: b.identity, pubsub: b.services.pubsub, tally: tallyB })
    await publisherA.publish()
    await publisherB.publish()
    await waitFor(() => accepted() === 2, 5000, 'the relay to take both reports')

    // Figures signed by one peer and sent by another: forged, whoever signed them.
    const stolen = await publisherA.publish()
    await waitFor(() => accepted() === 3, 5000, 'the relay to take A\'s second report')
    await mallory.services.pubsub.publish(MESH_FIGURES_TOPIC, utf8ToBytes(JSON.stringify(stolen)))
    await waitFor(() => dropped('forged') === 1, 5000, 'the relay to drop the forwarded report as forged')
    // A's own older report again, as a new gossip message: a replay.
    const replay = await signMeshFigures({
      ...tallyA.counters(), peerId: a.identity.peerId.toString(), publicKey: bytesToBase64Url(a.identity.publicKey),
      since: stolen.since, seq: 0, at: Date.now(), periodMs: stolen.periodMs
    }, a.identity)
    await a.services.pubsub.publish(MESH_FIGURES_TOPIC, utf8ToBytes(JSON.stringify(replay)))
    await waitFor(() => dropped('stale') === 1, 5000, 'the relay to drop the replay')

    const s = await scrapeRegistry(registry)
    expect(valueOf(s, 'zerostate_mesh_tasks_executed_total', { status: 'ok' })).toBe(2)
    expect(valueOf(s, 'zerostate_mesh_tasks_executed_total', { status: 'exit' })).toBe(1)
    expect(valueOf(s, 'zerostate_mesh_fuel_total')).toBe(2 * 48_213 + 2_000_000)
    expect(valueOf(s, 'zerostate_mesh_earned_micro_total')).toBe(2 * ok.price.charge + exit.price.charge)
    expect(valueOf(s, 'zerostate_mesh_tasks_submitted_total')).toBe(1)
    expect(valueOf(s, 'zerostate_mesh_tasks_failed_total')).toBe(1)
    expect(valueOf(s, 'zerostate_mesh_reporting_peers')).toBe(2)
    expect(await histogramCount(registry, 'zerostate_mesh_task_duration_seconds')).toBe(3)
    const family = s.families.get('zerostate_mesh_task_duration_seconds')
    expect(family?.metrics[0]?.buckets?.['0.05']).toBe('2')
    expect(family?.metrics[0]?.buckets?.['2.5']).toBe('3')
    expect(valueOf(s, 'zerostate_relay_gossip_accepted_messages_total', { topic: MESH_FIGURES_TOPIC })).toBe(3)

    // B publishes past its rate: the relay forwards MESH_FIGURES_PER_WINDOW a window, and takes no more.
    for (let i = 0; i < MESH_FIGURES_PER_WINDOW + 2; i++) await publisherB.publish()
    await waitFor(() => dropped('rate') >= 1, 5000, 'the relay to hold B to its rate')
    expect(accepted()).toBe(3 + MESH_FIGURES_PER_WINDOW - 1)
    // Nothing went backwards.
    const after = await scrapeRegistry(registry)
    expect(valueOf(after, 'zerostate_mesh_tasks_executed_total', { status: 'ok' })).toBe(2)
  }, 30_000)
})

describe('a Node peer\'s Metrics port on prom-client (PromMetrics)', () => {
  let relay: Relay
  let node: Libp2p | undefined

  beforeAll(async () => { relay = await startRelay({ host: '127.0.0.1', port: 0 }) }, 20_000)
  afterAll(async () => {
    await node?.stop()
    await relay?.stop()
  })

  it('serves the peer\'s zerostate_* figures and libp2p\'s libp2p_* ones, read at the scrape', async () => {
    const registry = new Registry()
    const metrics = new PromMetrics(registry)
    const peer = new PeerMetrics(metrics)
    let slots = 3
    peer.observe({ peers: () => [], workers: () => ({ slots, running: 1, queued: 0 }) })
    metrics.beforeScrape(() => { peer.collect() })
    node = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
      metrics: libp2pMetrics({ metrics, intervalMs: 100 })
    })
    await node.dial(multiaddr(relay.multiaddrs[0] as string))
    peer.submitted(0.2, { receipt: await signedExample() } as Parameters<PeerMetrics['submitted']>[1])

    let s = await scrapeRegistry(registry)
    for (const end = Date.now() + 5000; (valueOf(s, 'libp2p_connections', { transport: 'websocket' }) ?? 0) < 1;) {
      if (Date.now() > end) throw new Error('libp2p_connections never showed the connection to the relay')
      await new Promise(resolve => setTimeout(resolve, 100))
      s = await scrapeRegistry(registry)
    }
    expect(valueOf(s, 'zerostate_tasks_submitted_total', { outcome: 'ok' })).toBe(1)
    expect(valueOf(s, 'zerostate_fuel_total', { role: 'submitter' })).toBe(48_213)
    expect(valueOf(s, 'zerostate_worker_slots')).toBe(3)
    expect(valueOf(s, 'zerostate_worker_slots_busy')).toBe(1)
    expect(await histogramCount(registry, 'zerostate_task_round_trip_seconds')).toBe(1)
    expect([...s.families.keys()].some(name => name.startsWith('libp2p_data_transfer_bytes'))).toBe(true)
    // Levels are read at each scrape.
    slots = 5
    expect(valueOf(await scrapeRegistry(registry), 'zerostate_worker_slots')).toBe(5)
    // The port's own rules: the same registration gives the same metric, another is refused.
    expect(() => metrics.counter('zerostate_tasks_submitted_total', { help: 'x', labels: ['other'] })).toThrow(expect.objectContaining({ name: 'InvalidMetricError' }))
    expect(() => metrics.counter('zerostate_tasks_submitted_total', { help: 'x', labels: ['outcome'] }).inc({ wrong: 'x' })).toThrow(expect.objectContaining({ name: 'InvalidMetricError' }))
  }, 30_000)
})
