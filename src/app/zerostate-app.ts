import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_MEMORY_LIMIT_BYTES, TASK_SEED_BYTES } from '../core/limits.ts'
import { loadOrCreateIdentity } from '../crypto/identity.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { CardBenchmark } from '../discovery/index.ts'
import type { ExecutionResult } from '../execution/types.ts'
import { WorkerPool } from '../execution/worker-pool.ts'
import { sleep } from '../network/backoff.ts'
import { createBrowserNode } from '../network/browser-node.ts'
import type { BrowserNode } from '../network/browser-node.ts'
import { BID_PROTOCOL, ECHO_PROTOCOL, FORWARD_PROTOCOL, Q_ESTIMATES_PROTOCOL, TASK_PROTOCOL } from '../network/constants.ts'
import { quoteFor, serveBid } from '../orchestration/auction/index.ts'
import { handleEcho, measureEcho } from '../network/echo.ts'
import type { EchoOptions } from '../network/echo.ts'
import { PeerMesh } from '../network/peer-mesh.ts'
import { createForwarder } from '../orchestration/forwarding/index.ts'
import { createEstimateExchange } from '../orchestration/routing/warm-start/index.ts'
import { RemoteTaskError, TaskExecutor } from '../orchestration/task-protocol/index.ts'
import type { ExecutedTask } from '../orchestration/task-protocol/index.ts'
import { openIdbStore, withModuleCache } from '../storage/index.ts'
import type { ReceiptRecord } from '../receipts/index.ts'
import type { ZeroStateRecords, ZeroStateStore } from './store.ts'
import type { ClosingChannel, Settlement } from '../economy/channel/index.ts'
import { DEFAULT_CHALLENGE_PERIOD_MS } from '../economy/payments/index.ts'
import { CapabilityService } from './capability-service.ts'
import { claimPeerSlot, databaseName } from './peer-slot.ts'
import type { ReputationPolicy } from './capability-service.ts'
import { TaskDispatch } from './task-dispatch.ts'
import { beforeUnilateralClose, executorIdentity, executorRunner } from './test-hooks.ts'
import { TrustLayer } from './trust-layer.ts'
import { DEFAULT_CHECK_RATES, checkRates } from '../trust/witness/index.ts'
import { FREE_PRICES, checkPriceSchedule } from '../receipts/pricing/index.ts'
import { StartupError, loadRelayAddrs, loadSamples, maxPeerConnectionsSetting } from './page-config.ts'
import { prepareTask, sampleLabel } from './task-request.ts'
import type { AppState, ContributeOptions, LedgerView, SampleTask, SubmitRequest, SubmitResult, TaskView, ZeroStateApp } from './types.ts'
import { cardView, preview, routingView } from './view-state.ts'

export { StartupError }

const HISTORY_LIMIT = 50
/** Tasks of this session kept on screen; older ones live on in the history. */
const SESSION_TASKS_LIMIT = 20
const PEER_REFRESH_MS = 2000
const IDLE_POLL_MS = 1000
/** The reference module and input of this tab's speed benchmark (a few ms of work). */
const BENCHMARK_SAMPLE = 'primes'
const BENCHMARK_INPUT = '300000'
/** Most executors one redundant task runs on. */
const MAX_REDUNDANCY = 5

/**
 * The composition root of a tab: storage, identity, the libp2p node, the mesh,
 * the worker pool and both halves of the task protocol, behind the small
 * `ZeroStateApp` surface the UI and `window.zerostate` use.
 */
export class BrowserZeroStateApp extends EventTarget implements ZeroStateApp {
  state: AppState
  private store: ZeroStateStore | undefined
  private identity: PeerIdentity | undefined
  private node: BrowserNode | undefined
  private mesh: PeerMesh | undefined
  private capabilities: CapabilityService | undefined
  private trust: TrustLayer | undefined
  private readonly pool: WorkerPool
  /** This tab's own sandboxes for runLocal(), metered and not, made on first use. */
  private readonly localPools = new Map<boolean, WorkerPool>()
  private refreshTimer: ReturnType<typeof setInterval> | undefined
  private changeQueued = false

