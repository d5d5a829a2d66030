/**
 * The image workload (src/workloads/image/: stb_image, stb_image_resize and
 * stb_image_write behind src/workloads/shared/image-io.c), built from source
 * and run in the project's sandbox on real photos and on PNGs made here with
 * fast-png. Grayscale and blur are checked pixel for pixel against JavaScript
 * references doing the same arithmetic (exact: integers for grayscale, IEEE
 * doubles in the same order for blur); resize and thumbnail by their sizes and
 * two properties of an sRGB-aware resampler; convert by lossless round trips;
 * crop pixel for pixel against a JavaScript crop by face-api's clipping rule.
 * Needs Debian's clang-14 toolchain and libstb-dev: skipped without them, except in CI.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decode, encode } from 'fast-png'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../src/core/hash.ts'
import type { ExecutionResult } from '../../../src/execution/types.ts'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { startWorkloadRunner, text, type WorkloadRunner } from '../../support/workload-runner.ts'

const WORKLOAD_DIR = join(import.meta.dirname, '../../../src/workloads/image')
/** The committed example: sample1.jpg of @vladmandic/face-api's demo, 1224×816 (1 MP), made by the module itself. */
const PHOTO = join(WORKLOAD_DIR, 'example.jpg')
const DEMO = join(import.meta.dirname, '../../../node_modules/@vladmandic/face-api/demo')

interface Summary {
  operation: string
  input: { width: number, height: number, format: string }
  output: { path: string, width: number, height: number, format: string, bytes: number }
}

interface Pixels { width: number, height: number, channels: number, data: Uint8Array }

/** xorshift32: deterministic test pixels without Math.random. */
function generator (seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
}

/** A picture-like image: smooth gradients with some noise, so that filters have something to do. */
function synthetic (width: number, height: number, channels: number, seed = 1): Pixels {
  const next = generator(seed)
  const data = new Uint8Array(width * height * channels)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const smooth = (x * (c + 1) * 255) / width / 2 + (y * 255) / height / 2
        data[(y * width + x) * channels + c] = Math.min(255, Math.max(0, Math.round(smooth + (next() % 41) - 20)))
      }
    }
  }
  return { width, height, channels, data }
}

const png = (p: Pixels): Uint8Array => encode({ width: p.width, height: p.height, data: p.data, channels: p.channels, depth: 8 })

function decodePng (bytes: Uint8Array): Pixels {
  const d = decode(bytes)
  expect(d.depth).toBe(8)
  return { width: d.width, height: d.height, channels: d.channels, data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength) }
}

/** BT.601 luma on the encoded values, in integers, as image.c's to_grayscale. */
function grayscaleReference (p: Pixels): Pixels {
  const alpha = p.channels === 4
  const out = new Uint8Array(p.width * p.height * (alpha ? 2 : 1))
  for (let i = 0, o = 0; i < p.width * p.height; i++) {
    const [r, g, b] = [p.data[i * p.channels]!, p.data[i * p.channels + 1]!, p.data[i * p.channels + 2]!]
    out[o++] = Math.floor((299 * r + 587 * g + 114 * b + 500) / 1000)
    if (alpha) out[o++] = p.data[i * 4 + 3]!
  }
  return { width: p.width, height: p.height, channels: alpha ? 2 : 1, data: out }
}

/** blur.c's gauss_exp, operation for operation. */
function gaussExp (x: number): number {
  let k = 0
  if (x < -746) return 0
  while (x < -(2 ** -10)) {
    x *= 0.5
    k++
  }
  let p = 1 + x * (1 + x / 2 * (1 + x / 3 * (1 + x / 4 * (1 + x / 5 * (1 + x / 6)))))
  while (k-- > 0) p *= p
  return p
}

