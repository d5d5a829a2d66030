/**
 * The composition root of a peer — a tab, or a Node peer (node-peer.node.ts:
 * the same libp2p node, @libp2p/webrtc running on node-datachannel there):
 * every service of every layer, made once,
 * wired to the narrow parts of the others it needs, started in order and
 * stopped in reverse. Nothing here decides anything; the services do, and
 * the app (zerostate-app.ts) turns what they report into view state.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { noopMetrics } from '../core/index.ts'
import { MAX_MEMORY_LIMIT_BYTES } from '../core/limits.ts'
import { AgentCardService, AvailabilityProbe, documentPage } from '../discovery/index.ts'
import type { CardInterface } from '../discovery/index.ts'
import { agentRegistryService } from '../discovery/agent-registry/index.ts'
import { PaymentService } from '../economy/payments/index.ts'
import { createBrowserNode } from '../network/browser-node.ts'
import type { BulkConnectionTo, ConnectionTo } from '../network/components.ts'
import { echoService } from '../network/echo/index.ts'
import { PeerMesh } from '../network/peer-mesh.ts'
import { bidService, quoteFor } from '../orchestration/auction/index.ts'
import { TaskAccountability, TaskVerification } from '../orchestration/dispatch/index.ts'
import { A2A_LIBP2P_BINDING, A2A_PROTOCOL_VERSION, a2aService } from '../orchestration/a2a/index.ts'
import type { A2AAgent } from '../orchestration/a2a/index.ts'
import { forwardingService } from '../orchestration/forwarding/index.ts'
import { StoredRouter } from '../orchestration/routing/index.ts'
import { estimateExchangeService } from '../orchestration/routing/warm-start/index.ts'
import { taskExecutorService } from '../orchestration/task-protocol/index.ts'
import { OtlpExport, TraceRecorder } from '../network/tracing/index.ts'
import { ReportService, ReputationService } from '../trust/reputation/index.ts'
import { guildService, leadQuote } from '../orchestration/guilds/index.ts'
import { AgentStatsBook } from '../trust/agent-stats/index.ts'
import { receiptHash } from '../receipts/index.ts'
import { WitnessService } from '../trust/witness/index.ts'
import { VerificationService, executorStanding } from '../trust/verification/index.ts'
import { checkRecords } from './check-records.ts'
import type { ComposeInit, ComposedPeer } from './compose-types.ts'
import { MeteredTaskDispatch } from './peer-metrics.ts'
import { MeteredPeerFigures, meshFiguresPublisher } from './mesh-figures.ts'
import { OwedReceipts } from './owed-receipts.ts'
import { Settlements } from './settlements.ts'

export type { ComposeInit, ComposedPeer, PeerEvents, PeerSettings } from './compose-types.ts'

export async function composePeer (init: ComposeInit): Promise<ComposedPeer> {
  const { store, identity, settings, events, logger } = init
  const metrics = new MeteredPeerFigures(init.metrics ?? noopMetrics)
  // Made after the node (the mesh) or after the witness (accountability); until then, asked for nothing.
  const late: { mesh?: PeerMesh, accountability?: TaskAccountability, a2aAgent?: A2AAgent, a2aInterfaces: CardInterface[] } = { a2aInterfaces: [] }
  // The reference benchmark runs in a worker while the node starts and dials: the card needs its figure only later.
  const benchmarking = init.benchmark()
  benchmarking.catch(() => {})
  const node = await createBrowserNode({
    privateKey: identity.privateKey,
    relayAddrs: init.relayAddrs,
    acceptsInbound: peerId => late.mesh?.acceptsInbound(peerId) ?? true,
    ...(init.metrics === undefined ? {} : { metrics: init.metrics })
  })
  const connectionTo: ConnectionTo = async (peer, options) => (late.mesh as PeerMesh).connectionTo(peer, options ?? {})
  // For module fetches: a module past a relayed connection's data limit (128 KiB) waits for the direct connection.
  const bulkConnectionTo: BulkConnectionTo = async (peer, options) => (late.mesh as PeerMesh).bulkConnectionTo(peer, options ?? {})
  const registrar = node
  const pubsub = node.services.pubsub

  const agentRecords = new AgentStatsBook()
  const otlp = new OtlpExport()
  if (init.otlpUrl !== undefined) await otlp.configure(init.otlpUrl)
  const traces = init.tracing === false ? undefined : new TraceRecorder({ peer: identity.peerId.toString(), processors: [otlp] })
  const executorService = taskExecutorService({
    tracer: traces,
    isContributing: settings.contributing,
    prices: settings.prices,
    // The contributed slots, asked each time (the user may change them); the test build's runner wrapper has no `slots` of its own.
    slots: settings.slots,
    onExecuted: task => {
      if (agentRecords.observeReceipt(task.receipt, receiptHash(task.receipt), Date.now())) events.onAgentRecords?.()
      metrics.executed(task)
      events.onExecuted(task)
    }
  })({ identity: init.executorIdentity ?? identity, store, runner: init.executorRunner ?? init.pool, registrar, logger })
  const executor = executorService.executor
  const echo = echoService()({ registrar })
  const bids = bidService({
    quote: request => settings.contributing() ? quoteFor(settings.prices(), executor.lastUse(request.moduleHash), request) : undefined
  })({ identity, registrar })
  await Promise.all([executorService.start(), echo.start(), bids.start()])

  const mesh = new PeerMesh(node, {
    relayAddrs: init.relayAddrs,
    ...(init.attachRelays === undefined ? {} : { attachRelays: init.attachRelays }),
    maxPeerConnections: init.maxPeerConnections,
    capacity: () => ({ contributing: settings.contributing(), slots: settings.slots() }),
    onChange: events.onPeers,
    logger
  })
  late.mesh = mesh
  metrics.observe({
    peers: () => mesh.peers(),
    workers: () => ({ slots: settings.contributing() ? settings.slots() : 0, running: init.pool.running, queued: init.pool.queued })
  })
  await node.start()
  performance.mark('zerostate:node-started')
  mesh.start()
  const neighbours = (): string[] => mesh.neighbours()

  const router = new StoredRouter({ store, logger }, { onChange: events.onCapabilities, onReset: events.onNotice })
  const reputation = new ReputationService({ store, logger }, {
    onChange: () => { events.onCapabilities(); events.onLedger() },
    onReset: events.onNotice
  })
  const verification = new VerificationService({ store, logger }, { onChange: events.onLedger, onReset: events.onNotice })
  await Promise.all([router.start(), reputation.start(), verification.start()])
  const cards = new AgentCardService({ identity, store, pubsub, logger }, {
    benchmark: await benchmarking,
    own: () => ({
      contributing: settings.contributing(),
      workerSlots: settings.slots(),
      memoryLimitBytes: MAX_MEMORY_LIMIT_BYTES,
      tags: settings.tags(),
      prices: settings.prices(),
      warmModules: init.pool.cachedModuleHashes(),
      interfaces: late.a2aInterfaces
    }),
    visible: () => typeof document === 'undefined' || document.visibilityState === 'visible',
    // A tab measures whether the browser throttles it (docs/agent-card.md §11); a Node peer states no class.
    availability: () => availability?.current() ?? {},
    onChange: events.onCapabilities,
    onReset: events.onNotice
  })
  const page = documentPage()
  const availability = page === undefined
    ? undefined
    : new AvailabilityProbe({ now: () => performance.now(), page }, { onChange: () => { cards.availabilityChanged() } })
  availability?.start()
  await cards.start()
  performance.mark('zerostate:card-published')

  const reports = new ReportService({ identity, pubsub, logger }, { onChange: events.onLedger })
  const payments = new PaymentService({ identity, store, registrar, pubsub, connectionTo, logger, ...(traces === undefined ? {} : { tracer: traces }) }, {
    chargeOf: receipt => receipt.price.charge,
    onChange: events.onLedger
  })
  const witness = new WitnessService({ identity, store, registrar, pubsub, connectionTo: bulkConnectionTo, runner: init.pool, logger, ...(traces === undefined ? {} : { tracer: traces }) }, {
    isContributing: settings.contributing,
    rates: settings.witnessRates,
    // Established by this peer's standing of it (checked work, trust/verification standing.ts), not by the reputation
    // book's score: an executor must not earn the lower check rate with successes nobody checked (issue 16).
    standing: peerId => ({
      score: executorStanding({
        checked: verification.book.record(peerId),
        observedScore: reputation.book.score(peerId),
        blacklisted: reputation.book.isBlacklisted(peerId),
        whitelisted: reputation.book.isWhitelisted(peerId)
      }, Date.now(), verification.policy).score,
      observations: reputation.book.history(peerId).length
    }),
    onResolved: outcome => { late.accountability?.disputeResolved(outcome).catch(err => { logger.warn('settling a dispute', err) }) },
    // Work a witness confirmed is worth telling the mesh about: it is the only praise with a check behind it.
    onConfirmed: attestation => { reports.report(attestation.executor, 'success', attestation.taskId).catch(err => { logger.warn('reporting confirmed work', err) }) },
    // Every receipt and verdict the mesh shows this peer is a run of some module: the agents' records (the marketplace's).
    onReceiptSeen: (receipt, hash) => { if (agentRecords.observeReceipt(receipt, hash, Date.now())) events.onAgentRecords?.() },
    onAttestationSeen: attestation => { if (attestation.verdict === 'disagree' && agentRecords.observeDisagreement(attestation.receiptHash)) events.onAgentRecords?.() },
    onChange: events.onLedger
  })
  const accountability = new TaskAccountability({ payments, witness, reputation, reports, verification, logger }, {
    onNotice: events.onNotice,
    onDisputed: events.onDisputed
  })
  late.accountability = accountability
  reports.start()
  await payments.start()
  await witness.start()

  const forwarding = forwardingService({ onForwarded: () => { router.changed() }, tracer: traces })({
    peerId: node.peerId,
    router: router.router,
    connections: peerId => node.getConnections(peerIdFromString(peerId)),
    bulkConnectionTo,
    neighbours,
    executor,
    registrar
  })
  // Q-routing warm start: a new neighbour's estimates seed what this peer has not learnt yet.
  const estimates = estimateExchangeService({ onSeeded: () => { router.changed() } })({
    router: router.router, neighbours, registrar, events: node, logger
  })
  await Promise.all([forwarding.start(), estimates.start()])

  const agents = agentRegistryService({ onAgent: event => { events.onAgent?.(event) } })({
    identity,
    store,
    pubsub,
    registrar,
    connectionTo: bulkConnectionTo,
    connectedPeers: () => [...new Set(node.getConnections().map(connection => connection.remotePeer.toString()))],
    logger
  })
  await agents.start()
  const meshFigures = meshFiguresPublisher({ sharing: init.shareMetrics ?? false })({ identity, pubsub, tally: metrics.tally, logger })
  meshFigures.start()
  const self = identity.peerId.toString()
  const guilds = guildService({
    acceptInvite: () => settings.guildInvites?.() ?? false,
    quote: (request, guild) => leadQuote(request, guild, self, settings.guildStepPrice?.()),
    onChange: events.onCapabilities
  })({ identity, registrar, pubsub, connectionTo, logger })
  await guilds.start()
  // The agent is the peer layer's (it submits into the mesh through a PeerContext made after this): served once given.
  const a2a = a2aService()({ registrar, agent: () => late.a2aAgent })

  const dispatch = new MeteredTaskDispatch({ identity, mesh, cards, router, reputation, verification, accountability }, metrics, () => performance.now())
  const verifier = new TaskVerification({
    identity, mesh, dispatch, reputation, verification, accountability, runner: init.pool,
    // A checker's receipt the check pays, and an executor's held until its check agrees: owed in the history until
    // paid, as a task's own (owed-receipts.ts); a held one the check did not confirm, withheld.
    keep: checkRecords({ store, ...(events.remember === undefined ? {} : { remember: events.remember.bind(events) }), logger })
  })
  const settlements = new Settlements()
  // Receipts an earlier session kept and never paid (a tab closed behind a result): paid as their executors are reached.
  const owedReceipts = new OwedReceipts({
    self,
    store,
    channels: payments.channels,
    events: node,
    connected: peer => node.getConnections(peerIdFromString(peer)).length > 0,
    logger
  }, { onNotice: events.onNotice })
  // Not waited for (start-up is not held up by it): its read of the history is made now, before any task of this
  // session is kept, so it takes only earlier sessions' receipts (a store's reads and writes run in the order made).
  owedReceipts.start().catch(err => { logger.warn('reading the receipts owed from an earlier session', err) })
  return {
    node, mesh, executor, cards, router, reputation, reports, payments, witness, accountability, dispatch, settlements, verification, verifier, traces, otlp, metrics, meshFigures, agents, a2a, agentRecords, guilds, availability,
    serveA2A: async agent => {
      late.a2aAgent = agent
      await a2a.start()
      // The card says so (docs/agent-card.md §10): a caller picks A2A peers from cards, not by dialling blind.
      const libp2p: CardInterface = { url: `/p2p/${identity.peerId.toString()}`, protocolBinding: A2A_LIBP2P_BINDING, protocolVersion: A2A_PROTOCOL_VERSION }
      late.a2aInterfaces = [libp2p, ...late.a2aInterfaces.filter(entry => entry.protocolBinding !== A2A_LIBP2P_BINDING)]
      await cards.refresh()
    },
    declareA2AInterfaces: async interfaces => {
      const known = new Set(late.a2aInterfaces.map(entry => `${entry.protocolBinding} ${entry.url}`))
      late.a2aInterfaces = [...late.a2aInterfaces, ...interfaces.filter(entry => !known.has(`${entry.protocolBinding} ${entry.url}`))]
      await cards.refresh()
    },
    async stop () {
      // Receipts still being kept and payments still being co-signed end first: nothing owed is dropped.
      await settlements.settled()
      // Those of earlier sessions not paid yet stay owed in the history, for the next start.
      await owedReceipts.stop()
      await a2a.stop()
      await guilds.stop()
      meshFigures.stop()
      // What is queued for the collector goes before the peer does.
      await otlp.shutdown().catch(err => { logger.warn('flushing the spans to the collector', err) })
      await agents.stop()
      await Promise.all([estimates.stop(), forwarding.stop()])
      await witness.stop()
      await payments.stop()
      reports.stop()
      cards.stop()
      availability?.stop()
      verification.stop()
      reputation.stop()
      router.stop()
      dispatch.stop()
      mesh.stop()
      await Promise.all([bids.stop(), echo.stop(), executorService.stop()])
      await node.stop()
    }
  }
}
