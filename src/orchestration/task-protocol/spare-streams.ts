/**
 * Task streams opened ahead: when this peer sends a task to an executor
 * over a direct connection, it opens the next task stream to that executor
 * at once, in the background, and keeps it a few seconds. The next task to
 * the same executor starts on it and skips the opening — a WebRTC data
 * channel and a multistream-select round trip, about 4 ms of a ~16 ms task
 * on the machines measured (README, bench:roundtrip), a quarter of the task.
 *
 * The protocol is unchanged: a stream still carries one task, and the
 * executor sees an ordinary task stream that has not yet sent its offer. It
 * waits OFFER_RESPONSE_TIMEOUT_MS for that offer, so a spare is used only
 * while it is younger than SPARE_TASK_STREAM_IDLE_MS (well within it) and is
 * reset after that, unused. One spare per executor at most, and only on
 * connections without a data limit (a relayed one's bytes are not spent on it).
 */
import type { Connection, Stream } from '@libp2p/interface'
import { OFFER_RESPONSE_TIMEOUT_MS } from './constants.ts'
import { openTaskStream } from './open-stream.ts'

/** How long a spare task stream is kept unused before it is reset: well within the executor's wait for an offer. */
export const SPARE_TASK_STREAM_IDLE_MS = 4000

/** How many executors at most this peer keeps a spare stream to. */
export const MAX_SPARE_TASK_STREAMS = 16

export interface SpareTaskStreamsInit {
  /** Default SPARE_TASK_STREAM_IDLE_MS. */
  idleMs?: number
  /** Default MAX_SPARE_TASK_STREAMS. */
  maxSpares?: number
  /** The clock, ms (default performance.now). */
  now?(): number
}

interface Spare {
  stream: Stream
  connectionId: string
  openedAt: number
  timer: ReturnType<typeof setTimeout>
}

export class SpareTaskStreams {
  readonly #idleMs: number
  readonly #maxSpares: number
  readonly #now: () => number
  /** By the executor's PeerId. */
  readonly #spares = new Map<string, Spare>()
  readonly #opening = new Set<string>()
  #stopped = false

  constructor (init: SpareTaskStreamsInit = {}) {
    this.#idleMs = init.idleMs ?? SPARE_TASK_STREAM_IDLE_MS
    this.#maxSpares = init.maxSpares ?? MAX_SPARE_TASK_STREAMS
    this.#now = init.now ?? (() => performance.now())
  }

  /** Spare streams held now. */
  get size (): number {
    return this.#spares.size
  }

  /**
   * A task stream on `connection`: the spare opened ahead on it when there is
   * one still fresh and open, else a new one; either way the next spare is
   * opened behind it.
   */
  async take (connection: Connection, signal?: AbortSignal): Promise<Stream> {
    const peer = connection.remotePeer.toString()
    const spare = this.#spares.get(peer)
    this.#spares.delete(peer)
    let stream: Stream | undefined
    if (spare !== undefined) {
      clearTimeout(spare.timer)
      if (this.#usable(spare, connection)) stream = spare.stream
      else spare.stream.abort(new Error('a spare task stream that was not used in time'))
    }
    stream ??= await openTaskStream(connection, signal)
    this.#openAhead(connection)
    return stream
  }

  /** Resets every spare stream and opens no more. */
  stop (): void {
    this.#stopped = true
    for (const spare of this.#spares.values()) this.#discard(spare)
    this.#spares.clear()
  }

  #usable (spare: Spare, connection: Connection): boolean {
    const { stream } = spare
    return spare.connectionId === connection.id && connection.status === 'open' && this.#now() - spare.openedAt < this.#idleMs &&
      stream.status === 'open' && stream.writeStatus === 'writable' && stream.readStatus === 'readable'
  }

  #openAhead (connection: Connection): void {
    const peer = connection.remotePeer.toString()
    // Only where bytes are not counted (a relayed connection's are), and a bounded number of them.
    if (this.#stopped || connection.limits != null || connection.status !== 'open' || this.#opening.has(peer)) return
    if (this.#spares.size + this.#opening.size >= this.#maxSpares) return
    this.#opening.add(peer)
    // Bounded as a task's own opening is: a spare whose opening never ends would hold this executor's place in `opening`.
    openTaskStream(connection, AbortSignal.timeout(OFFER_RESPONSE_TIMEOUT_MS)).then(stream => {
      this.#opening.delete(peer)
      if (this.#stopped || this.#spares.has(peer)) {
        stream.abort(new Error('a spare task stream no longer wanted'))
        return
      }
      const spare: Spare = { stream, connectionId: connection.id, openedAt: this.#now(), timer: setTimeout(() => { this.#expire(peer, spare) }, this.#idleMs) }
      // A timer must not keep a Node process alive for a stream nobody may want.
      ;(spare.timer as { unref?(): void }).unref?.()
      this.#spares.set(peer, spare)
    }, () => {
      // The next task opens its own stream, and tells of any failure then.
      this.#opening.delete(peer)
    })
  }

  #expire (peer: string, spare: Spare): void {
    if (this.#spares.get(peer) !== spare) return
    this.#spares.delete(peer)
    this.#discard(spare)
  }

  #discard (spare: Spare): void {
    clearTimeout(spare.timer)
    spare.stream.abort(new Error('a spare task stream that was not used in time'))
  }
}
