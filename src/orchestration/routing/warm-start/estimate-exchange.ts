import type { LengthPrefixedStream } from '@libp2p/utils'
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { QRouter } from '../q-router.ts'
import {
  DEFAULT_LINK_DELAY_MS, ESTIMATE_EXCHANGE_TIMEOUT_MS, MAX_Q_ESTIMATES_BYTES, MAX_SHARED_DEST_LENGTH, MAX_SHARED_ESTIMATES, Q_ESTIMATES_PROTOCOL
} from './constants.ts'
import { InvalidEstimatesError } from './errors.ts'
import { Estimates } from './pb/estimates.ts'
import { withTimeout } from '../../../core/abort.ts'
import { abortReason, lengthPrefixedStream } from '../../../network/framed-stream.ts'

export interface EstimateExchangeInit {
  /** The router whose best estimates are shared and into which a neighbour's are seeded. */
  router: Pick<QRouter, 'estimate' | 'seed' | 'toJSON'>
  /** This node's current neighbours (as passed to `router.choose`). */
  neighbours(): string[]
  /** Clock for the link-delay round trip, in ms. Default `performance.now`. */
  now?(): number
  /** Link delay (ms) added when no round trip could be measured. Default DEFAULT_LINK_DELAY_MS. */
  linkDelayMs?: number
  /** Called after a neighbour's estimates were seeded. */
  onSeeded?(event: EstimatesSeededEvent): void
}

export interface EstimatesSeededEvent {
  /** The neighbour (PeerId string) the estimates came from, the `via` of every seeded entry. */
  peer: string
  /** The link delay added to each of its estimates: the measured round trip, or the constant. */
  linkDelayMs: number
  /** Whether `linkDelayMs` was measured on this exchange. */
  measured: boolean
  /** Entries received. */
  received: number
  /** Entries written into the router (learnt entries are never overwritten). */
  seeded: number
}

/** Both halves of /zerostate/q-estimates/1.0.0. */
export interface EstimateExchange {
  /**
   * Listener half: reads the dialler's Estimates, answers with this node's,
   * waits for the dialler to close (that round trip is the link delay), seeds
   * and resolves with the number of entries seeded. On failure the stream is
   * aborted and the promise rejects (InvalidEstimatesError for bad input).
   */
  handle(stream: Stream, connection: Connection, options?: AbortOptions): Promise<number>
  /**
   * Dialler half: sends this node's Estimates, reads the answer (write → read
   * is the link delay), closes, seeds and resolves with the number seeded.
   */
  exchange(connection: Connection, options?: AbortOptions): Promise<number>
}

/**
 * Warm start of Q-routing (Boyan & Littman 1994) from neighbours' estimates
 * exchanged when a connection opens: each side sends, per destination in its
 * Q-table, its own best estimate min_y Q(d, y) — the `t` of the paper's update
 * — and the receiver sets Q(d, sender) = t + link delay unless it has learnt
 * that entry already (`QRouter.seed`).
 *
 * Split horizon (RFC 2453 §3.4.3): the estimate sent to a peer is taken over
 * the neighbours other than that peer, so a node never echoes back a route
 * that runs through the receiver itself.
 */
export function createEstimateExchange (init: EstimateExchangeInit): EstimateExchange {
  return new NeighbourEstimateExchange(init)
}

class NeighbourEstimateExchange implements EstimateExchange {
  private readonly router: EstimateExchangeInit['router']
  private readonly neighbours: () => string[]
  private readonly now: () => number
  private readonly linkDelayMs: number
  private readonly onSeeded: EstimateExchangeInit['onSeeded']

  constructor (init: EstimateExchangeInit) {
    this.router = init.router
    this.neighbours = init.neighbours
    this.now = init.now ?? (() => performance.now())
    this.linkDelayMs = init.linkDelayMs ?? DEFAULT_LINK_DELAY_MS
    if (!(Number.isFinite(this.linkDelayMs) && this.linkDelayMs >= 0)) {
      throw new RangeError('linkDelayMs must be a finite number ≥ 0')
    }
    this.onSeeded = init.onSeeded
  }

  async handle (stream: Stream, connection: Connection, options: AbortOptions = {}): Promise<number> {
    const peer = connection.remotePeer.toString()
    const lp = lengthPrefixedStream(stream, { maxDataLength: MAX_Q_ESTIMATES_BYTES })
    try {
      const theirs = decodeEstimates(await readFrame(lp, step(options)))
      const sent = this.now()
      await lp.write(Estimates.encode(this.ownEstimates(peer)), { signal: step(options) })
      let rtt: number | undefined
      try {
        await remoteClosed(lp.unwrap(), step(options))
        rtt = Math.max(0, this.now() - sent)
      } catch (err) {
        // No round trip measured: fall back to the constant, unless the caller gave up.
        if (options.signal?.aborted === true) throw err
      }
      if (stream.writeStatus === 'writable') await stream.close({ signal: step(options) })
      return this.seedAll(peer, theirs, rtt)
    } catch (err) {
      const reason = abortReason(err)
      stream.abort(reason)
      throw reason
    }
  }

