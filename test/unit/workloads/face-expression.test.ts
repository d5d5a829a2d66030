/**
 * face-expression (src/workloads/face-expression/), @vladmandic/face-api's
 * FaceExpressionNet ported to C, compiled by clang-14 and run in the project's
 * sandbox, must give the 7 float32 probabilities — bit for bit — that face-api's
 * own code gives on tfjs-core's CPU backend for the same pixels
 * (test/support/face-reference.ts). The crops are cut from face-api's demo
 * photos around the faces face-api itself finds, in several shapes (wide, tall,
 * square, exactly 112×112, tiny, the whole photo), plus a few degenerate
 * synthetic ones (1×1, 112×1…), and handed to the module as PNG, so both sides
 * see identical RGB; one is the demo JPEG itself.
 * Needs Debian's clang-14 toolchain (test/support/c-toolchain.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encode } from 'fast-png'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { cropFace, decodePhotos, loadFaceReference } from '../../support/face-reference.ts'
import type { Box, FaceReference, RgbImage } from '../../support/face-reference.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const DEMO = join(import.meta.dirname, '../../../node_modules/@vladmandic/face-api/demo')
const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']

interface Output { expressions: Record<string, number>, expression: string }
interface Case { name: string, image: RgbImage, stdin: Uint8Array }

const png = (image: RgbImage): Uint8Array => encode({ width: image.width, height: image.height, data: image.rgb, channels: 3, depth: 8 })

/** Crops of one photo around each face face-api finds in it: the detector's own box and reshaped ones. */
function crops (photo: RgbImage, name: string, boxes: Box[]): Array<{ name: string, image: RgbImage }> {
  const out: Array<{ name: string, image: RgbImage }> = []
  const add = (label: string, box: Box): void => {
    const image = cropFace(photo, box)
    if (image !== undefined) out.push({ name: `${name} ${label} ${image.width}x${image.height}`, image })
  }
  boxes.forEach((b, i) => {
    add(`face ${i}`, b)
    add(`face ${i} wide`, { x: b.x - b.width * 0.3, y: b.y, width: b.width * 1.6, height: b.height })
    add(`face ${i} tall`, { x: b.x + b.width * 0.1, y: b.y - b.height * 0.25, width: b.width * 0.8, height: b.height * 1.5 })
    if (i === 0) {
      const side = Math.min(b.width, b.height)
      add('square', { x: b.x, y: b.y, width: side, height: side })
      add('112', { x: b.x + b.width / 2 - 56, y: b.y + b.height / 2 - 56, width: 112, height: 112 })
      add('tiny', { x: b.x + b.width / 3, y: b.y + b.height / 3, width: 13, height: 9 })
    }
  })
  return out
}