  constructor () {
    super()
    const maxSlots = Math.max(1, navigator.hardwareConcurrency ?? 2)
    const slots = Math.max(1, maxSlots - 1)
    this.pool = new WorkerPool({ slots })
    this.state = {
      peerId: '',
      status: 'starting',
      statusDetail: 'opening local storage',
      relayAddrs: [],
      peers: [],
      contributing: false,
      slots,
      maxSlots,
      tasks: [],
      history: [],
      samples: [],
      tags: [],
      cards: [],
      routing: { destinations: [], peers: [], values: [] },
      ledger: { channels: [], payments: [], settlements: [], attestations: [], reports: [], reputation: [] },
      prices: { ...FREE_PRICES },
      witnessRates: { ...DEFAULT_CHECK_RATES }
    }
  }

  async start (): Promise<void> {
    try {
      this.store = withModuleCache(await openIdbStore<ZeroStateRecords>(databaseName(await claimPeerSlot())))
      this.identity = await loadOrCreateIdentity(this.store)
      this.update({
        peerId: this.identity.peerId.toString(),
        statusDetail: 'loading the relay list',
        history: await this.store.listReceipts(HISTORY_LIMIT)
      })
      const [relayAddrs, samples] = await Promise.all([loadRelayAddrs(), loadSamples()])
      this.update({ relayAddrs, samples, statusDetail: 'connecting to the relay' })

      const node = await createBrowserNode({
        privateKey: this.identity.privateKey,
        relayAddrs,
        // The mesh is made after the node; until then every inbound connection is welcome.
        acceptsInbound: peerId => this.mesh?.acceptsInbound(peerId) ?? true
      })
      this.node = node
      const executor = new TaskExecutor(
        { identity: await executorIdentity(this.identity), store: this.store, runner: executorRunner(this.pool) },
        { isContributing: () => this.state.contributing, prices: () => this.state.prices, onExecuted: task => { void this.recordExecuted(task) } }
      )
      await node.handle(TASK_PROTOCOL, (stream, connection) => executor.handle(stream, connection), {
        runOnLimitedConnection: true,
        maxInboundStreams: 64
      })
      await node.handle(ECHO_PROTOCOL, handleEcho, { runOnLimitedConnection: true, maxInboundStreams: 16 })
      const identity = this.identity
      await node.handle(BID_PROTOCOL, (stream, connection) => serveBid(stream, connection, {
        identity,
        quote: request => this.state.contributing ? quoteFor(this.state.prices, executor.lastUse(request.moduleHash), request) : undefined
      }), { runOnLimitedConnection: true, maxInboundStreams: 16 })
      this.mesh = new PeerMesh(node, {
        relayAddrs,
        maxPeerConnections: maxPeerConnectionsSetting(),
        capacity: () => ({ contributing: this.state.contributing, slots: this.state.slots }),
        onChange: () => { this.refreshPeers() }
      })
      await node.start()
      this.mesh.start()
      this.capabilities = new CapabilityService({
        identity: this.identity,
        store: this.store,
        pubsub: node.services.pubsub,
        benchmark: await this.measureBenchmark(samples),
        own: () => ({
          contributing: this.state.contributing,
          workerSlots: this.state.slots,
          memoryLimitBytes: MAX_MEMORY_LIMIT_BYTES,
          tags: this.state.tags,
          prices: this.state.prices,
          warmModules: this.pool.cachedModuleHashes()
        }),
        onChange: () => { this.refreshCapabilities() },
        onReset: message => { this.update({ notice: message }) }
      })
      await this.capabilities.start()
      this.trust = new TrustLayer({
        identity: this.identity,
        store: this.store,
        node,
        capabilities: this.capabilities,
        connectionTo: async (peer, options) => this.running().mesh.connectionTo(peer, options),
        runner: this.pool,
        isContributing: () => this.state.contributing,
        witnessRates: () => this.state.witnessRates,
        onLedger: ledger => { this.update({ ledger }) },
        onNotice: notice => { this.update({ notice }) },
        onDisputed: taskId => { this.updateTask(taskId, { disputed: true }) }
      })
      await this.trust.start()
      const forwarder = createForwarder({
        peerId: node.peerId,
        router: this.capabilities.router,
        connections: peerId => node.getConnections(peerIdFromString(peerId)),
        neighbours: () => this.mesh?.neighbours() ?? [],
        executor
      }, {
        onForwarded: () => { this.capabilities?.routerChanged() }
      })
      await node.handle(FORWARD_PROTOCOL, (stream, connection) => forwarder.handle(stream, connection), {
        runOnLimitedConnection: true,
        maxInboundStreams: 64
      })
      // Q-routing warm start: a new neighbour's estimates seed what this tab has not learnt yet.
      const estimates = createEstimateExchange({
        router: this.capabilities.router,
        neighbours: () => this.mesh?.neighbours() ?? [],
        onSeeded: () => { this.capabilities?.routerChanged() }
      })
      await node.handle(Q_ESTIMATES_PROTOCOL, (stream, connection) => estimates.handle(stream, connection).then(() => {}, () => {}), {
        runOnLimitedConnection: true,
        maxInboundStreams: 16
      })
      node.addEventListener('connection:open', ({ detail: connection }) => {
        // The dialling side starts the exchange, once per new connection to a peer (relays have no Q-table).
        if (connection.direction !== 'outbound' || this.mesh?.neighbours().includes(connection.remotePeer.toString()) !== true) return
        estimates.exchange(connection).catch(() => {})
      })
      this.refreshTimer = setInterval(() => { this.refreshPeers() }, PEER_REFRESH_MS)
      this.update({ status: 'online', statusDetail: undefined })
    } catch (err) {
      this.update({ status: 'offline', statusDetail: describe(err) })
      throw err
    }
  }

