/** The agent side of /zerostate/a2a/1.0.0 as a service: its handler registered while started. */
import type { Stream } from '@libp2p/interface'
import { withTimeout } from '../../core/abort.ts'
import type { ProtocolRegistrar } from '../../network/components.ts'
import { ProtocolHandler } from '../../network/protocol-handler.ts'
import { A2A_PROTOCOL, A2A_REQUEST_TIMEOUT_MS, MAX_A2A_REQUEST_BYTES, MAX_INBOUND_A2A_STREAMS } from './constants.ts'
import { A2AParseError } from './errors.ts'
import { A2AServer, errorResponse } from './server.ts'
import type { A2AServerComponents, A2AServerInit } from './server.ts'
import { jsonFrames, readFrame, writeFrame } from './wire.ts'

/** How long the agent waits for the request frame once a stream is open. */
const REQUEST_FRAME_TIMEOUT_MS = 30_000

export interface A2AServiceInit extends A2AServerInit {
  /** A2A streams served at once (default MAX_INBOUND_A2A_STREAMS). */
  maxInboundStreams?: number
}

export interface A2AServiceComponents extends A2AServerComponents {
  registrar: ProtocolRegistrar
}

export interface A2AService {
  /** The tasks and JSON-RPC methods, shared with any other binding of this peer (the Node HTTP bridge). */
  readonly server: A2AServer
  start(): Promise<void>
  stop(): Promise<void>
}

export function a2aService (init: A2AServiceInit = {}): (components: A2AServiceComponents) => A2AService {
  return components => {
    const server = new A2AServer(components, init)
    const handler = new ProtocolHandler(components.registrar, A2A_PROTOCOL, async stream => { await serveStream(server, stream) }, {
      maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_A2A_STREAMS
    })
    return {
      server,
      start: async () => { await handler.start() },
      stop: async () => { await handler.stop() }
    }
  }
}

/** One request on `stream`: read, answered (a frame, or a frame per event), closed. */
async function serveStream (server: A2AServer, stream: Stream): Promise<void> {
  const frames = jsonFrames(stream, MAX_A2A_REQUEST_BYTES)
  // The caller going away ends a stream of events (the task itself goes on, as A2A says of a dropped subscription).
  const gone = new AbortController()
  stream.addEventListener('close', () => { gone.abort() }, { once: true })
  try {
    const text = await readFrame(frames, { signal: AbortSignal.timeout(REQUEST_FRAME_TIMEOUT_MS) })
    if (text === undefined) return
    let request: unknown
    try {
      request = JSON.parse(text)
    } catch {
      await writeFrame(frames, errorResponse(null, new A2AParseError('the request is not JSON')), { signal: AbortSignal.timeout(REQUEST_FRAME_TIMEOUT_MS) })
      return
    }
    const answer = await server.handle(request, { signal: gone.signal })
    if ('response' in answer) {
      await writeFrame(frames, answer.response, { signal: withTimeout(gone.signal, A2A_REQUEST_TIMEOUT_MS) })
    } else {
      for await (const response of answer.stream) await writeFrame(frames, response, { signal: withTimeout(gone.signal, A2A_REQUEST_TIMEOUT_MS) })
    }
    await stream.close({ signal: AbortSignal.timeout(REQUEST_FRAME_TIMEOUT_MS) })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}
