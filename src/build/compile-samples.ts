/**
 * Compiles the AssemblyScript sample tasks in src/samples/<id>/ to WASI
 * preview1 commands in public/samples/<id>.wasm, and writes
 * public/samples/samples.json (an array of `SampleTask`) from each sample's
 * sample.json plus the URL and SHA-256 of its module. The real workloads in
 * src/workloads/<id>/ (C, built by clang) are committed as <id>.wasm, so that
 * the app builds without a C toolchain; they are copied beside the samples and
 * listed with them (test/unit/workloads checks each is exactly the build of
 * its committed source).
 *
 *   node src/build/compile-samples.ts      (npm run build:samples)
 */
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { SAMPLE_CATEGORIES, type SampleTask } from '../execution/sample-index.ts'
import { nameError } from '../core/errors.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const SAMPLES_DIR = join(ROOT, 'src/samples')
const WORKLOADS_DIR = join(ROOT, 'src/workloads')
/** Folders under src/samples that hold code the samples share, not a sample. */
const NOT_SAMPLES = new Set(['shared'])
export const DEFAULT_OUT_DIR = join(ROOT, 'public/samples')

const require = createRequire(import.meta.url)
const ASC = join(require.resolve('assemblyscript/package.json'), '../bin/asc.js')
// Relative to ROOT (asc's cwd): asc resolves the config's `lib` wrongly from an absolute config path.
const WASI_SHIM_CONFIG = relative(ROOT, join(require.resolve('@assemblyscript/wasi-shim/package.json'), '../asconfig.json'))

/**
 * What is written by hand in src/samples/<id>/sample.json (and
 * src/workloads/<id>/sample.json). A workload's example input may be a file
 * beside it (`defaultStdinFile`, e.g. a photo) instead of text, and it may
 * name example files to place in /work (`defaultFiles`: name there → file
 * beside it); both are copied to public/samples/<id>/.
 */
interface SampleMetadata extends Pick<SampleTask, 'title' | 'description' | 'category' | 'defaultArgs' | 'defaultTimeoutMs'> {
  defaultStdin?: string
  defaultStdinFile?: string
  defaultFiles?: Record<string, string>
}

/** Example stdin files with these extensions are images: the page offers an image picker for them. */
const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i

export interface CompileSamplesOptions {
  outDir?: string
  signal?: AbortSignal
}

/** Thrown when asc fails on a sample; the message carries asc's output. */
export class SampleCompileError extends Error {
  static { nameError(this, 'SampleCompileError') }
  constructor (message = 'Sample failed to compile') {
    super(message)
  }
}

/** Thrown when a sample.json is missing a field or has one of the wrong type. */
export class InvalidSampleMetadataError extends Error {
  static { nameError(this, 'InvalidSampleMetadataError') }
  constructor (message = 'Invalid sample.json') {
    super(message)
  }
}

export async function compileSamples (options: CompileSamplesOptions = {}): Promise<SampleTask[]> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR
  await mkdir(outDir, { recursive: true })
  const ids = (await readdir(SAMPLES_DIR, { withFileTypes: true }))
    .filter(entry => entry.isDirectory() && !NOT_SAMPLES.has(entry.name))
    .map(entry => entry.name)
    .sort()

  // asc is single-threaded and takes a second or two per sample at -O3, so run several at once.
  const samples: SampleTask[] = new Array(ids.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const index = next++
      const id = ids[index] as string
      samples[index] = await compileSample(id, outDir, options.signal)
    }
  }
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), ids.length) }, worker))
  samples.push(...await copyWorkloads(outDir))
  const manifest = join(outDir, 'samples.json')
  const temporary = temporaryPath(manifest)
  await writeFile(temporary, JSON.stringify(samples, null, 2) + '\n')
  await rename(temporary, manifest)
  return samples
}

async function compileSample (id: string, outDir: string, signal?: AbortSignal): Promise<SampleTask> {
  const metadata = parseMetadata(`src/samples/${id}`, await readFile(join(SAMPLES_DIR, id, 'sample.json'), 'utf8'))
  const wasmPath = join(outDir, `${id}.wasm`)
  const temporary = temporaryPath(wasmPath)
  await runAsc([join(SAMPLES_DIR, id, 'index.ts'), '--config', WASI_SHIM_CONFIG, '-O3', '--outFile', temporary], signal)
  const wasm = await readFile(temporary)
  await rename(temporary, wasmPath)
  return sampleTask(id, metadata, wasm)
}

function sampleTask (id: string, metadata: SampleMetadata, wasm: Uint8Array): SampleTask {
  const stdinFile = metadata.defaultStdinFile
  const files = Object.entries(metadata.defaultFiles ?? {})
  return {
    id,
    title: metadata.title,
    description: metadata.description,
    category: metadata.category,
    stdinKind: stdinFile !== undefined && IMAGE_EXTENSIONS.test(stdinFile) ? 'image' : 'text',
    url: `samples/${id}.wasm`,
    sha256: createHash('sha256').update(wasm).digest('hex'),
    defaultStdin: metadata.defaultStdin ?? '',
    ...(stdinFile === undefined ? {} : { defaultStdinUrl: `samples/${id}/${stdinFile}` }),
    ...(files.length === 0 ? {} : { defaultFiles: files.map(([name, file]) => ({ name, url: `samples/${id}/${file}` })) }),
    defaultArgs: metadata.defaultArgs,
    defaultTimeoutMs: metadata.defaultTimeoutMs
  }
}