  async stop (): Promise<void> {
    clearInterval(this.refreshTimer)
    this.trust?.stop()
    this.capabilities?.stop()
    this.mesh?.stop()
    await this.node?.stop()
    this.pool.stop()
    for (const pool of this.localPools.values()) pool.stop()
    this.store?.close()
  }

  async contribute (on: boolean, slots: number = this.state.slots, options: ContributeOptions = {}): Promise<void> {
    if (!Number.isInteger(slots) || slots < 1 || slots > this.state.maxSlots) {
      throw new RangeError(`worker slots must be 1–${this.state.maxSlots}, got ${slots}`)
    }
    const tags = options.tags ?? this.state.tags
    const badTag = tags.find(tag => !/^[a-z0-9-]{1,32}$/.test(tag))
    if (badTag !== undefined || tags.length > 8) {
      throw new RangeError(`skill tags are at most 8 of 1–32 characters [a-z0-9-]${badTag === undefined ? '' : `; got "${badTag}"`}`)
    }
    const prices = options.prices === undefined ? this.state.prices : checkPriceSchedule(options.prices)
    const witnessRates = options.witnessRates === undefined ? this.state.witnessRates : checkRates(options.witnessRates)
    this.pool.setSlots(slots)
    this.update({ contributing: on, slots, tags, prices, witnessRates })
    await Promise.all([this.mesh?.announce(), this.capabilities?.refresh()])
  }

