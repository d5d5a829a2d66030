/**
 * The A2A HTTP bridge of a Node peer (docs/a2a-binding.md): outside A2A
 * clients — any agent framework speaking A2A 1.0 over JSON-RPC, such as the
 * official @a2a-js/sdk client — send tasks into the mesh through this peer.
 *
 * - `GET /.well-known/agent-card.json`: the A2A AgentCard (a2a-agent.ts),
 *   its JSON-RPC interface at this server's `/a2a` as the caller reached it.
 * - `POST /a2a`: one JSON-RPC 2.0 request (SendMessage, GetTask, CancelTask;
 *   SendStreamingMessage and SubscribeToTask answer as Server-Sent Events,
 *   one `data:` line of a JSON-RPC response per event), answered by the same
 *   A2AServer — the same tasks — as /zerostate/a2a/1.0.0.
 *
 * Bodies are bounded (MAX_A2A_REQUEST_BYTES) and must be JSON; a request
 * from a web page (an Origin header) is refused, since the tasks are paid by
 * this peer. A client that goes away ends its event stream, not the task.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { A2A_PROTOCOL_VERSION, A2AParseError, A2AVersionNotSupportedError, InvalidA2ARequestError, MAX_A2A_REQUEST_BYTES, errorResponse } from '../orchestration/a2a/index.ts'
import type { A2AServer, JsonRpcResponse } from '../orchestration/a2a/index.ts'

/** A2A 1.0's well-known path of the AgentCard (RFC 8615), the one the SDK's ClientFactory fetches. */
export const A2A_AGENT_CARD_PATH = '/.well-known/agent-card.json'
/** Where the JSON-RPC binding is served. */
export const A2A_JSONRPC_PATH = '/a2a'

export interface A2AHttpBridgeInit {
  server: A2AServer
  /** The AgentCard, given the JSON-RPC endpoint's URL as the caller reached this server. */
  card(jsonRpcUrl: string): Record<string, unknown>
  /** Interface to listen on (default 127.0.0.1: the bridge spends this peer's money on tasks; expose it on purpose). */
  host?: string
  /** Port (default 0: any free port). */
  port?: number
}

export interface A2AHttpBridge {
  /** `http://host:port`. */
  readonly url: string
  /** The JSON-RPC endpoint, `http://host:port/a2a`. */
  readonly endpoint: string
  close(): Promise<void>
}

export async function startA2AHttpBridge (init: A2AHttpBridgeInit): Promise<A2AHttpBridge> {
  const host = init.host ?? '127.0.0.1'
  const http = createServer((request, response) => {
    route(init, request, response).catch((err: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorResponse(null, err))
      else response.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(init.port ?? 0, host, () => { http.off('error', reject); resolve() })
  })
  const { port } = http.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    endpoint: `${url}${A2A_JSONRPC_PATH}`,
    close: async () => {
      http.closeAllConnections()
      await new Promise<void>(resolve => { http.close(() => { resolve() }) })
    }
  }
}

async function route (init: A2AHttpBridgeInit, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://bridge').pathname
  if (path === A2A_AGENT_CARD_PATH) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'GET only')
    const base = `http://${request.headers.host ?? 'localhost'}`
    return sendJson(response, 200, init.card(`${base}${A2A_JSONRPC_PATH}`))
  }
  if (path !== A2A_JSONRPC_PATH) return sendText(response, 404, 'not found: the A2A endpoint is POST /a2a, the agent card GET /.well-known/agent-card.json')
  if (request.method !== 'POST') return sendText(response, 405, 'POST a JSON-RPC 2.0 request')
  // The tasks it runs are paid by this peer: a web page the operator visits must not send them. A browser names the page in
  // Origin on every POST; a JSON body type makes a cross-origin request need a preflight this server never grants.
  if (request.headers.origin !== undefined) return sendJson(response, 403, errorResponse(null, new InvalidA2ARequestError('requests from web pages (with an Origin header) are not served')))
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json' && type !== 'application/a2a+json') {
    return sendJson(response, 415, errorResponse(null, new InvalidA2ARequestError('the body must be application/json (or application/a2a+json)')))
  }
  // A2A 1.0's A2A-Version service parameter: a request names the version it speaks in A2A-Version; this bridge speaks 1.x (a request without it is taken as 1.0).
  const version = request.headers['a2a-version']
  if (typeof version === 'string' && version !== '' && version.split('.')[0] !== A2A_PROTOCOL_VERSION.split('.')[0]) {
    return sendJson(response, 200, errorResponse(null, new A2AVersionNotSupportedError(`A2A ${version} is not spoken here; this agent speaks A2A ${A2A_PROTOCOL_VERSION}`)))
  }
  const body = await readBody(request)
  if (body === undefined) return sendJson(response, 413, errorResponse(null, new InvalidA2ARequestError(`a request body is at most ${MAX_A2A_REQUEST_BYTES} bytes`)))
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return sendJson(response, 200, errorResponse(null, new A2AParseError('the request body is not JSON')))
  }
  const gone = new AbortController()
  response.once('close', () => { gone.abort() })
  const answer = await init.server.handle(parsed, { signal: gone.signal })
  if ('response' in answer) return sendJson(response, 200, answer.response)
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  for await (const event of answer.stream) {
    if (gone.signal.aborted) break
    response.write(`data: ${JSON.stringify(event)}\n\n`)
  }
  response.end()
}

/** The body as text, or undefined when it is larger than a request may be. */
async function readBody (request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_A2A_REQUEST_BYTES) {
      request.resume()
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson (response: ServerResponse, status: number, value: JsonRpcResponse | Record<string, unknown>): void {
  const body = JSON.stringify(value)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  response.end(body)
}

function sendText (response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  response.end(text)
}
