/**
 * node test/bench/metering.ts [N] — what fuel metering costs: for every
 * sample, the time `meterFuel` takes and how much the module grows; then the
 * primes sieve up to N (default 10,000,000) metered and unmetered, median of
 * 5 runs each, compiling afresh every run as a task would.
 */
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'
import { FUEL_GLOBAL_EXPORT, meterFuel } from '../../src/execution/metering/index.ts'
import { ensureSamplesBuilt, sampleBytes } from '../unit/execution/samples.ts'

const RUNS = 5
const n = process.argv[2] ?? '10000000'
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

async function timeRun (bytes: Uint8Array<ArrayBuffer>, stdin: string): Promise<{ ms: number, stdout: string, used?: bigint }> {
  const chunks: Uint8Array[] = []
  const wasi = new WASI(['task'], [], [
    new OpenFile(new File(new TextEncoder().encode(stdin), { readonly: true })),
    new ConsoleStdout(chunk => { chunks.push(chunk) }),
    new ConsoleStdout(() => {})
  ], { debug: false })
  const { instance } = await WebAssembly.instantiate(bytes, { wasi_snapshot_preview1: wasi.wasiImport })
  const budget = 10n ** 15n
  const fuel = instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global<'i64'> | undefined
  if (fuel !== undefined) fuel.value = budget
  const started = performance.now()
  wasi.start(instance as Parameters<WASI['start']>[0])
  const ms = performance.now() - started
  const stdout = Buffer.concat(chunks).toString('utf8')
  return fuel === undefined ? { ms, stdout } : { ms, stdout, used: budget - fuel.value }
}

await ensureSamplesBuilt()
console.log('sample       bytes → metered   growth  meterFuel (median of 5)')
for (const id of ['echo', 'sha256', 'text-stats', 'sentiment', 'primes', 'forever']) {
  const bytes = await sampleBytes(id)
  const times: number[] = []
  let metered = bytes
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    metered = meterFuel(bytes)
    times.push(performance.now() - started)
  }
  console.log(`${id.padEnd(12)} ${String(bytes.length).padStart(6)} → ${String(metered.length).padStart(6)}   ×${(metered.length / bytes.length).toFixed(2)}   ${median(times).toFixed(2)} ms`)
}

const primes = await sampleBytes('primes')
const meteredPrimes = meterFuel(primes)
const plain: number[] = []
const metered: number[] = []
let fuelUsed: bigint | undefined
for (let i = 0; i < RUNS; i++) {
  const a = await timeRun(primes, n)
  const b = await timeRun(meteredPrimes, n)
  if (a.stdout !== b.stdout) throw new Error('metered primes printed something else')
  plain.push(a.ms)
  metered.push(b.ms)
  fuelUsed = b.used
}
console.log(`primes N=${n}: unmetered ${median(plain).toFixed(1)} ms, metered ${median(metered).toFixed(1)} ms, ×${(median(metered) / median(plain)).toFixed(2)}; fuel used ${String(fuelUsed)}`)