describe.skipIf(!HAVE_TOOLCHAIN)('face-expression: face-api\'s expression network in C, bit-exact in the sandbox', () => {
  const limits = { timeoutMs: 60_000, memoryLimitBytes: 48 << 20, fuel: 2e10 }
  let runner: WorkloadRunner
  let reference: FaceReference
  const cases: Case[] = []
  const run = async (stdin: Uint8Array, args: string[] = [], files: Array<[string, Uint8Array]> = []) => await runner.run(stdin, args, files)

  beforeAll(async () => {
    runner = await startWorkloadRunner('face-expression', limits)
    const photos = await decodePhotos(runner, [1, 2, 3, 4, 5, 6].map(n => join(DEMO, `sample${n}.jpg`)))
    reference = await loadFaceReference()
    for (const [i, { jpeg, image: photo }] of photos.entries()) {
      if (i === 0) cases.push({ name: 'sample1.jpg whole', image: photo, stdin: jpeg })
      const faces = await reference.detect(photo, 416, 0.5)
      for (const crop of crops(photo, `sample${i + 1}`, faces.map(f => f.box))) cases.push({ ...crop, stdin: png(crop.image) })
    }
    // Degenerate shapes: one pixel, a line, a sliver — padding and resizing at their edges.
    for (const [width, height] of [[1, 1], [3, 2], [2, 3], [112, 1], [7, 400]] as const) {
      const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 37 + (i >> 5)) & 255)
      const image = { width, height, rgb }
      cases.push({ name: `synthetic ${width}x${height}`, image, stdin: png(image) })
    }
  }, 600_000)

  afterAll(async () => {
    await runner?.stop()
  })

  it('has at least 20 face crops of several shapes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20)
    expect(cases.some(c => c.image.width > c.image.height)).toBe(true)
    expect(cases.some(c => c.image.width < c.image.height)).toBe(true)
    expect(cases.some(c => c.image.width === 112 && c.image.height === 112)).toBe(true)
  })

  it('gives every crop face-api\'s 7 float32 probabilities, bit for bit, and its top expression', async () => {
    let compared = 0
    let exact = 0
    let maxDiff = 0
    let fuel = 0
    let ms = 0
    const mismatches: string[] = []
    for (const c of cases) {
      const result = await run(c.stdin)
      expect(result.status, `${c.name}: ${text(result.stderr)}`).toBe('ok')
      fuel += result.fuelUsed ?? 0
      ms += result.durationMs
      const got = JSON.parse(text(result.stdout)) as Output
      const want = await reference.expressions(c.image)
      expect(Object.keys(got.expressions)).toEqual(LABELS)
      for (const label of LABELS) {
        compared++
        // %.9g round-trips a float32: Math.fround recovers the exact value the C code computed.
        const diff = Math.abs(Math.fround(got.expressions[label]!) - want[label]!)
        maxDiff = Math.max(maxDiff, diff)
        if (diff === 0) exact++
        else mismatches.push(`${c.name} ${label}: ${got.expressions[label]} vs ${want[label]}`)
      }
      const sorted = LABELS.map(label => ({ label, p: want[label]! })).sort((a, b) => b.p - a.p) // face-api's asSortedArray
      expect(got.expression, c.name).toBe(sorted[0]!.label)
    }
    console.log(`face-expression: ${exact}/${compared} probabilities bit-exact (max |diff| ${maxDiff}) on ${cases.length} crops; ` +
      `mean ${(fuel / cases.length / 1e9).toFixed(3)} G fuel and ${Math.round(ms / cases.length)} ms per crop`)
    expect(mismatches.slice(0, 10)).toEqual([])
    expect(exact).toBe(compared)
  }, 900_000)

  it('reads the image from a file under /work as from stdin, and is deterministic', async () => {
    const c = cases[1]!
    const [fromStdin, again, fromFile] = [await run(c.stdin), await run(c.stdin), await run(new Uint8Array(), ['/work/face.png'], [['face.png', c.stdin]])]
    expect(fromFile.status, text(fromFile.stderr)).toBe('ok')
    expect(text(fromFile.stdout)).toBe(text(fromStdin.stdout))
    expect(text(again.stdout)).toBe(text(fromStdin.stdout))
    expect(again.fuelUsed).toBe(fromStdin.fuelUsed)
  }, 120_000)

  it('refuses bad input with exit status 2 and one line on stderr, and the pool keeps working', async () => {
    const good = cases[1]!.stdin
    const corrupt = good.slice()
    corrupt[corrupt.length - 20] = corrupt[corrupt.length - 20]! ^ 0xff // inside IDAT: its CRC no longer matches
    const jpeg = new Uint8Array(await readFile(join(DEMO, 'sample2.jpg')))
    const huge = encode({ width: 4097, height: 1, data: new Uint8Array(4097 * 3), channels: 3, depth: 8 })
    const many = encode({ width: 2000, height: 1601, data: new Uint8Array(2000 * 1601 * 3), channels: 3, depth: 8 })
    const deep = encode({ width: 1300, height: 1300, data: new Uint16Array(1300 * 1300 * 4), channels: 4, depth: 16 })
    const bad: Array<[string, Uint8Array, string[], RegExp]> = [
      ['empty stdin', new Uint8Array(), [], /stdin is empty/],
      ['not an image', new TextEncoder().encode('hello'), [], /not a PNG or JPEG/],
      ['corrupt PNG', corrupt, [], /corrupt PNG/],
      ['truncated PNG', good.subarray(0, good.length - 30), [], /truncated PNG/],
      ['truncated JPEG', jpeg.subarray(0, jpeg.length >> 1), [], /truncated JPEG/],
      ['too wide', huge, [], /4097×1 pixels; the limit is 4096 pixels on a side and 3145728 pixels/],
      ['too many pixels', many, [], /2000×1601 pixels; the limit is/],
      ['16-bit, too many pixels', deep, [], /1300×1300 pixels at 16 bits; the limit is/],
      ['unknown option', good, ['--size', '3'], /unknown option --size/],
      ['two paths', good, ['/work/a', '/work/b'], /more than one image path/],
      ['missing file', new Uint8Array(), ['/work/none.png'], /cannot open \/work\/none.png/]
    ]
    for (const [name, stdin, args, message] of bad) {
      const result = await run(stdin, args)
      expect(result, name).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout), name).toBe('')
      const stderr = text(result.stderr)
      expect(stderr, name).toMatch(/^face-expression: [^\n]+\n$/)
      expect(stderr, name).toMatch(message)
    }
    const after = await run(good)
    expect(after.status).toBe('ok')
  }, 300_000)
})
