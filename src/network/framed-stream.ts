/**
 * Length-prefixed protobuf messages on a stream (an unsigned varint length,
 * then the bytes: the framing of every js-libp2p protocol), with a size
 * limit chosen per read: the reader knows which message comes next, so an
 * oversized one is refused from its length prefix, before its bytes are
 * buffered. (`pbStream` of @libp2p/utils has one limit for the whole stream.)
 */
import { byteStream, lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream, LengthPrefixedStreamOpts } from '@libp2p/utils'
import { StreamAbortedError } from '@libp2p/interface'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { DecodeOptions } from 'protons-runtime'
import { nameError } from '../core/index.ts'

/** Thrown when a message's length prefix says it is larger than the reader allows for that message. */
export class MessageTooLargeError extends Error {
  static { nameError(this, 'MessageTooLargeError') }
}

/** Thrown when a length prefix is not a valid varint of at most 5 bytes (lengths below 2^32). */
export class InvalidLengthPrefixError extends Error {
  static { nameError(this, 'InvalidLengthPrefixError') }
}

/** A protons codec. */
export interface Codec<T> {
  encode(message: T): Uint8Array
  decode(bytes: Uint8Array, options?: DecodeOptions<T>): T
}

export interface ReadOptions<T> extends AbortOptions, DecodeOptions<T> {
  /** The most bytes this message may have; a larger length prefix fails the read. */
  maxBytes: number
  /**
   * Fails the read with a `TimeoutError` (a DOMException, like
   * `AbortSignal.timeout`'s) once no bytes at all have arrived on the stream
   * for this long. Unlike a timeout signal it does not bound the whole
   * message: a large one that keeps arriving over a slow link is not silence.
   */
  idleTimeoutMs?: number
}

export interface FramedStream {
  read<T>(codec: Pick<Codec<T>, 'decode'>, options: ReadOptions<T>): Promise<T>
  write<T>(message: T, codec: Pick<Codec<T>, 'encode'>, options?: AbortOptions): Promise<void>
}

/** A varint longer than this would describe a length of 2^35 or more. */
const MAX_PREFIX_BYTES = 5

/** `maxBufferSize`: the most unread bytes held (the largest message this side can be sent). */
export function framedStream (stream: Stream, options: { maxBufferSize: number }): FramedStream {
  const bytes = byteStream(stream, { maxBufferSize: options.maxBufferSize })
  return {
    async read (codec, readOptions) {
      const idle = readOptions.idleTimeoutMs === undefined ? undefined : idleDeadline(stream, readOptions.idleTimeoutMs)
      const signal = idle === undefined
        ? readOptions.signal
        : readOptions.signal === undefined ? idle.signal : AbortSignal.any([readOptions.signal, idle.signal])
      try {
        const length = await readLength(async () => (await bytes.read({ bytes: 1, signal })).get(0))
        if (length > readOptions.maxBytes) {
          throw new MessageTooLargeError(`a message of ${length} bytes, more than the ${readOptions.maxBytes} allowed here`)
        }
        const data = length === 0 ? new Uint8Array(0) : (await bytes.read({ bytes: length, signal })).subarray()
        return codec.decode(data, { limits: readOptions.limits })
      } finally {
        idle?.stop()
      }
    },
    async write (message, codec, writeOptions) {
      const data = codec.encode(message)
      const prefix = encodeLength(data.byteLength)
      const frame = new Uint8Array(prefix.byteLength + data.byteLength)
      frame.set(prefix)
      frame.set(data, prefix.byteLength)
      try {
        await bytes.write(frame, writeOptions)
      } catch (err) {
        throw closeError(err)
      }
    }
  }
}

/**
 * A write that waits for `drain` rejects, when the stream closes meanwhile,
 * with the stream's close *event* (@libp2p/utils stream-utils.js waits with
 * p-event and `rejectionEvents: ['close']`; so do a stream's own close()
 * waiting for `drain` or `idle`, abstract-stream.js), not an Error: it has
 * no name to tell a lost executor by and prints as "[object Event]". This is
 * the error the stream closed with instead (StreamCloseEvent#error), or
 * StreamAbortedError when it carries none.
 */
export function closeError (err: unknown): unknown {
  if (!(err instanceof Event) || err.type !== 'close') return err
  const cause = (err as Event & { error?: unknown }).error
  return cause instanceof Error ? cause : new StreamAbortedError('the stream closed before a write (or its own close) finished')
}

/**
 * @libp2p/utils' `lpStream` (one size limit for every frame: the JSON
 * exchange, payments, module fetch, echo, Q-estimates, A2A) whose reads and
 * writes reject with an Error, never with the stream's close event: each
 * rejection goes through closeError, so callers can tell a lost peer by its
 * error's name (StreamResetError, StreamAbortedError…) and print why.
 */
export function lengthPrefixedStream (stream: Stream, options: Partial<LengthPrefixedStreamOpts> = {}): LengthPrefixedStream<Stream> {
  const frames = lpStream(stream, options)
  return {
    async read (readOptions) {
      try {
        return await frames.read(readOptions)
      } catch (err) {
        throw closeError(err)
      }
    },
    async write (data, writeOptions) {
      try {
        await frames.write(data, writeOptions)
      } catch (err) {
        throw closeError(err)
      }
    },
    async writeV (data, writeOptions) {
      try {
        await frames.writeV(data, writeOptions)
      } catch (err) {
        throw closeError(err)
      }
    },
    unwrap: () => frames.unwrap()
  }
}

/**
 * `err` as an Error to abort a stream with: the close event's own error
 * (closeError), else an Error carrying the value's text.
 */
export function abortReason (err: unknown): Error {
  const cause = closeError(err)
  return cause instanceof Error ? cause : new Error(String(cause))
}

/**
 * A signal that aborts with a `TimeoutError` once `ms` pass without a
 * `message` event on `stream` (bytes arriving, whoever reads them). One timer:
 * when it fires early because bytes came meanwhile, it is set again for what
 * is left of the quiet time since the last ones.
 */
function idleDeadline (stream: Stream, ms: number): { signal: AbortSignal, stop: () => void } {
  const controller = new AbortController()
  let lastBytesAt = performance.now()
  const onMessage = (): void => { lastBytesAt = performance.now() }
  let timer: ReturnType<typeof setTimeout> | undefined
  const wait = (delay: number): void => {
    timer = setTimeout(() => {
      const quietMs = performance.now() - lastBytesAt
      if (quietMs < ms) {
        wait(ms - quietMs)
        return
      }
      stop()
      controller.abort(new DOMException(`no bytes arrived for ${ms} ms`, 'TimeoutError'))
    }, delay)
  }
  const stop = (): void => {
    clearTimeout(timer)
    stream.removeEventListener('message', onMessage)
  }
  stream.addEventListener('message', onMessage)
  wait(ms)
  return { signal: controller.signal, stop }
}

/** Reads an unsigned LEB128 varint (the protobuf / multiformats unsigned-varint encoding), one byte at a time. */
async function readLength (nextByte: () => Promise<number>): Promise<number> {
  let value = 0
  for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
    const byte = await nextByte()
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return value
  }
  throw new InvalidLengthPrefixError(`a length prefix is at most ${MAX_PREFIX_BYTES} bytes`)
}

function encodeLength (length: number): Uint8Array {
  const out: number[] = []
  let rest = length
  do {
    const low = rest % 128
    rest = Math.floor(rest / 128)
    out.push(rest > 0 ? low | 0x80 : low)
  } while (rest > 0)
  return Uint8Array.from(out)
}