/** Copies a workload's example files (its stdin file and its /work files) to `outDir`/<id>/. */
async function copyExamples (id: string, metadata: SampleMetadata, outDir: string): Promise<void> {
  const names = [...(metadata.defaultStdinFile === undefined ? [] : [metadata.defaultStdinFile]), ...Object.values(metadata.defaultFiles ?? {})]
  if (names.length === 0) return
  await mkdir(join(outDir, id), { recursive: true })
  for (const name of new Set(names)) {
    const target = join(outDir, id, name)
    const temporary = temporaryPath(target)
    await writeFile(temporary, await readFile(join(WORKLOADS_DIR, id, name)))
    await rename(temporary, target)
  }
}

/** The prebuilt workloads: each src/workloads/<id>/ with a sample.json and an <id>.wasm. */
async function copyWorkloads (outDir: string): Promise<SampleTask[]> {
  if (!existsSync(WORKLOADS_DIR)) return []
  const ids = (await readdir(WORKLOADS_DIR, { withFileTypes: true }))
    .filter(entry => entry.isDirectory() && existsSync(join(WORKLOADS_DIR, entry.name, 'sample.json')))
    .map(entry => entry.name)
    .sort()
  return Promise.all(ids.map(async id => {
    const metadata = parseMetadata(`src/workloads/${id}`, await readFile(join(WORKLOADS_DIR, id, 'sample.json'), 'utf8'))
    await copyExamples(id, metadata, outDir)
    const wasm = await readFile(join(WORKLOADS_DIR, id, `${id}.wasm`))
    const wasmPath = join(outDir, `${id}.wasm`)
    const temporary = temporaryPath(wasmPath)
    await writeFile(temporary, wasm)
    await rename(temporary, wasmPath)
    return sampleTask(id, metadata, wasm)
  }))
}

/**
 * Outputs are written beside their final path and renamed into place, so a
 * concurrent build (test files compiling on demand in parallel) never lets a
 * reader see a half-written file.
 */
function temporaryPath (path: string): string {
  return `${path}.${randomUUID()}.tmp`
}

/** Checks a sample.json; `where` is its folder, for messages. A file it names must be a plain name beside it. */
function parseMetadata (where: string, json: string): SampleMetadata {
  const value: Record<string, unknown> = JSON.parse(json)
  const fail = (message: string): never => { throw new InvalidSampleMetadataError(`${where}/sample.json: ${message}`) }
  const plainName = (name: unknown): boolean => typeof name === 'string' && /^[\w.-]+$/.test(name) && !name.startsWith('.')
  for (const field of ['title', 'description'] as const) {
    if (typeof value[field] !== 'string') fail(`"${field}" must be a string`)
  }
  if (!(SAMPLE_CATEGORIES as readonly unknown[]).includes(value.category)) fail(`"category" must be one of ${SAMPLE_CATEGORIES.join(', ')}`)
  if ((value.defaultStdin === undefined) === (value.defaultStdinFile === undefined)) fail('give exactly one of "defaultStdin" (text) and "defaultStdinFile" (a file beside it)')
  if (value.defaultStdin !== undefined && typeof value.defaultStdin !== 'string') fail('"defaultStdin" must be a string')
  if (value.defaultStdinFile !== undefined && !plainName(value.defaultStdinFile)) fail('"defaultStdinFile" must name a file beside sample.json')
  if (value.defaultFiles !== undefined) {
    const files = value.defaultFiles
    if (typeof files !== 'object' || files === null || Array.isArray(files) || !Object.entries(files).every(([name, file]) => plainName(name) && plainName(file))) {
      fail('"defaultFiles" must map names in /work to files beside sample.json')
    }
  }
  if (!Array.isArray(value.defaultArgs) || !value.defaultArgs.every(arg => typeof arg === 'string')) fail('"defaultArgs" must be an array of strings')
  if (typeof value.defaultTimeoutMs !== 'number' || !(value.defaultTimeoutMs > 0)) fail('"defaultTimeoutMs" must be a positive number')
  return value as unknown as SampleMetadata
}

/** Spawns asc with this Node, so the build does not depend on which `node` is on PATH. */
async function runAsc (args: string[], signal?: AbortSignal): Promise<void> {
  const child = spawn(process.execPath, [ASC, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], signal })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0) throw new SampleCompileError(`asc ${args[0]} exited with ${code}:\n${output}`)
}

/** True when the manifest exists, i.e. the samples were compiled at least once. */
export function samplesAreBuilt (outDir = DEFAULT_OUT_DIR): boolean {
  return existsSync(join(outDir, 'samples.json'))
}

if (import.meta.main) {
  const started = performance.now()
  const samples = await compileSamples()
  console.log(`compiled ${samples.length} samples to ${DEFAULT_OUT_DIR} in ${Math.round(performance.now() - started)} ms`)
}
