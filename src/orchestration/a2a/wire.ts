/**
 * Frames of /zerostate/a2a/1.0.0: one JSON-RPC 2.0 object per
 * length-prefixed frame (unsigned varint, then UTF-8 JSON). The request
 * side sends one request frame; the agent answers with one response frame,
 * or — for a streaming method — a frame per event, then closes the stream.
 */
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { AbortOptions, Stream } from '@libp2p/interface'
import { bytesToUtf8, utf8ToBytes } from '../../core/encoding.ts'
import { lengthPrefixedStream } from '../../network/framed-stream.ts'

export type JsonFrames = LengthPrefixedStream<Stream>

/** Frames on `stream`, reading at most `maxBytes` per frame. */
export function jsonFrames (stream: Stream, maxBytes: number): JsonFrames {
  return lengthPrefixedStream(stream, { maxDataLength: maxBytes, maxBufferSize: maxBytes + 16 })
}

/** The next frame's text, or undefined when the other side closed the stream. Framing errors (too large) reject. */
export async function readFrame (frames: JsonFrames, options: AbortOptions): Promise<string | undefined> {
  try {
    return bytesToUtf8((await frames.read(options)).subarray())
  } catch (err) {
    if (err instanceof Error && err.name === 'UnexpectedEOFError') return undefined
    throw err
  }
}

export async function writeFrame (frames: JsonFrames, value: unknown, options: AbortOptions): Promise<void> {
  await frames.write(utf8ToBytes(JSON.stringify(value)), options)
}
