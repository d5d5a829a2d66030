import { pbStream } from '@libp2p/utils'
import type { ProtobufStream } from '@libp2p/utils'
import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface'
import type { BulkConnectionTo } from '../../network/components.ts'
import { MAX_ERROR_MESSAGE_LENGTH } from '../../network/constants.ts'
import { bestConnection } from '../../network/transports.ts'
import type { QRouter } from '../routing/index.ts'
import { MAX_TASK_MESSAGE_BYTES, OFFER_RESPONSE_TIMEOUT_MS } from '../task-protocol/index.ts'
import type { TaskExecutor } from '../task-protocol/index.ts'
import { ExecutorMessage } from '../task-protocol/pb/task.ts'
import { FORWARD_DIRECT_WAIT_MS, FORWARD_PROTOCOL, MAX_FORWARD_HEADER_BYTES, MAX_HOPS, MAX_PEER_ID_LENGTH, MAX_VISITED } from './constants.ts'
import { HopLimitError, InvalidForwardHeaderError, NoRouteError, RoutingLoopError } from './errors.ts'
import { ForwardHeader } from './pb/forward.ts'
import { splice } from './splice.ts'
import type { TraceRecorder } from '../../network/tracing/index.ts'
import { HopTrace, checkHeaderTraceparent } from './trailer.ts'

export interface ForwarderComponents {
  peerId: PeerId
  router: QRouter
  /** Open connections to a peer (libp2p `getConnections(peerId)`). */
  connections(peerId: string): Connection[]
  /** The peers this node may forward to (its direct neighbours). */
  neighbours(): string[]
  /**
   * The connection to send a task on over (PeerMesh.bulkConnectionTo): a hop
   * does not know the task's size, and one reached only through a relay is
   * cut off past the relay's data limit, so it waits a while
   * (FORWARD_DIRECT_WAIT_MS) for the direct one. Absent: the best open one.
   */
  bulkConnectionTo?: BulkConnectionTo
  /** Runs tasks whose target is this peer. */
  executor: Pick<TaskExecutor, 'handle'>
}

export interface ForwarderInit {
  /** The clock for the Q-router's delay samples, in ms. Default `performance.now`. */
  now?(): number
  /** Called after a forwarded task's stream has completed through this hop. */
  onForwarded?(event: { target: string, next: string, elapsedMs: number }): void
  /**
   * Records a `forward hop` span for each traced task passing through, and
   * sends it back to the origin in a trailer (docs/tracing.md §6). Absent (or
   * disabled): the header's traceparent passes on unchanged.
   */
  tracer?: TraceRecorder
}

/** One hop's half of /zerostate/forward/1.0.0: run the task here, or pass it on. */
export interface Forwarder {
  /** Handles one inbound FORWARD_PROTOCOL stream; never rejects. */
  handle(stream: Stream, connection: Connection): Promise<void>
}

/**
 * Reads and checks a forward header at this hop, then either hands the rest
 * of the stream to the local TaskExecutor (receipt submitter = header origin)
 * or opens FORWARD_PROTOCOL to the next hop — the target when connected to it,
 * otherwise the Q-router's choice among unvisited neighbours — and splices
 * the two streams until the task is done, teaching the router how long the
 * task took through that neighbour (Boyan & Littman 1994, with the whole
 * remaining delay observed, so the announced estimate t is 0).
 *
 * A hop that cannot go on (HopLimitError, RoutingLoopError, NoRouteError,
 * InvalidForwardHeaderError) answers with a task-protocol FAILURE naming the
 * error, so the origin's submit rejects with a RemoteTaskError of that name
 * — the same path as an executor refusing a task.
 *
 * The header's origin is a claim: a hop could lie about it, but then the
 * receipt names a submitter that the real origin will not accept.
 */
export function createForwarder (components: ForwarderComponents, init: ForwarderInit = {}): Forwarder {
  return new HopForwarder(components, init)
}

class HopForwarder implements Forwarder {
  private readonly components: ForwarderComponents
  private readonly now: () => number
  private readonly onForwarded: ForwarderInit['onForwarded']
  private readonly tracer: TraceRecorder | undefined

  constructor (components: ForwarderComponents, init: ForwarderInit) {
    this.components = components
    this.now = init.now ?? (() => performance.now())
    this.onForwarded = init.onForwarded
    this.tracer = init.tracer
  }

