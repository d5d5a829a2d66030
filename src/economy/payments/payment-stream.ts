/**
 * Many requests on one stream (PAYMENT_STREAM_PROTOCOL): a payer keeps one
 * stream open to each payee and sends its requests on it one after the
 * other, each answered before the next is sent, in the frames of
 * network/json-exchange.ts (length-prefixed UTF-8 JSON; an error answered
 * as `{ error: { name, message } }`). A new stream costs a data channel
 * and a protocol negotiation, and closing it a handshake: over WebRTC that
 * was most of a payment's round trip. The requests and their checks are
 * those of the one-request protocol; only the framing around them differs.
 *
 * A payee that does not serve the stream protocol (an older peer) is asked
 * on a fresh stream of PAYMENT_PROTOCOL instead, as before.
 */
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import { bytesToUtf8, KeyedLock, utf8ToBytes, withTimeout } from '../../core/index.ts'
import { abortReason, closeError, lengthPrefixedStream } from '../../network/framed-stream.ts'
import { RemoteRequestError } from '../../network/json-exchange.ts'
import { MAX_ERROR_MESSAGE_LENGTH, REQUEST_TIMEOUT_MS } from '../../network/constants.ts'
import { MAX_PAYMENT_MESSAGE_BYTES, PAYMENT_STREAM_IDLE_MS, PAYMENT_STREAM_PROTOCOL } from './constants.ts'
import { InvalidPaymentMessageError } from './errors.ts'

type Messages = LengthPrefixedStream<Stream>

interface OpenStream {
  connection: Connection
  stream: Stream
  /** Frames over `stream` (never unwrapped: that would end its reading). */
  messages: Messages
  idle?: ReturnType<typeof setTimeout>
}

/** Open both ways: a payee that closed its end (it went idle) takes no more requests on it. */
function usable (stream: Stream): boolean {
  return stream.status === 'open' && stream.writeStatus === 'writable' && (stream.readStatus === 'readable' || stream.readStatus === 'paused')
}

async function readFrame (messages: Messages, signal: AbortSignal): Promise<unknown> {
  const frame = await messages.read({ signal })
  try {
    return JSON.parse(bytesToUtf8(frame.subarray()))
  } catch (err) {
    throw new InvalidPaymentMessageError('the frame is not JSON', { cause: err })
  }
}

/** The payer's streams: one per payee, reused while its connection lasts, closed after PAYMENT_STREAM_IDLE_MS unused. */
export class PaymentStreams {
  private readonly open = new Map<string, OpenStream>()
  /** Payees known not to serve the stream protocol, by connection: asked one request per stream. */
  private readonly oneShot = new WeakSet<Connection>()
  private readonly lock = new KeyedLock()

  /**
   * Sends `request` to `peer` on its stream (opened on `connection` if
   * there is none, or the one there is belongs to another connection) and
   * resolves with the answer; rethrows a refusal as RemoteRequestError.
   * Resolves undefined, having sent nothing, when the payee does not serve
   * the stream protocol. A stream that fails is dropped: the next request
   * opens another.
   */
  async exchange (peer: string, connection: Connection, request: unknown, options: AbortOptions): Promise<{ answer: unknown } | undefined> {
    if (this.oneShot.has(connection)) return undefined
    return this.lock.run(peer, async () => {
      const signal = withTimeout(options.signal, REQUEST_TIMEOUT_MS)
      let open = this.open.get(peer)
      if (open !== undefined && (open.connection !== connection || !usable(open.stream))) {
        this.drop(peer, open)
        open = undefined
      }
      if (open === undefined) {
        let stream: Stream
        try {
          stream = await connection.newStream(PAYMENT_STREAM_PROTOCOL, { signal, runOnLimitedConnection: true })
        } catch (err) {
          if (err instanceof Error && err.name === 'UnsupportedProtocolError') {
            this.oneShot.add(connection)
            return undefined
          }
          throw closeError(err)
        }
        // Its rejections are Errors, never the stream's close event (network/framed-stream.ts closeError).
        open = { connection, stream, messages: lengthPrefixedStream(stream, { maxDataLength: MAX_PAYMENT_MESSAGE_BYTES }) }
        this.open.set(peer, open)
      }
      clearTimeout(open.idle)
      let answer: unknown
      try {
        await open.messages.write(utf8ToBytes(JSON.stringify(request)), { signal })
        answer = await readFrame(open.messages, signal)
      } catch (err) {
        const reason = abortReason(err)
        this.drop(peer, open, reason)
        throw reason
      }
      const kept = open
      kept.idle = setTimeout(() => { this.drop(peer, kept) }, PAYMENT_STREAM_IDLE_MS)
      if (typeof answer === 'object' && answer !== null && 'error' in answer) {
        const { name, message } = (answer as { error: { name?: unknown, message?: unknown } }).error ?? {}
        throw new RemoteRequestError(typeof name === 'string' ? name.slice(0, 100) : 'Error', typeof message === 'string' ? message.slice(0, MAX_ERROR_MESSAGE_LENGTH) : '')
      }
      return { answer }
    })
  }

  /** Closes every stream (a stopping peer). */
  closeAll (): void {
    for (const [peer, open] of this.open) this.drop(peer, open)
  }

  private drop (peer: string, open: OpenStream, err?: unknown): void {
    clearTimeout(open.idle)
    if (this.open.get(peer) === open) this.open.delete(peer)
    const { stream } = open
    if (err === undefined) {
      stream.close().catch(() => { stream.abort(new Error('closing an idle payment stream failed')) })
    } else {
      stream.abort(abortReason(err))
    }
  }
}

/**
 * Answers the requests of one payment stream with `handler`, one at a time
 * in the order they come, until the payer closes it or leaves it idle for
 * PAYMENT_STREAM_IDLE_MS plus REQUEST_TIMEOUT_MS. A request that fails is
 * answered with its error (name and message); a frame that is not JSON, or
 * too large, ends the stream.
 */
export async function servePaymentStream (stream: Stream, handler: (request: unknown) => Promise<unknown>): Promise<void> {
  const messages = lengthPrefixedStream(stream, { maxDataLength: MAX_PAYMENT_MESSAGE_BYTES })
  try {
    while (stream.status === 'open') {
      let request: unknown
      try {
        request = await readFrame(messages, AbortSignal.timeout(PAYMENT_STREAM_IDLE_MS + REQUEST_TIMEOUT_MS))
      } catch (err) {
        // The payer closed its end: the conversation is over.
        if (err instanceof Error && err.name === 'UnexpectedEOFError') break
        throw err
      }
      let answer: unknown
      try {
        answer = await handler(request)
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        answer = { error: { name: error.name, message: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH) } }
      }
      await messages.write(utf8ToBytes(JSON.stringify(answer)), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    }
    await stream.close({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  } catch (err) {
    stream.abort(abortReason(err))
  }
}
