/**
 * Builds the real workloads — C programs in src/workloads/<id>/, each with a
 * build.json — to WASI preview1 commands with Debian's clang-14, wasi-libc and
 * (for the image tasks) libstb-dev.
 *
 *   node src/build/build-workloads.ts [--check] [id ...]     (npm run build:workloads)
 *
 * Without --check it runs each workload's generator (which rewrites the
 * committed header of weights or tables from a pinned npm package) and then
 * compiles <id>.wasm into the workload's folder. With --check it generates and
 * compiles into a temporary folder and fails when any header or module differs
 * byte for byte from the committed one.
 *
 * Why the modules are committed: `npm start` on a fresh machine then needs no
 * C toolchain (the app only copies them, src/build/compile-samples.ts), while
 * `npm test` — which installs the toolchain — proves each committed module is
 * exactly the build of the committed source (test/unit/workloads/reproducible.test.ts).
 * A build is reproducible because it depends only on the sources, the flags
 * below and Debian's toolchain packages: no paths, dates or debug info end up
 * in the module (the build runs in the workload's folder, and strips the debug
 * sections wasi-libc brings).
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { nameError } from '../core/errors.ts'

const run = promisify(execFile)

const ROOT = resolve(import.meta.dirname, '../..')
export const WORKLOADS_DIR = join(ROOT, 'src/workloads')

/**
 * clang's WebAssembly driver runs `wasm-opt` after linking whenever one is on
 * PATH — and under npm, node_modules/.bin has binaryen's. The committed modules
 * are clang's output alone, so builds run with the system's directories only.
 */
export const CLANG_PATH = '/usr/lib/llvm-14/bin:/usr/bin:/bin'

/**
 * -ffp-contract=off keeps a*b+c as two roundings (no fused multiply-add), and
 * -mno-simd128 keeps loops scalar, so float results follow the C source's
 * operation order — which the neural-network ports reproduce from their JS
 * references to be bit-exact with them. --strip-debug drops the DWARF that
 * Debian's wasi-libc.a carries (~180 KB a module, sent to every executor).
 */
export const COMMON_FLAGS: readonly string[] = ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-ffp-contract=off', '-mno-simd128', '-Wl,--strip-debug']

/** Largest memory a workload may reserve: it must run under the sandbox's default 50 MiB limit. */
export const MAX_WORKLOAD_MEMORY_BYTES = 48 << 20

/** src/workloads/<id>/build.json, with the folder it came from. */
export interface WorkloadBuild {
  id: string
  dir: string
  /** C sources, relative to `dir`. */
  sources: string[]
  /** Linear memory, all reserved up front (initial = maximum): a module never calls memory.grow successfully. */
  memoryBytes: number
  /** Flags beside COMMON_FLAGS, e.g. ["-isystem", "/usr/include/stb"]. */
  cflags: string[]
  /** A script, relative to the project root, run as `node <generator> <out-dir>` to write the workload's generated headers. */
  generator?: string
}

/** Thrown for a build.json that is missing a field or has one of the wrong type. */
export class InvalidWorkloadBuildError extends Error {
  static { nameError(this, 'InvalidWorkloadBuildError') }
  constructor (message = 'Invalid build.json') {
    super(message)
  }
}

/** Thrown when clang or a generator fails, or (with --check) a rebuild differs from what is committed. */
export class WorkloadBuildError extends Error {
  static { nameError(this, 'WorkloadBuildError') }
  constructor (message = 'Workload build failed') {
    super(message)
  }
}

/** Every workload with a build.json, sorted by id; only `ids` when given (an unknown id is an error). */
export async function readWorkloadBuilds (ids: readonly string[] = []): Promise<WorkloadBuild[]> {
  const all = (await readdir(WORKLOADS_DIR, { withFileTypes: true }))
    .filter(entry => entry.isDirectory() && existsSync(join(WORKLOADS_DIR, entry.name, 'build.json')))
    .map(entry => entry.name)
    .sort()
  for (const id of ids) {
    if (!all.includes(id)) throw new InvalidWorkloadBuildError(`no workload "${id}" (src/workloads/${id}/build.json); there are: ${all.join(', ')}`)
  }
  const chosen = ids.length === 0 ? all : all.filter(id => ids.includes(id))
  return Promise.all(chosen.map(async id => parseBuild(id, await readFile(join(WORKLOADS_DIR, id, 'build.json'), 'utf8'))))
}

