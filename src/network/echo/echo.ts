import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'
import { ECHO_PROTOCOL, ECHO_TIMEOUT_MS, MAX_ECHO_BYTES } from './constants.ts'
import { closeError, lengthPrefixedStream } from '../framed-stream.ts'

/**
 * /zerostate/echo/1.0.0: every length-prefixed message is sent straight back
 * until the stream closes. The smallest request/response a libp2p stream can
 * carry, used to measure a connection's round trip (the network view, and the
 * baseline the task round trip is compared with).
 */
export async function handleEcho (stream: Stream): Promise<void> {
  const messages = lengthPrefixedStream(stream, { maxDataLength: MAX_ECHO_BYTES })
  try {
    for (;;) {
      const message = await messages.read({ signal: AbortSignal.timeout(ECHO_TIMEOUT_MS) })
      await messages.write(message)
    }
  } catch {
    // The other side closed the stream (or went silent): that ends the echo.
  } finally {
    // The echo is over either way; a failed closing handshake changes nothing.
    await stream.close().catch(() => {})
  }
}

export interface EchoOptions {
  /** Round trips to time. */
  count: number
  payloadBytes: number
  /** One stream for all round trips (true) or a new stream for each (false). */
  reuseStream: boolean
  signal?: AbortSignal
}

/** Times `count` echo round trips over `connection`, in milliseconds. */
export async function measureEcho (connection: Connection, options: EchoOptions): Promise<number[]> {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 10_000) {
    throw new RangeError(`count must be 1–10000, got ${options.count}`)
  }
  if (!Number.isInteger(options.payloadBytes) || options.payloadBytes < 1 || options.payloadBytes > MAX_ECHO_BYTES) {
    throw new RangeError(`payloadBytes must be 1–${MAX_ECHO_BYTES}, got ${options.payloadBytes}`)
  }
  const payload = crypto.getRandomValues(new Uint8Array(options.payloadBytes))
  const open = async (): Promise<{ stream: Stream, messages: LengthPrefixedStream<Stream> }> => {
    const stream = await connection.newStream(ECHO_PROTOCOL, {
      signal: AbortSignal.timeout(ECHO_TIMEOUT_MS),
      runOnLimitedConnection: true
    }).catch((err: unknown) => { throw closeError(err) })
    return { stream, messages: lengthPrefixedStream(stream, { maxDataLength: MAX_ECHO_BYTES }) }
  }
  const timings: number[] = []
  let current = options.reuseStream ? await open() : undefined
  try {
    for (let i = 0; i < options.count; i++) {
      options.signal?.throwIfAborted()
      const started = performance.now()
      const { stream, messages } = current ?? await open()
      await messages.write(payload, { signal: options.signal })
      const reply = await messages.read({ signal: AbortSignal.timeout(ECHO_TIMEOUT_MS) })
      timings.push(performance.now() - started)
      if (!options.reuseStream) await stream.close()
      if (reply.byteLength !== payload.byteLength) {
        throw new Error(`echo returned ${reply.byteLength} bytes for ${payload.byteLength}`)
      }
    }
  } finally {
    // The round trips are measured; a failed closing handshake changes nothing.
    await current?.stream.close().catch(() => {})
    current = undefined
  }
  return timings
}
