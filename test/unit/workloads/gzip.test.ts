/**
 * gzip (src/workloads/gzip/: our DEFLATE encoder, stb_image's decoder), built
 * from source and run in the sandbox: what it
 * compresses, Debian's gzip and Node's zlib decompress to the same bytes, in
 * all three formats (gzip RFC 1952, zlib RFC 1950, raw deflate RFC 1951); what
 * Node's zlib and `gzip -1/-9` compress, it decompresses, including multi-member
 * files and headers with FEXTRA/FNAME/FCOMMENT/FHCRC. Corrupt, truncated,
 * mismatching (CRC-32, ISIZE, Adler-32), foreign and oversized input ends with
 * exit status 2 and one stderr line, and the pool keeps working. Prints the
 * compression ratio against gzip -6 and fuel and ms per MiB.
 * Needs Debian's clang-14, wasi-libc and libstb-dev (test/support/c-toolchain.ts).
 */
import { execFileSync } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32, deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateRawSync, inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExecutionResult } from '../../../src/execution/types.ts'
import { HAVE_TOOLCHAIN } from '../../support/c-toolchain.ts'
import { text as decode, startWorkloadRunner, type WorkloadRunner } from '../../support/workload-runner.ts'

const ROOT = join(import.meta.dirname, '../../..')
const FORMATS = ['gzip', 'zlib', 'deflate'] as const
type Format = typeof FORMATS[number]
const DEFAULT_NAME: Record<Format, string> = { gzip: 'out.gz', zlib: 'out.zz', deflate: 'out.deflate' }
const NODE_INFLATE: Record<Format, (data: Uint8Array) => Buffer> = { gzip: gunzipSync, zlib: inflateSync, deflate: inflateRawSync }
const NODE_DEFLATE: Record<Format, (data: Uint8Array, options: { level: number }) => Buffer> = { gzip: gzipSync, zlib: deflateSync, deflate: deflateRawSync }

interface Report { mode: string, format: string, inputBytes: number, outputBytes: number, crc32: string }

/** xorshift32: seeded bytes, the same on every run. */
function seededBytes (length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    bytes[i] = x & 0xFF
  }
  return bytes
}

/** Text of about `length` bytes: the repository's C sources and the language corpus, repeated. */
async function sampleText (length: number): Promise<Uint8Array> {
  const parts: Buffer[] = [await readFile(join(ROOT, 'test/fixtures/lang-detect-corpus.txt'))]
  for (const id of ['csv-to-json', 'gzip', 'lang-detect']) {
    for (const name of (await readdir(join(ROOT, 'src/workloads', id))).filter(file => file.endsWith('.c')).sort()) {
      parts.push(await readFile(join(ROOT, 'src/workloads', id, name)))
    }
  }
  const all = Buffer.concat(parts)
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i += all.length) out.set(all.subarray(0, Math.min(all.length, length - i)), i)
  return out
}

const hex = (value: number): string => (value >>> 0).toString(16).padStart(8, '0')

