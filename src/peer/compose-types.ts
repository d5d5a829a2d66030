/**
 * What a composed peer is made of and gives back (compose.ts): the settings
 * and events the app hands it, the init, and the services of every layer it
 * returns. Apart from the wiring, so that those who only hold a peer read
 * its shape here.
 */
import type { Logger, Metrics } from '../core/index.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { AgentCardService, AvailabilityProbe, CardBenchmark, CardInterface } from '../discovery/index.ts'
import type { AgentRegistryEvent, AgentRegistryService } from '../discovery/agent-registry/index.ts'
import type { PaymentService } from '../economy/payments/index.ts'
import type { TaskRunner } from '../execution/types.ts'
import type { WorkerPool } from '../execution/worker-pool.ts'
import type { BrowserNode } from '../network/browser-node.ts'
import type { PeerMesh } from '../network/peer-mesh.ts'
import type { PriceSchedule } from '../receipts/pricing/index.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import type { TaskAccountability, TaskDispatch, TaskVerification } from '../orchestration/dispatch/index.ts'
import type { A2AAgent, A2AService } from '../orchestration/a2a/index.ts'
import type { StoredRouter } from '../orchestration/routing/index.ts'
import type { OtlpExport, TraceRecorder } from '../network/tracing/index.ts'
import type { ExecutedTask, TaskExecutor } from '../orchestration/task-protocol/index.ts'
import type { ReportService, ReputationService } from '../trust/reputation/index.ts'
import type { GuildService } from '../orchestration/guilds/index.ts'
import type { AgentStatsBook } from '../trust/agent-stats/index.ts'
import type { CheckRates, WitnessService } from '../trust/witness/index.ts'
import type { VerificationService } from '../trust/verification/index.ts'
import type { ZeroStateStore } from './store.ts'
import type { PeerMetrics } from './peer-metrics.ts'
import type { MeshFiguresPublisher } from './mesh-figures.ts'
import type { Settlements } from './settlements.ts'

/** What the app tells the services about itself, asked each time it matters. */
export interface PeerSettings {
  contributing(): boolean
  slots(): number
  tags(): string[]
  prices(): PriceSchedule
  witnessRates(): CheckRates
  /** Whether this peer signs the guilds it is invited to (default: it declines). */
  guildInvites?(): boolean
  /** What this peer bids per step as a guild's lead, µ; undefined: it does not bid. */
  guildStepPrice?(): number | undefined
}

/** What the services tell the app. */
export interface PeerEvents {
  /** Connections or announced peers changed. */
  onPeers(): void
  /** Agent Cards, the routing table or reputation changed. */
  onCapabilities(): void
  /** Channels, payments, settlements, attestations or reports changed. */
  onLedger(): void
  /** Something the user should know that is not an error. */
  onNotice(message: string): void
  /** This peer's task `taskId` was shown to have a wrong result. */
  onDisputed(taskId: string): void
  /** This peer ran a task for another and sent the signed result. */
  onExecuted(task: ExecutedTask): void
  /** The agents' records (runs, success, disputes) changed. */
  onAgentRecords?(): void
  /** The agent registry took a manifest: a new agent, a newer version, or another author's agent of a held name. Optional. */
  onAgent?(event: AgentRegistryEvent): void
  /**
   * Keeps a receipt record one of the peer's services makes itself — the
   * receipt of a check it pays beside the task's own, owed until paid — and
   * shows it wherever this peer's history is shown. Optional: by default the
   * record is only written to the store.
   */
  remember?(record: ReceiptRecord): Promise<void>
}

