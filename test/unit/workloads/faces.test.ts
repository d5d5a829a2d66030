/**
 * faces (src/workloads/faces/): detection, cropping and expression
 * recognition in one module must give what @vladmandic/face-api's own
 * detectAllFaces(image, TinyFaceDetectorOptions).withFaceExpressions() gives on
 * tfjs-core's CPU backend (test/support/face-reference.ts) — boxes, scores and
 * probabilities to the last bit — and be exactly face-detect's boxes and
 * face-expression's output on the crops extractFaceTensors cuts. The JPEGs are
 * decoded for the reference by the workloads' own stb_image code
 * (test/fixtures/faces/decode-rgb.c). Needs Debian's clang-14 toolchain.
 */
import { join } from 'node:path'
import { encode } from 'fast-png'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { cropFace, decodePhotos, loadFaceReference } from '../../support/face-reference.ts'
import type { Detection, FaceReference, Photo } from '../../support/face-reference.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const DEMO = join(import.meta.dirname, '../../../node_modules/@vladmandic/face-api/demo')
const EXAMPLE = join(import.meta.dirname, '../../../src/workloads/faces/example.jpg')

interface Face extends Detection { expression: string | null, expressions: Record<string, number> | null }
interface Output { width: number, height: number, faces: Face[] }

