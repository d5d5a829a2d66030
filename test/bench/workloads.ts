/**
 * npm run bench:workloads — each real workload (src/workloads/) in a Chromium
 * page: this tab's sandbox metered and unmetered (window.zerostate.runLocal)
 * against the same computation done by the JS reference the workload is held
 * to, in the same page and the same run — lande's JS for lang-detect; face-api
 * on tfjs's CPU backend for the face models; csv-parse; Ajv; the browser's
 * own CompressionStream and canvas (native code) — and, where a native tool
 * exists, that tool in Node (gzip). Prints time per input and fuel per input,
 * and the ratios the goal is stated in: WASM ≤ the JS reference, metered ≤ 1.5×
 * unmetered. Medians of --runs runs, after one warm-up run each.
 *
 * Usage: npm run bench:workloads [-- --runs 5 --only gzip,lang-detect]
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { build } from 'vite'
import { mulberry32 } from '../../src/core/mulberry32.ts'
import { startHarness } from '../e2e/harness.ts'
import { canIsolateNetwork, runInLoopbackNamespace } from '../support/loopback-namespace.ts'
import { workloadIds } from '../support/workload-examples.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string', default: '' } } })
if (canIsolateNetwork()) {
  process.exit(runInLoopbackNamespace(process.execPath, [...process.execArgv, import.meta.filename, '--runs', values.runs, '--only', values.only], process.cwd()))
}
const runs = Number(values.runs)
const only = new Set(values.only.split(',').filter(id => id !== ''))
const require = createRequire(import.meta.url)
const ROOT = join(import.meta.dirname, '../..')
const FACE_API_DIR = join(require.resolve('@vladmandic/face-api'), '../..')

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

/** One measured case: a workload on one input, and the reference it is compared with. */
interface BenchCase {
  id: string
  label: string
  /** How many inputs (documents, faces, rows, MiB…) one run handles, and what they are. */
  inputs: number
  unit: string
  args: string[]
  stdin: Uint8Array
  files?: Array<[string, Uint8Array]>
  /** In the page, with `refs` (test/bench/workload-references.ts) and `data` loaded: does the reference computation once. */
  reference?: { name: string, run: string, data?: unknown }
  /** A native tool in Node, timed once per run. */
  native?: { name: string, run: () => void }
}

/**
 * Deterministic text of `bytes` bytes: words of the lang-detect corpus (25
 * languages) drawn at random, in lines — about as compressible as prose
 * (the corpus merely repeated would be far easier).
 */
async function textOf (bytes: number): Promise<Uint8Array> {
  const words = (await readFile(join(ROOT, 'test/fixtures/lang-detect-corpus.txt'), 'utf8')).split(/\s+/).filter(w => w !== '')
  const random = mulberry32(11)
  const parts: string[] = []
  let length = 0
  while (length < bytes) {
    const word = words[Math.floor(random() * words.length)]! + (random() < 0.08 ? '\n' : ' ')
    parts.push(word)
    length += Buffer.byteLength(word)
  }
  return new Uint8Array(Buffer.from(parts.join('')).subarray(0, bytes))
}

function csvOf (rows: number): string {
  const random = mulberry32(7)
  const words = ['alpha', 'beta', 'gamma, delta', 'say "hi"', 'Zürich', 'two\nlines', '', '42', '3.5']
  const lines = ['id,name,city,note,amount']
  const field = (value: string): string => /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
  for (let i = 0; i < rows; i++) {
    const pick = (): string => words[Math.floor(random() * words.length)]!
    lines.push([String(i), pick(), pick(), pick(), (random() * 1000).toFixed(2)].map(field).join(','))
  }
  return lines.join('\n') + '\n'
}