export interface ComposeInit {
  store: ZeroStateStore
  identity: PeerIdentity
  /** Every relay the server lists; the peer attaches to `attachRelays`, or to DEFAULT_RELAY_LINKS of them chosen by its PeerId (network/relay-choice.ts). */
  relayAddrs: string[]
  /** The relays to hold links to instead of the chosen ones (each one of `relayAddrs`). */
  attachRelays?: string[]
  maxPeerConnections: number
  /** The contributed worker slots: tasks for others and witness re-runs (in a tab Web Workers, in Node worker threads). */
  pool: WorkerPool
  /** What the executor signs receipts with and runs tasks on, when not `identity` and `pool` (the test-hooks build's cheats). */
  executorIdentity?: PeerIdentity
  executorRunner?: TaskRunner
  /** Measures this peer's speed once the node is up (the Agent Card states it). */
  benchmark(): Promise<CardBenchmark>
  settings: PeerSettings
  events: PeerEvents
  logger: Logger
  /** Records spans of this peer's tasks, submitted and executed (docs/tracing.md). Default true. */
  tracing?: boolean
  /** An OTLP/HTTP collector the spans are exported to (docs/tracing.md §8); none by default. Change it later with `ComposedPeer.otlp`. */
  otlpUrl?: string
  /** Where the peer's figures and libp2p's go (peer-metrics.ts, network/libp2p-metrics.ts); default: nowhere. */
  metrics?: Metrics
  /** Whether it publishes its mesh figures from the start (mesh-figures.ts; `meshFigures.share()` changes it); default false. */
  shareMetrics?: boolean
}

/** Every service of a running peer. */
export interface ComposedPeer {
  node: BrowserNode
  mesh: PeerMesh
  executor: TaskExecutor
  cards: AgentCardService
  router: StoredRouter
  reputation: ReputationService
  reports: ReportService
  payments: PaymentService
  witness: WitnessService
  accountability: TaskAccountability
  dispatch: TaskDispatch
  /** What submitted tasks still owe behind their results (receipt kept, executor paid): stop waits for them. */
  settlements: Settlements
  /** The book of checked work and the verification policy (trust/verification). */
  verification?: VerificationService
  /** The submitter's own checks of single-executor tasks (orchestration/dispatch/verification.ts). */
  verifier?: TaskVerification
  /** This peer's spans, by trace (docs/tracing.md); absent when tracing is off. */
  traces?: TraceRecorder
  /** Where the spans are exported (OTLP/HTTP), if anywhere: `otlp.configure(url | undefined)`. */
  otlp: OtlpExport
  /** The peer's figures on the Metrics port: `collect()` reads its levels (peers, worker slots) before a sample or scrape. */
  metrics: PeerMetrics
  /** This peer's signed mesh figures (docs/metrics.md "Mesh figures"): published every period only while `share(true)`. */
  meshFigures: MeshFiguresPublisher
  /** Published agents: manifests on gossip, their modules by hash (docs/agent-manifest.md §12). */
  agents: AgentRegistryService
  /** What the mesh has shown this peer of each module's runs: the record the marketplace shows beside an agent. */
  agentRecords: AgentStatsBook
  /** Guilds this peer knows or is in, their bids, and split records (docs/guild.md §5). */
  guilds: GuildService
  /** A tab's measurement of its own throttling (docs/agent-card.md §11); absent outside a page. */
  availability?: AvailabilityProbe
  /** A2A over /zerostate/a2a/1.0.0 (docs/a2a-binding.md); its tasks are shared with the Node HTTP bridge. */
  a2a: A2AService
  /**
   * Serves `agent` to A2A callers (the peer layer's a2a-agent.ts): registers /zerostate/a2a/1.0.0, so that
   * identify lists it only on peers that serve an agent. Until then the bridge's SendMessage answers UnsupportedOperationError.
   */
  serveA2A(agent: A2AAgent): Promise<void>
  /**
   * Adds bindings served elsewhere (the Node HTTP bridge's JSON-RPC endpoint) to those the Agent Card
   * declares in `supportedInterfaces`, beside /zerostate/a2a/1.0.0 once serveA2A has run; republishes the card.
   */
  declareA2AInterfaces(interfaces: CardInterface[]): Promise<void>
  stop(): Promise<void>
}