export function parseBuild (id: string, json: string): WorkloadBuild {
  const where = `src/workloads/${id}/build.json`
  const value = JSON.parse(json) as Record<string, unknown>
  const strings = (field: string): string[] => {
    const list = value[field] ?? []
    if (!Array.isArray(list) || !list.every(item => typeof item === 'string')) throw new InvalidWorkloadBuildError(`${where}: "${field}" must be an array of strings`)
    return list
  }
  const sources = strings('sources')
  if (sources.length === 0) throw new InvalidWorkloadBuildError(`${where}: "sources" names no C file`)
  const memoryBytes = value.memoryBytes
  if (typeof memoryBytes !== 'number' || !Number.isInteger(memoryBytes) || memoryBytes <= 0 || memoryBytes % 65_536 !== 0 || memoryBytes > MAX_WORKLOAD_MEMORY_BYTES) {
    throw new InvalidWorkloadBuildError(`${where}: "memoryBytes" must be a positive multiple of 65536 up to ${MAX_WORKLOAD_MEMORY_BYTES}`)
  }
  if (value.generator !== undefined && typeof value.generator !== 'string') throw new InvalidWorkloadBuildError(`${where}: "generator" must be a string`)
  return {
    id,
    dir: join(WORKLOADS_DIR, id),
    sources,
    memoryBytes,
    cflags: strings('cflags'),
    ...(value.generator === undefined ? {} : { generator: value.generator })
  }
}

/** clang's arguments for `build`, writing the module to `outPath`. */
export function clangArgs (build: WorkloadBuild, outPath: string): string[] {
  return [
    ...COMMON_FLAGS,
    `-Wl,--initial-memory=${build.memoryBytes}`, `-Wl,--max-memory=${build.memoryBytes}`,
    ...build.cflags,
    '-o', outPath,
    ...build.sources
  ]
}

/** Compiles `build` to `outPath` (default: the committed <id>.wasm). Runs in the workload's folder, so no absolute path reaches the module. */
export async function compileWorkload (build: WorkloadBuild, outPath = join(build.dir, `${build.id}.wasm`), clang = 'clang-14'): Promise<void> {
  try {
    await run(clang, clangArgs(build, outPath), { cwd: build.dir, env: { ...process.env, PATH: CLANG_PATH }, maxBuffer: 16 << 20 })
  } catch (err) {
    const { stderr } = err as { stderr?: string }
    throw new WorkloadBuildError(`clang failed on ${build.id}:\n${stderr ?? String(err)}`)
  }
}

/** Runs the workload's generator (if any) into `outDir` (default: the workload's folder). */
export async function generateHeaders (build: WorkloadBuild, outDir = build.dir): Promise<void> {
  if (build.generator === undefined) return
  try {
    await run(process.execPath, [join(ROOT, build.generator), outDir], { cwd: ROOT, maxBuffer: 16 << 20 })
  } catch (err) {
    const { stderr } = err as { stderr?: string }
    throw new WorkloadBuildError(`${build.generator} failed:\n${stderr ?? String(err)}`)
  }
}

/** What differs between a fresh build of `build` and the committed files: [] when the rebuild is byte for byte the same. */
export async function checkWorkload (build: WorkloadBuild, clang = 'clang-14'): Promise<string[]> {
  const scratch = await mkdtemp(join(tmpdir(), `zerostate-${build.id}-`))
  try {
    const differences: string[] = []
    if (build.generator !== undefined) {
      await generateHeaders(build, scratch)
      for (const name of (await readdir(scratch)).sort()) {
        const committed = join(build.dir, name)
        if (!existsSync(committed)) differences.push(`src/workloads/${build.id}/${name} is generated but not committed`)
        else if (!(await readFile(committed)).equals(await readFile(join(scratch, name)))) differences.push(`src/workloads/${build.id}/${name} differs from what ${build.generator} generates`)
      }
    }
    const wasm = join(scratch, `${build.id}.wasm`)
    await compileWorkload(build, wasm, clang)
    const committed = join(build.dir, `${build.id}.wasm`)
    if (!existsSync(committed)) differences.push(`src/workloads/${build.id}/${build.id}.wasm is not committed`)
    else {
      const [want, got] = [await sha256File(committed), await sha256File(wasm)]
      if (want !== got) differences.push(`src/workloads/${build.id}/${build.id}.wasm (sha256 ${want.slice(0, 12)}…) is not the build of its source (${got.slice(0, 12)}…)`)
    }
    return differences
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

async function sha256File (path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  const builds = await readWorkloadBuilds(args.filter(arg => arg !== '--check'))
  let failed = false
  for (const build of builds) {
    const started = performance.now()
    if (check) {
      const differences = await checkWorkload(build)
      for (const line of differences) console.error(line)
      failed ||= differences.length > 0
      console.log(`${build.id}: ${differences.length === 0 ? 'reproducible' : 'DIFFERS'} (${Math.round(performance.now() - started)} ms)`)
    } else {
      await generateHeaders(build)
      await compileWorkload(build)
      const bytes = (await readFile(join(build.dir, `${build.id}.wasm`))).byteLength
      console.log(`${build.id}: ${bytes} bytes (${Math.round(performance.now() - started)} ms)`)
    }
  }
  if (failed) process.exitCode = 1
}