  async handle (stream: Stream, connection: Connection): Promise<void> {
    // The offer may arrive right behind the header (and a module before the
    // next hop answers): buffer up to one task message.
    const reader = pbStream(stream, { maxDataLength: MAX_FORWARD_HEADER_BYTES, maxBufferSize: MAX_TASK_MESSAGE_BYTES })
    let outbound: Stream | undefined
    let trace: HopTrace | undefined
    try {
      const header = checkHeader(await reader.read(ForwardHeader, {
        signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS),
        limits: { visited: MAX_VISITED }
      }))
      const readAtMs = this.tracer?.time()
      const self = this.components.peerId.toString()
      if (header.visited.includes(self)) {
        throw new RoutingLoopError(`${self} is already on the task's path`)
      }
      if (header.target === self) {
        // Subscribe the executor's reader first, then unwrap: the header
        // reader re-emits the bytes it buffered (the offer) to it.
        const done = this.components.executor.handle(stream, connection, { submitter: header.origin })
        reader.unwrap()
        await done
        return
      }
      if (header.hopsLeft === 0 || header.visited.length >= MAX_VISITED) {
        throw new HopLimitError(`no hops left to reach ${header.target}`)
      }
      const previous = connection.remotePeer.toString()
      if (readAtMs !== undefined) {
        trace = HopTrace.open(this.tracer, header.traceparent, { 'zerostate.target': header.target, 'zerostate.previous': previous, 'zerostate.hops_left': header.hopsLeft }, readAtMs)
      }
      const next = this.nextHop(header, self, previous)
      trace?.via(next)
      const traceparent = trace?.traceparent() ?? header.traceparent
      const opened = await this.open(next, {
        target: header.target,
        origin: header.origin,
        hopsLeft: header.hopsLeft - 1,
        visited: [...header.visited, self],
        ...(traceparent === undefined ? {} : { traceparent })
      })
      outbound = opened.stream
      const started = this.now()
      let elapsedMs: number | undefined
      // splice subscribes to both streams synchronously; only then do the
      // readers let go, re-emitting what they buffered (the offer, say).
      const hopTrace = trace
      const spliced = splice(stream, outbound, {
        // The result has passed once the far side has finished sending.
        onBToA: () => { elapsedMs = Math.max(0, this.now() - started) },
        // …and, when traced, this hop's span follows it (trailer.ts).
        ...(hopTrace === undefined ? {} : { endBToA: () => hopTrace.trailer(self) })
      })
      reader.unwrap()
      opened.writer.unwrap()
      await spliced
      if (elapsedMs != null) {
        this.components.router.update(header.target, next, elapsedMs, 0)
        this.onForwarded?.({ target: header.target, next, elapsedMs })
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      trace?.fail(error)
      if (outbound != null) {
        // Spliced (or about to be): the error already travelled as an abort.
        if (outbound.status === 'open') outbound.abort(error)
        if (stream.status === 'open') stream.abort(error)
        return
      }
      try {
        await reader.write({
          type: ExecutorMessage.Type.FAILURE,
          files: [],
          spans: [],
          errorName: error.name,
          errorMessage: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH)
        }, ExecutorMessage)
        await stream.close({ signal: AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS) })
      } catch (sendErr) {
        stream.abort(sendErr instanceof Error ? sendErr : error)
      }
    }
  }

  /** The target itself when connected to it; else the router's pick among neighbours not yet on the path. */
  private nextHop (header: ForwardHeader, self: string, previous: string): string {
    if (this.openConnection(header.target) != null) return header.target
    const candidates = this.components.neighbours().filter((peer) =>
      peer !== self && peer !== previous && peer !== header.origin && !header.visited.includes(peer) &&
      this.openConnection(peer) != null)
    if (candidates.length === 0) {
      throw new NoRouteError(`${self} has no route to ${header.target}`)
    }
    return this.components.router.choose(header.target, candidates)
  }

  /** Opens FORWARD_PROTOCOL to `next` and sends the header; the caller unwraps the returned writer once it reads the stream. */
  private async open (next: string, header: ForwardHeader, options: AbortOptions = {}): Promise<{ stream: Stream, writer: ProtobufStream<Stream> }> {
    const existing = this.openConnection(next)
    if (existing == null) throw new NoRouteError(`no open connection to ${next}`)
    let stream: Stream
    try {
      const { bulkConnectionTo } = this.components
      const connection = bulkConnectionTo === undefined ? existing : await bulkConnectionTo(next, { signal: options.signal, waitMs: FORWARD_DIRECT_WAIT_MS })
      stream = await connection.newStream(FORWARD_PROTOCOL, {
        signal: options.signal ?? AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS),
        runOnLimitedConnection: true
      })
    } catch (err) {
      throw new NoRouteError(`cannot open ${FORWARD_PROTOCOL} to ${next}: ${err instanceof Error ? err.message : String(err)}`)
    }
    const writer = pbStream(stream, { maxDataLength: MAX_FORWARD_HEADER_BYTES })
    try {
      await writer.write(header, ForwardHeader, options)
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw new NoRouteError(`cannot send the header to ${next}`)
    }
    return { stream, writer }
  }

  /** The best open connection to `peer`: a direct one before a relayed one. */
  private openConnection (peer: string): Connection | undefined {
    return bestConnection(this.components.connections(peer))
  }
}

/** Checks a header against the schema's limits (forward.proto). */
export function checkHeader (header: ForwardHeader): ForwardHeader {
  const peerIds = [header.target, header.origin, ...header.visited]
  if (peerIds.some((id) => id.length === 0 || id.length > MAX_PEER_ID_LENGTH)) {
    throw new InvalidForwardHeaderError(`PeerIds must be 1–${MAX_PEER_ID_LENGTH} characters`)
  }
  if (header.visited.length > MAX_VISITED) {
    throw new InvalidForwardHeaderError(`at most ${MAX_VISITED} visited peers`)
  }
  if (!Number.isInteger(header.hopsLeft) || header.hopsLeft < 0 || header.hopsLeft > MAX_HOPS) {
    throw new HopLimitError(`hops_left must be 0–${MAX_HOPS}, got ${header.hopsLeft}`)
  }
  checkHeaderTraceparent(header.traceparent)
  return header
}
