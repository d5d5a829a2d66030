/**
 * face-detect (src/workloads/face-detect/), @vladmandic/face-api's
 * TinyFaceDetector ported to C, compiled by clang-14 and run in the project's
 * sandbox, must find the boxes face-api's own locateFaces finds on tfjs-core's
 * CPU backend (test/support/face-reference.ts), with the same scores and
 * coordinates to the last bit of the double, on face-api's demo photos at
 * several input sizes and score thresholds. The module decodes the JPEGs
 * itself; the reference gets the same pixels from the same stb_image code
 * (test/fixtures/faces/decode-rgb.c). Needs Debian's clang-14 toolchain.
 */
import { join } from 'node:path'
import { encode } from 'fast-png'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { decodePhotos, loadFaceReference } from '../../support/face-reference.ts'
import type { Detection, FaceReference, Photo } from '../../support/face-reference.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const DEMO = join(import.meta.dirname, '../../../node_modules/@vladmandic/face-api/demo')
const EXAMPLE = join(import.meta.dirname, '../../../src/workloads/face-detect/example.jpg')

interface Output { width: number, height: number, faces: Detection[] }

describe.skipIf(!HAVE_TOOLCHAIN)('face-detect: face-api\'s tiny face detector in C, bit-exact in the sandbox', () => {
  const limits = { timeoutMs: 120_000, memoryLimitBytes: 48 << 20, fuel: 1e11 }
  let runner: WorkloadRunner
  let reference: FaceReference
  let photos: Photo[]
  const run = async (stdin: Uint8Array, args: string[] = [], files: Array<[string, Uint8Array]> = []) => await runner.run(stdin, args, files)

  beforeAll(async () => {
    runner = await startWorkloadRunner('face-detect', limits)
    photos = await decodePhotos(runner, [...[1, 2, 3, 4, 5, 6].map(n => join(DEMO, `sample${n}.jpg`)), EXAMPLE])
    reference = await loadFaceReference()
  }, 300_000)

  afterAll(async () => {
    await runner?.stop()
  })

  it('finds face-api\'s boxes and scores, bit for bit, at several sizes and thresholds', async () => {
    // Noise and a 3×2 sliver at a low threshold: boxes that are not faces, many overlapping, for the NMS and the box arithmetic.
    const synthetic = ([width, height]: [number, number]): Photo => {
      const image = { width, height, rgb: new Uint8Array(width * height * 3).map((_, i) => (i * 37 + (i >> 5)) & 255) }
      return { name: `synthetic ${width}x${height}`, jpeg: encode({ width, height, data: image.rgb, channels: 3, depth: 8 }), image }
    }
    const runs: Array<[Photo, number, number]> = [
      ...photos.map((p): [Photo, number, number] => [p, 416, 0.5]),
      [photos[0]!, 160, 0.5], [photos[0]!, 320, 0.5], [photos[4]!, 608, 0.5], [photos[4]!, 224, 0.3],
      [photos[5]!, 416, 0.05], [photos[2]!, 128, 0.2], [photos[6]!, 32, 0.01],
      [synthetic([640, 480]), 608, 0.01], [synthetic([3, 2]), 608, 0.01]
    ]
    let faces = 0
    let exact = 0
    let fuel = 0
    let ms = 0
    const mismatches: string[] = []
    for (const [photo, size, minScore] of runs) {
      const args = size === 416 && minScore === 0.5 ? [] : ['--size', String(size), '--min-score', String(minScore)]
      const result = await run(photo.jpeg, args)
      expect(result.status, `${photo.name}: ${text(result.stderr)}`).toBe('ok')
      fuel += result.fuelUsed ?? 0
      ms += result.durationMs
      const got = JSON.parse(text(result.stdout)) as Output
      expect([got.width, got.height]).toEqual([photo.image.width, photo.image.height])
      const want = await reference.detect(photo.image, size, minScore)
      expect(got.faces.length, `${photo.name} ${size} ${minScore}`).toBe(want.length)
      want.forEach((w, i) => {
        faces++
        const g = got.faces[i]!
        if (JSON.stringify(g) === JSON.stringify(w)) exact++
        else mismatches.push(`${photo.name} ${size} ${minScore} #${i}: ${JSON.stringify(g)} vs ${JSON.stringify(w)}`)
      })
    }
    console.log(`face-detect: ${exact}/${faces} boxes bit-exact (score and x, y, width, height) in ${runs.length} runs; ` +
      `mean ${(fuel / runs.length / 1e9).toFixed(2)} G fuel and ${Math.round(ms / runs.length)} ms per run`)
    expect(mismatches.slice(0, 10)).toEqual([])
    expect(faces).toBeGreaterThanOrEqual(20)
    expect(exact).toBe(faces)
  }, 900_000)

  it('reads the image from a file under /work as from stdin, and is deterministic', async () => {
    const jpeg = photos[6]!.jpeg
    const [fromStdin, again, fromFile] = [await run(jpeg), await run(jpeg), await run(new Uint8Array(), ['/work/photo.jpg'], [['photo.jpg', jpeg]])]
    expect(fromStdin.status, text(fromStdin.stderr)).toBe('ok')
    expect(text(fromFile.stdout)).toBe(text(fromStdin.stdout))
    expect(text(again.stdout)).toBe(text(fromStdin.stdout))
    expect(again.fuelUsed).toBe(fromStdin.fuelUsed)
  }, 120_000)

  it('reports no faces as an empty list, not an error', async () => {
    const gray = encode({ width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(128), channels: 3, depth: 8 })
    const result = await run(gray)
    expect(result.status, text(result.stderr)).toBe('ok')
    expect(JSON.parse(text(result.stdout))).toEqual({ width: 64, height: 48, faces: [] })
  })

  it('refuses bad input with exit status 2 and one line on stderr, and the pool keeps working', async () => {
    const jpeg = photos[6]!.jpeg
    const small = encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3), channels: 3, depth: 8 })
    const corrupt = small.slice()
    corrupt[40] = corrupt[40]! ^ 0x55
    const huge = encode({ width: 1, height: 5000, data: new Uint8Array(5000 * 3), channels: 3, depth: 8 })
    const bad: Array<[string, Uint8Array, string[], RegExp]> = [
      ['empty stdin', new Uint8Array(), [], /stdin is empty/],
      ['corrupt PNG', corrupt, [], /corrupt PNG/],
      ['truncated JPEG', jpeg.subarray(0, jpeg.length - 100), [], /truncated JPEG/],
      ['too tall', huge, [], /1×5000 pixels; the limit is 4096 pixels on a side/],
      ['size not a multiple of 32', jpeg, ['--size', '100'], /--size must be a multiple of 32 from 32 to 608/],
      ['size too large', jpeg, ['--size', '640'], /--size must be/],
      ['size not a number', jpeg, ['--size', 'big'], /--size must be/],
      ['size missing', jpeg, ['--size'], /--size needs a value/],
      ['score 0', jpeg, ['--min-score', '0'], /--min-score must be a number between 0 and 1/],
      ['score 1', jpeg, ['--min-score', '1'], /--min-score must be/],
      ['score not a number', jpeg, ['--min-score', 'x'], /--min-score must be/],
      ['unknown option', jpeg, ['--fast'], /unknown option --fast/]
    ]
    for (const [name, stdin, args, message] of bad) {
      const result = await run(stdin, args)
      expect(result, name).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout), name).toBe('')
      const stderr = text(result.stderr)
      expect(stderr, name).toMatch(/^face-detect: [^\n]+\n$/)
      expect(stderr, name).toMatch(message)
    }
    expect((await run(small)).status).toBe('ok')
  }, 300_000)
})
