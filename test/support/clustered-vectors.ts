import { mulberry32 } from '../../src/core/index.ts'

/** Box–Muller normal draw from a seeded uniform source. */
function gaussian (random: () => number): number {
  let u = 0
  while (u === 0) u = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

export interface ClusteredData {
  seed: number
  count: number
  dimensions: number
  clusters: number
  /** Standard deviation of points around their centre; centres are drawn from N(0, I). */
  spread: number
}

/** Points around Gaussian cluster centres, reproducible from the seed: the data HNSW tests and benchmarks search. */
export function clusteredVectors (data: ClusteredData): Float32Array[] {
  const random = mulberry32(data.seed)
  const centres = Array.from({ length: data.clusters }, () => Float32Array.from({ length: data.dimensions }, () => gaussian(random)))
  return Array.from({ length: data.count }, () => {
    const centre = centres[Math.floor(random() * data.clusters)]!
    return Float32Array.from(centre, (x) => x + data.spread * gaussian(random))
  })
}
