/**
 * A started peer and the view it feeds: opens this tab's store (its own peer
 * slot) and identity, loads the page config, composes every service
 * (compose.ts) and turns what they report into view state — peers, cards and
 * routing, the ledger (rebuilt at most every LEDGER_REFRESH_DELAY_MS), the
 * receipt history, notices, and the metrics (sampled every METRICS_SAMPLE_MS).
 */
import { consoleLogger } from '../core/index.ts'
import { loadOrCreateIdentity } from '../crypto/identity.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { WorkerPool } from '../execution/worker-pool.ts'
import type { Connectivity } from '../network/peer-mesh.ts'
import { gossipStats } from '../network/topic-channel.ts'
import type { ExecutedTask } from '../orchestration/task-protocol/index.ts'
import { receiptHash } from '../receipts/index.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import { openIdbStore, withModuleCache } from '../storage/index.ts'
import { composePeer } from '../peer/compose.ts'
import type { ComposedPeer } from '../peer/compose.ts'
import type { AgentResolver } from '../peer/context.ts'
import { holdServedBuiltInAgents } from '../discovery/agent-registry/index.ts'
import type { LocalSandbox } from './local-sandbox.ts'
import { agentListings } from './marketplace.ts'
import { ledgerView } from '../peer/ledger.ts'
import { attachRelaysSetting, loadRelayAddrs, loadSamples, maxPeerConnectionsSetting } from './page-config.ts'
import { claimPeerSlot, databaseName } from './peer-slot.ts'
import type { ZeroStateRecords, ZeroStateStore } from '../peer/store.ts'
import { pageFetch } from './task-request.ts'
import { executorIdentity, executorRunner } from './test-hooks.ts'
import type { AppState, LedgerView, PeerStats } from './types.ts'
import { metricsView } from './metric-charts.ts'
import { DEFAULT_SAMPLE_INTERVAL_MS, TabMetrics } from './tab-metrics.ts'
import { cardView, preview, routingView } from './view-state.ts'
import { guildViews, splitViews } from './guild-view.ts'
import type { ViewModel } from './view-model.ts'

/** Receipt records shown in the history (the store keeps them all). */
export const HISTORY_LIMIT = 50
const PEER_REFRESH_MS = 2000
/** The ledger view is rebuilt from the store at most this often. */
const LEDGER_REFRESH_DELAY_MS = 200
/** The metrics are sampled (and the Metrics view redrawn) this often. */
const METRICS_SAMPLE_MS = DEFAULT_SAMPLE_INTERVAL_MS

/** How soon the marketplace is rebuilt after its agents or their records change. */
const AGENTS_REFRESH_DELAY_MS = 250
/** Receipts of this tab's history counted into the agents' records at start. */
const AGENT_RECORD_HISTORY = 1000

/** The notice shown while no relay gives this tab a reservation (and withdrawn when one does). */
export const NO_RELAY_SLOT_NOTICE = 'No relay has a free slot for this tab, so other tabs cannot reach it (it can still reach them). Asking the relay again…'

export class PeerSession {
  readonly store: ZeroStateStore
  readonly identity: PeerIdentity
  readonly peer: ComposedPeer
  /** Published agents by ref (`agent:` workflow steps): this tab's agent registry. */
  readonly agents: AgentResolver
  /** Modules named by a URL (samples) are fetched relative to the page. */
  readonly fetchModule = pageFetch
  /** This tab's metrics: the peer's figures and libp2p's, sampled into time series. */
  readonly metrics: TabMetrics
  private readonly view: ViewModel
  private readonly refreshTimer: ReturnType<typeof setInterval>
  private readonly metricsTimer: ReturnType<typeof setInterval>
  private ledgerTimer: ReturnType<typeof setTimeout> | undefined
  private agentsTimer: ReturnType<typeof setTimeout> | undefined

  private constructor (view: ViewModel, store: ZeroStateStore, identity: PeerIdentity, peer: ComposedPeer, metrics: TabMetrics) {
    this.view = view
    this.store = store
    this.identity = identity
    this.peer = peer
    this.agents = peer.agents
    this.metrics = metrics
    this.refreshTimer = setInterval(() => { this.refreshPeers() }, PEER_REFRESH_MS)
    this.metricsTimer = setInterval(() => { this.sampleMetrics() }, METRICS_SAMPLE_MS)
  }