/** blur.c: normalised Gaussian kernel, row pass in doubles, column pass rounded half up; edges clamped. */
function blurReference (p: Pixels, sigma: number): Pixels {
  const { width, height, channels: n, data } = p
  const r = Math.ceil(3 * sigma)
  const denominator = 2 * sigma * sigma
  const w: number[] = []
  let sum = 0
  for (let k = -r; k <= r; k++) {
    w.push(k === 0 ? 1 : gaussExp(-(k * k) / denominator))
    sum += w[k + r]!
  }
  for (let k = 0; k <= 2 * r; k++) w[k] = w[k]! / sum
  const clamp = (i: number, size: number): number => i < 0 ? 0 : i >= size ? size - 1 : i
  const rows = new Float64Array(width * height * n)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < n; c++) {
        let acc = 0
        for (let k = -r; k <= r; k++) acc += w[k + r]! * data[(y * width + clamp(x + k, width)) * n + c]!
        rows[(y * width + x) * n + c] = acc
      }
    }
  }
  const out = new Uint8Array(width * height * n)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < n; c++) {
        let acc = 0
        for (let k = -r; k <= r; k++) acc += w[k + r]! * rows[(clamp(y + k, height) * width + x) * n + c]!
        out[(y * width + x) * n + c] = Math.min(255, Math.max(0, Math.floor(acc + 0.5)))
      }
    }
  }
  return { width, height, channels: n, data: out }
}

/** Index of the first differing byte, or -1 (faster to report than toEqual on megabytes). */
function firstDifference (a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

/** Standard CRC-32 (PNG chunks). */
function crc32 (bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of bytes) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}

/** Offset of the first IDAT chunk's data in a PNG. */
function idatOffset (bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = 8; at + 8 <= bytes.length; at += 12 + view.getUint32(at)) {
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === 'IDAT') return at + 8
  }
  throw new Error('no IDAT')
}

