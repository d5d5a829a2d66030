/**
 * One request, one response, as length-prefixed UTF-8 JSON on a fresh
 * stream: the shape of the small control protocols (payments, module fetch,
 * bids). Each side bounds the frame it reads; the caller validates what it
 * gets with its own schema, since JSON.parse only proves it is JSON.
 *
 * A handler's failure reaches the requester as `{ error: { name, message } }`
 * and is rethrown there as a RemoteRequestError carrying the remote name, so
 * callers branch on `remoteName` (e.g. 'StaleStateError') and never on text.
 */
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import { bytesToUtf8, utf8ToBytes } from '../core/encoding.ts'
import { MAX_ERROR_MESSAGE_LENGTH, REQUEST_TIMEOUT_MS } from './constants.ts'
import { nameError } from '../core/errors.ts'
import { withTimeout } from '../core/abort.ts'
import { abortReason, closeError, lengthPrefixedStream } from './framed-stream.ts'

/** Thrown when a frame is not JSON, or is larger than the reader allows. */
export class InvalidJsonMessageError extends Error {
  static { nameError(this, 'InvalidJsonMessageError') }
}

/** Thrown on the requesting side when the other side answered with an error; `remoteName` is its class name. */
export class RemoteRequestError extends Error {
  static { nameError(this, 'RemoteRequestError') }
  readonly remoteName: string

  constructor (remoteName: string, message: string) {
    super(`${remoteName}: ${message}`)
    this.remoteName = remoteName
  }
}

export interface JsonExchangeOptions extends AbortOptions {
  /** Largest frame read, in bytes. */
  maxBytes: number
}

const FRAMING_ERRORS = new Set(['InvalidDataLengthError', 'InvalidMessageLengthError', 'InvalidDataLengthLengthError'])

function timeoutSignal (options: AbortOptions): AbortSignal {
  return withTimeout(options.signal, REQUEST_TIMEOUT_MS)
}

async function readJson (messages: LengthPrefixedStream<Stream>, signal: AbortSignal): Promise<unknown> {
  let frame
  try {
    frame = await messages.read({ signal })
  } catch (err) {
    if (err instanceof Error && FRAMING_ERRORS.has(err.name)) throw new InvalidJsonMessageError(`bad frame: ${err.message}`, { cause: err })
    throw err
  }
  try {
    return JSON.parse(bytesToUtf8(frame.subarray()))
  } catch (err) {
    throw new InvalidJsonMessageError('the frame is not JSON', { cause: err })
  }
}

/**
 * Opens `protocol` on `connection`, sends `request`, and resolves with the
 * parsed answer. A stream that closes under it rejects with the error it
 * closed with (framed-stream.ts closeError), never with its close event.
 */
export async function requestJson (connection: Connection, protocol: string, request: unknown, options: JsonExchangeOptions): Promise<unknown> {
  let stream: Stream
  try {
    stream = await connection.newStream(protocol, { signal: timeoutSignal(options), runOnLimitedConnection: true })
  } catch (err) {
    throw closeError(err)
  }
  const messages = lengthPrefixedStream(stream, { maxDataLength: options.maxBytes })
  try {
    await messages.write(utf8ToBytes(JSON.stringify(request)), { signal: timeoutSignal(options) })
    const answer = await readJson(messages, timeoutSignal(options))
    // The answer is in hand: a closing handshake that fails changes nothing.
    await stream.close({ signal: timeoutSignal(options) }).catch(() => {})
    if (typeof answer === 'object' && answer !== null && 'error' in answer) {
      const { name, message } = (answer as { error: { name?: unknown, message?: unknown } }).error ?? {}
      throw new RemoteRequestError(typeof name === 'string' ? name.slice(0, 100) : 'Error', typeof message === 'string' ? message.slice(0, MAX_ERROR_MESSAGE_LENGTH) : '')
    }
    return answer
  } catch (err) {
    const reason = abortReason(err)
    stream.abort(reason)
    throw reason
  }
}

/**
 * Answers one request on `stream` with `handler`'s result, or with the
 * error it threw (name and message only: a stack never leaves the peer).
 */
export async function serveJson (stream: Stream, handler: (request: unknown) => Promise<unknown>, options: JsonExchangeOptions): Promise<void> {
  const messages = lengthPrefixedStream(stream, { maxDataLength: options.maxBytes })
  try {
    let answer: unknown
    try {
      answer = await handler(await readJson(messages, timeoutSignal(options)))
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      answer = { error: { name: error.name, message: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH) } }
    }
    await messages.write(utf8ToBytes(JSON.stringify(answer)), { signal: timeoutSignal(options) })
    await stream.close({ signal: timeoutSignal(options) })
  } catch (err) {
    stream.abort(abortReason(err))
  }
}
