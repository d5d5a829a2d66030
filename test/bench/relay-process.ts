/**
 * The relay under `npm run bench:relay`, in a process of its own so that its
 * memory and CPU are its own: started by test/bench/relay.ts with `fork`, it
 * runs one relay on 127.0.0.1 with the production defaults except the
 * per-address limits, which are raised to the relay-wide ones (every simulated
 * tab comes from 127.0.0.1, where real tabs come from many addresses), and
 * answers `{ type: 'sample' }` with its stats, memory and CPU time.
 */
import { startRelay } from '../../src/server/relay.ts'
import type { RelayStats } from '../../src/server/relay.ts'
import {
  DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_RESERVATIONS
} from '../../src/server/constants.ts'

export interface RelaySample {
  stats: RelayStats
  rssBytes: number
  heapUsedBytes: number
  /** User + system CPU time since start, µs. */
  cpuMicros: number
  /** Gossipsub peers the relay holds in its mesh of each topic. */
  meshPeers: Record<string, number>
}

export type RelayProcessMessage = { type: 'ready', addr: string, limits: Record<string, number>, meshDegree: string } | { type: 'sample', sample: RelaySample }

/** New connections from 127.0.0.1 a second: the bench opens tabs in batches, faster than one address's 20. */
const BENCH_CONNECTIONS_PER_SECOND = 500

/** `--relay-mesh N` (argv[2]): the relay's gossipsub mesh degree D = D_lo = D_hi = N; gossipsub's defaults otherwise. */
const meshDegree = Number(process.argv[2] ?? Number.NaN)
const relay = await startRelay({
  host: '127.0.0.1',
  port: 0,
  ...(Number.isInteger(meshDegree) && meshDegree > 0 ? { gossipMesh: { D: meshDegree, Dlo: meshDegree, Dhi: meshDegree } } : {}),
  maxConnectionsPerAddress: DEFAULT_MAX_CONNECTIONS,
  maxReservationsPerAddress: DEFAULT_MAX_RESERVATIONS,
  maxPendingConnectionsPerAddress: DEFAULT_MAX_PENDING_CONNECTIONS,
  inboundConnectionsPerSecondPerAddress: BENCH_CONNECTIONS_PER_SECOND
})
const pubsub = relay.node.services.pubsub as typeof relay.node.services.pubsub & { getMeshPeers?(topic: string): string[] }

const send = (message: RelayProcessMessage): void => { process.send?.(message) }

process.on('message', (message: { type: string }) => {
  if (message.type === 'sample') {
    const memory = process.memoryUsage()
    const cpu = process.cpuUsage()
    send({
      type: 'sample',
      sample: {
        stats: relay.stats(),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        cpuMicros: cpu.user + cpu.system,
        meshPeers: Object.fromEntries(pubsub.getTopics().map(topic => [topic, pubsub.getMeshPeers?.(topic).length ?? -1]))
      }
    })
  } else if (message.type === 'stop') {
    void relay.stop().finally(() => process.exit(0))
  }
})
process.on('disconnect', () => { void relay.stop().finally(() => process.exit(0)) })

send({
  type: 'ready',
  addr: relay.multiaddrs[0] as string,
  limits: { maxConnections: DEFAULT_MAX_CONNECTIONS, maxReservations: DEFAULT_MAX_RESERVATIONS, maxPendingConnections: DEFAULT_MAX_PENDING_CONNECTIONS },
  meshDegree: Number.isInteger(meshDegree) && meshDegree > 0 ? `D = D_lo = D_hi = ${meshDegree}` : 'gossipsub defaults (D 6, D_lo 4, D_hi 12)'
})
