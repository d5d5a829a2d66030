/**
 * Fuel figures the meter must keep: runs of the samples and of two WAT
 * commands through the real runner (`compileTaskModule` + `runWasiCommand`,
 * argv[0] the module's hash as the pool sets it), completed, out of fuel at
 * several budgets, and trapped. The figures in fuel-figures.json were taken
 * with the meter as it was before the count moved into a local (commit
 * 8428c447: a charge and a check of the global at every basic block), by
 * this script run against that commit's src/; fuel-figures.test.ts holds the
 * current meter to them: receipts carry `fuelUsed`, and old and new peers
 * must agree as witnesses.
 *
 * Regenerate only on purpose: it records whatever the meter it imports does.
 *   node --experimental-transform-types --disable-warning=ExperimentalWarning test/unit/execution/fuel-figures.ts --write
 * Rebuilt samples with other bytes are skipped by the test (each figure
 * records its module's SHA-256).
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_OUT_DIR } from '../../../src/build/compile-samples.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import type { ExecutionResult, TaskInput, TaskRunner } from '../../../src/execution/types.ts'
import { runWasiCommand } from '../../../src/execution/wasi-runner.ts'
import { wat } from '../../fixtures/wat-modules.ts'

export const FIGURES_FILE = join(import.meta.dirname, 'fuel-figures.json')

/** One run: which module, which input, which budget, and what came out. */
export interface FuelFigure {
  /** A sample id (public/samples/ID.wasm) or a WAT command named in `WAT_COMMANDS`. */
  module: string
  /** SHA-256 of the module's bytes when the figure was taken: a rebuilt sample with other bytes is not comparable. */
  moduleSha256: string
  args: string[]
  /** stdin, UTF-8, or a path relative to public/ (`@samples/...`). */
  stdin: string
  files?: Array<[string, string]>
  fuel: number
  status: string
  fuelUsed: number | null
  memoryPeakBytes: number
  stdoutSha256: string
  filesSha256: string
}

/**
 * Commands that trap for reasons other than fuel, and do work and output
 * before: the figure at a trap (fuel charged up to the trapping instruction's
 * basic block) must not move either.
 */