async function cases (): Promise<BenchCase[]> {
  const ids = new Set(await workloadIds())
  const list: BenchCase[] = []
  const text = new TextEncoder()
  if (ids.has('lang-detect')) {
    const corpus = await readFile(join(ROOT, 'test/fixtures/lang-detect-corpus.txt'), 'utf8')
    const lines = corpus.split('\n').map(l => l.replace(/\r$/, '')).filter(l => l !== '')
    list.push({ id: 'lang-detect', label: `${lines.length} documents, --lines`, inputs: lines.length, unit: 'doc', args: ['--lines'], stdin: text.encode(corpus), reference: { name: 'lande (JS)', run: 'refs.langDetect(data)', data: lines } })
  }
  if (ids.has('csv-to-json')) {
    const csv = csvOf(20_000)
    list.push({ id: 'csv-to-json', label: `20,000 rows, ${(csv.length / 1e6).toFixed(1)} MB`, inputs: 20, unit: '1k rows', args: [], stdin: text.encode(csv), reference: { name: 'csv-parse (JS)', run: 'refs.csvToJson(data)', data: csv } })
  }
  if (ids.has('json-validate')) {
    const schema = JSON.parse(await readFile(join(ROOT, 'src/workloads/json-validate/example-schema.json'), 'utf8')) as object
    const example = JSON.parse(await readFile(join(ROOT, 'src/workloads/json-validate/sample.json'), 'utf8')) as { defaultStdin: string }
    const one: unknown = JSON.parse(example.defaultStdin)
    // Many copies of the example document under one array schema: ~1 MB, every copy's violations found.
    const document = JSON.stringify(Array.from({ length: Math.ceil(1e6 / example.defaultStdin.length) }, () => one))
    const arraySchema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', items: { $ref: '#/$defs/item' }, $defs: { item: { ...schema, $schema: undefined } } }
    list.push({
      id: 'json-validate',
      label: `${(document.length / 1e6).toFixed(1)} MB document`,
      inputs: document.length / 1e6,
      unit: 'MB',
      args: [],
      stdin: text.encode(document),
      files: [['schema.json', text.encode(JSON.stringify(arraySchema))]],
      reference: { name: 'Ajv (JS)', run: 'refs.jsonValidate(data.schema, JSON.parse(data.document))', data: { schema: arraySchema, document } }
    })
  }
  if (ids.has('gzip')) {
    const input = await textOf(1 << 20)
    const scratch = await mkdtemp(join(tmpdir(), 'zerostate-bench-gzip-'))
    await writeFile(join(scratch, 'in'), input)
    list.push({
      id: 'gzip',
      label: 'compress 1 MiB of text',
      inputs: 1,
      unit: 'MiB',
      args: [],
      stdin: input,
      reference: { name: 'CompressionStream (native)', run: 'refs.compress(data)', data: b64(input) },
      native: { name: 'gzip -6 (native)', run: () => { spawnSync('gzip', ['-6', '-c', join(scratch, 'in')], { stdio: ['ignore', 'ignore', 'inherit'] }) } }
    })
    const compressed = spawnSync('gzip', ['-6', '-c', join(scratch, 'in')]).stdout
    list.push({
      id: 'gzip',
      label: 'decompress 1 MiB of text',
      inputs: 1,
      unit: 'MiB',
      args: ['-d'],
      stdin: new Uint8Array(compressed),
      reference: { name: 'DecompressionStream (native)', run: 'refs.decompress(data)', data: b64(compressed) },
      native: { name: 'gzip -d (native)', run: () => { spawnSync('sh', ['-c', `gzip -6 -c ${join(scratch, 'in')} | gzip -d > /dev/null`]) } }
    })
  }
  if (ids.has('image')) {
    const photo = new Uint8Array(await readFile(join(FACE_API_DIR, 'demo/sample1.jpg')))
    list.push({ id: 'image', label: 'thumbnail 256 of a JPEG photo', inputs: 1, unit: 'photo', args: ['thumbnail', '256'], stdin: photo, reference: { name: 'canvas (native)', run: 'refs.thumbnail(data, 256)', data: b64(photo) } })
  }
  for (const id of ['face-expression', 'face-detect', 'faces']) {
    if (!ids.has(id)) continue
    const sample = JSON.parse(await readFile(join(ROOT, 'src/workloads', id, 'sample.json'), 'utf8')) as { defaultStdinFile: string, defaultArgs: string[] }
    const image = new Uint8Array(await readFile(join(ROOT, 'src/workloads', id, sample.defaultStdinFile)))
    const run = id === 'face-expression' ? 'refs.faceExpression(data)' : id === 'face-detect' ? 'refs.faceDetect(data)' : 'refs.faces(data)'
    list.push({ id, label: `its example, ${sample.defaultStdinFile}`, inputs: 1, unit: 'image', args: sample.defaultArgs, stdin: image, reference: { name: 'face-api on tfjs CPU (JS)', run, data: b64(image) } })
  }
  return list.filter(c => only.size === 0 || only.has(c.id))
}

