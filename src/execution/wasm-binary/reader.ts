/**
 * Byte-level reading of the WebAssembly binary format (core spec §5.1–§5.2):
 * bytes, LEB128 integers, names. Every read is bounds-checked and throws
 * `InvalidModuleError`, so malformed input never escapes as a RangeError or
 * reads past the end.
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
    const result = this.unsigned(MAX_LEB_BYTES_32, 'u32')
    if (result > 0xffff_ffff) throw new InvalidModuleError('u32 out of range')
    return result
  }

  /**
   * Unsigned LEB128 of at most 64 bits (§5.2.2 u64, memory64 limits), as a
   * double: exact below 2^53, which covers every real page count.
   */
  u64 (): number {
    return this.unsigned(MAX_LEB_BYTES_64, 'u64')
  }

  private unsigned (maxBytes: number, type: string): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte()
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return result
      scale *= 128
    }
    throw new InvalidModuleError(`LEB128 ${type} is too long`)
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
