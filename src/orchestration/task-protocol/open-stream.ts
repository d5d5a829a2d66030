/**
 * Opening a task stream on a direct connection, which on these machines does
 * not always open: a WebRTC `newStream` that hangs gets a second beside it,
 * and a connection on which neither opens, carrying nothing else, is closed
 * as dead so that the task can be offered again over another.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { TASK_PROTOCOL } from './constants.ts'
import { StalledConnectionError } from './errors.ts'

/**
 * How long a task stream may take to open on a connection without a data
 * limit before a second one is opened beside it. Opening one takes a few ms
 * (a WebRTC data channel and a multistream-select round trip), but on these
 * machines about one `newStream` in 1,500 never opens at all and hangs until
 * its signal gives up (shared notes, browser-webrtc-on-these-machines.md):
 * without a second, the task to that executor would fail after
 * OFFER_RESPONSE_TIMEOUT_MS, and a task sent to a named executor has nobody
 * else to go to.
 */
export const TASK_STREAM_HEDGE_MS = 1000

/**
 * How long, in all, no task stream may open on a direct connection that has
 * nothing else open on it before the connection is taken for dead and closed
 * (StalledConnectionError). A connection the other end no longer holds — it
 * gave up on the WebRTC handshake after this end had upgraded, or went away
 * without a word — opens no stream until ICE notices, 10 s or more later:
 * every task sent over it meanwhile would wait out OFFER_RESPONSE_TIMEOUT_MS
 * and fail. Closed, it is no longer anybody's best connection, and the task
 * is offered again over the relayed one (or a new direct one). A connection
 * carrying another negotiated stream is alive, and is left alone: only this
 * stream's signal bounds the wait there.
 */
export const STALLED_CONNECTION_MS = 3000

export interface TaskStreamTiming {
  /** Default TASK_STREAM_HEDGE_MS. */
  hedgeMs?: number
  /** Default STALLED_CONNECTION_MS; at least hedgeMs. */
  stallMs?: number
}

/**
 * Opens a task stream on `connection`. On a connection without a data limit,
 * one not open within `hedgeMs` gets a second opened beside it: the first of
 * the two to open is the task's, and the other is reset once it opens (the
 * executor takes a stream reset before any offer for no task). When neither
 * has opened within `stallMs` and no other negotiated stream is open on the
 * connection, the connection is closed and this rejects with a
 * StalledConnectionError. Otherwise it rejects only when every stream opened
 * failed (with the first one's error), or when `signal` gives up.
 */
export async function openTaskStream (connection: Connection, signal?: AbortSignal, timing: TaskStreamTiming = {}): Promise<Stream> {
  const hedgeMs = timing.hedgeMs ?? TASK_STREAM_HEDGE_MS
  const stallMs = Math.max(hedgeMs, timing.stallMs ?? STALLED_CONNECTION_MS)
  const open = async (): Promise<Stream> => connection.newStream(TASK_PROTOCOL, { ...(signal === undefined ? {} : { signal }), runOnLimitedConnection: true })
  const first = open()
  // A relayed connection's bytes are counted, and its streams are yamux's, which do not hang so.
  if (connection.limits != null) return first
  if (await settlesWithin(first, hedgeMs)) return await first
  const second = open()
  const stall = stallTimer(connection, stallMs - hedgeMs, stallMs)
  let winner: Stream
  try {
    winner = await Promise.race([Promise.any([first, second]), stall.stalled])
  } catch (err) {
    if (err instanceof StalledConnectionError) throw err
    // Both failed: the first one's error says why.
    return await first
  } finally {
    stall.cancel()
  }
  for (const stream of [first, second]) {
    stream.then(other => { if (other !== winner) other.abort(new Error('a second task stream that was not needed')) }, () => {})
  }
  return winner
}

/** Whether `opening` settles (opens or fails) within `ms`. */
async function settlesWithin (opening: Promise<Stream>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<false>(resolve => { timer = setTimeout(() => { resolve(false) }, ms) })
  try {
    return await Promise.race([opening.then(() => true, () => true), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `stalled` rejects after `ms` (`sinceFirstMs` since the first opening, which its message states) with a StalledConnectionError, closing
 * `connection`, when nothing negotiated is open on it by then; it never
 * settles otherwise, nor once `cancel` is called (the wait ended).
 */
function stallTimer (connection: Connection, ms: number, sinceFirstMs: number): { stalled: Promise<never>, cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stalled = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      if (connection.status !== 'open' || carriesNegotiatedStream(connection)) return
      const err = new StalledConnectionError(`no stream opened within ${sinceFirstMs} ms on the direct connection to ${connection.remotePeer.toString()}, with nothing else open on it: closed as one its other end no longer holds`)
      connection.abort(err)
      reject(err)
    }, ms)
  })
  return { stalled, cancel: () => { clearTimeout(timer) } }
}

/** Whether a stream whose protocol was negotiated is open on `connection`: a sign its other end holds it. */
function carriesNegotiatedStream (connection: Connection): boolean {
  return connection.streams.some(stream => stream.protocol !== '' && stream.status === 'open')
}
