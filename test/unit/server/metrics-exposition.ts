/**
 * Scraping a /metrics endpoint in the tests: the body is parsed by a real
 * Prometheus text-format parser (parse-prometheus-text-format, a port of the
 * Prometheus Python client's parser), never matched with regular expressions,
 * so a malformed exposition fails the test.
 */
import { request } from 'node:http'
import { createRequire } from 'node:module'
import type { Registry } from 'prom-client'

/** One sample of a family as the parser gives it: a value, or a histogram's buckets, count and sum (all as text). */
export interface ParsedSample {
  labels?: Record<string, string>
  value?: string
  buckets?: Record<string, string>
  count?: string
  sum?: string
}

export interface MetricFamily {
  name: string
  help: string
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
  metrics: ParsedSample[]
}

// The package ships CommonJS without type declarations: loaded through require, typed here.
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[]

export interface Scrape {
  status: number
  contentType: string
  families: Map<string, MetricFamily>
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One raw HTTP request of `target` (sent as written, without normalisation), 5 s at most. */
export async function httpRequest (base: string, target: string, method = 'GET'): Promise<HttpAnswer> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => { chunks.push(chunk) })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }) })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => { req.destroy(new Error(`no answer to ${method} ${target}`)) })
    req.end()
  })
}

/** The families of an exposition, by name. */
export function parseExposition (text: string): Map<string, MetricFamily> {
  return new Map(parsePrometheusTextFormat(text).map(family => [family.name, family]))
}

/** GETs `path` on `base` and parses the exposition. */
export async function scrape (base: string, path = '/metrics'): Promise<Scrape> {
  const answer = await httpRequest(base, path)
  return { status: answer.status, contentType: String(answer.headers['content-type']), families: parseExposition(answer.body) }
}

/** A registry's own exposition, parsed, as a scrape of it would be. */
export async function scrapeRegistry (registry: Registry): Promise<Scrape> {
  return { status: 200, contentType: registry.contentType, families: parseExposition(await registry.metrics()) }
}

/** Whether every label of `want` is on the sample with that value. */
function matches (sample: ParsedSample, want: Record<string, string>): boolean {
  return Object.entries(want).every(([name, value]) => sample.labels?.[name] === value)
}

/** The sum of the values of family `name`'s samples carrying the labels `want` (0 when there is none; undefined without the family). */
export function valueOf (scrape: Scrape, name: string, want: Record<string, string> = {}): number | undefined {
  const family = scrape.families.get(name)
  if (family === undefined) return undefined
  return family.metrics.filter(sample => matches(sample, want)).reduce((sum, sample) => sum + Number(sample.value), 0)
}

/**
 * The observation count of histogram `name` over the series carrying the labels `want`, read from the registry
 * itself: parse-prometheus-text-format 1.1.1 keeps only the buckets of one label set of a histogram (its
 * flattenMetrics merges them and drops `_count` and `_sum`), so a labelled histogram is checked through prom-client.
 */
export async function histogramCount (registry: Registry, name: string, want: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return undefined
  const { values } = await metric.get()
  return values
    .filter(sample => (sample as { metricName?: string }).metricName === `${name}_count` && Object.entries(want).every(([label, value]) => String(sample.labels[label]) === value))
    .reduce((sum, sample) => sum + sample.value, 0)
}

/** The family a name used in a PromQL query refers to: itself, or the histogram or summary whose `_bucket`/`_sum`/`_count` series it is. */
export function familyOf (scrape: Scrape, seriesName: string): MetricFamily | undefined {
  const direct = scrape.families.get(seriesName)
  if (direct !== undefined) return direct
  const base = seriesName.replace(/_(bucket|sum|count)$/, '')
  const family = scrape.families.get(base)
  return family !== undefined && (family.type === 'HISTOGRAM' || family.type === 'SUMMARY') ? family : undefined
}
