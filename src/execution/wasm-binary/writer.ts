/**
 * Byte-level writing of the WebAssembly binary format (core spec §5.1–§5.2,
 * §5.5.2): bytes, LEB128 integers, names, sized sections.
 */

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

  /** Unsigned LEB128 (§5.2.2 u32). */
  u32 (value: number): void {
    this.u64(value)
  }

  /** Unsigned LEB128 of an integer below 2^53 (§5.2.2 u64, memory64 limits). */
  u64 (value: number): void {
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

  /** Forgets what was written, keeping the buffer for what comes next. */
  clear (): void {
    this.length = 0
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

/** A section (§5.5.2): its id, then its contents framed by their size. */
export function writeSection (out: ByteWriter, id: number, contents: ByteWriter): void {
  out.byte(id)
  writeSized(out, contents)
}
