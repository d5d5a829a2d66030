/**
 * npm run bench:hnsw — our HNSW index (src/discovery/hnsw) against hnswlib-node
 * (the C++ reference implementation by the paper's authors) and brute force,
 * on clustered data from a fixed seed:
 *  1. Build time at the same M and efConstruction.
 *  2. recall@10 against brute force and queries per second over a sweep of ef.
 *  3. The smallest ef reaching recall ≥ 0.95 and ≥ 0.99 for each, and our
 *     query rate there as a fraction of hnswlib-node's.
 *
 * Both run single-threaded in this process. hnswlib-node takes number[]
 * queries, so its figures include converting each query across the N-API
 * boundary, as any caller from JavaScript would pay.
 *
 * Usage: npm run bench:hnsw [-- --n 100000 --queries 1000 --clusters 100 --spread 0.5 --metric l2 --M 16 --efc 200]
 */
import { parseArgs } from 'node:util'
import hnswlib from 'hnswlib-node'
import { mulberry32 } from '../../src/core/index.ts'
import { HnswIndex, type Metric } from '../../src/discovery/hnsw/index.ts'
import { clusteredVectors } from '../support/clustered-vectors.ts'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '1000' },
    clusters: { type: 'string', default: '100' },
    spread: { type: 'string', default: '0.5' },
    dim: { type: 'string', default: '128' },
    metric: { type: 'string', default: 'l2' },
    M: { type: 'string', default: '16' },
    efc: { type: 'string', default: '200' },
    seed: { type: 'string', default: '2018' },
    'skip-hnswlib': { type: 'boolean', default: false }
  }
})
const N = Number(values.n)
const Q = Number(values.queries)
const DIM = Number(values.dim)
const CLUSTERS = Number(values.clusters)
const SPREAD = Number(values.spread)
const METRIC = values.metric as Metric
const M = Number(values.M)
const EFC = Number(values.efc)
const K = 10
const EFS = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
const BUILD_LIMIT_MS = 5 * 60_000

const log = (line: string): void => { process.stdout.write(line + '\n') }
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** CLUSTERS Gaussian clusters: centres ~ N(0, I), points ~ N(centre, SPREAD² I). */
function clusteredData (seed: number, count: number): Float32Array[] {
  return clusteredVectors({ seed, count, dimensions: DIM, clusters: CLUSTERS, spread: SPREAD })
}

interface Run { recall: number, qps: number }

function measure (search: (q: number) => number[], truth: Set<number>[]): Run {
  const results: number[][] = new Array(Q)
  const start = performance.now()
  for (let i = 0; i < Q; i++) results[i] = search(i)
  const ms = performance.now() - start
  let found = 0
  for (let i = 0; i < Q; i++) for (const label of results[i]!) if (truth[i]!.has(label)) found++
  return { recall: found / (Q * K), qps: Q / (ms / 1000) }
}

log(`bench:hnsw — n=${N}, dim=${DIM}, ${CLUSTERS} clusters (spread ${SPREAD}), ${Q} queries, metric=${METRIC}, M=${M}, efConstruction=${EFC}, k=${K}`)
const all = clusteredData(Number(values.seed), N + Q)
const data = all.slice(0, N)
const queries = all.slice(N)
const queryArrays = queries.map((q) => Array.from(q))

// 1. Build.
const ours = new HnswIndex({ dimensions: DIM, metric: METRIC, M, efConstruction: EFC, random: mulberry32(100), initialCapacity: N })
let start = performance.now()
let buildLimitHit = false
for (let i = 0; i < N; i++) {
  ours.insert(String(i), data[i]!)
  if ((i + 1) % 20_000 === 0) log(`  ours: ${i + 1} inserted, ${secs(performance.now() - start)}`)
  if (performance.now() - start > BUILD_LIMIT_MS) { buildLimitHit = true; break }
}
const oursBuildMs = performance.now() - start
if (buildLimitHit) {
  log(`ours: build passed ${secs(BUILD_LIMIT_MS)} after ${ours.size} of ${N} vectors; stopping.`)
  process.exit(1)
}

let theirs: InstanceType<typeof hnswlib.HierarchicalNSW> | undefined
let theirsBuildMs = NaN
if (!values['skip-hnswlib']) {
  theirs = new hnswlib.HierarchicalNSW(METRIC, DIM)
  theirs.initIndex(N, M, EFC, 100)
  start = performance.now()
  for (let i = 0; i < N; i++) theirs.addPoint(Array.from(data[i]!), i)
  theirsBuildMs = performance.now() - start
}
log(`\nbuild: ours ${secs(oursBuildMs)}, hnswlib-node ${secs(theirsBuildMs)} (ours ${(oursBuildMs / theirsBuildMs).toFixed(2)}× the time)`)

// 2. Ground truth by brute force (also the brute-force query rate).
start = performance.now()
const truth = queries.map((q) => new Set(ours.exactSearch(q, K).map((h) => Number(h.id))))
const bruteQps = Q / ((performance.now() - start) / 1000)
log(`brute force: ${bruteQps.toFixed(1)} queries/s`)

// Warm both up so the sweep measures steady state.
for (let i = 0; i < Math.min(Q, 200); i++) ours.search(queries[i]!, K, { ef: 64 })
if (theirs !== undefined) {
  theirs.setEf(64)
  for (let i = 0; i < Math.min(Q, 200); i++) theirs.searchKnn(queryArrays[i]!, K)
}

// 3. Sweep ef.
const rows: Array<{ ef: number, ours: Run, theirs: Run | undefined }> = []
log('\n| ef | ours recall@10 | ours q/s | hnswlib recall@10 | hnswlib q/s | ours / hnswlib |')
log('|---:|---:|---:|---:|---:|---:|')
for (const ef of EFS) {
  const o = measure((i) => ours.search(queries[i]!, K, { ef }).map((h) => Number(h.id)), truth)
  let t: Run | undefined
  if (theirs !== undefined) {
    const index = theirs
    index.setEf(ef)
    t = measure((i) => index.searchKnn(queryArrays[i]!, K).neighbors, truth)
  }
  rows.push({ ef, ours: o, theirs: t })
  log(`| ${ef} | ${o.recall.toFixed(4)} | ${o.qps.toFixed(0)} | ${t?.recall.toFixed(4) ?? '–'} | ${t?.qps.toFixed(0) ?? '–'} | ${t === undefined ? '–' : (o.qps / t.qps).toFixed(2)} |`)
}

log('\n| target recall@10 | ours: ef, q/s | hnswlib: ef, q/s | ours / hnswlib | ours / brute force |')
log('|---:|---:|---:|---:|---:|')
for (const target of [0.95, 0.99]) {
  const o = rows.find((r) => r.ours.recall >= target)
  const t = rows.find((r) => r.theirs !== undefined && r.theirs.recall >= target)
  const oCell = o === undefined ? 'not reached' : `${o.ef}, ${o.ours.qps.toFixed(0)}`
  const tCell = t?.theirs === undefined ? 'not reached' : `${t.ef}, ${t.theirs.qps.toFixed(0)}`
  const ratio = o !== undefined && t?.theirs !== undefined ? (o.ours.qps / t.theirs.qps).toFixed(2) : '–'
  log(`| ≥ ${target} | ${oCell} | ${tCell} | ${ratio} | ${o === undefined ? '–' : (o.ours.qps / bruteQps).toFixed(0) + '×'} |`)
}
