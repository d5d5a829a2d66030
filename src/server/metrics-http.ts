/**
 * The observability endpoints every long-running Node process of ZeroState
 * serves (docs/metrics.md): `/metrics` in the Prometheus text exposition
 * format 0.0.4 (prom-client), `/healthz` (liveness) and `/readyz` (readiness),
 * and the HTTP request metrics of the server that answers them.
 *
 * Every process component registers its metrics in a `Registry` it is given,
 * never in prom-client's global default registry: several relays, app servers
 * and Node peers run in one test process, and two registrations of one name in
 * one registry throw.
 *
 * @example
 * ```ts
 * const registry = processRegistry()
 * const server = await startMetricsServer({ host: '127.0.0.1', port: 9464, registry, ready: () => ({ ready: true }) })
 * // curl http://127.0.0.1:9464/metrics
 * await server.stop()
 * ```
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import { HEALTH_PATH, HTTP_DURATION_BUCKETS, METRIC_PREFIX, METRICS_PATH, READY_PATH } from './constants.ts'

/**
 * What a request asked for, as a bounded label value: never the raw path,
 * whose values anyone can multiply without end (Prometheus "Use labels",
 * cardinality).
 */
export type RouteClass =
  | 'app' // an app route: index.html for a path that is no file
  | 'asset' // a hashed build asset (dist/assets/)
  | 'samples' // a sample or workload module, or their index
  | 'static' // any other file of the built app
  | 'config' // the relay list pages read (network/constants.ts CONFIG_PATH)
  | 'metrics'
  | 'health'
  | 'ready'
  | 'not-found'
  | 'forbidden'
  | 'bad-request'
  | 'method-not-allowed'
  | 'error'

/** Whether the process can do its work now; the rest of the object is shown as the /readyz body. */
export interface Readiness {
  ready: boolean
  /** Why it is not ready (set when `ready` is false). */
  reason?: string
  [detail: string]: unknown
}

export type ReadinessCheck = () => Readiness

/** Methods counted by name; any other is counted as `other`, so a client cannot invent label values. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])

const TEXT = 'text/plain; charset=utf-8'
const JSON_TYPE = 'application/json; charset=utf-8'

/** A registry with prom-client's process metrics (CPU, memory, event loop lag, GC, handles) under METRIC_PREFIX. */
export function processRegistry (): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX })
  return registry
}

/** HTTP requests an HTTP server answered: a counter by method, route class and status, and a duration histogram. */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>
  private readonly duration: Histogram<'method' | 'route'>

  constructor (registry: Registry) {
    this.requests = new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route class and status code (`aborted`: the client left before the response ended).',
      labelNames: ['method', 'route', 'status'],
      registers: [registry]
    })
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time from a request\'s arrival to the end of its response, by method and route class.',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry]
    })
  }

  /** Counts `res` when it closes, under the route class `route()` names then (the handler may only know it late). */
  observe (req: IncomingMessage, res: ServerResponse, route: () => RouteClass): void {
    const started = performance.now()
    res.once('close', () => {
      const method = METHODS.has(req.method ?? '') ? req.method as string : 'other'
      const routeClass = route()
      const status = res.writableFinished ? String(res.statusCode) : 'aborted'
      this.requests.inc({ method, route: routeClass, status })
      this.duration.observe({ method, route: routeClass }, (performance.now() - started) / 1000)
    })
  }
}

/** The route class of an observability path, or undefined for any other path. */
export function observabilityRoute (path: string): 'metrics' | 'health' | 'ready' | undefined {
  if (path === METRICS_PATH) return 'metrics'
  if (path === HEALTH_PATH) return 'health'
  if (path === READY_PATH) return 'ready'
  return undefined
}

export interface ObservabilityInit {
  registry: Registry
  ready: ReadinessCheck
}

/**
 * Answers one of the observability paths. /readyz is 200 or 503 with the
 * readiness as JSON; nothing is cached, since a scraper or a load balancer
 * asks for the present.
 */
export async function answerObservability (route: 'metrics' | 'health' | 'ready', req: IncomingMessage, res: ServerResponse, init: ObservabilityInit): Promise<void> {
  const head = req.method === 'HEAD'
  if (route === 'health') {
    res.writeHead(200, { 'content-type': TEXT, 'cache-control': 'no-store' }).end(head ? undefined : 'ok\n')
    return
  }
  if (route === 'ready') {
    const readiness = init.ready()
    res.writeHead(readiness.ready ? 200 : 503, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' })
    res.end(head ? undefined : JSON.stringify(readiness))
    return
  }
  const body = await init.registry.metrics()
  res.writeHead(200, { 'content-type': init.registry.contentType, 'cache-control': 'no-store' }).end(head ? undefined : body)
}

export interface MetricsServerInit extends ObservabilityInit {
  /** Interface to listen on; a metrics port is for the operator's scraper, so keep it on loopback unless it must be reached. */
  host: string
  /** 0 picks a free port. */
  port: number
}

export interface MetricsServer {
  server: Server
  /** `http://host:port` (no trailing slash). */
  url: string
  stop(): Promise<void>
}

/**
 * A plain HTTP server answering only /metrics, /healthz and /readyz: what a
 * standalone relay (`zerostate relay --metrics-port`) and a Node peer
 * (`zerostate contribute --metrics-port`) serve. Its own requests are counted
 * in the same registry.
 */
export async function startMetricsServer (init: MetricsServerInit): Promise<MetricsServer> {
  const http = new HttpMetrics(init.registry)
  const server = createServer((req, res) => {
    let route: RouteClass = 'error'
    http.observe(req, res, () => route)
    res.on('error', () => { res.destroy() })
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      route = 'method-not-allowed'
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    let path: string
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname
    } catch {
      route = 'bad-request'
      res.writeHead(400, { 'content-type': TEXT }).end('bad request: the path is not a well-formed URL path\n')
      return
    }
    const known = observabilityRoute(path)
    if (known === undefined) {
      route = 'not-found'
      res.writeHead(404, { 'content-type': TEXT }).end(`not found: this server answers ${METRICS_PATH}, ${HEALTH_PATH} and ${READY_PATH}\n`)
      return
    }
    route = known
    answerObservability(known, req, res, init).catch(() => {
      route = 'error'
      if (res.headersSent) res.destroy()
      else res.writeHead(500).end()
    })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port, init.host, () => { resolve() })
  })
  const address = server.address()
  const port = typeof address === 'object' && address != null ? address.port : init.port
  const host = init.host.includes(':') ? `[${init.host}]` : init.host
  return {
    server,
    url: `http://${host}:${port}`,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}
