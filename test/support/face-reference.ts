/**
 * The reference the face workloads (src/workloads/face-expression, face-detect,
 * faces) are held to: @vladmandic/face-api's own TypeScript sources (its src/,
 * shipped in the package) running on the installed @tensorflow/tfjs-core with
 * the CPU backend. face-api's sources import tfjs from its bundled
 * dist/tfjs.esm.js (which does not load in Node); vitest's module mock hands
 * them @tensorflow/tfjs-core instead, with the chained tensor methods
 * (`.as3D()`, `.div()`…) that the full tfjs package registers. Weights come from
 * the package's model/ directory through tfjs-core's io.decodeWeights, as
 * face-api's loadWeightMap does.
 *
 * Images enter as int32 tensors [height, width, 3], as tf.node.decodeImage
 * gives them in face-api's Node demos, so every step — padToSquare,
 * resizeBilinear, extractFaceTensors — is face-api's tensor path.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { expect, vi } from 'vitest'
import { compileWorkload } from '../../src/build/build-workloads.ts'
import { CLANG } from './c-toolchain.ts'
import { text, type WorkloadRunner } from './workload-runner.ts'

const require = createRequire(import.meta.url)
const FACE_API_DIR = join(require.resolve('@vladmandic/face-api'), '../..')

type Tf = typeof import('@tensorflow/tfjs-core')
type Tensor3D = import('@tensorflow/tfjs-core').Tensor3D

export interface Box { x: number, y: number, width: number, height: number }
export interface Detection { score: number, box: Box }
export interface FaceWithExpressions extends Detection { expressions: Record<string, number> }

/** An RGB image, 3 bytes a pixel, row-major. */
export interface RgbImage { width: number, height: number, rgb: Uint8Array }

/** A photo file: its last folder and name, its bytes and its pixels as the workloads' stb_image decodes them. */
export interface Photo { name: string, jpeg: Uint8Array, image: RgbImage }

export interface FaceReference {
  tf: Tf
  /** FaceExpressionNet.predictExpressions on one image tensor: the 7 float32 probabilities in label order. */
  expressions: (image: RgbImage) => Promise<Record<string, number>>
  /** TinyFaceDetector.locateFaces with TinyFaceDetectorOptions({ inputSize, scoreThreshold }). */
  detect: (image: RgbImage, inputSize: number, scoreThreshold: number) => Promise<Detection[]>
  /** detectAllFaces(image, TinyFaceDetectorOptions).withFaceExpressions(), face-api's global pipeline. */
  detectWithExpressions: (image: RgbImage, inputSize: number, scoreThreshold: number) => Promise<FaceWithExpressions[]>
}

interface FaceApiBox { x: number, y: number, width: number, height: number }
interface FaceApiDetection { score: number, box: FaceApiBox }
interface Net { loadFromWeightMap: (map: unknown) => void }
interface ExpressionNet extends Net { predictExpressions: (input: Tensor3D) => Promise<Record<string, number>> }
interface DetectorNet extends Net { locateFaces: (input: Tensor3D, options: unknown) => Promise<FaceApiDetection[]> }
interface FaceApiModules {
  nets: { faceExpressionNet: ExpressionNet, tinyFaceDetector: DetectorNet }
  TinyFaceDetectorOptions: new (options: { inputSize: number, scoreThreshold: number }) => unknown
  detectAllFaces: (input: Tensor3D, options: unknown) => { withFaceExpressions: () => Promise<Array<{ detection: FaceApiDetection, expressions: Record<string, number> }>> }
}

const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']

const plainBox = (box: FaceApiBox): Box => ({ x: box.x, y: box.y, width: box.width, height: box.height })
const plainExpressions = (e: Record<string, number>): Record<string, number> => Object.fromEntries(LABELS.map(label => [label, e[label]!]))

