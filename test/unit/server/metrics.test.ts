/**
 * The server's and the relays' metrics, scraped from real servers on
 * 127.0.0.1 and parsed as Prometheus does: a mesh (startMesh, one relay)
 * counts the HTTP requests it answers by route class, and its /metrics holds
 * the relay's connections, peers, reservations and gossip after real libp2p
 * peers connect, reserve and publish; /healthz and /readyz answer, /readyz 503
 * once a relay stops listening; every metric the Grafana dashboard queries is
 * in a scrape. A standalone relay's metrics server (`zerostate relay
 * --metrics-port`) is checked the same way.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_PRESENCE_MESSAGE_BYTES, PRESENCE_TOPIC } from '../../../src/network/presence/constants.ts'
import { encodePresence } from '../../../src/network/presence/index.ts'
import { startMesh } from '../../../src/server/mesh.ts'
import type { Mesh } from '../../../src/server/mesh.ts'
import { processRegistry, startMetricsServer } from '../../../src/server/metrics-http.ts'
import type { MetricsServer } from '../../../src/server/metrics-http.ts'
import { startRelay } from '../../../src/server/relay.ts'
import type { Relay } from '../../../src/server/relay.ts'
import { RelayMetrics } from '../../../src/server/relay-metrics.ts'
import { familyOf, histogramCount, httpRequest, scrape, scrapeRegistry, valueOf } from './metrics-exposition.ts'
import type { Scrape } from './metrics-exposition.ts'
import { startGossipPeer, startReservingPeer, waitFor } from './relay-peers.ts'

const EXPOSITION_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** Scrapes until `ready(scrape)` holds, 5 s at most: a request is counted when its response closes, a moment after the client has it. */
async function scrapeUntil (base: string, ready: (s: Scrape) => boolean, what: string): Promise<Scrape> {
  let last = await scrape(base)
  for (const end = Date.now() + 5000; !ready(last);) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} in /metrics`)
    await new Promise(resolve => setTimeout(resolve, 50))
    last = await scrape(base)
  }
  return last
}

describe('metrics of a mesh: the app server and its relay', () => {
  let root: string
  let mesh: Mesh
  let relayId: string
  const peers: Libp2p[] = []

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'zerostate-metrics-'))
    await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title>')
    await mkdir(join(root, 'samples'))
    await writeFile(join(root, 'samples', 'samples.json'), '[]')
    await mkdir(join(root, 'assets'))
    await writeFile(join(root, 'assets', 'app-0123abcd.js'), 'export {}')
    mesh = await startMesh({ root, host: '127.0.0.1', port: 0, relayPort: 0, relays: 1, extraRelayAddrs: [] })
    relayId = (mesh.relays[0] as Relay).node.peerId.toString()
  }, 20_000)

  afterAll(async () => {
    await Promise.all(peers.map(async peer => { await peer.stop() }))
    await mesh?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('serves the exposition with process metrics under the zerostate_ prefix', async () => {
    const s = await scrape(mesh.url)
    expect(s.status).toBe(200)
    expect(s.contentType).toBe(EXPOSITION_TYPE)
    expect(s.families.get('zerostate_process_cpu_user_seconds_total')?.type).toBe('COUNTER')
    expect(s.families.get('zerostate_nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE')
    // Nothing outside the project's prefix: prom-client's global registry is not used.
    expect([...s.families.keys()].filter(name => !name.startsWith('zerostate_'))).toEqual([])
  })

  it('counts HTTP requests by method, route class and status, never by raw path, and times them', async () => {
    const requests: Array<[method: string, target: string, route: string, status: number]> = [
      ['GET', '/', 'app', 200],
      ['GET', '/some/app/route', 'app', 200],
      ['GET', '/config.json', 'config', 200],
      ['GET', '/samples/samples.json', 'samples', 200],
      ['GET', '/assets/app-0123abcd.js', 'asset', 200],
      ['GET', '/missing-1.js', 'not-found', 404],
      ['GET', '/missing-2.js', 'not-found', 404],
      ['GET', '/%zz', 'bad-request', 400],
      ['POST', '/config.json', 'method-not-allowed', 405],
      ['GET', '/healthz', 'health', 200]
    ]
    const count = (s: Scrape, method: string, route: string, status: number): number =>
      valueOf(s, 'zerostate_http_requests_total', { method: method === 'POST' ? 'POST' : 'GET', route, status: String(status) }) ?? -1
    const before = await scrape(mesh.url)
    for (const [method, target, , status] of requests) expect((await httpRequest(mesh.url, target, method)).status).toBe(status)
    const expected = new Map<string, number>()
    for (const [method, , route, status] of requests) {
      const key = `${method} ${route} ${status}`
      expected.set(key, (expected.get(key) ?? 0) + 1)
    }
    const settled = (s: Scrape): boolean => [...expected].every(([key, n]) => {
      const [method = '', route = '', status = ''] = key.split(' ')
      return count(s, method, route, Number(status)) - count(before, method, route, Number(status)) >= n
    })
    const after = await scrapeUntil(mesh.url, settled, 'the requests')
    for (const [key, n] of expected) {
      const [method = '', route = '', status = ''] = key.split(' ')
      expect(count(after, method, route, Number(status)) - count(before, method, route, Number(status)), key).toBe(n)
    }
    // Label values are route classes: no path ever becomes one.
    const routes = new Set((after.families.get('zerostate_http_requests_total')?.metrics ?? []).map(sample => sample.labels?.route))
    for (const route of routes) expect(route).toMatch(/^[a-z-]+$/)
    expect(after.families.get('zerostate_http_request_duration_seconds')?.type).toBe('HISTOGRAM')
    expect(await histogramCount(mesh.registry, 'zerostate_http_request_duration_seconds', { method: 'GET', route: 'not-found' })).toBe(2)
    // The scrapes themselves are requests too.
    expect(await histogramCount(mesh.registry, 'zerostate_http_request_duration_seconds', { method: 'GET', route: 'metrics' })).toBeGreaterThan(0)
  })

  it('reports the relay\'s connections, peers, reservations and gossip, labelled with its PeerId', async () => {
    const relay = mesh.relays[0] as Relay
    const relayAddr = relay.multiaddrs[0] as string
    const relayLabel = { relay: relayId }
    const before = await scrape(mesh.url)
    expect(valueOf(before, 'zerostate_relay_connections', relayLabel)).toBe(0)
    expect(valueOf(before, 'zerostate_relay_reservations', relayLabel)).toBe(0)
    expect(valueOf(before, 'zerostate_relay_gossip_accepted_messages_total', { ...relayLabel, topic: PRESENCE_TOPIC })).toBe(0)

    const reserving = await startReservingPeer(relayAddr, 10_000)
    peers.push(reserving)
    const publisher = await startGossipPeer(relayAddr, [])
    peers.push(publisher)
    await waitFor(() => publisher.services.pubsub.getSubscribers(PRESENCE_TOPIC).some(id => id.equals(relay.node.peerId)), 5000,
      'the publisher to see the relay subscribed')
    const announcement = encodePresence([], true, 1, Date.now())
    await publisher.services.pubsub.publish(PRESENCE_TOPIC, announcement)
    await waitFor(() => relay.stats().gossip.accepted[PRESENCE_TOPIC] === 1, 5000, 'the relay to accept the announcement')
    const oversized = new Uint8Array(MAX_PRESENCE_MESSAGE_BYTES + 1)
    await publisher.services.pubsub.publish(PRESENCE_TOPIC, oversized)
    await waitFor(() => relay.stats().gossip.dropped[PRESENCE_TOPIC]?.['too-large'] === 1, 5000, 'the relay to drop the oversized message')

    const after = await scrape(mesh.url)
    expect(valueOf(after, 'zerostate_relay_connections', { ...relayLabel, direction: 'inbound', transport: 'websocket' })).toBe(2)
    expect(valueOf(after, 'zerostate_relay_connections', { ...relayLabel, direction: 'outbound' })).toBe(0)
    expect(valueOf(after, 'zerostate_relay_peers', { ...relayLabel, transport: 'websocket' })).toBe(2)
    expect(valueOf(after, 'zerostate_relay_reservations', relayLabel)).toBe(1)
    expect(valueOf(after, 'zerostate_relay_reservations_granted_total', relayLabel)).toBe(1)
    expect(valueOf(after, 'zerostate_relay_reservations_refused_total', relayLabel)).toBe(0)
    expect(valueOf(after, 'zerostate_relay_gossip_accepted_messages_total', { ...relayLabel, topic: PRESENCE_TOPIC })).toBe(1)
    expect(valueOf(after, 'zerostate_relay_gossip_accepted_bytes_total', { ...relayLabel, topic: PRESENCE_TOPIC })).toBe(announcement.byteLength)
    expect(valueOf(after, 'zerostate_relay_gossip_dropped_messages_total', { ...relayLabel, topic: PRESENCE_TOPIC, reason: 'too-large' })).toBe(1)
    expect(valueOf(after, 'zerostate_relay_gossip_dropped_bytes_total', { ...relayLabel, topic: PRESENCE_TOPIC, reason: 'too-large' })).toBe(oversized.byteLength)
    expect(valueOf(after, 'zerostate_relay_gossip_dropped_messages_total', { ...relayLabel, topic: PRESENCE_TOPIC, reason: 'malformed' })).toBe(0)
    expect(valueOf(after, 'zerostate_relay_gossip_subscribers', { ...relayLabel, topic: PRESENCE_TOPIC })).toBe(0)
    expect(after.families.get('zerostate_relay_gossip_accepted_messages_total')?.type).toBe('COUNTER')

    // A peer that leaves is counted out at the next scrape, and its reservation released.
    await reserving.stop()
    await waitFor(() => relay.stats().reservations === 0, 5000, 'the reservation to be released')
    const left = await scrape(mesh.url)
    expect(valueOf(left, 'zerostate_relay_connections', relayLabel)).toBe(1)
    expect(valueOf(left, 'zerostate_relay_reservations', relayLabel)).toBe(0)
    expect(valueOf(left, 'zerostate_relay_reservations_released_total', relayLabel)).toBe(1)
  }, 30_000)

  it('every metric the Grafana relay dashboard queries is in a scrape', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../../docs/grafana-relay-dashboard.json', import.meta.url), 'utf8')) as {
      schemaVersion: number
      __inputs: Array<{ name: string, pluginId: string }>
      panels: Array<{ type: string, targets?: Array<{ expr: string, datasource: { uid: string } }> }>
      templating: { list: Array<{ query: { query: string } }> }
    }
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36)
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' }))
    const targets = dashboard.panels.flatMap(panel => panel.targets ?? [])
    // Grafana's import substitutes the datasource the user picks for this input reference.
    // eslint-disable-next-line no-template-curly-in-string -- Grafana's syntax, not a template literal
    for (const target of targets) expect(target.datasource.uid).toBe('${DS_PROMETHEUS}')
    const queries = [...targets.map(target => target.expr), ...dashboard.templating.list.map(variable => variable.query.query)]
    const names = new Set(queries.flatMap(query => query.match(/\bzerostate_[a-z0-9_]+/g) ?? []))
    expect(names.size).toBeGreaterThan(15)
    const s = await scrape(mesh.url)
    const missing = [...names].filter(name => familyOf(s, name) === undefined)
    expect(missing).toEqual([])
  })

  it('answers /healthz and /readyz, and /readyz is 503 naming the relay once it stops listening', async () => {
    const health = await httpRequest(mesh.url, '/healthz')
    expect(health.status).toBe(200)
    expect(health.body).toBe('ok\n')
    const ready = await httpRequest(mesh.url, '/readyz')
    expect(ready.status).toBe(200)
    expect(ready.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, relays: 1, multiaddrs: mesh.relayAddrs })

    await (mesh.relays[0] as Relay).stop()
    const notReady = await httpRequest(mesh.url, '/readyz')
    expect(notReady.status).toBe(503)
    const body = JSON.parse(notReady.body) as { ready: boolean, reason: string }
    expect(body.ready).toBe(false)
    expect(body.reason).toContain(relayId)
    // Alive all the same.
    expect((await httpRequest(mesh.url, '/healthz')).status).toBe(200)
  })
})

describe('metrics server of a standalone relay (zerostate relay --metrics-port)', () => {
  let relay: Relay
  let server: MetricsServer

  beforeAll(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0 })
    const registry = processRegistry()
    const metrics = new RelayMetrics(registry)
    metrics.track(relay)
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, ready: () => metrics.readiness() })
  }, 20_000)

  afterAll(async () => {
    await server?.stop()
    await relay?.stop()
  })

  it('serves /metrics, /healthz and /readyz, answers 404 and 405 otherwise, and counts each', async () => {
    expect((await httpRequest(server.url, '/')).status).toBe(404)
    expect((await httpRequest(server.url, '/metrics', 'POST')).status).toBe(405)
    expect((await httpRequest(server.url, '/healthz')).body).toBe('ok\n')
    expect((await httpRequest(server.url, '/readyz')).status).toBe(200)
    const s = await scrapeUntil(server.url, s => (valueOf(s, 'zerostate_http_requests_total', { route: 'ready', status: '200' }) ?? 0) === 1, 'the /readyz request')
    expect(s.contentType).toBe(EXPOSITION_TYPE)
    expect(valueOf(s, 'zerostate_http_requests_total', { method: 'GET', route: 'not-found', status: '404' })).toBe(1)
    expect(valueOf(s, 'zerostate_http_requests_total', { method: 'POST', route: 'method-not-allowed', status: '405' })).toBe(1)
    expect(valueOf(s, 'zerostate_http_requests_total', { method: 'GET', route: 'health', status: '200' })).toBe(1)
    expect(valueOf(s, 'zerostate_relay_reservations', { relay: relay.node.peerId.toString() })).toBe(0)
    expect(s.families.has('zerostate_process_resident_memory_bytes')).toBe(true)
  })

  it('says not ready once the relay has stopped', async () => {
    await relay.stop()
    const answer = await httpRequest(server.url, '/readyz')
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.body)).toMatchObject({ ready: false, reason: expect.stringContaining(relay.node.peerId.toString()) })
  })
})

describe('reservation metrics of a full relay', () => {
  it('counts a reservation refused because the relay holds its maximum, under reason "full"', async () => {
    const relay = await startRelay({ host: '127.0.0.1', port: 0, maxReservations: 1 })
    const registry = processRegistry()
    new RelayMetrics(registry).track(relay)
    const peers: Libp2p[] = []
    try {
      peers.push(await startReservingPeer(relay.multiaddrs[0] as string, 10_000))
      // The second finds no room: the circuit relay server answers RESERVATION_REFUSED, and its listen fails.
      await expect(startReservingPeer(relay.multiaddrs[0] as string, 3000)).rejects.toThrow(/RESERVATION_REFUSED/)
      const s = await scrapeRegistry(registry)
      const id = relay.node.peerId.toString()
      expect(valueOf(s, 'zerostate_relay_reservations', { relay: id })).toBe(1)
      expect(valueOf(s, 'zerostate_relay_reservations_granted_total', { relay: id })).toBe(1)
      expect(valueOf(s, 'zerostate_relay_reservations_refused_total', { relay: id, reason: 'full' })).toBe(1)
      expect(valueOf(s, 'zerostate_relay_reservations_refused_total', { relay: id, reason: 'address' })).toBe(0)
    } finally {
      await Promise.all(peers.map(async peer => { await peer.stop() }))
      await relay.stop()
    }
  }, 30_000)
})