describe.skipIf(!HAVE_TOOLCHAIN)('image: resize, thumbnail, grayscale, blur, crop and convert in the sandbox', () => {
  const limits = { timeoutMs: 120_000, memoryLimitBytes: 50 << 20, fuel: 5e10 }
  let runner: WorkloadRunner
  let photo: Uint8Array
  /** The photo as stb_image decodes it (RGB), through the module's own `convert png`. */
  let photoPixels: Pixels

  const run = async (stdin: Uint8Array, args: string[], files: Array<[string, Uint8Array]> = []): Promise<ExecutionResult> => await runner.run(stdin, args, files)
  /** A run that must succeed: its summary and output file. */
  const ok = async (stdin: Uint8Array, args: string[], files: Array<[string, Uint8Array]> = []) => {
    const result = await run(stdin, args, files)
    expect(result.status, text(result.stderr)).toBe('ok')
    expect(text(result.stderr)).toBe('')
    const lines = text(result.stdout).split('\n')
    expect(lines).toHaveLength(2)
    const summary = JSON.parse(lines[0]!) as Summary
    const name = summary.output.path.replace(/^\/work\//, '')
    const file = result.files.find(([path]) => path === name)
    expect(file, `${name} among ${result.files.map(([path]) => path).join(', ')}`).toBeDefined()
    expect(file![1].byteLength).toBe(summary.output.bytes)
    return { summary, output: file![1], result }
  }
  const pixelsOf = async (bytes: Uint8Array): Promise<Pixels> => decodePng((await ok(bytes, ['convert', 'png'])).output)

  beforeAll(async () => {
    runner = await startWorkloadRunner('image', limits)
    photo = new Uint8Array(await readFile(PHOTO))
    photoPixels = await pixelsOf(photo)
  }, 120_000)

  afterAll(async () => {
    await runner?.stop()
  })

  it('decodes the example photo and the demo photos (1920 wide) and reports their sizes', async () => {
    expect(photo.byteLength).toBeLessThanOrEqual(200_000)
    expect(photoPixels).toMatchObject({ width: 1224, height: 816, channels: 3 })
    for (const name of ['sample1.jpg', 'sample2.jpg', 'sample6.jpg']) {
      const { summary } = await ok(new Uint8Array(await readFile(join(DEMO, name))), ['thumbnail', '64'])
      expect(summary.input.width).toBe(1920)
      expect(summary.input.format).toBe('jpeg')
      expect(summary.output.width).toBe(64)
    }
  }, 60_000)

  it('makes the committed example.jpg from the demo photo (thumbnail 1224 --quality 85), byte for byte', async () => {
    const { output } = await ok(new Uint8Array(await readFile(join(DEMO, 'sample1.jpg'))), ['thumbnail', '1224', '--quality', '85'])
    expect(sha256Hex(output)).toBe(sha256Hex(photo))
  })

  it('thumbnail fits within N×N, keeps the aspect ratio and never enlarges', async () => {
    const { summary, output } = await ok(photo, ['thumbnail', '256'])
    expect(summary).toEqual({
      operation: 'thumbnail',
      input: { width: 1224, height: 816, format: 'jpeg' },
      output: { path: '/work/out.jpg', width: 256, height: 171, format: 'jpeg', bytes: output.byteLength }
    })
    expect([...output.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    expect(await pixelsOf(output)).toMatchObject({ width: 256, height: 171, channels: 3 })

    const portrait = png(synthetic(300, 500, 4))
    const small = await ok(portrait, ['thumbnail', '256'])
    expect(small.summary.output).toMatchObject({ path: '/work/out.png', width: 154, height: 256, format: 'png' })
    expect(decodePng(small.output)).toMatchObject({ width: 154, height: 256, channels: 4 })
    const same = await ok(portrait, ['thumbnail', '1000'])
    expect(same.summary.output).toMatchObject({ width: 300, height: 500 })
    expect(firstDifference(decodePng(same.output).data, synthetic(300, 500, 4).data)).toBe(-1)
    const tiny = await ok(png(synthetic(1000, 3, 3)), ['thumbnail', '16'])
    expect(tiny.summary.output).toMatchObject({ width: 16, height: 1 })
  })

  it('resize gives exactly W×H, sRGB-aware: a constant stays constant, a black/white checkerboard averages to sRGB 188, not 128', async () => {
    const { summary, output } = await ok(photo, ['resize', '640', '480', '--format', 'png'])
    expect(summary.output).toMatchObject({ path: '/work/out.png', width: 640, height: 480, format: 'png' })
    expect(decodePng(output)).toMatchObject({ width: 640, height: 480, channels: 3 })

    const constant = new Uint8Array(50 * 30 * 4)
    for (let i = 0; i < constant.length; i += 4) constant.set([200, 100, 50, 255], i)
    for (const [w, h] of [[17, 9], [120, 77]]) {
      const out = decodePng((await ok(png({ width: 50, height: 30, channels: 4, data: constant }), ['resize', String(w), String(h)])).output)
      expect(out).toMatchObject({ width: w, height: h, channels: 4 })
      const values = new Set<string>()
      for (let i = 0; i < out.data.length; i += 4) values.add(out.data.subarray(i, i + 4).join(','))
      expect([...values]).toEqual(['200,100,50,255'])
    }

    const board = new Uint8Array(64 * 64)
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) board[y * 64 + x] = (x + y) % 2 === 0 ? 0 : 255
    const out = decodePng((await ok(png({ width: 64, height: 64, channels: 1, data: board }), ['resize', '16', '16'])).output)
    expect(out.channels).toBe(1)
    const mean = out.data.reduce((a, b) => a + b, 0) / out.data.length
    expect(mean).toBeGreaterThan(183)
    expect(mean).toBeLessThan(193)
  })

  it('grayscale is BT.601 luma, exactly as computed here, on the photo and on RGB and RGBA PNGs', async () => {
    const gray = await ok(photo, ['grayscale', '--format', 'png'])
    expect(gray.summary.output).toMatchObject({ width: 1224, height: 816, format: 'png' })
    const got = decodePng(gray.output)
    const want = grayscaleReference(photoPixels)
    expect(got.channels).toBe(1)
    expect(firstDifference(got.data, want.data)).toBe(-1)
    for (const channels of [3, 4]) {
      const source = synthetic(97, 61, channels, channels)
      const out = decodePng((await ok(png(source), ['grayscale'])).output)
      const reference = grayscaleReference(source)
      expect(out.channels).toBe(reference.channels)
      expect(firstDifference(out.data, reference.data)).toBe(-1)
    }
  }, 60_000)

  it('blur is the separable Gaussian computed here, byte for byte, for small and large sigmas and clamped edges', async () => {
    for (const [channels, sigma] of [[3, '1e-200'], [3, '0.5'], [4, '1.7'], [1, '3'], [2, '10'], [3, '50']] as const) {
      const source = synthetic(97, 61, channels, 7 + channels)
      const out = decodePng((await ok(png(source), ['blur', sigma])).output)
      const reference = blurReference(source, Number(sigma))
      expect(out.channels).toBe(channels)
      expect(firstDifference(out.data, reference.data), `sigma ${sigma}, ${channels} channels`).toBe(-1)
      if (sigma === '1e-200') expect(firstDifference(out.data, source.data)).toBe(-1) // 2σ² underflows: the identity
    }
    const blurred = decodePng((await ok(photo, ['blur', '2', '--format', 'png'])).output)
    expect(firstDifference(blurred.data, blurReference(photoPixels, 2).data)).toBe(-1)
  }, 120_000)

  it('convert round-trips PNGs losslessly (gray, gray+alpha, RGB, RGBA, interlaced, palette; 16-bit to its high bytes) and writes JPEGs', async () => {
    for (const channels of [1, 2, 3, 4]) {
      const source = synthetic(83, 47, channels, 20 + channels)
      const { summary, output } = await ok(png(source), ['convert', 'png', '-o', 'copy.png'])
      expect(summary.output).toMatchObject({ path: '/work/copy.png', format: 'png' })
      const back = decodePng(output)
      expect(back.channels).toBe(channels)
      expect(firstDifference(back.data, source.data)).toBe(-1)
    }
    // Adam7-interlaced in, plain out; a palette with transparency becomes RGBA.
    const rgba = synthetic(45, 29, 4, 30)
    const interlaced = encode({ width: 45, height: 29, data: rgba.data, channels: 4, depth: 8 }, { interlace: 'Adam7' })
    expect(firstDifference(decodePng((await ok(interlaced, ['convert', 'png'])).output).data, rgba.data)).toBe(-1)
    // Translucent entries first: fast-png 8 writes tRNS as the list of non-opaque alphas, right only for a prefix.
    const palette = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 8, (i * 37) % 256, i < 4 ? i * 60 : 255])
    const indices = Uint8Array.from({ length: 23 * 19 }, (_, i) => (i * 7) % 16)
    const indexed = decodePng((await ok(encode({ width: 23, height: 19, data: indices, channels: 1, depth: 8, palette }), ['convert', 'png'])).output)
    expect(indexed.channels).toBe(4)
    expect(firstDifference(indexed.data, Uint8Array.from([...indices].flatMap(i => palette[i]!)))).toBe(-1)

    const wide = new Uint16Array(31 * 17 * 3)
    const next = generator(99)
    for (let i = 0; i < wide.length; i++) wide[i] = next() & 0xffff
    const deep = encode({ width: 31, height: 17, data: wide, channels: 3, depth: 16 })
    expect(firstDifference(decodePng((await ok(deep, ['convert', 'png'])).output).data, Uint8Array.from(wide, v => v >> 8))).toBe(-1)

    const [low, high] = [await ok(photo, ['convert', 'jpeg', '--quality', '20']), await ok(photo, ['convert', 'jpeg', '--quality', '95'])]
    expect(low.summary.output).toMatchObject({ path: '/work/out.jpg', format: 'jpeg', width: 1224, height: 816 })
    expect(low.output.byteLength).toBeLessThan(high.output.byteLength)
    // JPEG has no alpha: transparent pixels come out white, half-transparent black mid-gray.
    const halves = new Uint8Array(40 * 40 * 4)
    for (let i = 0; i < 40 * 40; i++) halves.set(i < 800 ? [200, 0, 100, 0] : [0, 0, 0, 128], i * 4)
    const flat = await pixelsOf((await ok(png({ width: 40, height: 40, channels: 4, data: halves }), ['convert', 'jpeg', '--quality', '100'])).output)
    expect(flat.channels).toBe(3)
    expect(Math.min(...flat.data.subarray(0, 300 * 3))).toBeGreaterThanOrEqual(250)
    for (const v of flat.data.subarray(1300 * 3)) expect(Math.abs(v - 127)).toBeLessThanOrEqual(3)
  }, 60_000)

  it('crop cuts the box clipped at the borders and floored, as face-api does, pixel for pixel; PNG unless told otherwise', async () => {
    /** The documented rule: left = floor(max(x, 0)), width = floor(min(x + w, W) - max(x, 0)), top and height alike. */
    const cropReference = (p: Pixels, x: number, y: number, w: number, h: number): Pixels & { left: number, top: number } => {
      const cx = Math.max(x, 0)
      const cy = Math.max(y, 0)
      const width = Math.floor(Math.min(x + w - cx, p.width - cx))
      const height = Math.floor(Math.min(y + h - cy, p.height - cy))
      const [left, top] = [Math.floor(cx), Math.floor(cy)]
      const data = new Uint8Array(width * height * p.channels)
      for (let row = 0; row < height; row++) {
        data.set(p.data.subarray(((top + row) * p.width + left) * p.channels, ((top + row) * p.width + left + width) * p.channels), row * width * p.channels)
      }
      return { width, height, channels: p.channels, data, left, top }
    }
    const rgba = synthetic(97, 61, 4, 7)
    const boxes: Array<[number, number, number, number]> = [
      [0, 0, 1224, 816], [10, 20, 30, 40], [0, 0, 1, 1], [1223, 815, 1, 1], [1200, 800, 100, 100], [-10, -20, 50, 60],
      [156.8279383870515, 447.53705399019884, 155.83477549874772, 154.3946940129956], [0.5, 0.5, 10.4, 10.6], [-0.25, 3.999, 7.2, 1], [1e2, 2e1, 5e1, 1.5e1]
    ]
    for (const [x, y, w, h] of boxes) {
      const want = cropReference(photoPixels, x, y, w, h)
      const { summary, output } = await ok(photo, ['crop', String(x), String(y), String(w), String(h)])
      expect(summary).toMatchObject({ operation: 'crop', input: { width: 1224, height: 816, format: 'jpeg' }, output: { path: '/work/out.png', format: 'png', width: want.width, height: want.height } })
      expect((summary as unknown as { box: unknown }).box).toEqual({ x: want.left, y: want.top, width: want.width, height: want.height })
      const got = decodePng(output)
      expect(got).toMatchObject({ width: want.width, height: want.height, channels: 3 })
      expect(firstDifference(got.data, want.data), `crop ${x} ${y} ${w} ${h}`).toBe(-1)
    }
    // Channels are kept (RGBA in, RGBA out); a file in /work as input; JPEG when asked.
    const small = cropReference(rgba, 90, 3, 20, 5)
    const { output } = await ok(new Uint8Array(), ['crop', '90', '3', '20', '5', 'in.png'], [['in.png', png(rgba)]])
    const got = decodePng(output)
    expect(got).toMatchObject({ width: 7, height: 5, channels: 4 })
    expect(firstDifference(got.data, small.data)).toBe(-1)
    const jpeg = await ok(photo, ['crop', '10', '10', '64', '48', '--format', 'jpeg'])
    expect(jpeg.summary.output).toMatchObject({ path: '/work/out.jpg', format: 'jpeg', width: 64, height: 48 })
    expect((await ok(photo, ['crop', '10', '10', '64', '48', '-o', 'face.jpg'])).summary.output.path).toBe('/work/face.jpg')
  }, 120_000)

  it('reads its input from a file in /work (or stdin, also as "-"), names its output by -o and takes the format from its extension', async () => {
    const { summary, output, result } = await ok(new Uint8Array(), ['thumbnail', '32', 'in/photo.jpg', '-o', 'small.png'], [['in/photo.jpg', photo]])
    expect(summary.output).toMatchObject({ path: '/work/small.png', format: 'png', width: 32, height: 21 })
    expect(decodePng(output)).toMatchObject({ width: 32, height: 21 })
    expect(result.files.map(([path]) => path)).toEqual(['small.png'])
    expect((await ok(photo, ['thumbnail', '8', '-'])).summary.output).toMatchObject({ path: '/work/out.jpg', width: 8 })
    const quoted = await ok(photo, ['thumbnail', '8', '-o', 'a "quoted" name.jpg'])
    expect(quoted.summary.output.path).toBe('/work/a "quoted" name.jpg')
  })

  it('handles the largest image allowed (2048×1536 RGBA, noisy enough that its PNG output does not compress) in its 48 MiB', async () => {
    const next = generator(5)
    const data = new Uint8Array(2048 * 1536 * 4)
    for (let i = 0; i < data.length; i++) data[i] = next() & 0xc0
    const big = png({ width: 2048, height: 1536, channels: 4, data })
    expect(big.byteLength).toBeLessThanOrEqual(4 << 20)
    for (const args of [['blur', '1'], ['convert', 'png'], ['resize', '1536', '2048']]) {
      const { summary } = await ok(big, args)
      expect(summary.output.bytes, args.join(' ')).toBeGreaterThan(2 << 20)
    }
    // Squeezed to a few rows: stb_image_resize alone would need ~200 MiB (image.c resamples in steps).
    for (const [w, h] of [[2048, 1], [2048, 8], [4096, 2]]) expect((await ok(big, ['resize', String(w), String(h)])).summary.output).toMatchObject({ width: w, height: h })
  }, 120_000)

  it('is deterministic: the same input gives the same output bytes and fuel', async () => {
    for (const args of [['blur', '1.5'], ['thumbnail', '200', '--format', 'png'], ['convert', 'jpeg']]) {
      const [first, second] = [await ok(photo, args), await ok(photo, args)]
      expect(sha256Hex(second.output)).toBe(sha256Hex(first.output))
      expect(second.result.fuelUsed).toBe(first.result.fuelUsed)
      expect(first.result.fuelUsed).toBeGreaterThan(0)
    }
  }, 60_000)

  it('rejects bad images and bad arguments with exit status 2 and one line on stderr, and the pool keeps working', async () => {
    const good = png(synthetic(40, 30, 3))
    const crcBroken = good.slice()
    crcBroken[idatOffset(good) + 5]! ^= 0xff
    const zlibBroken = good.slice()
    const at = idatOffset(good)
    zlibBroken[at] = 0x00 // not a deflate stream; the CRC is made right so that stb_image sees it
    const length = new DataView(good.buffer, good.byteOffset).getUint32(at - 8)
    new DataView(zlibBroken.buffer).setUint32(at + length, crc32(zlibBroken.subarray(at - 4, at + length)))
    const empty = (width: number, height: number, depth: 8 | 16 = 8): Uint8Array =>
      encode({ width, height, data: depth === 8 ? new Uint8Array(width * height * 3) : new Uint16Array(width * height * 3), channels: 3, depth })

    const cases: Array<[Uint8Array, string[], RegExp]> = [
      [crcBroken, ['grayscale'], /^image: corrupt PNG \(CRC mismatch in the IDAT chunk\)$/],
      [zlibBroken, ['grayscale'], /^image: corrupt PNG \(.+\)$/],
      [good.subarray(0, good.length - 20), ['grayscale'], /^image: truncated PNG/],
      [good.subarray(0, 30), ['grayscale'], /^image: truncated PNG/],
      [photo.subarray(0, Math.floor(photo.length * 0.6)), ['thumbnail', '10'], /^image: truncated JPEG/],
      [photo.subarray(0, 400), ['thumbnail', '10'], /^image: truncated JPEG/],
      [new TextEncoder().encode('hello, not an image\n'), ['grayscale'], /^image: not a PNG or JPEG image/],
      [new TextEncoder().encode('GIF89a\x01\x00\x01\x00'), ['grayscale'], /unsupported format/],
      [new Uint8Array(), ['grayscale'], /^image: stdin is empty$/],
      [empty(4097, 2), ['grayscale'], /^image: image is 4097×2 pixels; the limit is 4096 pixels on a side and 3145728 pixels/],
      [empty(2049, 1537), ['grayscale'], /^image: image is 2049×1537 pixels; the limit is .*3145728 pixels/],
      [empty(1300, 1300, 16), ['grayscale'], /^image: image is 1300×1300 pixels at 16 bits; the limit is .*1572864 for 16-bit PNG/],
      [good, ['grayscale', 'missing.png'], /^image: cannot open \/work\/missing.png: /],
      [good, ['grayscale', '-o', 'no/such/dir.png'], /^image: cannot create \/work\/no\/such\/dir.png: /],
      [good, [], /^image: missing subcommand; usage: /],
      [good, ['sharpen'], /^image: unknown subcommand "sharpen"/],
      [good, ['resize', '10'], /^image: resize needs 2 arguments/],
      [good, ['resize', '0', '10'], /W must be an integer from 1 to 4096, got "0"/],
      [good, ['resize', '10', 'x'], /H must be an integer from 1 to 4096, got "x"/],
      [good, ['resize', '4096', '1024'], /^image: resize: 4096×1024 is over the limit of .*3145728 pixels/],
      [good, ['thumbnail', '5000'], /N must be an integer from 1 to 4096/],
      [good, ['thumbnail', '2.5'], /N must be an integer/],
      [good, ['thumbnail', '-3'], /^image: unknown option -3/],
      [good, ['blur', '0'], /SIGMA must be a number greater than 0 and at most 50, got "0"/],
      [good, ['blur', '50.5'], /SIGMA must be/],
      [good, ['blur', 'nan'], /SIGMA must be/],
      [good, ['blur', '1e400'], /SIGMA must be/],
      [good, ['blur', '2px'], /SIGMA must be/],
      [good, ['convert', 'gif'], /^image: convert: the format must be png or jpeg, got "gif"/],
      [good, ['convert'], /^image: convert needs 1 argument/],
      [good, ['convert', 'png', '--format', 'jpeg'], /contradicts --format jpeg/],
      [good, ['grayscale', '-o', 'x.png', '--format', 'jpeg'], /-o x.png does not match the output format jpeg/],
      [good, ['grayscale', '--quality', '0'], /--quality must be an integer from 1 to 100/],
      [good, ['grayscale', '--format', 'bmp'], /--format must be png or jpeg, got "bmp"/],
      [good, ['grayscale', '-o'], /-o needs a value/],
      [good, ['grayscale', '--verbose'], /unknown option --verbose/],
      [good, ['grayscale', 'a.png', 'b.png'], /grayscale: too many arguments/],
      [good, ['crop', '1', '2', '3'], /^image: crop needs 4 arguments/],
      [good, ['crop', '40', '0', '5', '5'], /^image: crop: the box at \(40, 0\), 5×5, keeps no pixel of the 40×30 image$/],
      [good, ['crop', '-10', '-3', '5', '5'], /keeps no pixel of the 40×30 image/],
      [good, ['crop', '2', '2', '0.5', '5'], /keeps no pixel/],
      [good, ['crop', '39.5', '0', '0.9', '5'], /keeps no pixel/],
      [good, ['crop', '0', '0', '0', '5'], /^image: crop: W must be a number greater than 0 \(pixels, at most 1000000000 in size\), got "0"$/],
      [good, ['crop', '0', '0', '5', '-5'], /H must be a number greater than 0/],
      [good, ['crop', 'x', '0', '5', '5'], /^image: crop: X must be a number \(pixels/],
      [good, ['crop', '0', '1e10', '5', '5'], /Y must be a number/],
      [good, ['crop', '0x10', '0', '5', '5'], /X must be a number/],
      [good, ['crop', '+1', '0', '5', '5'], /X must be a number/],
      [good, ['crop', '1.', '0', '5', '5'], /X must be a number/],
      [good, ['crop', '.5', '0', '5', '5'], /X must be a number/],
      [good, ['crop', '-', '0', '5', '5'], /X must be a number/],
      [good, ['crop', 'nan', '0', '5', '5'], /X must be a number/],
      [good, ['crop', ' 1', '0', '5', '5'], /X must be a number/],
      [good, ['crop', '0', '0', '5', 'Infinity'], /H must be a number/],
      [good, ['crop', '0', '0', '5', '5', 'a.png', 'b.png'], /crop: too many arguments/],
      [good, ['thumbnail', '10', '-1'], /^image: unknown option -1/]
    ]
    for (const [stdin, args, message] of cases) {
      const result = await run(stdin, args)
      const stderr = text(result.stderr)
      expect(result, `${args.join(' ')}: ${stderr}`).toMatchObject({ status: 'exit', exitCode: 2 })
      expect(text(result.stdout)).toBe('')
      expect(stderr.endsWith('\n') && stderr.indexOf('\n') === stderr.length - 1, stderr).toBe(true)
      expect(stderr.trimEnd()).toMatch(message)
      expect(result.files).toEqual([])
    }
    await ok(good, ['grayscale'])
  }, 120_000)

  it('never traps on damaged images: 120 copies of a small JPEG and PNG with random bytes changed decode or fail with exit status 2', async () => {
    const jpeg = (await ok(photo, ['thumbnail', '64'])).output
    const small = (await ok(photo, ['thumbnail', '64', '--format', 'png'])).output
    const next = generator(2024)
    const outcomes = new Map<string, number>()
    for (let t = 0; t < 120; t++) {
      const bytes = (t % 2 === 0 ? jpeg : small).slice()
      for (let k = 1 + next() % 8; k > 0; k--) bytes[next() % bytes.length] = next() & 0xff
      const result = await run(bytes, ['thumbnail', '16'])
      const stderr = text(result.stderr)
      if (result.status === 'ok') expect(stderr).toBe('')
      else {
        expect(result, stderr).toMatchObject({ status: 'exit', exitCode: 2 })
        expect(stderr).toMatch(/^image: [^\n]+\n$/)
      }
      const outcome = result.status === 'ok' ? 'ok' : stderr.replace(/ \(.*/s, '').trim()
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    console.log('image on damaged input:', Object.fromEntries(outcomes))
  }, 120_000)

  it('costs (fuel and ms) per operation on the 1 MP photo', async () => {
    const rows: string[] = []
    for (const args of [['thumbnail', '256'], ['resize', '800', '533'], ['resize', '2048', '1365'], ['grayscale'], ['blur', '2'], ['blur', '8'],
      ['convert', 'png'], ['convert', 'jpeg']]) {
      // Two runs: the fuel must agree; the faster time is the less disturbed by other work on the machine.
      const [first, { result, summary }] = [await ok(photo, args), await ok(photo, args)]
      expect(result.fuelUsed).toBe(first.result.fuelUsed)
      const ms = Math.min(first.result.durationMs, result.durationMs)
      rows.push(`${args.join(' ').padEnd(18)} ${String(result.fuelUsed).padStart(12)} fuel ${ms.toFixed(0).padStart(6)} ms    → ${summary.output.width}×${summary.output.height} ${summary.output.format} ${summary.output.bytes} B`)
    }
    console.log(`image on a 1224×816 JPEG (${photo.byteLength} B):\n${rows.join('\n')}`)
  }, 120_000)
})