  /** Starts this tab's peer, reporting each step in the view's status line. */
  static async start (view: ViewModel, pool: WorkerPool, local: LocalSandbox): Promise<PeerSession> {
    const store = withModuleCache(await openIdbStore<ZeroStateRecords>(databaseName(await claimPeerSlot())))
    const identity = await loadOrCreateIdentity(store)
    performance.mark('zerostate:identity')
    view.update({ peerId: identity.peerId.toString(), statusDetail: 'loading the relay list', history: await store.listReceipts(HISTORY_LIMIT) })
    const [relayAddrs, samples] = await Promise.all([loadRelayAddrs(), loadSamples()])
    view.update({ relayAddrs, samples, statusDetail: 'connecting to the relay' })
    performance.mark('zerostate:relay-list')
    // The services report from the moment they start; the session that shows it exists once they all have.
    const late: { session?: PeerSession } = {}
    const metrics = new TabMetrics({ now: () => Date.now(), sampleIntervalMs: METRICS_SAMPLE_MS })
    const peer = await composePeer({
      metrics,
      shareMetrics: view.state.shareMetrics === true,
      store,
      identity,
      relayAddrs,
      attachRelays: attachRelaysSetting(relayAddrs),
      maxPeerConnections: maxPeerConnectionsSetting(),
      pool,
      executorIdentity: await executorIdentity(identity),
      executorRunner: executorRunner(pool),
      benchmark: async () => local.benchmark(samples),
      logger: consoleLogger('zerostate'),
      settings: {
        contributing: () => view.state.contributing,
        slots: () => view.state.slots,
        tags: () => view.state.tags,
        prices: () => view.state.prices,
        witnessRates: () => view.state.witnessRates,
        guildInvites: () => view.state.guildInvites,
        guildStepPrice: () => view.state.guildStepPrice ?? undefined
      },
      events: {
        onPeers: () => { late.session?.refreshPeers() },
        onCapabilities: () => { late.session?.refreshCapabilities() },
        onLedger: () => { late.session?.refreshLedgerSoon() },
        onNotice: notice => { view.update({ notice }) },
        onDisputed: taskId => { view.updateTask(taskId, { disputed: true }) },
        onExecuted: task => { late.session?.recordExecuted(task).catch(err => { view.update({ notice: `a receipt could not be kept: ${String(err)}` }) }) },
        onAgent: event => {
          // Never over the first: a second author's agent of a held name is its own agent (docs/agent-manifest.md §6).
          if (event.status === 'different-agent') {
            view.update({ notice: `another author (${event.manifest.author}) publishes an agent named ${event.manifest.name}: it is a different agent, shown with its author's tag` })
          }
          late.session?.refreshAgentsSoon()
        },
        onAgentRecords: () => { late.session?.refreshAgentsSoon() },
        remember: async record => { await (late.session?.remember(record) ?? store.addReceipt(record)) }
      }
    })
    const session = new PeerSession(view, store, identity, peer, metrics)
    late.session = session
    session.sampleMetrics()
    // In the background: the page is usable before the built-ins are held.
    session.holdBuiltInAgents().catch(err => { view.update({ notice: `the built-in agents could not be read: ${String(err)}` }) })
    session.refreshPeers()
    session.refreshCapabilities()
    session.refreshLedgerSoon()
    session.observeHistory().catch(err => { view.update({ notice: `the agents' records could not be read: ${String(err)}` }) })
    return session
  }

  async stop (): Promise<void> {
    clearInterval(this.refreshTimer)
    clearInterval(this.metricsTimer)
    clearTimeout(this.ledgerTimer)
    clearTimeout(this.agentsTimer)
    await this.peer.stop()
    this.store.close()
  }

  /** The ledger as the store holds it once the payments under way (behind their tasks' results) are settled. */
  async ledger (): Promise<LedgerView> {
    const { payments, reputation, reports } = this.peer
    await this.peer.settlements.settled()
    return ledgerView({ store: this.store, self: this.identity.peerId.toString(), payments, reputation, reports })
  }

  /**
   * Shows a receipt record and persists it (the write starts in this turn, so
   * records are written in the order they are remembered); the store is read
   * back only at start-up.
   */
  async remember (record: ReceiptRecord): Promise<void> {
    const written = this.store.addReceipt(record)
    // Keyed as the store keys them (ReceiptHistory.addReceipt): a record kept again replaces the one shown.
    const others = this.view.state.history.filter(r => r.role !== record.role || r.receipt.taskId !== record.receipt.taskId)
    this.view.update({ history: [record, ...others].slice(0, HISTORY_LIMIT) })
    await written
    if (this.peer.agentRecords.observeReceipt(record.receipt, receiptHash(record.receipt), record.storedAt)) this.refreshAgentsSoon()
  }

  /** Counts the receipts this tab kept (its tasks, and those it ran) into the agents' records, then shows the marketplace. */
  async observeHistory (): Promise<void> {
    for (const record of await this.store.listReceipts(AGENT_RECORD_HISTORY)) {
      this.peer.agentRecords.observeReceipt(record.receipt, receiptHash(record.receipt), record.storedAt)
    }
    this.refreshAgentsSoon()
  }

  /** Rebuilds the marketplace's listings soon (several calls in a row make one). */
  refreshAgentsSoon (): void {
    if (this.agentsTimer !== undefined) return
    this.agentsTimer = setTimeout(() => {
      this.agentsTimer = undefined
      const { agents, agentRecords } = this.peer
      this.view.update({ agents: agentListings(agents.list(), hash => agentRecords.statsOf(hash), this.identity.peerId.toString()) })
    }, AGENTS_REFRESH_DELAY_MS)
  }