/** Bundles test/bench/workload-references.ts (lande, csv-parse, Ajv) into one script that sets `window.__refs`. */
async function referencesBundle (): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'zerostate-bench-refs-'))
  try {
    await build({
      configFile: false,
      logLevel: 'error',
      build: {
        outDir,
        emptyOutDir: true,
        minify: false,
        lib: { entry: join(import.meta.dirname, 'workload-references.ts'), formats: ['iife'], name: '__refs', fileName: () => 'refs.js' }
      }
    })
    return await readFile(join(outDir, 'refs.js'), 'utf8')
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

/** face-api's own browser bundle (its tfjs inside) with the two models' weights, on tfjs's CPU backend. */
async function loadFaceApi (page: Page): Promise<void> {
  await page.addScriptTag({ content: await readFile(join(FACE_API_DIR, 'dist/face-api.js'), 'utf8') })
  const model = async (name: string) => ({
    manifest: JSON.parse(await readFile(join(FACE_API_DIR, 'model', `${name}-weights_manifest.json`), 'utf8')) as Array<{ weights: unknown[] }>,
    bin: b64(await readFile(join(FACE_API_DIR, 'model', `${name}.bin`)))
  })
  const [expression, detector] = [await model('face_expression_model'), await model('tiny_face_detector_model')]
  await page.evaluate(async ({ expression, detector }) => {
    const api = (window as unknown as { faceapi: any }).faceapi
    await api.tf.setBackend('cpu')
    await api.tf.ready()
    const load = (net: any, m: { manifest: Array<{ weights: unknown[] }>, bin: string }): void => {
      const bytes = Uint8Array.from(atob(m.bin), c => c.charCodeAt(0))
      net.loadFromWeightMap(api.tf.io.decodeWeights(bytes.buffer, m.manifest.flatMap(group => group.weights)))
    }
    load(api.nets.faceExpressionNet, expression)
    load(api.nets.tinyFaceDetector, detector)
    const refs = (window as unknown as { __refs: Record<string, unknown> }).__refs
    const decode = async (data: string): Promise<any> => {
      const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(data), c => c.charCodeAt(0))]))
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0)
      const { data: rgba } = canvas.getContext('2d')!.getImageData(0, 0, bitmap.width, bitmap.height)
      return api.tf.tidy(() => api.tf.tensor3d(rgba, [bitmap.height, bitmap.width, 4], 'int32').slice([0, 0, 0], [-1, -1, 3]))
    }
    const options = new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })
    refs.faceExpression = async (data: string) => { const t = await decode(data); await api.nets.faceExpressionNet.predictExpressions(t); t.dispose() }
    refs.faceDetect = async (data: string) => { const t = await decode(data); await api.detectAllFaces(t, options); t.dispose() }
    refs.faces = async (data: string) => { const t = await decode(data); await api.detectAllFaces(t, options).withFaceExpressions(); t.dispose() }
  }, { expression, detector })
}

/** The reference, timed in the page: median ms of `runs` after a warm-up. */
async function referenceInPage (page: Page, reference: NonNullable<BenchCase['reference']>): Promise<number> {
  return page.evaluate(async ({ run, data, runs }) => {
    const refs = (window as unknown as { __refs: Record<string, (...args: unknown[]) => unknown> }).__refs
    // eslint-disable-next-line no-new-func
    const once = new Function('refs', 'data', `return (async () => { await ${run} })()`) as (refs: unknown, data: unknown) => Promise<void>
    await once(refs, data)
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      await once(refs, data)
      times.push(performance.now() - started)
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!
  }, { run: reference.run, data: reference.data, runs })
}