  async submit (request: SubmitRequest, options: { signal?: AbortSignal } = {}): Promise<SubmitResult> {
    const taskId = crypto.randomUUID()
    const label = request.label ?? (typeof request.module === 'string' ? sampleLabel(request.module) : 'upload')
    const task: TaskView = { taskId, label, phase: 'preparing', verified: false }
    this.update({ tasks: [task, ...this.state.tasks].slice(0, SESSION_TASKS_LIMIT) })
    try {
      const { store } = this.running()
      const { module, offer: prepared } = await prepareTask(taskId, request, options.signal)
      this.updateTask(taskId, { phase: 'choosing-executor' })
      const requirements = { moduleHash: prepared.moduleHash, ...request.requirements }
      const redundancy = request.executor == null ? request.redundancy ?? 1 : 1
      if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) {
        throw new RangeError(`redundancy must be 1–${MAX_REDUNDANCY} executors, got ${String(request.redundancy)}`)
      }
      const dispatch = this.dispatch(patch => { this.updateTask(taskId, patch) })
      const { outcome, offer } = redundancy > 1
        ? { outcome: await dispatch.runRedundant(prepared, module, requirements, redundancy, options.signal), offer: prepared }
        : await dispatch.runOnce(prepared, module, requirements, request, options.signal)
      this.updateTask(taskId, {
        phase: 'done',
        verified: true,
        receipt: outcome.receipt,
        result: { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode, durationMs: outcome.receipt.durationMs, files: outcome.files }
      })
      // Kept and paid for side by side: two separate stores, neither waits on the other.
      // A redundant task was checked by its own majority, and its executors paid by it.
      await Promise.all([
        this.remember({ receipt: outcome.receipt, role: 'submitter', label, stdoutPreview: preview(outcome.stdout), storedAt: Date.now() }, store),
        redundancy === 1 ? this.trust?.afterTask(outcome.receipt, offer, module, request.witnesses ?? true) : undefined
      ])
      return { ...outcome, executor: outcome.receipt.executor }
    } catch (err) {
      // A task that ran and failed still has a verified receipt: show and keep it.
      const receipt = err instanceof RemoteTaskError ? err.receipt : undefined
      const lastPhase = this.state.tasks.find(task => task.taskId === taskId)?.phase
      const failedDuring = receipt != null ? 'running' : lastPhase === 'done' || lastPhase === 'failed' ? undefined : lastPhase
      this.updateTask(taskId, {
        phase: 'failed',
        failedDuring,
        error: { name: errorName(err), message: describe(err) },
        ...(receipt == null ? {} : { receipt, verified: true })
      })
      if (receipt != null && this.store != null) {
        await this.remember({ receipt, role: 'submitter', label, stdoutPreview: '', storedAt: Date.now() }, this.store).catch(() => {})
        await this.trust?.pay(receipt)
      }
      throw err
    }
  }

  /** The ledger as the store holds it now (the `ledger` in `state` follows it a moment later). */
  async ledgerView (): Promise<LedgerView> {
    return this.trustLayer().view()
  }

  /** Closes a payment channel cooperatively; resolves with the settlement record (also published to the mesh). */
  async closeChannel (channelId: string): Promise<Settlement> {
    return this.trustLayer().closeChannel(channelId)
  }

  async closeChannelUnilaterally (channelId: string, challengePeriodMs: number = DEFAULT_CHALLENGE_PERIOD_MS): Promise<ClosingChannel> {
    await beforeUnilateralClose(this.running().store, channelId)
    return this.trustLayer().closeChannelUnilaterally(channelId, challengePeriodMs)
  }

  /** How this tab keeps reputation: the half-life and blacklisting it uses now. */
  reputationPolicy (): ReputationPolicy {
    return { ...this.capabilityService().reputationPolicy }
  }

  /** Sets the half-life and blacklisting (defaults for what is left out); kept across reloads. */
  async setReputationPolicy (policy: ReputationPolicy): Promise<void> {
    await this.capabilityService().setReputationPolicy(policy)
    this.trust?.refreshSoon()
  }

  whitelist (peerId: string, on: boolean): void {
    this.capabilityService().whitelist(peerId, on)
    this.trust?.refreshSoon()
  }

  /**
   * Resolves once this tab runs nothing for others and waits on nothing it
   * submitted: the moment a new version of the app may reload it.
   */
  async whenIdle (signal?: AbortSignal): Promise<void> {
    const busy = (): boolean => this.pool.running + this.pool.queued > 0 ||
      this.state.tasks.some(task => task.phase !== 'done' && task.phase !== 'failed')
    while (busy()) await sleep(IDLE_POLL_MS, signal)
  }

  /**
   * Runs a task in this tab's own sandbox — to try a module before submitting
   * it, or to measure the sandbox. `metered: false` skips fuel metering (the
   * result then reports no fuel). No receipt: nobody else was involved.
   */
  async runLocal (request: SubmitRequest, options: { metered?: boolean, signal?: AbortSignal } = {}): Promise<ExecutionResult> {
    const { offer, module } = await prepareTask(crypto.randomUUID(), request, options.signal)
    const metered = options.metered ?? true
    let pool = this.localPools.get(metered)
    if (pool == null) {
      pool = new WorkerPool({ slots: 1, metered })
      this.localPools.set(metered, pool)
    }
    return pool.run(offer.moduleHash, module,
      { args: offer.args, env: offer.env, stdin: offer.stdin, files: offer.files, seed: offer.seed },
      { timeoutMs: offer.timeoutMs, memoryLimitBytes: offer.memoryLimitBytes, fuel: offer.fuel },
      { signal: options.signal })
  }

  /** Echo round trips to a peer over its best connection, in ms (see network/echo.ts). */
  async measureEcho (peerId: string, options: EchoOptions): Promise<number[]> {
    const { mesh } = this.running()
    return measureEcho(await mesh.connectionTo(peerId, options), options)
  }

  private async recordExecuted (task: ExecutedTask): Promise<void> {
    const { store } = this.running()
    await this.remember({
      receipt: task.receipt,
      role: 'executor',
      // The executor never learns the submitter's name for the module; its hash is what it ran.
      label: `module ${task.offer.moduleHash.slice(0, 12)}`,
      stdoutPreview: preview(task.result.stdout),
      storedAt: Date.now()
    }, store)
  }

  /** Persists a receipt record, then shows it; the store is read back only at start-up. */
  private async remember (record: ReceiptRecord, store: ZeroStateStore): Promise<void> {
    await store.addReceipt(record)
    this.update({ history: [record, ...this.state.history].slice(0, HISTORY_LIMIT) })
  }

  private trustLayer (): TrustLayer {
    if (this.trust == null) throw new StartupError('this peer has not finished starting')
    return this.trust
  }

  /** Dispatch for one task; `onTask` updates that task's view. */
  private dispatch (onTask: (patch: Partial<TaskView>) => void): TaskDispatch {
    const { identity, mesh } = this.running()
    return new TaskDispatch({ identity, mesh, capabilities: this.capabilityService(), trust: this.trustLayer(), onTask })
  }

  private capabilityService (): CapabilityService {
    if (this.capabilities == null) throw new StartupError('this peer has not finished starting')
    return this.capabilities
  }

  private running (): { node: BrowserNode, mesh: PeerMesh, identity: PeerIdentity, store: ZeroStateStore } {
    const { node, mesh, identity, store } = this
    if (node == null || mesh == null || identity == null || store == null) {
      throw new StartupError(this.state.statusDetail ?? 'this peer has not finished starting')
    }
    return { node, mesh, identity, store }
  }

  /** Fuel per millisecond on the primes sample, this tab's speed as its Agent Card states it. */
  private async measureBenchmark (samples: SampleTask[]): Promise<CardBenchmark> {
    const reference = samples.find(sample => sample.id === BENCHMARK_SAMPLE)
    if (reference == null) return { fuelPerMs: 0, reference: '0'.repeat(64) }
    try {
      const result = await this.runLocal({ module: reference.url, stdin: BENCHMARK_INPUT, seed: new Uint8Array(TASK_SEED_BYTES) })
      return { fuelPerMs: Math.floor((result.fuelUsed ?? 0) / Math.max(result.durationMs, 1)), reference: reference.sha256 }
    } catch {
      return { fuelPerMs: 0, reference: reference.sha256 }
    }
  }

  private refreshCapabilities (): void {
    const service = this.capabilities
    if (service == null) return
    const { reputation } = service
    const cards = [...service.cards.cards()].map(card =>
      cardView(card, { score: reputation.score(card.peerId), blacklisted: reputation.isBlacklisted(card.peerId) }))
    this.update({ cards, routing: routingView(service.router.toJSON()) })
  }

  private refreshPeers (): void {
    if (this.mesh != null) this.update({ peers: this.mesh.peers() })
  }

  private updateTask (taskId: string, patch: Partial<TaskView>): void {
    this.update({ tasks: this.state.tasks.map(task => task.taskId === taskId ? { ...task, ...patch } : task) })
  }

  private update (patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch }
    this.emitChange()
  }

  /** Many updates in one turn make one `change` event. */
  private emitChange (): void {
    if (this.changeQueued) return
    this.changeQueued = true
    queueMicrotask(() => {
      this.changeQueued = false
      this.dispatchEvent(new Event('change'))
    })
  }
}

function errorName (err: unknown): string {
  return err instanceof Error ? err.name : 'Error'
}

function describe (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