  /**
   * Holds the project's built-in agents the server signed at build time
   * (samples/agents.json, docs/agent-manifest.md §12), their modules fetched
   * from the server when first used; nothing when the server has none.
   */
  async holdBuiltInAgents (): Promise<void> {
    await holdServedBuiltInAgents(document.baseURI, this.peer.agents, (agent, err) => { console.warn(`built-in agent ${agent.manifest.name} not held`, err) })
    this.refreshAgentsSoon()
  }

  /** Rebuilds the ledger view soon (several calls in a row make one). */
  refreshLedgerSoon (): void {
    if (this.ledgerTimer !== undefined) return
    this.ledgerTimer = setTimeout(() => {
      this.ledgerTimer = undefined
      this.ledger().then(ledger => {
        this.peer.metrics.channels(ledger.channels)
        this.view.update({ ledger })
      }, err => { this.view.update({ notice: `the ledger could not be read: ${String(err)}` }) })
    }, LEDGER_REFRESH_DELAY_MS)
  }

  private async recordExecuted (task: ExecutedTask): Promise<void> {
    await this.remember({
      receipt: task.receipt,
      role: 'executor',
      // The executor never learns the submitter's name for the module; its hash is what it ran.
      label: `module ${task.offer.moduleHash.slice(0, 12)}`,
      stdoutPreview: preview(task.result.stdout),
      storedAt: Date.now()
    })
  }

  private refreshCapabilities (): void {
    const { cards, router, reputation, guilds } = this.peer
    const book = reputation.book
    this.view.update({
      cards: [...cards.cards.cards()].map(card => cardView(card, { score: book.score(card.peerId), blacklisted: book.isBlacklisted(card.peerId) })),
      routing: routingView(router.router.toJSON()),
      guilds: guildViews(guilds.known(), this.identity.peerId.toString(), Date.now()),
      splits: splitViews(guilds.splits())
    })
  }

  /** Reads the levels, takes a sample of every metric and shows the charts. */
  sampleMetrics (): void {
    this.peer.metrics.collect()
    this.metrics.sample()
    this.view.update({ metrics: metricsView(this.metrics.snapshot()) })
  }

  /** What this tab has spent and dropped: see PeerStats. */
  stats (): PeerStats {
    const { mesh, node, availability } = this.peer
    return {
      connectivity: mesh.connectivity(),
      mesh: mesh.stats(),
      gossip: gossipStats(node.services.pubsub),
      ...(availability === undefined ? {} : { availability: availability.current() })
    }
  }

  private refreshPeers (): void {
    const connectivity = this.peer.mesh.connectivity()
    const status = connectionStatus(connectivity, Date.now())
    // The moment others can reach this tab (bench:startup reads it).
    if (status.status === 'online' && !status.noRelaySlot && performance.getEntriesByName('zerostate:online').length === 0) performance.mark('zerostate:online')
    const { notice } = this.view.state
    this.view.update({
      peers: this.peer.mesh.peers(),
      stats: this.stats(),
      ...status,
      ...(status.noRelaySlot && notice === undefined ? { notice: NO_RELAY_SLOT_NOTICE } : {}),
      ...(!status.noRelaySlot && notice === NO_RELAY_SLOT_NOTICE ? { notice: undefined } : {})
    })
  }
}

/**
 * The status line for a started peer, from its connectivity: online only
 * while it holds a connection to a relay or to a peer; otherwise
 * connecting, saying whether the relay has failed yet and when it is tried
 * again. `noRelaySlot`: connected, but no relay gave it a reservation, so
 * nobody can reach it.
 */
export function connectionStatus (connectivity: Connectivity, now: number): Pick<AppState, 'status' | 'statusDetail'> & { noRelaySlot: boolean } {
  const { relays } = connectivity
  const relayUp = relays.some(relay => relay.connected)
  if (connectivity.online) {
    const noRelaySlot = relayUp && !connectivity.reserved && relays.some(relay => relay.reservationFailures > 0)
    if (noRelaySlot) {
      return { status: 'online', statusDetail: 'no relay slot for this tab: other tabs cannot reach it; asking again', noRelaySlot }
    }
    if (!relayUp) {
      const peers = `${connectivity.peers} peer${connectivity.peers === 1 ? '' : 's'}`
      return { status: 'online', statusDetail: `no relay reachable, retrying; still connected to ${peers}`, noRelaySlot }
    }
    return { status: 'online', statusDetail: undefined, noRelaySlot }
  }
  if (relays.every(relay => relay.failures === 0)) {
    return { status: 'connecting', statusDetail: 'connecting to the relay…', noRelaySlot: false }
  }
  const retryAt = Math.min(...relays.map(relay => relay.retryAt ?? now))
  const seconds = Math.max(0, Math.ceil((retryAt - now) / 1000))
  const lastError = relays.find(relay => relay.lastError !== undefined)?.lastError
  return {
    status: 'connecting',
    statusDetail: `no relay reachable, retrying${seconds > 0 ? ` in ${seconds} s` : ' now'}${lastError === undefined ? '' : ` (${lastError})`}`,
    noRelaySlot: false
  }
}