describe.skipIf(!HAVE_TOOLCHAIN)('faces: face-api\'s detect-and-classify pipeline in C, bit-exact in the sandbox', () => {
  const limits = { timeoutMs: 120_000, memoryLimitBytes: 48 << 20, fuel: 1e11 }
  let runner: WorkloadRunner
  const modules: Record<string, Uint8Array<ArrayBuffer>> = {}
  let reference: FaceReference
  let photos: Photo[]
  const run = async (id: string, stdin: Uint8Array, args: string[] = []) => await runner.runModule(modules[id]!, stdin, args)

  beforeAll(async () => {
    runner = await startWorkloadRunner('faces', limits)
    modules.faces = runner.module
    for (const id of ['face-detect', 'face-expression']) modules[id] = await runner.build(id)
    photos = await decodePhotos(runner, [...[1, 2, 3, 4, 5, 6].map(n => join(DEMO, `sample${n}.jpg`)), EXAMPLE])
    reference = await loadFaceReference()
  }, 300_000)

  afterAll(async () => {
    await runner?.stop()
  })

  it('gives face-api\'s detectAllFaces().withFaceExpressions(), bit for bit', async () => {
    const runs: Array<[Photo, string[], number, number]> = [
      ...photos.map((p): [Photo, string[], number, number] => [p, [], 416, 0.5]),
      [photos[4]!, ['--size', '320', '--min-score', '0.3'], 320, 0.3]
    ]
    let faces = 0
    let exact = 0
    let fuel = 0
    let ms = 0
    const mismatches: string[] = []
    for (const [photo, args, size, minScore] of runs) {
      const result = await run('faces', photo.jpeg, args)
      expect(result.status, `${photo.name}: ${text(result.stderr)}`).toBe('ok')
      fuel += result.fuelUsed ?? 0
      ms += result.durationMs
      const got = JSON.parse(text(result.stdout)) as Output
      const want = await reference.detectWithExpressions(photo.image, size, minScore)
      expect(got.faces.length, photo.name).toBe(want.length)
      want.forEach((w, i) => {
        faces++
        const g = got.faces[i]!
        const probabilities = Object.fromEntries(Object.entries(g.expressions ?? {}).map(([k, v]) => [k, Math.fround(v)]))
        const top = Object.entries(w.expressions).sort((a, b) => b[1] - a[1])[0]![0] // asSortedArray()[0]
        if (JSON.stringify([g.score, g.box, probabilities, g.expression]) === JSON.stringify([w.score, w.box, w.expressions, top])) exact++
        else mismatches.push(`${photo.name} #${i}: ${JSON.stringify(g)} vs ${JSON.stringify(w)}`)
      })
    }
    console.log(`faces: ${exact}/${faces} faces bit-exact (score, box, 7 probabilities) in ${runs.length} runs; ` +
      `mean ${(fuel / runs.length / 1e9).toFixed(2)} G fuel and ${Math.round(ms / runs.length)} ms per photo`)
    expect(mismatches.slice(0, 5)).toEqual([])
    expect(faces).toBeGreaterThanOrEqual(20)
    expect(exact).toBe(faces)
  }, 900_000)

  it('is face-detect\'s boxes and face-expression\'s output on each crop', async () => {
    for (const photo of [photos[0]!, photos[6]!]) {
      const [all, detected] = [await run('faces', photo.jpeg), await run('face-detect', photo.jpeg)]
      const got = JSON.parse(text(all.stdout)) as Output
      const boxes = JSON.parse(text(detected.stdout)) as Output
      expect(got.faces.map(f => ({ score: f.score, box: f.box }))).toEqual(boxes.faces)
      for (const face of got.faces) {
        const crop = cropFace(photo.image, face.box)!
        const alone = await run('face-expression', encode({ width: crop.width, height: crop.height, data: crop.rgb, channels: 3, depth: 8 }))
        expect(JSON.parse(text(alone.stdout))).toEqual({ expressions: face.expressions, expression: face.expression })
      }
    }
  }, 300_000)

  it('reports no faces as an empty list and is deterministic', async () => {
    const gray = encode({ width: 40, height: 30, data: new Uint8Array(40 * 30 * 3).fill(200), channels: 3, depth: 8 })
    const result = await run('faces', gray)
    expect(JSON.parse(text(result.stdout))).toEqual({ width: 40, height: 30, faces: [] })
    const jpeg = photos[6]!.jpeg
    const [first, second] = [await run('faces', jpeg), await run('faces', jpeg)]
    expect(text(second.stdout)).toBe(text(first.stdout))
    expect(second.fuelUsed).toBe(first.fuelUsed)
  }, 120_000)

  it('fits in its memory at the limits: a 3 MP RGBA PNG (2048×1536) with --size 608', async () => {
    const [width, height] = [2048, 1536]
    const rgba = new Uint8Array(width * height * 4)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) rgba.set([x & 255, y & 255, (x + y) & 255, 255], (y * width + x) * 4)
    }
    const result = await run('faces', encode({ width, height, data: rgba, channels: 4, depth: 8 }), ['--size', '608', '--min-score', '0.01'])
    expect(result.status, text(result.stderr)).toBe('ok')
    expect(JSON.parse(text(result.stdout))).toMatchObject({ width, height })
  }, 120_000)

  it('refuses bad input with exit status 2 and one line on stderr, and the pool keeps working', async () => {
    const jpeg = photos[6]!.jpeg
    const big = encode({ width: 2048, height: 1600, data: new Uint8Array(2048 * 1600 * 3), channels: 3, depth: 8 })
    const bad: Array<[string, Uint8Array, string[], RegExp]> = [
      ['empty stdin', new Uint8Array(), [], /stdin is empty/],
      ['truncated JPEG', jpeg.subarray(0, 5000), [], /truncated JPEG/],
      ['garbage', new Uint8Array(100).fill(7), [], /not a PNG or JPEG/],
      ['too many pixels', big, [], /2048×1600 pixels; the limit is 4096 pixels on a side and 3145728 pixels/],
      ['bad size', jpeg, ['--size', '33'], /--size must be a multiple of 32/],
      ['bad score', jpeg, ['--min-score', '-0.5'], /--min-score must be/],
      ['two paths', jpeg, ['a', 'b'], /more than one image path/]
    ]
    for (const [name, stdin, args, message] of bad) {
      const result = await run('faces', stdin, args)
      expect(result, name).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout), name).toBe('')
      const stderr = text(result.stderr)
      expect(stderr, name).toMatch(/^faces: [^\n]+\n$/)
      expect(stderr, name).toMatch(message)
    }
    expect((await run('faces', jpeg)).status).toBe('ok')
  }, 300_000)
})