describe.skipIf(!HAVE_TOOLCHAIN)('gzip: DEFLATE with gzip and zlib framing in the sandbox', () => {
  const limits = { timeoutMs: 30_000, memoryLimitBytes: 50 << 20, fuel: 1e11 }
  let runner: WorkloadRunner
  let text: Uint8Array
  const random = seededBytes(256 << 10, 0x5eed)
  const run = async (stdin: Uint8Array, args: string[] = [], files: Array<[string, Uint8Array]> = []): Promise<ExecutionResult> => await runner.run(stdin, args, files)
  const fileOf = (result: ExecutionResult, name: string): Uint8Array => {
    const found = result.files.find(([path]) => path === name)
    expect(found, `${name} among ${result.files.map(([path]) => path).join(', ')}`).toBeDefined()
    return found![1]
  }
  const ok = (result: ExecutionResult): Report => {
    expect(result.status, decode(result.stderr)).toBe('ok')
    return JSON.parse(decode(result.stdout)) as Report
  }
  const compress = async (data: Uint8Array, format: Format, extra: string[] = []): Promise<{ report: Report, output: Uint8Array, result: ExecutionResult }> => {
    const result = await run(data, ['--format', format, ...extra])
    const report = ok(result)
    return { report, output: fileOf(result, DEFAULT_NAME[format]), result }
  }
  const decompress = async (data: Uint8Array, format: Format): Promise<{ report: Report, output: Uint8Array, result: ExecutionResult }> => {
    const result = await run(data, ['-d', '--format', format])
    const report = ok(result)
    return { report, output: fileOf(result, 'out'), result }
  }
  /** Runs bad input: exit 2, nothing on stdout, one stderr line matching `message`. */
  const rejects = async (data: Uint8Array, args: string[], message: RegExp, files: Array<[string, Uint8Array]> = []): Promise<void> => {
    const result = await run(data, args, files)
    const stderr = decode(result.stderr)
    expect(result, stderr).toMatchObject({ status: 'exit', exitCode: 2 })
    expect(decode(result.stdout)).toBe('')
    expect(stderr.split('\n'), stderr).toHaveLength(2)
    expect(stderr).toMatch(/^gzip: /)
    expect(stderr.trimEnd()).toMatch(message)
  }

  beforeAll(async () => {
    runner = await startWorkloadRunner('gzip', limits)
    text = await sampleText(300_000)
  })

  afterAll(async () => {
    await runner?.stop()
  })

  it('compresses text, random, incompressible, repetitive, tiny and empty input so that gzip -d and Node zlib get it back', async () => {
    const inputs: Array<[string, Uint8Array]> = [
      ['text', text], ['random', random], ['zeros', new Uint8Array(1 << 20)], ['tiny', new TextEncoder().encode('hello')],
      ['one byte', new Uint8Array([0xff])], ['empty', new Uint8Array()], ['text+random', new Uint8Array([...text.subarray(0, 50_000), ...random.subarray(0, 50_000)])]
    ]
    for (const [label, data] of inputs) {
      for (const format of FORMATS) {
        const { report, output } = await compress(data, format)
        expect(report, label).toEqual({ mode: 'compress', format, inputBytes: data.byteLength, outputBytes: output.byteLength, crc32: hex(crc32(data)) })
        expect(new Uint8Array(NODE_INFLATE[format](output)), `${label} ${format} through Node's zlib`).toEqual(data)
        if (format === 'gzip') expect(new Uint8Array(execFileSync('gzip', ['-dc'], { input: output, maxBuffer: 64 << 20 })), `${label} through gzip -d`).toEqual(data)
        // Incompressible data costs at most stored blocks' framing (deflate.h) and the format's own.
        expect(output.byteLength, label).toBeLessThanOrEqual(data.byteLength + Math.floor(data.byteLength / 1024) + 64 + 18)
      }
    }
  }, 120_000)

  it('round-trips 240 seeded inputs of varied structure at every level (the encoder is our own)', async () => {
    let x = 12345
    const next = (n: number): number => {
      x ^= x << 13; x >>>= 0
      x ^= x >>> 17
      x ^= x << 5; x >>>= 0
      return x % n
    }
    let bytes = 0
    for (let i = 0; i < 240; i++) {
      // Symbols from a small or large alphabet, with copies of earlier stretches from near and far (past 32 KiB).
      const length = [0, 1, 2, 3, 4, 258, 259, 1000, 20_000, 70_000, 140_000][next(11)]!
      const alphabet = [1, 2, 4, 16, 64, 256][next(6)]!
      const data = new Uint8Array(length)
      for (let at = 0; at < length;) {
        if (at > 10 && next(3) === 0) {
          const distance = 1 + next(Math.min(at, next(2) === 0 ? 300 : 40_000))
          const run = Math.min(length - at, 3 + next(next(4) === 0 ? 600 : 40))
          for (let k = 0; k < run; k++, at++) data[at] = data[at - distance]!
        } else data[at++] = next(alphabet)
      }
      const level = 1 + (i % 9)
      const format = FORMATS[i % 3]!
      const { output } = await compress(data, format, ['--level', String(level)])
      expect(new Uint8Array(NODE_INFLATE[format](output)), `input ${i}: ${length} bytes over ${alphabet} symbols, level ${level}`).toEqual(data)
      if (i % 8 === 0) expect((await decompress(output, format)).output).toEqual(data)
      bytes += length
    }
    console.log(`gzip: 240 seeded inputs (${bytes} bytes) round-trip through Node's zlib at levels 1-9`)
  }, 120_000)

  it('honours --level and -o, and is deterministic (same bytes, same fuel)', async () => {
    const sizes: number[] = []
    for (const level of ['1', '5', '9']) {
      const result = await run(text, ['--level', level, '-o', `level${level}.gz`])
      ok(result)
      const output = fileOf(result, `level${level}.gz`)
      expect(new Uint8Array(gunzipSync(output))).toEqual(text)
      sizes.push(output.byteLength)
    }
    expect(sizes[2]).toBeLessThanOrEqual(sizes[0]!)
    const [first, second] = [await compress(text, 'gzip'), await compress(text, 'gzip')]
    expect(second.output).toEqual(first.output)
    expect(second.result.fuelUsed).toBe(first.result.fuelUsed)
    // The header carries no name and no time: RFC 1952 MTIME 0, OS 255.
    expect([...first.output.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])
  })

  it('decompresses what Node zlib (levels 1, 6, 9) and gzip -1/-9 produce, and its own output', async () => {
    for (const data of [text, random, new Uint8Array(), new Uint8Array(1 << 20).fill(97)]) {
      for (const format of FORMATS) {
        for (const level of [1, 6, 9]) {
          const { report, output } = await decompress(NODE_DEFLATE[format](data, { level }), format)
          expect(output).toEqual(data)
          expect(report.crc32).toBe(hex(crc32(data)))
          expect(report.outputBytes).toBe(data.byteLength)
        }
        const own = await compress(data, format)
        expect((await decompress(own.output, format)).output).toEqual(data)
      }
      for (const level of ['-1', '-9']) {
        const gz = new Uint8Array(execFileSync('gzip', [level, '-c'], { input: data, maxBuffer: 64 << 20 }))
        expect((await decompress(gz, 'gzip')).output).toEqual(data)
      }
    }
  }, 120_000)

  it('reads the input from /work, multi-member files, and optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC)', async () => {
    const gz = gzipSync(text)
    const fromFile = await run(new Uint8Array(), ['-d', 'in.gz', '-o', 'plain.txt'], [['in.gz', gz]])
    expect(ok(fromFile).inputBytes).toBe(gz.byteLength)
    expect(fileOf(fromFile, 'plain.txt')).toEqual(text)

    const second = new TextEncoder().encode('the second member\n')
    const multi = new Uint8Array([...gz, ...execFileSync('gzip', ['-9', '-c'], { input: second }), ...gzipSync(new Uint8Array())])
    const { report, output } = await decompress(multi, 'gzip')
    expect(output).toEqual(new Uint8Array([...text, ...second]))
    expect(report.crc32).toBe(hex(crc32(output)))

    // RFC 1952 2.3.1: FHCRC 2, FEXTRA 4, FNAME 8, FCOMMENT 16.
    const head = [0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0x78, 0x56, 0x34, 0x12, 0, 3, 4, 0, 0x41, 0x42, 2, 0, ...new TextEncoder().encode('name.txt\0a comment\0')]
    const headerCrc = crc32(new Uint8Array(head)) & 0xFFFF
    const body = deflateRawSync(second)
    const trailer = [...new Uint8Array(new Uint32Array([crc32(second), second.byteLength]).buffer)]
    const full = new Uint8Array([...head, headerCrc & 0xFF, headerCrc >> 8, ...body, ...trailer])
    expect(gunzipSync(full).toString()).toBe('the second member\n')
    expect((await decompress(full, 'gzip')).output).toEqual(second)
    const badHeader = full.slice()
    badHeader[head.length] = full[head.length]! ^ 1
    await rejects(badHeader, ['-d'], /header CRC mismatch in gzip member 1/)
  })

  it('rejects corrupt, truncated, mismatching and foreign input with one stderr line, and keeps working', async () => {
    const gz = new Uint8Array(gzipSync(text.subarray(0, 20_000)))
    const flip = (data: Uint8Array, at: number, mask = 0xFF): Uint8Array => {
      const copy = data.slice()
      const index = at < 0 ? copy.length + at : at
      copy[index] = copy[index]! ^ mask
      return copy
    }
    await rejects(new Uint8Array(), ['-d'], /empty input \(not gzip data\)/)
    await rejects(new TextEncoder().encode('plain text, not gzip'), ['-d'], /not in gzip format/)
    await rejects(flip(gz, 2, 1), ['-d'], /unknown compression method 9 in gzip member 1 at byte offset 2/)
    await rejects(flip(gz, 3, 0x20), ['-d'], /reserved flag bits set in gzip member 1/)
    await rejects(flip(gz, -8), ['-d'], /CRC-32 mismatch in gzip member 1 at byte offset \d+ \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)/)
    await rejects(flip(gz, -1, 1), ['-d'], /ISIZE mismatch in gzip member 1/)
    await rejects(new Uint8Array([...gz, 0, 0]), ['-d'], /unexpected data after gzip member 1 at byte offset \d+/)
    // A stored-block length whose complement is wrong, and a block of the reserved type 3 (RFC 1951 3.2.3).
    await rejects(new Uint8Array([0x01, 0x05, 0x00, 0x00, 0x00]), ['-d', '--format', 'deflate'], /corrupt deflate data \(stored block length does not match its complement\) in deflate stream/)
    await rejects(new Uint8Array([0x07, 0x00]), ['-d', '--format', 'deflate'], /corrupt deflate data \(invalid block type 3\)/)
    // Corrupting the compressed body: stb finds a bad code or distance, or the CRC-32 catches what it decoded.
    let corrupt = 0
    for (let at = 12; at < gz.length - 8; at += Math.floor(gz.length / 25)) {
      await rejects(flip(gz, at, 0x5a), ['-d'], /corrupt deflate data|CRC-32 mismatch|ISIZE mismatch|truncated/)
      corrupt++
    }
    // Every cut-off prefix is reported as such.
    let truncated = 0
    for (const cut of [1, 2, 5, 9, 10, 11, 20, 100, 1000, gz.length - 9, gz.length - 8, gz.length - 4, gz.length - 1]) {
      await rejects(gz.subarray(0, cut), ['-d'], /truncated (header|deflate data|trailer) in gzip member 1/)
      truncated++
    }
    const zz = new Uint8Array(deflateSync(text.subarray(0, 20_000)))
    await rejects(flip(zz, -1, 1), ['-d', '--format', 'zlib'], /Adler-32 mismatch at byte offset \d+/)
    await rejects(flip(zz, 1, 1), ['-d', '--format', 'zlib'], /header check bits wrong/)
    await rejects(new Uint8Array([0x78, 0xbb, 0, 0, 0, 0]), ['-d', '--format', 'zlib'], /preset dictionary/)
    await rejects(gz, ['-d', '--format', 'zlib'], /not in zlib format/)
    await rejects(zz.subarray(0, 100), ['-d', '--format', 'zlib'], /truncated deflate data in zlib stream/)
    await rejects(zz.subarray(0, zz.length - 2), ['-d', '--format', 'zlib'], /truncated Adler-32 trailer/)
    const raw = new Uint8Array(deflateRawSync(text.subarray(0, 20_000)))
    await rejects(raw.subarray(0, raw.length - 3), ['-d', '--format', 'deflate'], /truncated deflate data in deflate stream/)
    await rejects(new Uint8Array([...raw, 1]), ['-d', '--format', 'deflate'], /unexpected data after the deflate stream/)
    // Arguments.
    await rejects(text, ['--level', '0'], /--level needs a digit 1-9/)
    await rejects(text, ['--format', 'zip'], /unknown format zip/)
    await rejects(text, ['-x'], /unknown option -x/)
    await rejects(text, ['missing.txt'], /cannot open \/work\/missing.txt/)
    console.log(`gzip: ${corrupt} corrupted and ${truncated} truncated gzip streams rejected`)
    expect((await decompress(gz, 'gzip')).output).toEqual(text.subarray(0, 20_000))
  }, 120_000)

  it('stops at the 16 MiB /work limit: a small bomb fails cleanly instead of filling memory', async () => {
    const bomb = gzipSync(new Uint8Array(17 << 20), { level: 9 })
    await rejects(bomb, ['-d'], /output exceeds the limit of 16777216 bytes in gzip member 1/)
    // From /work the input file counts against the same 16 MiB.
    const exact = gzipSync(new Uint8Array((16 << 20) - 1000))
    const result = await run(new Uint8Array(), ['-d', 'bomb.gz'], [['bomb.gz', exact]])
    expect(result).toMatchObject({ status: 'exit', exitCode: 2 })
    expect(decode(result.stderr)).toMatch(/^gzip: output exceeds the limit of \d+ bytes in gzip member 1/)
    const fits = await run(gzipSync(new Uint8Array((16 << 20) - 1000)), ['-d'])
    expect(ok(fits).outputBytes).toBe((16 << 20) - 1000)
    // The largest inputs: 8 MiB from /work to compress (random data then cannot fit beside it), 16 MiB to decompress.
    const big = await sampleText(8 << 20)
    const packed = await run(new Uint8Array(), ['big.txt'], [['big.txt', big]])
    expect(new Uint8Array(gunzipSync(fileOf(packed, 'out.gz')))).toEqual(big)
    await rejects(new Uint8Array(), ['big.bin'], /^gzip: output of \d+ bytes would not fit in \/work \(at most 8388608 bytes\)$/, [['big.bin', seededBytes(8 << 20, 3)]])
    await rejects(new Uint8Array(), ['big.txt'], /^gzip: input is larger than the 8 MiB limit$/, [['big.txt', new Uint8Array((8 << 20) + 1)]])
    const unpacked = await run(new Uint8Array(), ['-d', 'big.gz', '-o', 'big.txt'], [['big.gz', gzipSync(big)]])
    expect(fileOf(unpacked, 'big.txt')).toEqual(big)
  }, 60_000)

  it('reports its ratio against gzip -6 and its speed', async () => {
    const big = await sampleText(4 << 20)
    const mib = big.byteLength / (1 << 20)
    const lines: string[] = []
    for (const [label, data] of [['text', big], ['random', seededBytes(4 << 20, 99)]] as const) {
      const packed = await compress(data, 'gzip')
      const reference = execFileSync('gzip', ['-6', '-c'], { input: data, maxBuffer: 64 << 20 }).byteLength
      const unpacked = await decompress(packed.output, 'gzip')
      expect(unpacked.output).toEqual(data)
      const level1 = await compress(data, 'gzip', ['--level', '1'])
      const level9 = await compress(data, 'gzip', ['--level', '9'])
      const gzip1 = execFileSync('gzip', ['-1', '-c'], { input: data, maxBuffer: 64 << 20 }).byteLength
      const gzip9 = execFileSync('gzip', ['-9', '-c'], { input: data, maxBuffer: 64 << 20 }).byteLength
      lines.push(`${label} ${mib.toFixed(0)} MiB: level 6 ${packed.output.byteLength} bytes (ratio ${(data.byteLength / packed.output.byteLength).toFixed(3)}, ` +
        `${(packed.output.byteLength / reference).toFixed(4)}× gzip -6's ${reference}); level 1 ${level1.output.byteLength} (gzip -1 ${gzip1}, ` +
        `${Math.round((level1.result.fuelUsed ?? 0) / mib)} fuel/MiB); level 9 ${level9.output.byteLength} (gzip -9 ${gzip9}, ` +
        `${Math.round((level9.result.fuelUsed ?? 0) / mib)} fuel/MiB); level 6 ` +
        `compress ${Math.round((packed.result.fuelUsed ?? 0) / mib)} fuel, ${(packed.result.durationMs / mib).toFixed(1)} ms per MiB; ` +
        `decompress ${Math.round((unpacked.result.fuelUsed ?? 0) / mib)} fuel, ${(unpacked.result.durationMs / mib).toFixed(1)} ms per MiB; ` +
        `peak memory ${packed.result.memoryPeakBytes >> 20}/${unpacked.result.memoryPeakBytes >> 20} MiB`)
    }
    console.log(`gzip:\n  ${lines.join('\n  ')}`)
  }, 120_000)
})