export async function loadFaceReference (): Promise<FaceReference> {
  vi.doMock(join(FACE_API_DIR, 'dist/tfjs.esm.js'), async () => {
    await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js')
    return await import('@tensorflow/tfjs-core')
  })
  const tf = await import('@tensorflow/tfjs-core')
  await import('@tensorflow/tfjs-backend-cpu')
  await tf.setBackend('cpu')
  // Computed specifiers: tsc leaves face-api's sources (written for its own tsconfig) out of this project's check.
  const source = (file: string): string => join(FACE_API_DIR, 'src', file)
  const { nets } = await import(source('globalApi/nets.ts')) as Pick<FaceApiModules, 'nets'>
  const { detectAllFaces } = await import(source('globalApi/detectFaces.ts')) as Pick<FaceApiModules, 'detectAllFaces'>
  const { TinyFaceDetectorOptions } = await import(source('tinyFaceDetector/index.ts')) as Pick<FaceApiModules, 'TinyFaceDetectorOptions'>

  const weightMap = async (model: string): Promise<unknown> => {
    const dir = join(FACE_API_DIR, 'model')
    const manifest = JSON.parse(await readFile(join(dir, `${model}-weights_manifest.json`), 'utf8')) as Array<{ paths: string[], weights: Parameters<Tf['io']['decodeWeights']>[1] }>
    const bin = await readFile(join(dir, manifest[0]!.paths[0]!))
    return tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest[0]!.weights)
  }
  nets.faceExpressionNet.loadFromWeightMap(await weightMap('face_expression_model'))
  nets.tinyFaceDetector.loadFromWeightMap(await weightMap('tiny_face_detector_model'))

  const tensor = (image: RgbImage): Tensor3D => tf.tensor3d(Int32Array.from(image.rgb), [image.height, image.width, 3], 'int32')
  const withTensor = async <T>(image: RgbImage, run: (t: Tensor3D) => Promise<T>): Promise<T> => {
    const t = tensor(image)
    try {
      return await run(t)
    } finally {
      t.dispose()
    }
  }
  return {
    tf,
    expressions: async image => await withTensor(image, async t => plainExpressions(await nets.faceExpressionNet.predictExpressions(t))),
    detect: async (image, inputSize, scoreThreshold) => await withTensor(image, async t => {
      const found = await nets.tinyFaceDetector.locateFaces(t, new TinyFaceDetectorOptions({ inputSize, scoreThreshold }))
      return found.map(d => ({ score: d.score, box: plainBox(d.box) }))
    }),
    detectWithExpressions: async (image, inputSize, scoreThreshold) => await withTensor(image, async t => {
      const found = await detectAllFaces(t, new TinyFaceDetectorOptions({ inputSize, scoreThreshold })).withFaceExpressions()
      return found.map(f => ({ score: f.detection.score, box: plainBox(f.detection.box), expressions: plainExpressions(f.expressions) }))
    })
  }
}

/**
 * face-api's extractFaceTensors crop of a detection's `box` on this image: detection.forSize(width, height).box
 * (the box made relative, then absolute again), Box.clipAtImageBorders, then floor, then slice3d.
 */
export function cropFace (image: RgbImage, detected: Box): RgbImage | undefined {
  const [rx, ry] = [1 / image.width, 1 / image.height]
  const box = { x: detected.x * rx * image.width, y: detected.y * ry * image.height, width: detected.width * rx * image.width, height: detected.height * ry * image.height }
  const clippedX = Math.max(box.x, 0)
  const clippedY = Math.max(box.y, 0)
  const x = Math.floor(clippedX)
  const y = Math.floor(clippedY)
  const width = Math.floor(Math.min(box.x + box.width - clippedX, image.width - clippedX))
  const height = Math.floor(Math.min(box.y + box.height - clippedY, image.height - clippedY))
  if (!(width > 0 && height > 0)) return undefined
  const rgb = new Uint8Array(width * height * 3)
  for (let r = 0; r < height; r++) rgb.set(image.rgb.subarray(((y + r) * image.width + x) * 3, ((y + r) * image.width + x + width) * 3), r * width * 3)
  return { width, height, rgb }
}

const WORKLOADS = resolve(import.meta.dirname, '../../src/workloads')

/** Builds test/fixtures/faces/decode-rgb.c with the workloads' own image-io and stb_image unit (see that file). */
export async function buildDecodeRgb (out: string): Promise<Uint8Array<ArrayBuffer>> {
  const shared = join(WORKLOADS, 'shared')
  await compileWorkload({
    id: 'decode-rgb',
    dir: resolve(import.meta.dirname, '../fixtures/faces'),
    sources: ['decode-rgb.c', join(shared, 'image-io.c'), join(shared, 'stb-impl.c')],
    memoryBytes: 48 << 20,
    cflags: ['-isystem', '/usr/include/stb', '-I', shared]
  }, out, CLANG)
  return new Uint8Array(await readFile(out))
}

/** Reads each file and decodes it with decode-rgb (built into the runner's folder) on the runner's pool. */
export async function decodePhotos (runner: WorkloadRunner, files: string[]): Promise<Photo[]> {
  const decoder = await buildDecodeRgb(join(runner.dir, 'decode-rgb.wasm'))
  const photos: Photo[] = []
  for (const file of files) {
    const jpeg = new Uint8Array(await readFile(file))
    const decoded = await runner.runModule(decoder, jpeg)
    expect(decoded.status, text(decoded.stderr)).toBe('ok')
    photos.push({ name: file.split('/').slice(-2).join('/'), jpeg, image: parseRgb(decoded.files.find(([name]) => name === 'rgb')![1]) })
  }
  return photos
}

/** Reads decode-rgb's /work/rgb. */
export function parseRgb (bytes: Uint8Array): RgbImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const width = view.getUint32(0, true)
  const height = view.getUint32(4, true)
  const rgb = bytes.subarray(8)
  if (rgb.length !== width * height * 3) throw new Error(`decode-rgb: ${rgb.length} bytes for ${width}x${height}`)
  return { width, height, rgb }
}
