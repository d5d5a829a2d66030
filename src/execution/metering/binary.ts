/**
 * Byte-level reading and writing of the WebAssembly binary format (core spec
 * §5.1–§5.2): bytes, LEB128 integers, names. The reader bounds-checks every
 * read and throws `InvalidModuleError`, so malformed input never escapes as a
 * RangeError or reads past the end.
 */
import { InvalidModuleError } from '../errors.ts'

/** A LEB128 encoding of an N-bit integer has at most ceil(N / 7) bytes (§5.2.2). */
const MAX_LEB_BYTES_32 = 5
const MAX_LEB_BYTES_64 = 10

export class ByteReader {
  readonly bytes: Uint8Array
  offset: number
  /** Reading stops here: the end of the enclosing section or body. */
  readonly end: number

  constructor (bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes
    this.offset = offset
    this.end = end
  }

  get done (): boolean {
    return this.offset >= this.end
  }

  byte (): number {
    if (this.offset >= this.end) throw new InvalidModuleError('Unexpected end of module')
    return this.bytes[this.offset++] as number
  }

  /** Unsigned LEB128 of at most 32 bits (§5.2.2 u32). */
  u32 (): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < MAX_LEB_BYTES_32; i++) {
      const b = this.byte()
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        if (result > 0xffff_ffff) throw new InvalidModuleError('u32 out of range')
        return result
      }
      scale *= 128
    }
    throw new InvalidModuleError('LEB128 u32 is too long')
  }

  /**
   * Skips a LEB128 integer of up to 64 bits, signed or not (s33 block types,
   * s32/s64 constants, memory64 offsets): only its length matters here.
   */
  skipLeb (maxBytes = MAX_LEB_BYTES_64): void {
    for (let i = 0; i < maxBytes; i++) {
      if ((this.byte() & 0x80) === 0) return
    }
    throw new InvalidModuleError('LEB128 integer is too long')
  }

  skip (n: number): void {
    if (n > this.end - this.offset) throw new InvalidModuleError('Unexpected end of module')
    this.offset += n
  }

  /** A name (§5.2.4): u32 length, then UTF-8 bytes, decoded leniently (compared only). */
  name (): string {
    const length = this.u32()
    const start = this.offset
    this.skip(length)
    return new TextDecoder().decode(this.bytes.subarray(start, this.offset))
  }
}

/** An append-only byte buffer that doubles as it grows. */
export class ByteWriter {
  private buffer: Uint8Array<ArrayBuffer>
  length = 0

  constructor (capacity = 1024) {
    this.buffer = new Uint8Array(Math.max(capacity, 16))
  }

  private reserve (n: number): void {
    if (this.length + n <= this.buffer.length) return
    let capacity = this.buffer.length * 2
    while (capacity < this.length + n) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
  }

  byte (b: number): void {
    this.reserve(1)
    this.buffer[this.length++] = b
  }

  bytes (source: Uint8Array | readonly number[]): void {
    this.reserve(source.length)
    this.buffer.set(source, this.length)
    this.length += source.length
  }

  /** Unsigned LEB128 (§5.2.2). */
  u32 (value: number): void {
    do {
      let b = value % 128
      value = Math.floor(value / 128)
      if (value > 0) b |= 0x80
      this.byte(b)
    } while (value > 0)
  }

  /** Signed LEB128 of a non-negative integer below 2^53 (§5.2.2 s64). */
  s64 (value: number): void {
    while (true) {
      const b = value % 128
      value = Math.floor(value / 128)
      // Stop once the remaining value is zero and the sign bit (0x40) reads as positive.
      if (value === 0 && (b & 0x40) === 0) {
        this.byte(b)
        return
      }
      this.byte(b | 0x80)
    }
  }

  name (text: string): void {
    const utf8 = new TextEncoder().encode(text)
    this.u32(utf8.length)
    this.bytes(utf8)
  }

  /** What was written so far, without copying; valid until the next write. */
  view (): Uint8Array<ArrayBuffer> {
    return this.buffer.subarray(0, this.length)
  }

  /** A copy of what was written, in a buffer of its own. */
  toBytes (): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length)
  }
}

/** `u32 size, contents`: the framing of sections and function bodies (§5.5.2, §5.5.13). */
export function writeSized (out: ByteWriter, contents: ByteWriter): void {
  out.u32(contents.length)
  out.bytes(contents.view())
}