  async exchange (connection: Connection, options: AbortOptions = {}): Promise<number> {
    const peer = connection.remotePeer.toString()
    const mine = Estimates.encode(this.ownEstimates(peer))
    const stream = await connection.newStream(Q_ESTIMATES_PROTOCOL, { signal: step(options), runOnLimitedConnection: true })
    const lp = lengthPrefixedStream(stream, { maxDataLength: MAX_Q_ESTIMATES_BYTES })
    try {
      const sent = this.now()
      await lp.write(mine, { signal: step(options) })
      const frame = await readFrame(lp, step(options))
      const rtt = Math.max(0, this.now() - sent)
      const theirs = decodeEstimates(frame)
      // Close before seeding: the listener's round trip ends at this close.
      await stream.close({ signal: step(options) })
      return this.seedAll(peer, theirs, rtt)
    } catch (err) {
      const reason = abortReason(err)
      stream.abort(reason)
      throw reason
    }
  }

  /** This node's best estimate per destination, over its neighbours other than `peer`; the lowest MAX_SHARED_ESTIMATES. */
  private ownEstimates (peer: string): Estimates {
    const neighbours = this.neighbours().filter((n) => n !== peer)
    if (neighbours.length === 0) return { entries: [] }
    const dests = new Set(this.router.toJSON().entries.map((e) => e.dest))
    const entries: Estimates.Entry[] = []
    for (const dest of dests) entries.push({ dest, ms: this.router.estimate(dest, neighbours) })
    entries.sort((x, y) => x.ms - y.ms || (x.dest < y.dest ? -1 : x.dest > y.dest ? 1 : 0))
    return { entries: entries.slice(0, MAX_SHARED_ESTIMATES) }
  }

  private seedAll (peer: string, theirs: Estimates, rtt: number | undefined): number {
    const linkDelayMs = rtt ?? this.linkDelayMs
    let seeded = 0
    for (const { dest, ms } of theirs.entries) {
      const q = ms + linkDelayMs
      if (Number.isFinite(q) && this.router.seed(dest, peer, q)) seeded++
    }
    this.onSeeded?.({ peer, linkDelayMs, measured: rtt != null, received: theirs.entries.length, seeded })
    return seeded
  }
}

/**
 * Decodes and checks one Estimates message (estimates.proto's limits).
 * Throws InvalidEstimatesError on anything else.
 */
export function decodeEstimates (bytes: Uint8Array | Uint8ArrayList): Estimates {
  let message: Estimates
  try {
    message = Estimates.decode(bytes, { limits: { entries: MAX_SHARED_ESTIMATES } })
  } catch (err) {
    throw new InvalidEstimatesError(`undecodable Estimates: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  return checkEstimates(message)
}

/** Checks an Estimates message against the limits; returns it, or throws InvalidEstimatesError. */
export function checkEstimates (message: Estimates): Estimates {
  if (message.entries.length > MAX_SHARED_ESTIMATES) {
    throw new InvalidEstimatesError(`more than ${MAX_SHARED_ESTIMATES} entries`)
  }
  const seen = new Set<string>()
  for (const { dest, ms } of message.entries) {
    if (typeof dest !== 'string' || dest.length === 0 || dest.length > MAX_SHARED_DEST_LENGTH) {
      throw new InvalidEstimatesError(`dest must be 1–${MAX_SHARED_DEST_LENGTH} characters`)
    }
    if (seen.has(dest)) throw new InvalidEstimatesError('a dest is listed twice')
    seen.add(dest)
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new InvalidEstimatesError(`ms must be a finite number ≥ 0, got ${String(ms)}`)
    }
  }
  return message
}

/** Framing errors of @libp2p/utils' length-prefixed reader that mean the peer broke the limits. */
const FRAMING_ERRORS = new Set(['InvalidDataLengthError', 'InvalidMessageLengthError', 'InvalidDataLengthLengthError'])

async function readFrame (lp: LengthPrefixedStream<Stream>, signal: AbortSignal): Promise<Uint8ArrayList> {
  try {
    return await lp.read({ signal })
  } catch (err) {
    if (err instanceof Error && FRAMING_ERRORS.has(err.name)) {
      throw new InvalidEstimatesError(`bad frame: ${err.message}`, { cause: err })
    }
    throw err
  }
}

/** Resolves when the remote has closed its writable end; rejects if the stream ends otherwise or `signal` aborts. */
async function remoteClosed (stream: Stream, signal: AbortSignal): Promise<void> {
  if (stream.remoteWriteStatus === 'closed') return
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.removeEventListener('remoteCloseWrite', onRemoteClose)
      stream.removeEventListener('close', onClose)
      signal.removeEventListener('abort', onAbort)
      if (err == null) resolve()
      else reject(err)
    }
    const onRemoteClose = (): void => { done() }
    const onClose = (event: Event): void => {
      const error = (event as Event & { error?: Error }).error
      if (error == null && stream.remoteWriteStatus === 'closed') done()
      else done(error ?? new Error('stream closed before the remote closed its end'))
    }
    const onAbort = (): void => { done(signal.reason instanceof Error ? signal.reason : new Error('aborted')) }
    stream.addEventListener('remoteCloseWrite', onRemoteClose)
    stream.addEventListener('close', onClose)
    signal.addEventListener('abort', onAbort)
  })
}

/** A fresh signal for one step: the step timeout, and the caller's signal if given. */
function step (options: AbortOptions): AbortSignal {
  return withTimeout(options.signal, ESTIMATE_EXCHANGE_TIMEOUT_MS)
}