/** This tab's sandbox, metered or not: median run time (the run's own duration) and the fuel of one run. */
async function sandboxInPage (page: Page, c: BenchCase, metered: boolean): Promise<{ ms: number, fuel: number | null, status: string, exitCode: number }> {
  return page.evaluate(async ({ id, args, stdin, files, metered, runs }) => {
    const decode = (value: string): Uint8Array => Uint8Array.from(atob(value), ch => ch.charCodeAt(0))
    const module = new Uint8Array(await (await fetch(`samples/${id}.wasm`)).arrayBuffer())
    const request = { module, args, stdin: decode(stdin), files: files.map(([n, f]) => [n, decode(f)] as [string, Uint8Array]), timeoutMs: 300_000, fuel: Number.MAX_SAFE_INTEGER }
    const first = await window.zerostate.runLocal(request, { metered })
    const times: number[] = []
    for (let i = 0; i < runs; i++) times.push((await window.zerostate.runLocal(request, { metered })).durationMs)
    return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!, fuel: first.fuelUsed, status: first.status, exitCode: first.exitCode }
  }, { id: c.id, args: c.args, stdin: b64(c.stdin), files: (c.files ?? []).map(([n, f]) => [n, b64(f)] as [string, string]), metered, runs })
}

const list = await cases()
const harness = await startHarness()
try {
  const { page } = await harness.openPeer()
  await page.addScriptTag({ content: await referencesBundle() })
  await page.evaluate(() => {
    const refs = (window as unknown as { __refs: Record<string, unknown> }).__refs
    const bytes = (data: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(data), c => c.charCodeAt(0))
    const through = async (data: string, stream: CompressionStream | DecompressionStream): Promise<number> =>
      (await new Response(new Blob([bytes(data)]).stream().pipeThrough(stream)).arrayBuffer()).byteLength
    refs.compress = async (data: string) => through(data, new CompressionStream('gzip'))
    refs.decompress = async (data: string) => through(data, new DecompressionStream('gzip'))
    refs.thumbnail = async (data: string, size: number) => {
      const bitmap = await createImageBitmap(new Blob([bytes(data)]))
      const scale = Math.min(1, size / Math.max(bitmap.width, bitmap.height))
      const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)))
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
      return (await canvas.convertToBlob({ type: 'image/png' })).size
    }
  })
  if (list.some(c => c.id.startsWith('face'))) await loadFaceApi(page)
  console.log(`Workloads in Chromium: median of ${runs} runs after a warm-up; time and fuel per input\n`)
  for (const c of list) {
    const unmetered = await sandboxInPage(page, c, false)
    const metered = await sandboxInPage(page, c, true)
    // json-validate reports a document with violations (as the bench's is) with exit status 1.
    if (metered.status !== 'ok' && !(c.id === 'json-validate' && metered.exitCode === 1)) throw new Error(`${c.id} (${c.label}) ended ${metered.status} in the sandbox`)
    const per = (ms: number): string => `${(ms / c.inputs).toFixed(ms / c.inputs < 10 ? 2 : 1)} ms/${c.unit}`
    console.log(`${c.id}: ${c.label}`)
    console.log(`   sandbox, metered:    ${per(metered.ms)}   fuel ${metered.fuel === null ? '?' : Math.round(metered.fuel / c.inputs).toLocaleString('en')}/${c.unit}   metering ${(metered.ms / unmetered.ms).toFixed(2)}× unmetered`)
    console.log(`   sandbox, unmetered:  ${per(unmetered.ms)}`)
    if (c.reference !== undefined) {
      const reference = await referenceInPage(page, c.reference)
      console.log(`   ${c.reference.name.padEnd(20)} ${per(reference)}   WASM metered ${(metered.ms / reference).toFixed(2)}×, unmetered ${(unmetered.ms / reference).toFixed(2)}× the reference`)
    }
    if (c.native !== undefined) {
      c.native.run()
      const times: number[] = []
      for (let i = 0; i < runs; i++) {
        const started = performance.now()
        c.native.run()
        times.push(performance.now() - started)
      }
      const nativeMs = median(times)
      console.log(`   ${c.native.name.padEnd(20)} ${per(nativeMs)} (process included)   WASM metered ${(metered.ms / nativeMs).toFixed(2)}×`)
    }
  }
} finally {
  await harness.close()
}