export const WAT_COMMANDS: Record<string, () => Uint8Array<ArrayBuffer>> = {
  // Sums 0..999 in a loop, prints "sum\n", then divides by zero in the middle of a basic block.
  'divides-by-zero': () => wat(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "sum\\n")
    (func (export "_start") (local $i i32) (local $sum i32)
      (loop $more
        (local.set $sum (i32.add (local.get $sum) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (i32.const 1000))))
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 4))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $sum (i32.add (local.get $sum) (i32.const 7)))
      (drop (i32.div_u (local.get $sum) (i32.sub (local.get $i) (i32.const 1000))))
      (local.set $sum (i32.add (local.get $sum) (i32.const 1)))))`),
  // Calls a function that loops, stores out of bounds in the callee after some work.
  'stores-out-of-bounds': () => wat(`(module
    (memory (export "memory") 1)
    (func $work (param $n i32) (result i32) (local $i i32)
      (loop $more
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (local.get $n))))
      (i32.store (i32.const 70000) (local.get $i))
      (local.get $i))
    (func (export "_start") (drop (call $work (i32.const 500)))))`)
}

const SEED = new Uint8Array(32).fill(7)
const BIG_FUEL = Number.MAX_SAFE_INTEGER
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

export async function moduleBytes (name: string): Promise<Uint8Array<ArrayBuffer>> {
  const command = WAT_COMMANDS[name]
  if (command !== undefined) return command()
  return new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, `${name}.wasm`)))
}

async function text (value: string): Promise<Uint8Array> {
  if (value.startsWith('@')) return new Uint8Array(await readFile(join(DEFAULT_OUT_DIR, '..', value.slice(1))))
  return new TextEncoder().encode(value)
}

export type FuelRun = Omit<FuelFigure, 'module' | 'moduleSha256' | 'args' | 'stdin' | 'files' | 'fuel'>

type FigureInput = Pick<FuelFigure, 'args' | 'stdin' | 'files' | 'fuel'>

export const LIMITS = { timeoutMs: 600_000, memoryLimitBytes: 128 << 20 }

async function inputOf (figure: FigureInput): Promise<TaskInput> {
  return {
    args: figure.args,
    env: [],
    stdin: await text(figure.stdin),
    files: await Promise.all((figure.files ?? []).map(async ([name, value]): Promise<[string, Uint8Array]> => [name, await text(value)])),
    seed: SEED
  }
}

/**
 * Runs `module` (compiled and metered) in this thread, with the figure's
 * input and budget, and argv[0] the module's hash, as the pool sets it.
 */
export async function runFigure (module: WebAssembly.Module, moduleSha256: string, figure: FigureInput): Promise<FuelRun> {
  return figuresOf(await runWasiCommand(module, await inputOf(figure), { ...LIMITS, fuel: figure.fuel }, { argv0: moduleSha256 }))
}

/** Runs `bytes` through `runner` (a pool: compiled, metered, run in a worker) with the figure's input and budget. */
export async function runFigureOn (runner: TaskRunner, bytes: Uint8Array, figure: FigureInput): Promise<FuelRun> {
  return figuresOf(await runner.run(sha256(bytes), bytes, await inputOf(figure), { ...LIMITS, fuel: figure.fuel }))
}

function figuresOf (result: ExecutionResult): FuelRun {
  const files = createHash('sha256')
  for (const [name, bytes] of result.files) files.update(name).update(bytes ?? new Uint8Array(0))
  return {
    status: result.status,
    fuelUsed: result.fuelUsed,
    memoryPeakBytes: result.memoryPeakBytes,
    stdoutSha256: sha256(result.stdout),
    filesSha256: files.digest('hex')
  }
}

export async function compileMetered (bytes: Uint8Array, exactFuelAtTraps = false): Promise<WebAssembly.Module> {
  return compileTaskModule(bytes, { memoryLimitBytes: LIMITS.memoryLimitBytes, metered: true, exactFuelAtTraps })
}

interface Case { module: string, args: string[], stdin: string, files?: Array<[string, string]> }

/** The samples with their catalogue's default input, plus a few more inputs. */
async function cases (): Promise<Case[]> {
  const catalogue = JSON.parse(await readFile(join(DEFAULT_OUT_DIR, 'samples.json'), 'utf8')) as Array<{
    id: string, defaultStdin?: string, defaultStdinUrl?: string, defaultArgs?: string[], defaultFiles?: Array<{ name: string, url: string }>
  }>
  const out: Case[] = []
  for (const sample of catalogue) {
    if (sample.id === 'forever') continue
    const stdin = sample.id === 'primes' ? '100000' : sample.defaultStdinUrl !== undefined ? `@${sample.defaultStdinUrl}` : sample.defaultStdin ?? ''
    const files = sample.defaultFiles?.map(({ name, url }): [string, string] => [name, `@${url}`])
    out.push({ module: sample.id, args: sample.defaultArgs ?? [], stdin, ...(files === undefined ? {} : { files }) })
  }
  out.push({ module: 'primes', args: [], stdin: '1000000' })
  for (const name of Object.keys(WAT_COMMANDS)) out.push({ module: name, args: [], stdin: '' })
  return out
}

/** Budgets tried below each case's need: none, one short, half, and a small one. */
const SHORT_OF = (need: number): number[] => [need - 1, Math.floor(need / 2), Math.floor(need / 7), 1000, 0].filter(b => b >= 0)

async function generate (): Promise<FuelFigure[]> {
  const figures: FuelFigure[] = []
  for (const c of await cases()) {
    const bytes = await moduleBytes(c.module)
    const module = await compileMetered(bytes)
    const hash = sha256(bytes)
    const full = await runFigure(module, hash, { ...c, fuel: BIG_FUEL })
    const base = { ...c, moduleSha256: hash }
    figures.push({ ...base, fuel: BIG_FUEL, ...full })
    const need = full.fuelUsed as number
    for (const fuel of [need, ...SHORT_OF(need)]) figures.push({ ...base, fuel, ...await runFigure(module, hash, { ...c, fuel }) })
    console.log(c.module, c.stdin.slice(0, 20), full.status, need)
  }
  const forever = await moduleBytes('forever')
  const module = await compileMetered(forever)
  for (const fuel of [10_000_000, 20_000_000]) {
    figures.push({ module: 'forever', moduleSha256: sha256(forever), args: [], stdin: '', fuel, ...await runFigure(module, sha256(forever), { args: [], stdin: '', fuel }) })
  }
  return figures
}

if (process.argv.includes('--write')) {
  const figures = await generate()
  await writeFile(FIGURES_FILE, JSON.stringify(figures, null, 1) + '\n')
  console.log(`${figures.length} figures written to ${FIGURES_FILE}`)
}
