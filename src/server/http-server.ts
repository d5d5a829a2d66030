import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import type { Registry } from 'prom-client'
import { CONFIG_PATH } from '../network/constants.ts'
import { answerObservability, HttpMetrics, observabilityRoute, processRegistry } from './metrics-http.ts'
import type { ReadinessCheck, RouteClass } from './metrics-http.ts'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8'
}

/**
 * Sent with every file the app server serves, so that the page is cross-origin
 * isolated (HTML, "cross-origin isolated capability": COOP `same-origin` and
 * COEP `require-corp` on the document, and COEP on its workers' scripts).
 * Isolation gives the page `SharedArrayBuffer`, which the sandbox pool uses to
 * learn a task's memory size without a message from the worker per growth
 * (execution/sandbox-protocol.ts MemoryCell). The app embeds nothing from
 * other origins (its images are blob: URLs of the user's own bytes), and
 * `fetch` of a module by URL is a CORS request, which COEP leaves alone.
 * COOP `same-origin` also cuts the page off from any window that opened it.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin'
}

export interface AppServerInit {
  /** The built app (vite's dist/). */
  root: string
  host: string
  port: number
  /** Relay multiaddrs handed to every page at CONFIG_PATH. */
  relayAddrs: () => string[]
  /**
   * Where the server's HTTP metrics go and what /metrics exposes (docs/metrics.md); default: a new
   * registry holding the process metrics (metrics-http.ts processRegistry).
   */
  registry?: Registry
  /** What /readyz answers; default: ready whenever it serves. */
  ready?: ReadinessCheck
}

export interface AppServer {
  server: Server
  url: string
  /** The registry /metrics exposes. */
  registry: Registry
  stop(): Promise<void>
}

/**
 * Serves the built PWA and tells each page where the relays are, so a tab
 * needs no configuration: whatever served the page also knows the relays.
 * Beside the app it answers /metrics, /healthz and /readyz (metrics-http.ts),
 * and counts every request it answers by route class.
 */
export async function startAppServer (init: AppServerInit): Promise<AppServer> {
  const root = normalize(init.root)
  const registry = init.registry ?? processRegistry()
  const ready = init.ready ?? (() => ({ ready: true }))
  const http = new HttpMetrics(registry)
  /** Answers `req`; says what it answered through `tag.route`, which the request metrics read when the response closes. */
  const handle = (req: IncomingMessage, res: ServerResponse, tag: { route: RouteClass }): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      tag.route = 'method-not-allowed'
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const path = requestPath(req.url)
    if (path === undefined) {
      tag.route = 'bad-request'
      res.writeHead(400, { 'content-type': CONTENT_TYPES['.txt'] }).end('bad request: the path is not a well-formed URL path')
      return
    }
    if (path === CONFIG_PATH) {
      tag.route = 'config'
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.json'], 'cache-control': 'no-store' })
      res.end(JSON.stringify({ relays: init.relayAddrs() }))
      return
    }
    const observability = observabilityRoute(path)
    if (observability !== undefined) {
      tag.route = observability
      answerObservability(observability, req, res, { registry, ready }).catch(() => { tag.route = 'error'; fail(res) })
      return
    }
    const file = normalize(join(root, path))
    if (file !== root && !file.startsWith(root + sep)) {
      tag.route = 'forbidden'
      res.writeHead(403).end()
      return
    }
    serveFile(file, path, res, tag).catch(() => { tag.route = 'error'; fail(res) })
  }
  // Whatever a request does, it must not end the process, which also runs the relays: a handler that
  // throws answers 500, a broken response is dropped, and a request HTTP cannot parse gets a 400.
  const server = createServer((req, res) => {
    const tag: { route: RouteClass } = { route: 'error' }
    http.observe(req, res, () => tag.route)
    res.on('error', () => { res.destroy() })
    try {
      handle(req, res, tag)
    } catch {
      tag.route = 'error'
      fail(res)
    }
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  async function serveFile (file: string, path: string, res: ServerResponse, tag: { route: RouteClass }): Promise<void> {
    let target = file
    const info = await stat(target).catch(() => undefined)
    if (info == null || info.isDirectory()) {
      // Unknown paths are app routes, except for things that look like files.
      if (info == null && extname(path) !== '') {
        tag.route = 'not-found'
        res.writeHead(404, { 'content-type': CONTENT_TYPES['.txt'] }).end('not found')
        return
      }
      target = join(root, 'index.html')
      tag.route = 'app'
    } else {
      tag.route = target.includes(`${sep}assets${sep}`) ? 'asset' : path.startsWith('/samples/') ? 'samples' : 'static'
    }
    const type = CONTENT_TYPES[extname(target)] ?? 'application/octet-stream'
    // A file that vanished or cannot be read between stat and open: answer instead of leaving the request hanging.
    const stream = createReadStream(target)
    stream.once('error', () => { tag.route = 'error'; fail(res) })
    // Hashed assets never change; everything else is revalidated.
    const cache = target.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
    stream.once('open', () => {
      res.writeHead(200, { 'content-type': type, 'cache-control': cache, ...CROSS_ORIGIN_ISOLATION_HEADERS })
      stream.pipe(res)
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port, init.host, () => { resolve() })
  })
  const address = server.address()
  const port = typeof address === 'object' && address != null ? address.port : init.port
  return {
    server,
    url: `http://${init.host}:${port}/`,
    registry,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}

/**
 * The decoded path of a request target, or undefined when it is not one: a
 * malformed percent-escape (`/%`, `/%zz`, `/%E0%A4%A`) or bytes that are not
 * UTF-8 (`/%ff`, `/samples/%c0%af`) make decodeURIComponent throw a
 * URIError, and a NUL byte has no business in a file path.
 */
export function requestPath (target: string | undefined): string | undefined {
  let pathname: string
  try {
    pathname = new URL(target ?? '/', 'http://localhost').pathname
  } catch {
    return undefined
  }
  let path: string
  try {
    path = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  return path.includes('\0') ? undefined : path
}

/** Answers 500 if nothing was sent yet, or drops a response already under way. */
function fail (res: ServerResponse): void {
  if (res.headersSent) res.destroy()
  else res.writeHead(500).end()
}
